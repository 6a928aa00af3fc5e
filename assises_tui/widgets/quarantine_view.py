"""The quarantine view: messages that could not be read at all, with the reason."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from assises_tui.domain.models import QuarantineEntry
from assises_tui.text.safe import one_line


def quarantine_text(entries: list[QuarantineEntry]) -> Text:
    text = Text(overflow="fold")
    if not entries:
        text.append("Aucun message en quarantaine.", style="italic")
        return text
    text.append(
        f"{len(entries)} message(s) illisible(s), gardé(s) tel(s) quel(s) "
        "(source brute conservée) :",
        style="bold",
    )
    for entry in entries:
        text.append(f"\n\nQ{entry.id}  ", style="bold")
        text.append(one_line(entry.at, 40))
        text.append("  ·  ")
        text.append(one_line(entry.source, 200))
        text.append("\n    Motif : ", style="italic")
        text.append(one_line(entry.reason, 500))
    return text


class QuarantineView(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    QuarantineView { height: 1fr; padding: 0 1; }
    """

    def compose(self):
        yield Static("", markup=False, id="quarantine-text")

    def show(self, entries: list[QuarantineEntry]) -> None:
        self.query_one("#quarantine-text", Static).update(quarantine_text(entries))
