"""Versions of the synthesis draft: list, compare with the current draft, restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from assises_tui.errors import AssisesError
from assises_tui.keymap import VERSIONS_SCREEN_BINDINGS
from assises_tui.text.safe import printable

if TYPE_CHECKING:
    from assises_tui.services.session import Services


def diff_text(diff: str) -> Text:
    """A unified diff coloured line by line (never parsed as markup)."""
    out = Text()
    for line in printable(diff).splitlines():
        style = ""
        if line.startswith("+") and not line.startswith("+++"):
            style = "green"
        elif line.startswith("-") and not line.startswith("---"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        out.append(line + "\n", style=style)
    return out


class VersionsScreen(ModalScreen[str | None]):
    TITLE = HELP_TITLE = "Versions de la synthèse"  # the header's and the help's title
    """Dismisses with the restored text, or None when nothing was restored."""

    DEFAULT_CSS = """
    VersionsScreen {
        align: center middle;
        #versions-box { width: 90%; height: 90%; border: thick $primary; background: $surface; }
        #versions-list { width: 34; height: 1fr; }
        #versions-diff { width: 1fr; height: 1fr; border: round $secondary; }
        #versions-help { height: 1; padding: 0 1; }
    }
    """
    BINDINGS = VERSIONS_SCREEN_BINDINGS

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.versions = list(reversed(services.synthesis.list_versions()))  # newest first
        self.tz = services.config.tz

    def compose(self) -> ComposeResult:
        with Vertical(id="versions-box"):
            yield Static(
                "Versions enregistrées — r ou Entrée : restaurer ; Échap : fermer",
                id="versions-help",
                markup=False,
            )
            with Horizontal():
                yield OptionList(
                    *[
                        Option(Text(f"{v.label(self.tz)}  ({v.size} o)"), id=v.id)
                        for v in self.versions
                    ],
                    id="versions-list",
                )
                with VerticalScroll(id="versions-diff"):
                    yield Static("", id="diff", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#versions-list").border_title = f"{len(self.versions)} version(s)"
        self.query_one("#versions-diff").border_title = "Différences avec le brouillon actuel"
        if self.versions:
            self.query_one("#versions-list", OptionList).highlighted = 0
        else:
            self.query_one("#diff", Static).update("Aucune version enregistrée.")

    @on(OptionList.OptionHighlighted, "#versions-list")
    def _show_diff(self, event: OptionList.OptionHighlighted) -> None:
        diff = self.services.synthesis.diff(event.option.id or "")
        shown = diff_text(diff) if diff else Text("Identique au brouillon actuel.")
        self.query_one("#diff", Static).update(shown)

    @on(OptionList.OptionSelected, "#versions-list")
    def _selected(self) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        index = self.query_one("#versions-list", OptionList).highlighted
        if index is None or not self.versions:
            return
        version = self.versions[index]
        try:
            text = self.services.synthesis.restore(version.id)
        except (AssisesError, OSError) as exc:  # read-only workspace, disk full…
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Version du {version.label(self.tz)} restaurée.", markup=False)
        self.dismiss(text)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
