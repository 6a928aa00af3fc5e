"""``HistoryScreen(services, contribution_id)``: who changed what on one contribution, when.

Rows come from :func:`assises_tui.services.audit.history` (the record's own history plus the
workspace events that name it: purge, reveal of personal data…). Every cell is a ``Text``
(DataTable would parse a ``str`` as markup) and every value went through ``one_line``, so
text copied from an e-mail (a note, an excerpt) is shown literally and never reaches the
terminal as a control sequence. Escape closes the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from assises_tui.clock import local_time
from assises_tui.keymap import HISTORY_SCREEN_BINDINGS
from assises_tui.services.audit import AuditEntry, describe
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.services.session import Services

COLUMNS = ("Quand", "Qui", "Quoi", "Avant", "Après")


def when_label(at: str, tz) -> str:
    """``25/11/2026 21:04`` in the consultation's time zone (the raw text if unreadable)."""
    return one_line(local_time(at, tz), 30)


def history_rows(services: Services, cid: int) -> list[tuple[str, str, str, str, str]]:
    """The table's rows, oldest first, as bounded single-line strings (no Textual here)."""
    tz = services.config.tz
    rows = []
    for entry in services.audit.history(cid):
        rows.append(_row(entry, tz))
    return rows


def _row(entry: AuditEntry, tz) -> tuple[str, str, str, str, str]:
    before = describe(entry.before, 60) if entry.before is not None else ""
    return (
        when_label(entry.at, tz),
        one_line(entry.who or "?", 30),
        one_line(entry.label, 50),
        before,
        describe(entry.after, 80),
    )


class HistoryScreen(Screen[None]):
    HELP_TITLE = "Historique"  # the help screen's title
    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#history-table"
    BINDINGS = HISTORY_SCREEN_BINDINGS

    def __init__(self, services: Services, contribution_id: int) -> None:
        super().__init__()
        self.services = services
        self.cid = contribution_id

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(
            f"Historique de la contribution n° {self.cid}", markup=False, id="history-title"
        )
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", markup=False, id="history-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Historique — n° {self.cid}"
        self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        for name in COLUMNS:
            table.add_column(Text(name), key=name)
        rows = history_rows(self.services, self.cid) if self._exists() else []
        for n, row in enumerate(rows):
            table.add_row(*(Text(cell) for cell in row), key=str(n))
        empty = self.query_one("#history-empty", Static)
        if not self._exists():
            empty.update(f"La contribution n° {self.cid} n'existe pas.")
        elif not rows:
            empty.update("Aucune modification enregistrée.")
        else:
            empty.update("")
        empty.display = not rows
        if rows:  # the latest change is what people look for
            table.move_cursor(row=len(rows) - 1)

    def _exists(self) -> bool:
        return self.services.contributions.exists(self.cid)

    def action_close(self) -> None:
        self.dismiss(None)
