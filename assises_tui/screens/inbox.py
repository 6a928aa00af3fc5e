"""The inbox: views, search, marks and triage over a virtual list; a reader pane when wide.

At 120 columns or more the reader sits beside the list (class ``wide``); below that
Enter pushes the full-screen :class:`~assises_tui.screens.reader.ReaderScreen`. Both use
the same :class:`~assises_tui.widgets.body_view.ReaderView`.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from assises_tui.domain.models import OPEN_STATUSES, Contribution
from assises_tui.keymap import (
    INBOX_BINDINGS,
    READING_BINDINGS,
    TRIAGE_BINDINGS,
    theme_bindings,
)
from assises_tui.screens.first_reading import FirstReading
from assises_tui.screens.inbox_pickers import InboxPickers
from assises_tui.screens.inbox_search import InboxSearch
from assises_tui.screens.parts import keys_from
from assises_tui.screens.reading_actions import ReadingActions
from assises_tui.screens.suggestion_training import PRIORITY_VIEW, SuggestionTraining
from assises_tui.screens.triage_actions import TriageActions
from assises_tui.screens.view_rows import ViewRows
from assises_tui.screens.views import SORTS, VIEW_BY_KEY, is_open
from assises_tui.services.changes import ChangeSet
from assises_tui.widgets.body_view import ReaderView
from assises_tui.widgets.contribution_list import ContributionList, ListHeader
from assises_tui.widgets.quarantine_view import QuarantineView
from assises_tui.widgets.read_only_banner import read_only_banner
from assises_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from assises_tui.services.session import Services

WIDE = 120  # columns from which the reader sits beside the list


@keys_from(triage_actions=TriageActions, reading_actions=ReadingActions, pickers=InboxPickers)
class InboxScreen(Screen):
    HELP_TITLE = "Boîte de réception"  # the help screen's title
    CSS_PATH = "inbox.tcss"
    AUTO_FOCUS = "ContributionList"
    HELP_LEGEND = True  # the help explains the list's columns and the theme keys

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.marked: set[int] = set()
        self.view = VIEW_BY_KEY["left"]
        self.sort = "date"
        self.reverse = False
        self.rows = ViewRows([])  # the view's rows in order, before any search
        self.left = 0
        self._reader_timer = None
        self._reader_screen = None
        self.search = InboxSearch(
            self,
            lambda: services.search,
            problems=self._show_search_problems,
            found=self._show_hits,
            waiting=lambda: self.first_reading.under_way,
        )
        self.training = SuggestionTraining(self, lambda: services.suggester)
        self.triage_actions = TriageActions.for_screen(
            self,
            services,
            target=self.target,
            after_change=self.after_change,
            clear_marks=self.action_unmark_all,
        )
        self.reading_actions = ReadingActions.for_screen(
            self,
            services,
            reading_id=lambda: self.list.current,
            reader_view=lambda: self.reader if self.wide else None,
            redraw=self.redraw,
        )
        self.pickers = InboxPickers.for_screen(self, services)
        self.first_reading = FirstReading(
            self,
            services.contributions,
            services.reviewer,
            view_state=lambda: (self.view, self.sort, self.reverse),
            show_rows=self._show_database_rows,
            progress=self.update_status,
            done=self._all_read,
        )

    BINDINGS = [*TRIAGE_BINDINGS, *READING_BINDINGS, *theme_bindings(9), *INBOX_BINDINGS]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        if self.services.read_only:
            yield read_only_banner(self.services.workspace.read_only_reason)
        lst = ContributionList(
            self.services.contributions.get,
            self.services.config,
            self.marked,
            privacy=self.services.privacy,
            prefetch=self.services.contributions.prefetch,
            cursor_moved=self.cursor_moved,
            id="inbox-list",
        )
        with Horizontal(id="inbox-main"):
            with Vertical(id="inbox-left"):
                yield Input(
                    placeholder='/ Chercher (mots, "phrase", from:, theme:, status:, -mot…)',
                    id="inbox-search",
                    compact=True,
                )
                yield Static("", markup=False, id="inbox-search-errors")
                yield ListHeader(lst, id="inbox-list-header")
                yield lst
                yield QuarantineView(id="inbox-quarantine")
                yield StatusLine(id="inbox-status")
            yield ReaderView(self.services, id="inbox-reader")
        # Compact, and without the palette hint (Ctrl+P is in the help): at 80 columns
        # the help key must stay visible.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "wide")
        self.reload_view()
        if self.services.read_only:
            self.set_interval(3.0, self._poll_store)
        # Team mode: the database says when another reviewer changed something.
        if self.services.config.store_url:
            self.services.contributions.watch(self._others_changed)
        # A shared database still being read: the first screen comes from the database;
        # search and suggestions need every record, so they wait for the end.
        if self.first_reading.start():
            return
        # After the first paint: the inbox is usable at once, the index catches up behind it.
        self.call_after_refresh(self.search.prepare)
        self.call_after_refresh(self.training.start)

    @property
    def reading(self) -> bool:
        """True until the first reading of a shared database is over and taken in."""
        return self.first_reading.reading

    def _all_read(self) -> None:
        """The first reading is over: the whole inbox, its search and suggestions."""
        self.reload_view()
        if self.search.text:
            self.search.run()
        self.search.prepare()
        self.training.start()

    def on_unmount(self) -> None:
        self.training.stop()

    # -- widgets ------------------------------------------------------------
    @cached_property
    def list(self) -> ContributionList:  # cached: used on every key press
        return self.query_one("#inbox-list", ContributionList)

    @cached_property
    def reader(self) -> ReaderView:
        return self.query_one("#inbox-reader", ReaderView)

    @property
    def search_input(self) -> Input:
        return self.query_one("#inbox-search", Input)

    @property
    def wide(self) -> bool:
        return self.has_class("wide")

    def on_resize(self, event: Resize) -> None:
        was = self.wide
        self.set_class(event.size.width >= WIDE, "wide")
        if self.wide and not was:
            self.reader.show(self.list.current)

    # -- view, sort, search ----------------------------------------------------
    @property
    def view_sorted(self) -> list[int]:
        """The view's rows in order, before any search."""
        return self.rows.ids

    def reload_view(self, keep: int | None = None, stay_at: int | None = None) -> None:
        """Recompute the view from the store (after a view/sort change or an import)."""
        if self.first_reading.under_way:
            self._reload_view_from_database(keep)
            return
        records = self.services.contributions.all()
        self.left = sum(1 for c in records if is_open(c))
        quarantine = self.view.predicate is None
        self.set_class(quarantine, "quarantine")
        if quarantine:
            self.query_one(QuarantineView).show(self.services.contributions.quarantine())
        rows = ViewRows.of(records, self.view, self.services.reviewer, self.sort, self.reverse)
        if self.view.key == PRIORITY_VIEW:
            rows = ViewRows(self.training.order_by_priority(rows.ids), widest_id=rows.widest_id)
        self.rows = rows
        self.apply_filter(keep if keep is not None else self.list.current, stay_at)

    def _reload_view_from_database(self, keep: int | None) -> None:
        """While the records are being read: the view's rows asked of the database (views
        and sorts it cannot select stay empty until the end of the reading)."""
        quarantine = self.view.predicate is None
        self.set_class(quarantine, "quarantine")
        if quarantine:
            self.query_one(QuarantineView).show(self.services.contributions.quarantine())
        self.rows = ViewRows([])
        self.first_reading.ask_rows(keep)
        self.apply_filter(keep if keep is not None else self.list.current)

    def _show_database_rows(self, ids: list[int], left: int, keep: int | None) -> None:
        self.left = left
        self.rows = ViewRows(ids)
        self.apply_filter(keep if keep is not None else self.list.current)

    def _count_left(self) -> int:
        contributions = self.services.contributions
        if self.first_reading.under_way:
            return self.first_reading.left_in_database()
        return sum(1 for c in contributions.all() if is_open(c))

    def apply_filter(self, keep: int | None = None, stay_at: int | None = None) -> None:
        """Show the view's rows (those the search found, if any); the cursor stays on
        ``keep``, or at row ``stay_at`` when ``keep`` left the list."""
        hits = self.search.hits
        ids = self.rows.ids if hits is None else self.rows.among(hits)
        self.list.set_ids(ids, keep=keep, widest_id=self.rows.widest_id, stay_at=stay_at)
        self.query_one("#inbox-list-header", ListHeader).refresh()
        self.update_status()

    def update_status(self) -> None:
        lst = self.list
        sort = dict(SORTS)[self.sort] + (" ↓" if self.reverse else "")
        if self.view.key == PRIORITY_VIEW:
            sort = "priorité" if self.training.priority_rank is not None else "date (classement…)"
        shown = len(lst.ids)
        if self.view.predicate is None:
            shown = len(self.services.contributions.quarantine())
        self.query_one(StatusLine).show(
            view=self.view.label,
            shown=shown,
            left=self.left,
            marked=len(self.marked),
            sort=sort,
            query=self.search.text,
            position=lst.cursor + 1 if lst.ids else None,
            everywhere=self.search.found_everywhere if self.search.hits is not None else None,
            suggestions=self.training.quality,
            loading=self.services.contributions.loading(),
        )

    def set_view(self, key: str) -> None:
        self.view = VIEW_BY_KEY[key]
        self.reload_view()
        self.list.focus()

    @on(Input.Changed, "#inbox-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.search.typed(event.value)

    @on(Input.Submitted, "#inbox-search")
    def search_submitted(self) -> None:
        self.search.submitted()
        self.list.focus()

    def _show_search_problems(self, problems: list[str]) -> None:
        text = " · ".join(problems)
        if text == self._search_problems:
            return  # updating the line would lay the whole screen out again, per key
        self._search_problems = text
        errors = self.query_one("#inbox-search-errors", Static)
        errors.update(text)
        errors.display = bool(problems)

    _search_problems = ""

    def _show_hits(self) -> None:
        self.reader.highlight = self.search.words
        if self.wide and self.list.current is not None:
            self.reader.show(self.list.current, keep_scroll=True)
        self.apply_filter()

    def recall_search(self, query: str) -> None:
        """Run a saved search (picked with R)."""
        self.search_input.value = query  # Input.Changed runs the search
        self.search.text = query
        self.search.run()
        self.list.focus()

    def action_search(self) -> None:
        self.search_input.focus()

    def action_back(self) -> None:
        if self.focused is self.search_input or self.focused is self.reader:
            self.list.focus()
        elif self.search.text:
            self.search_input.value = ""
            self.search.text = ""
            self.search.run()

    def action_sort(self) -> None:
        keys = [k for k, _ in SORTS]
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]
        self.reload_view()

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self.reload_view()

    def action_reload(self) -> None:
        self.services.contributions.refresh()
        self.reload_view()

    class OthersChanged(Message):
        """Another reviewer wrote to the shared database (posted from its listener thread)."""

    def _others_changed(self) -> None:
        if not self._others_pending:  # one refresh for a burst of notifications
            self._others_pending = True
            self.post_message(self.OthersChanged())  # thread-safe

    def on_inbox_screen_others_changed(self, _message: OthersChanged) -> None:
        self._others_pending = False
        # Our own writes are announced too: they changed nothing here (already in memory).
        changes = self._take_changes()
        if changes == {}:
            return
        if self.search.text:
            self.search.run()
        # the word index follows their changes (a subject, an attachment's text…) too
        if changes is None:
            self.search.prepare()
        else:
            self.search.follow(list(changes))

    _others_pending = False

    def _poll_store(self) -> bool:
        """Take in what the writer changed (a read-only view, on a timer)."""
        return self._take_changes() != {}

    def _take_changes(self) -> dict[int, Contribution | None] | None:
        """Take in what others changed: only their records move in or out of the rows
        (a whole recompute when the store cannot say which, or for many of them).
        Returns the changes as ``Contributions.refresh_changes`` gives them."""
        contributions = self.services.contributions
        changes = contributions.refresh_changes()
        if changes == {}:
            return changes
        current, row = self.list.current, self.list.cursor
        more_left = None
        if changes is not None and not self.first_reading.under_way:
            more_left = self.rows.follow(changes, contributions.get)
        if more_left is None:
            self.reload_view(current, stay_at=row)
        else:
            self.left += more_left
            self.apply_filter(current, stay_at=row)
        if self.wide:
            self.reader.show(self.list.current, keep_scroll=True)
        return changes

    # -- marks ----------------------------------------------------------------------
    def action_mark(self) -> None:
        cid = self.list.current
        if cid is None:
            return
        self.marked.symmetric_difference_update({cid})
        self.list.cursor += 1
        self.update_status()

    def action_mark_all(self) -> None:
        self.marked.update(self.list.ids)
        self.list.refresh()
        self.update_status()

    def action_unmark_all(self) -> None:
        self.marked.clear()
        self.list.refresh()
        self.update_status()

    # -- triage plumbing (TriageActions) ------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.triage_actions.check_action(action, parameters)

    def target(self) -> tuple[list[int], bool]:
        if self.marked:
            return sorted(self.marked), True
        cid = self.list.current
        return ([cid] if cid is not None else []), False

    def after_change(self, changeset: ChangeSet | None) -> None:
        if changeset is not None and changeset.what == "status" and not self._undoing:
            for cid, before in changeset.before.items():
                if "status" in before:
                    was_open = before["status"] in OPEN_STATUSES
                    self.left += (changeset.after[cid]["status"] in OPEN_STATUSES) - was_open
        else:
            self.left = self._count_left()
        self.list.refresh()
        self.update_status()
        if self.wide:
            self.reader.refresh_contribution()

    _undoing = False

    def action_status(self, status: str) -> None:
        bulk = bool(self.marked)
        before = self.list.current
        self.triage_actions.action_status(status)
        if bulk or self.services.read_only:
            return
        if before is not None and before == self.list.current:
            self.list.cursor += 1  # single-row triage: straight on to the next one

    def action_undo(self) -> None:
        self._undoing = True
        try:
            self.triage_actions.action_undo()
        finally:
            self._undoing = False

    def redraw(self) -> None:
        self.list.refresh()
        if self.wide:
            self.reader.show(self.list.current, keep_scroll=True)

    # -- reading ---------------------------------------------------------------------
    def cursor_moved(self, _cid: int | None) -> None:
        if not self.is_mounted:
            return  # the list is being filled while the screen is composed
        self.update_status()
        if self.wide:
            if self._reader_timer is not None:
                self._reader_timer.stop()
            self._reader_timer = self.set_timer(0.05, lambda: self.reader.show(self.list.current))

    @on(ContributionList.Opened)
    def opened(self, event: ContributionList.Opened) -> None:
        if self.wide:
            self.reader.show(event.cid)
            self.reader.focus()
            return
        from assises_tui.screens.reader import ReaderScreen

        ids = list(self.list.ids)
        if self._reader_screen is None:
            # Installed, so dismissing it keeps it mounted for the next Enter.
            self._reader_screen = ReaderScreen(self.services, event.cid, ids=ids)
            self.app.install_screen(self._reader_screen, name=f"reader-{id(self)}")
            self._reader_screen.highlight = self.search.words
        else:
            self._reader_screen.highlight = self.search.words
            self._reader_screen.load(event.cid, ids)
        self.app.push_screen(self._reader_screen, self._back_from_reader)

    def _back_from_reader(self, cid: int | None) -> None:
        if cid is not None:
            self.list.move_to(cid)
        self.after_change(None)

    def action_next(self) -> None:
        self.list.cursor += 1

    def action_previous(self) -> None:
        self.list.cursor -= 1

    def action_fold(self) -> None:
        if self.wide:
            self.reader.toggle_fold()

    def action_raw(self) -> None:
        if self.wide:
            self.reader.toggle_raw()
