"""The command palette (Ctrl+P) in French and accent-insensitive.

Textual's palette says « Search for commands… » and « No matches found », and its fuzzy
matcher compares characters as typed, so « synthese » finds nothing under « Synthèse ».
``FrenchCommandPalette`` gives the French wording; ``FoldedCommands`` (the app's only
command provider) matches the typed text and each command's name with accents and case
folded, and highlights the matched letters in the accented name.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from assises_tui.text.fold import fold_same_length

PLACEHOLDER = "Chercher une commande ou une touche…"
NO_MATCH = "Aucune commande ne correspond."


class FoldedCommands(Provider):
    """The app's commands (``App.get_system_commands``), matched without accents."""

    async def discover(self) -> Hits:
        commands = sorted(self.app.get_system_commands(self.screen), key=lambda c: c[0])
        for name, help_text, callback, discover in commands:
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(fold_same_length(query))
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            folded = fold_same_length(name)
            score = matcher.match(folded)
            if score > 0:
                # The folded name's highlight, moved onto the accented name (same length).
                shown = Content(name)
                for span in matcher.highlight(folded).spans:
                    shown = shown.stylize(span.style, span.start, span.end)
                yield Hit(score, shown, callback, help=help_text)


class FrenchCommandPalette(CommandPalette):
    HELP_TITLE = "Commandes"  # the help screen's title

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=PLACEHOLDER, **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own, with the French sentence (its text is not a parameter).
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCH, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
