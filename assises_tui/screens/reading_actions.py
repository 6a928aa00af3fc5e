"""Actions about the contribution being read, shared by the inbox and the reader.

``P`` switches the pseudonymised view (revealing personal data asks for confirmation and
is recorded in the audit trail), ``l`` opens the contribution's history, ``y`` accepts the
best theme suggestion shown in the reader. A screen using the mixin provides
``reading_id()``, ``reader_view()`` (the visible reader, or None) and ``redraw()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assises_tui.screens.prompts import ConfirmScreen
from assises_tui.services.privacy import PrivacyError

if TYPE_CHECKING:
    from assises_tui.services.session import Services
    from assises_tui.widgets.body_view import ReaderView


class ReadingActions:
    """Mixin for a Screen: ``self.services`` and ``self.app`` are expected."""

    services: Services

    # -- to provide -------------------------------------------------------
    def reading_id(self) -> int | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def reader_view(self) -> ReaderView | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def redraw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- actions ------------------------------------------------------------
    def action_privacy(self) -> None:
        privacy = self.services.privacy
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
        self.app.push_screen(HistoryScreen(self.services, cid))

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
