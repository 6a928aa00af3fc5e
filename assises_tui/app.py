"""AssisesApp: services injected, global keys, opens on the inbox.

Every change is written durably by the services the moment it is made, so quitting (``q``,
Ctrl+Q, closing the terminal) never loses work: there is nothing to save on exit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from assises_tui.keymap import APP_BINDINGS, check_keymap
from assises_tui.screens.help import HelpScreen, binding_description, help_rows
from assises_tui.screens.palette import FoldedCommands, FrenchCommandPalette

if TYPE_CHECKING:
    from assises_tui.services.session import Services

#: Key names as printed on French keyboards (footer, help, palette).
FRENCH_KEYS = {
    "escape": "Échap",
    "space": "Espace",
    "home": "Début",
    "end": "Fin",
    "pageup": "PgPréc",
    "pagedown": "PgSuiv",
    "delete": "Suppr",
    "backspace": "RetArr",
    "tab": "Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}
MODIFIERS = {"ctrl": "Ctrl", "shift": "Maj", "alt": "Alt"}


class AssisesApp(App[None]):
    CSS_PATH = "app.tcss"
    BINDINGS = APP_BINDINGS
    ENABLE_COMMAND_PALETTE = True
    # French, accent-insensitive (screens/palette.py) instead of Textual's system commands.
    COMMANDS = {FoldedCommands}

    def __init__(self, services: Services, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = services
        config = services.config
        check_keymap(config.keymap)  # a wrong [keymap] id: one French sentence, no app
        self.title = f"{config.title} — {config.department}"
        self.sub_title = "lecture seule" if services.read_only else ""

    def on_mount(self) -> None:
        from assises_tui.screens.inbox import InboxScreen

        if self.services.config.keymap:
            self.set_keymap(dict(self.services.config.keymap))
        self.push_screen(InboxScreen(self.services))

    def get_key_display(self, binding: Binding) -> str:
        if binding.action == "help" and getattr(self.screen, "TYPING", False):
            return "F1"  # on a screen where « ? » types a question mark
        *modifiers, base = binding.key.split("+")
        function_key = re.fullmatch(r"f\d{1,2}", base) is not None
        if binding.key_display or (not modifiers and base not in FRENCH_KEYS and not function_key):
            return super().get_key_display(binding)  # letters, digits, symbols, ⏎
        name = FRENCH_KEYS.get(base) or (base.upper() if len(base) == 1 or function_key else base)
        return "+".join([*(MODIFIERS.get(m, m) for m in modifiers), name])

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        name = getattr(screen, "HELP_TITLE", None) or self.title  # declared by each screen
        self.push_screen(HelpScreen(f"Touches — {name}", help_rows(self, screen)))

    def action_command_palette(self) -> None:
        if not FrenchCommandPalette.is_open(self):
            self.push_screen(FrenchCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette lists every described key of the current screen, in French."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.id or not binding.description or binding.action == "command_palette":
                continue
            ident = binding.id or binding.action
            if ident in seen:
                continue
            seen.add(ident)
            keys = self.get_key_display(binding.with_key(key))
            yield SystemCommand(
                binding_description(self, binding),
                f"Touche : {keys}",
                partial(self.run_action, binding.action, active.node),
            )
        if "app.quit" not in seen:  # the screen's own bindings may not list it
            yield SystemCommand(
                "Quitter", "Fermer l'application (tout est déjà enregistré)", self.action_quit
            )
