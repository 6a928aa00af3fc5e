"""``?``: every key of the current screen, built from its active bindings (public API).

So the list is always true: a key changed in ``[keymap]`` shows its new value here.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from assises_tui.keymap import HELP_SCREEN_BINDINGS
from assises_tui.widgets.formatting import FLAG_LEGEND

#: Keys Textual binds for itself that are noise in a reviewer's help.
_HIDDEN_ACTIONS = {"app.focus_next", "app.focus_previous", "focus_next", "focus_previous"}


def binding_description(app, binding: Binding) -> str:
    """Theme keys are declared for nine themes: name the consultation's theme instead."""
    found = re.fullmatch(r"toggle_theme\((\d+)\)", binding.action)
    services = getattr(app, "services", None)
    if found and services is not None:
        themes = services.config.themes
        index = int(found.group(1))
        if index < len(themes):
            return f"Thème « {themes[index].label} » (poser/retirer)"
    # The footer shows the short description; the tooltip, when there is one, says it in full.
    return binding.tooltip or binding.description


def help_rows(app, screen) -> list[tuple[str, str]]:
    """(keys, description) for the screen's active bindings, grouped by action."""
    grouped: dict[tuple[str, str], list[str]] = {}
    # The screen's own keys first, then the focused widget's (the editor's dozen keys
    # would otherwise push the screen's commands below the fold at 80×24).
    ordered = sorted(screen.active_bindings.items(), key=lambda item: item[1].node is not screen)
    for key, active in ordered:
        binding = active.binding
        # Only our own bindings (they all carry an id): Textual's built-in scrolling and
        # copy keys have English descriptions and would read as noise here.
        if not binding.description or binding.id is None or binding.action in _HIDDEN_ACTIONS:
            continue
        ident = (binding.id or binding.action, binding_description(app, binding))
        display = app.get_key_display(binding.with_key(key))
        grouped.setdefault(ident, [])
        if display not in grouped[ident]:
            grouped[ident].append(display)
    return [(" ".join(keys), desc) for (_ident, desc), keys in grouped.items()]


class HelpScreen(ModalScreen[None]):
    HELP_TITLE = "Aide"  # the help screen's title
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = HELP_SCREEN_BINDINGS

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("Touches", no_wrap=True, ratio=1)
        table.add_column("Action", ratio=3)
        for keys, desc in self.rows:
            table.add_row(Text(keys), Text(desc))
        with VerticalScroll():
            yield Static(Text(self.title_text, style="bold"), markup=False)
            yield Static(table)
            yield Static(self._legend(), markup=False)

    def _legend(self) -> Text:
        """The list legend belongs to the inbox and the reader, which set HELP_LEGEND."""
        below = next((s for s in reversed(self.app.screen_stack) if s is not self), None)
        if not getattr(below, "HELP_LEGEND", False):
            return Text("\nÉchap : fermer.")
        legend = Text("\nColonne RPDCN de la liste :\n", style="bold")
        for letter, meaning in FLAG_LEGEND:
            legend.append(f"  {letter}  {meaning}\n", style="")
        legend.append(
            "\nThèmes : 1 à 9, ou sans Maj sur un clavier AZERTY & é \" ' ( … "
            "La colonne Thèmes montre le chiffre de chaque thème posé.\n"
            "Une action de tri porte sur les contributions marquées s'il y en a "
            "(confirmation demandée), sinon sur la ligne courante. Échap : fermer."
        )
        return legend

    def action_close(self) -> None:
        self.dismiss(None)
