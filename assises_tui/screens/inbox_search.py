"""The inbox's search box: what was typed, what it found, how it runs.

A part the inbox composes. Typing runs the search after a short pause (``debounce``); a
search that once took longer than ``SLOW_SEARCH`` runs in a thread worker from then on, so
the keys stay responsive on a large consultation. The search runs over every contribution,
then the inbox shows the hits of its view and says how many the other views hold (« 12
dans Toutes »).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from assises_tui.search import SearchIndex

SLOW_SEARCH = 0.08  # seconds: slower searches move off the event loop


class InboxSearch:
    debounce = 0.12  # seconds after the last key before the search runs

    def __init__(
        self,
        screen: Screen,
        index: Callable[[], SearchIndex],
        *,
        problems: Callable[[list[str]], None],
        found: Callable[[], None],
        waiting: Callable[[], bool] = lambda: False,
    ) -> None:
        self.screen = screen  # its timers and workers run the search
        self._index = index  # asked for when first used: not before the first paint
        self.problems = problems  # shows the query's faults (an unknown field…)
        self.found = found  # the hits (or their absence) changed: redraw
        #: True while the records are still being read (a team database): the search
        #: waits, says so, and the inbox runs it at the end of the reading.
        self.waiting = waiting
        self.text = ""
        #: What the search finds in every view, ascending; None when no search is under way.
        self.hits: list[int] | None = None
        self.found_everywhere = 0  # records the current search finds in every view
        self.words: tuple[str, ...] = ()  # its free words, highlighted by the reader
        self.last_seconds = 0.0
        self._slow = False
        self._timer = None

    @property
    def index(self) -> SearchIndex:
        return self._index()

    def prepare(self) -> None:
        """Index what changed since the last session (new imports, edits by the CLI) and
        load the index in a thread, so that the first search key is as fast as the next."""
        self.screen.run_worker(
            self._prepare, group="search-index", exclusive=True, thread=True, exit_on_error=False
        )

    def follow(self, ids: list[int]) -> None:
        """Index again, in a thread, the records another reviewer changed."""
        self.screen.run_worker(
            partial(self.index.follow, ids),
            group="search-index",
            exclusive=False,  # a running first check must not be cancelled by a change
            thread=True,
            exit_on_error=False,
        )

    def _prepare(self) -> None:
        index = self.index
        index.refresh()
        index.warm()

    def typed(self, value: str) -> None:
        self.text = value.strip()
        self._stop_timer()
        self._timer = self.screen.set_timer(self.debounce, self.run)

    def submitted(self) -> None:
        self._stop_timer()
        self.run()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def run(self) -> None:
        text = self.text
        if not text:
            self.problems([])
            self.hits = None
            self.words = ()
            self.found()
            return
        problems = self.index.parse(text).errors
        if self.waiting():
            self.problems([*problems, "la recherche partira à la fin du chargement"])
            return
        self.problems(problems)
        if self._slow:
            self.screen.run_worker(
                partial(self._search_in_thread, text),
                group="search",
                exclusive=True,
                thread=True,
                exit_on_error=False,
            )
            return
        start = time.perf_counter()
        hits = self._search(text)
        self.last_seconds = time.perf_counter() - start
        self._slow = self.last_seconds > SLOW_SEARCH
        self._show(text, hits)

    def _search(self, text: str) -> list[int]:
        everywhere = self.index.search(text)
        self.found_everywhere = len(everywhere)
        return everywhere

    def _search_in_thread(self, text: str) -> None:
        hits = self._search(text)
        self.screen.app.call_from_thread(self._show, text, hits)

    def _show(self, text: str, hits: list[int]) -> None:
        if text != self.text:  # typed on meanwhile: a newer search is coming
            return
        self.hits = hits
        terms = self.index.parse(text).terms
        self.words = tuple(w for t in terms if t.is_text and not t.negated for w in t.words)
        self.found()
