"""The inbox list: a virtual list drawing only the visible rows (100,000 rows stay instant).

A ``ScrollView`` with ``render_line`` over a list of ids: filling it is assigning a list, a
key press redraws one screen of rows. Rows are built from ``Segment``s of already-cleaned
text (``formatting`` passes everything through ``one_line``), so no markup is ever parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from assises_tui.config import Consultation
from assises_tui.domain.models import OPEN_STATUSES, Contribution
from assises_tui.keymap import CONTRIBUTION_LIST_BINDINGS
from assises_tui.widgets import formatting as fmt

if TYPE_CHECKING:
    from assises_tui.services.privacy import Privacy

Lookup = Callable[[int], Contribution | None]
Prefetch = Callable[[list[int]], None]


@dataclass(frozen=True)
class Columns:
    """Cell widths of each column for one list width (subject takes what is left)."""

    number: int
    date: int
    short_date: bool
    sender: int
    subject: int
    themes: int
    status: int
    flags: int

    @classmethod
    def fit(cls, width: int, n_themes: int, max_id: int) -> Columns:
        number = max(4, len(str(max_id)) + 1)
        themes = max(1, min(n_themes, 9))
        fixed = 1 + number + 16 + 12 + themes + 11 + 5 + 7  # marker + columns + gaps
        short_date = width - fixed < 18
        date = 8 if short_date else 16
        sender = 12 if width < 110 else 20
        used = 1 + number + date + sender + themes + 11 + 5 + 7
        return cls(number, date, short_date, sender, max(8, width - used), themes, 11, 5)

    @property
    def width(self) -> int:
        """Cells of a row: the marker, the columns and a space between each."""
        widths = (self.number, self.date, self.sender, self.subject, self.themes)
        return 1 + sum(widths) + self.status + self.flags + 7


def _cell(text: str, width: int) -> str:
    return set_cell_size(text, width) if cell_len(text) != width else text


class ContributionList(ScrollView, can_focus=True):
    """Rows of contributions; the cursor row drives the reader, Enter opens it."""

    BINDINGS = CONTRIBUTION_LIST_BINDINGS

    COMPONENT_CLASSES = {
        "contribution-list--cursor",
        "contribution-list--marked",
        "contribution-list--closed",
        "contribution-list--new",
    }

    DEFAULT_CSS = """
    ContributionList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    ContributionList > .contribution-list--cursor { background: $accent 40%; text-style: bold; }
    ContributionList:focus > .contribution-list--cursor { background: $accent; color: $text; }
    ContributionList > .contribution-list--marked { color: $warning; text-style: bold; }
    ContributionList > .contribution-list--closed { color: $text-muted; }
    ContributionList > .contribution-list--new { text-style: bold; }
    """

    # repaint=False: watch_cursor redraws only the rows that change, not the whole list.
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Opened(Message):
        def __init__(self, cid: int) -> None:
            super().__init__()
            self.cid = cid

    def __init__(
        self,
        lookup: Lookup,
        config: Consultation,
        marked: set[int],
        *,
        privacy: Privacy | None = None,
        prefetch: Prefetch | None = None,
        cursor_moved: Callable[[int | None], None] | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.lookup = lookup
        #: Told the ids of a screen of rows before they are drawn: while a shared database
        #: is still being read, their records then come in one round trip, not one each.
        self.prefetch = prefetch
        #: Told the id under the cursor at once, in the same frame as the rows (a message
        #: would be handled after the rows are drawn, so every key would cost two frames).
        self.cursor_moved = cursor_moved
        #: Masks senders and personal data in subjects while the view is pseudonymised.
        self.privacy = privacy
        self.config = config
        self.marked = marked
        self.ids: list[int] = []
        self._columns: tuple[int, Columns] | None = None
        self._max_id = 0
        self._styles: tuple[Style, ...] = (Style(),) * 5
        #: Drawn rows by id, with the record object and highlight they were drawn from
        #: (records are immutable: a changed one is a new object). Scrolling one row
        #: down draws one new row; the others come from here.
        self._drawn: dict[int, tuple[Contribution, bool, bool, Strip]] = {}

    # -- data --------------------------------------------------------------
    def set_ids(
        self,
        ids: list[int],
        keep: int | None = None,
        *,
        widest_id: int | None = None,
        stay_at: int | None = None,
    ) -> None:
        """Show ``ids``; the cursor stays on ``keep`` when it is still listed, else at row
        ``stay_at`` (a row another reviewer closed: on to the next), else at the top.
        ``widest_id``: the largest number the number column must fit (default: of ``ids``)."""
        self.ids = ids
        max_id = widest_id if widest_id is not None else max(ids, default=0)
        if max_id != self._max_id:
            self._max_id = max_id
            self._columns = None
        self.virtual_size = Size(self.size.width, len(ids))
        index = 0
        if keep is not None and ids:
            try:
                index = ids.index(keep)
            except ValueError:
                index = stay_at or 0
        self.cursor = min(index, max(0, len(ids) - 1))
        self.refresh()

    @property
    def current(self) -> int | None:
        if 0 <= self.cursor < len(self.ids):
            return self.ids[self.cursor]
        return None

    def columns(self) -> Columns:
        width = self.scrollable_content_region.width or self.size.width or 80
        if self._columns is None or self._columns[0] != width:
            fitted = Columns.fit(width, len(self.config.themes), self._max_id)
            self._columns = (width, fitted)
            self._drawn.clear()
        return self._columns[1]

    def refresh(self, *regions, **kwargs) -> ContributionList:
        # A whole redraw is asked for when what a row shows may have changed without its
        # record changing (pseudonymisation, theme names): rows are drawn afresh. A
        # scroll asks for a region, and keeps the drawn rows.
        if not regions and "_drawn" in self.__dict__:
            self._drawn.clear()
            self._styles_known = False  # Textual refreshes the whole list when they change
        return super().refresh(*regions, **kwargs)

    _styles_known = False

    # -- cursor --------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.ids) - 1)) if self.ids else 0

    def watch_cursor(self, before: int, value: int) -> None:
        top = self.scroll_offset.y
        self._scroll_to_cursor()
        if self.scroll_offset.y == top:
            # Only the two rows whose highlight changed are drawn again, not the screen.
            self.refresh_line(before)
            self.refresh_line(value)
        else:
            self.refresh(self.size.region)  # scrolled: every row moved (drawn ones kept)
        if self.cursor_moved is not None:
            self.cursor_moved(self.current)

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, cid: int) -> bool:
        try:
            self.cursor = self.ids.index(cid)
        except ValueError:
            return False
        return True

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.ids) - 1

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    async def _on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < len(self.ids):
            event.stop()
            self.focus()
            if index == self.cursor:  # a second click (or a double click) opens
                self.post_message(self.Opened(self.ids[index]))
            else:
                self.cursor = index

    def on_resize(self, event: events.Resize) -> None:
        self._columns = None
        self.virtual_size = Size(event.size.width, len(self.ids))

    # -- drawing ---------------------------------------------------------------
    def row_text(self, item: Contribution, cols: Columns) -> list[str]:
        tz = self.config.tz
        return [
            "*" if item.id in self.marked else " ",
            _cell(str(item.id).rjust(cols.number - 1), cols.number),
            _cell(fmt.format_date(item.received_at, tz, short=cols.short_date), cols.date),
            _cell(fmt.sender_label(item, self.privacy, short=True), cols.sender),
            _cell(fmt.subject_label(item, self.privacy), cols.subject),
            _cell(fmt.theme_digits(item, self.config), cols.themes),
            _cell(fmt.SHORT_STATUS[item.status], cols.status),
            _cell(fmt.flags(item), cols.flags),
        ]

    def render_lines(self, crop):
        # Styles looked up again only after a whole refresh (focus, theme: Textual asks for
        # one when they change); looking them up costs more than drawing a scrolled row.
        if not self._styles_known:
            style = self.get_component_rich_style
            self._styles = (
                self.rich_style,
                style("contribution-list--closed"),
                style("contribution-list--new"),
                style("contribution-list--marked"),
                style("contribution-list--cursor"),
            )
            self._styles_known = True
        if len(self._drawn) > 4_000:
            self._drawn.clear()  # a long scroll: keep the memory of one screen or so
        if self.prefetch is not None:
            top = round(self.scroll_y)
            self.prefetch(self.ids[top : top + self.size.height])
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base, closed, new, marked, cursor = self._styles
        if not 0 <= index < len(self.ids):
            return Strip.blank(width, base)
        cid = self.ids[index]
        item = self.lookup(cid)
        if item is None:
            return Strip([Segment(_cell(f" {cid} (supprimée)", width), base)], width)
        is_marked, is_cursor = cid in self.marked, index == self.cursor
        drawn = self._drawn.get(cid)
        if drawn is not None and drawn[0] is item and drawn[1:3] == (is_marked, is_cursor):
            return drawn[3]
        style = base
        if item.status not in OPEN_STATUSES:
            style += closed
        elif item.status.value == "new":
            style += new
        if is_marked:
            style += marked
        if is_cursor:
            style += cursor
        cols = self.columns()
        text = " ".join(self.row_text(item, cols))
        if cols.width != width:  # each cell has its width already: the row is the sum
            text = _cell(text, width)
        strip = Strip([Segment(text, style)], width)
        self._drawn[cid] = (item, is_marked, is_cursor, strip)
        return strip


class ListHeader(Widget):
    """Column titles aligned with :class:`ContributionList` (same width computation)."""

    DEFAULT_CSS = """
    ListHeader { height: 1; background: $panel; color: $text; text-style: bold; }
    """

    def __init__(self, target: ContributionList, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target = target

    def render(self):
        from rich.text import Text

        cols = self.target.columns()
        names = [
            " ",
            _cell("N°".rjust(cols.number - 1), cols.number),
            _cell("Date", cols.date),
            _cell("Expéditeur", cols.sender),
            _cell("Objet", cols.subject),
            _cell("Thèmes" if cols.themes >= 6 else "Th.", cols.themes),
            _cell("Statut", cols.status),
            _cell("RPDCN", cols.flags),
        ]
        return Text(" ".join(names), no_wrap=True, overflow="crop", style=Style())
