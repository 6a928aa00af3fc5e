"""The full-screen reader (narrow terminals, or pushed by other screens to show a citation).

``ReaderScreen(services, contribution_id, ids=None)``: ``ids`` is the list the reader
walks with J/K (the inbox passes its current view); it dismisses with the id last shown,
so the inbox puts its cursor there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from assises_tui.keymap import (
    READER_BINDINGS,
    READING_BINDINGS,
    TRIAGE_BINDINGS,
    theme_bindings,
)
from assises_tui.screens.parts import keys_from
from assises_tui.screens.reading_actions import ReadingActions
from assises_tui.screens.triage_actions import TriageActions
from assises_tui.widgets.body_view import ReaderView
from assises_tui.widgets.read_only_banner import read_only_banner

if TYPE_CHECKING:
    from assises_tui.services.session import Services


@keys_from(triage_actions=TriageActions, reading_actions=ReadingActions)
class ReaderScreen(Screen[int | None]):
    HELP_TITLE = "Lecture"  # the help screen's title
    CSS_PATH = "reader.tcss"
    AUTO_FOCUS = "ReaderView"
    HELP_LEGEND = True  # the help explains the list's columns and the theme keys
    BINDINGS = [*READER_BINDINGS, *TRIAGE_BINDINGS, *READING_BINDINGS, *theme_bindings(9)]

    def __init__(
        self, services: Services, contribution_id: int, ids: list[int] | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.cid = contribution_id
        self.ids = ids if ids is not None else [contribution_id]
        #: The inbox search's words, highlighted in the body.
        self.highlight: tuple[str, ...] = ()
        self.triage_actions = TriageActions.for_screen(
            self,
            services,
            target=lambda: ([self.cid], False),
            after_change=lambda _changeset: self.view.refresh_contribution(),
        )
        self.reading_actions = ReadingActions.for_screen(
            self,
            services,
            reading_id=lambda: self.cid,
            reader_view=lambda: self.view,
            redraw=lambda: self.view.show(self.cid, keep_scroll=True),
        )

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        if self.services.read_only:
            yield read_only_banner(self.services.workspace.read_only_reason)
        yield ReaderView(self.services, id="reader-view")
        # Compact, and without the palette hint (Ctrl+P is in the help): at 80 columns
        # the help key must stay visible.
        yield Footer(compact=True, show_command_palette=False)

    def load(self, contribution_id: int, ids: list[int] | None = None) -> None:
        """Show another contribution: lets the inbox reuse one reader screen (mounting a
        screen costs far more than showing a text)."""
        self.cid = contribution_id
        self.ids = ids if ids is not None else [contribution_id]
        if self.is_mounted:
            self.view.highlight = self.highlight
            self.view.show(self.cid)
            self._update_title()

    @property
    def view(self) -> ReaderView:
        return self.query_one("#reader-view", ReaderView)

    def on_mount(self) -> None:
        self.view.highlight = self.highlight
        self.view.show(self.cid)
        self._update_title()

    def _update_title(self) -> None:
        try:
            pos = f" · {self.ids.index(self.cid) + 1}/{len(self.ids)}"
        except ValueError:
            pos = ""
        # The screen's own title (Textual shows it instead of the app's in the Header):
        # the long consultation title would hide the number at 80 columns.
        self.title = f"Contribution n° {self.cid}{pos}"

    def _step(self, step: int) -> None:
        try:
            index = self.ids.index(self.cid) + step
        except ValueError:
            return
        if 0 <= index < len(self.ids):
            self.cid = self.ids[index]
            self.view.show(self.cid)
            self._update_title()
        else:
            self.app.notify(
                "Dernière contribution de la liste." if step > 0 else "Première contribution.",
                markup=False,
                timeout=2,
            )

    def action_next(self) -> None:
        self._step(1)

    def action_previous(self) -> None:
        self._step(-1)

    def action_fold(self) -> None:
        self.view.toggle_fold()

    def action_raw(self) -> None:
        self.view.toggle_raw()

    def action_back(self) -> None:
        self.dismiss(self.cid)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.triage_actions.check_action(action, parameters)
