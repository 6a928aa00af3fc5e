"""A shared database's first reading, as the inbox lives it.

A part the inbox composes (see :mod:`~assises_tui.screens.parts`). While a team database's
records are read behind the first screen, the view's rows are asked of the database (its
status and assignee views, by date; the others stay empty until the end), the status line
follows the reading, and at its end the inbox is given every record (``done``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from assises_tui.domain.models import OPEN_STATUSES
from assises_tui.errors import StoreError
from assises_tui.screens.views import View, database_filter

if TYPE_CHECKING:
    from textual.screen import Screen

    from assises_tui.services.contributions import Contributions

LOADING_POLL = 0.25  # seconds between two looks at the reading

#: (view, sort, reverse): what the inbox shows now.
ViewState = Callable[[], tuple[View, str, bool]]
#: Shows the view's rows from the database: (ids, records left to do, cursor to keep).
ShowRows = Callable[[list[int], int, int | None], None]


class FirstReading:
    def __init__(
        self,
        screen: Screen,
        contributions: Contributions,
        reviewer: str,
        *,
        view_state: ViewState,
        show_rows: ShowRows,
        progress: Callable[[], None],
        done: Callable[[], None],
    ) -> None:
        self.screen = screen  # its timer and workers run the reading's steps
        self.contributions = contributions
        self.reviewer = reviewer
        self.view_state = view_state
        self.show_rows = show_rows
        self.progress = progress  # the reading moved on: the status line says how far
        self.done = done  # every record is read: the inbox takes them in
        self._timer = None

    @property
    def under_way(self) -> bool:
        """True while the records are being read (the store says so)."""
        return self.contributions.loading() is not None

    @property
    def reading(self) -> bool:
        """True until the first reading is over and taken in by the inbox."""
        return self._timer is not None

    def start(self) -> bool:
        """Follow the reading, if there is one; False when every record is already read."""
        if not self.under_way:
            return False
        self._timer = self.screen.set_interval(LOADING_POLL, self._check)
        return True

    def _check(self) -> None:
        if self.under_way:
            self.progress()
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            self.contributions.wait_loaded()  # over: returns at once, or says why it failed
        except StoreError as exc:
            self.screen.app.exit(return_code=1, message=str(exc))
            return
        self.done()

    # -- the view's rows while reading --------------------------------------------------
    def ask_rows(self, keep: int | None) -> None:
        """Ask the database for the view's rows (in a thread); a view or sort it cannot
        select lets the reading of every record begin at once instead."""
        view, sort, reverse = self.view_state()
        found = database_filter(view, self.reviewer)
        if found is None or sort != "date":
            self.contributions.start_loading()
            return
        self.screen.run_worker(
            partial(self._ask, view.key, found, reverse, keep),
            group="view-from-database",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def _ask(self, key: str, found: dict[str, object], reverse: bool, keep: int | None) -> None:
        app = self.screen.app
        try:
            ids = self.contributions.dated_ids(**found, reverse=reverse)  # type: ignore[arg-type]
            left = self.left_in_database()
        except StoreError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
            self.contributions.start_loading()
            return
        app.call_from_thread(self._show, key, reverse, ids, left, keep)

    def _show(self, key: str, reverse: bool, ids: list[int], left: int, keep: int | None) -> None:
        if not self.under_way:
            return  # every record is read now: ``done`` shows the view from them
        view, sort, now_reverse = self.view_state()
        if (key, reverse, "date") != (view.key, now_reverse, sort):
            return  # the view changed meanwhile
        self.show_rows(ids, left, keep)
        # Its rows drawn, the screen lets the reading of every record begin behind it.
        self.screen.call_after_refresh(self.contributions.start_loading)

    def left_in_database(self) -> int:
        """Contributions left to do, counted by the database."""
        counts = self.contributions.status_counts()
        return sum(counts.get(status.value, 0) for status in OPEN_STATUSES)
