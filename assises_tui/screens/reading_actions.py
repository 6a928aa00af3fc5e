"""Actions about the contribution being read, shared by the inbox and the reader.

``P`` switches the pseudonymised view (revealing personal data asks for confirmation and
is recorded in the audit trail), ``l`` opens the contribution's history, ``y`` accepts the
best theme suggestion shown in the reader. :class:`ReadingActions` is a part the screen
composes (see :mod:`~assises_tui.screens.parts`): the screen gives it ``reading_id()``,
``reader_view()`` (the visible reader, or None) and ``redraw()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assises_tui.screens.parts import ScreenBuilder, screen_builder
from assises_tui.screens.prompts import ConfirmScreen
from assises_tui.services.privacy import PrivacyError

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from assises_tui.services.privacy import Privacy
    from assises_tui.services.session import Services
    from assises_tui.widgets.body_view import ReaderView


class ReadingActions:
    """The reading keys of a screen that shows a contribution (the inbox, the reader)."""

    def __init__(
        self,
        screen: Screen,
        *,
        privacy: Privacy,
        build: ScreenBuilder,
        reading_id: Callable[[], int | None],
        reader_view: Callable[[], ReaderView | None],
        redraw: Callable[[], None],
    ) -> None:
        self.screen = screen  # notifies and pushes prompts through its app
        self.privacy = privacy
        self.build = build
        self.reading_id = reading_id
        self.reader_view = reader_view
        self.redraw = redraw

    @classmethod
    def for_screen(
        cls,
        screen: Screen,
        services: Services,
        *,
        reading_id: Callable[[], int | None],
        reader_view: Callable[[], ReaderView | None],
        redraw: Callable[[], None],
    ) -> ReadingActions:
        """The part wired from the services it uses."""
        return cls(
            screen,
            privacy=services.privacy,
            build=screen_builder(services),
            reading_id=reading_id,
            reader_view=reader_view,
            redraw=redraw,
        )

    @property
    def app(self) -> App:
        return self.screen.app

    # -- actions ------------------------------------------------------------
    def action_privacy(self) -> None:
        privacy = self.privacy
        if not privacy.pseudonymised:
            privacy.hide()
            self.redraw()
            self.app.notify(
                "Vue pseudonymisée : noms, adresses et téléphones masqués.", markup=False
            )
            return
        cid = self.reading_id()

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                privacy.reveal(cid)
            except PrivacyError as exc:
                self.app.notify(str(exc), severity="error", markup=False)
                return
            self.redraw()
            self.app.notify("Données personnelles affichées (consigné au journal).", markup=False)

        self.app.push_screen(
            ConfirmScreen(
                "Afficher les données personnelles ?",
                "Les noms, adresses électroniques et postales et les téléphones des "
                "contributeurs seront visibles pour cette session. Votre nom, la date et "
                "la contribution affichée seront consignés au journal.",
                yes="Afficher",
            ),
            answered,
        )

    def action_history(self) -> None:
        from assises_tui.screens.history import HistoryScreen

        cid = self.reading_id()
        if cid is None:
            self.app.bell()
            return
        self.app.push_screen(self.build(HistoryScreen, cid))

    def action_accept_suggestion(self) -> None:
        view = self.reader_view()
        if view is None or view.cid is None:
            self.app.notify(
                "Ouvrez une contribution pour voir ses suggestions de thèmes.",
                markup=False,
                timeout=3,
            )
            return
        if view.suggestions.accept(0) is not None:
            self.redraw()
