"""The synthesis editor: a TextArea with the conventions of a word processor.

The draft is Markdown whose paragraphs are long lines shown wrapped (soft wrap). Textual's
TextArea treats each wrapped row as the line. Here, as in Word, Writer, gedit or VS Code:

- ↑/↓ move by screen row inside a paragraph (every editor with soft wrap does; moving by
  line would leave no way to reach the middle of a long paragraph), Ctrl+↑/Ctrl+↓ move by
  paragraph (line), as in Word and Writer;
- End goes to the end of the row, pressed again to the end of the line; Home likewise;
- Ctrl+K deletes to the end of the line (nano, Emacs), Ctrl+U to its start;
- Ctrl+A selects everything, Ctrl+Home/Ctrl+End go to the document's start/end;
- rows break between words, never inside one: a word longer than the row (an e-mail
  address, a link) is cut after « - » or « / » or before « @ » or « . », and non-breaking
  spaces (« n° 6 », « ? ») are not row breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from rich.cells import get_character_cell_size
from textual._cells import cell_len
from textual.document import _wrapped_document
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.widgets import TextArea
from textual.widgets.text_area import Location

from assises_tui.keymap import DRAFT_EDITOR_BINDINGS

# A word and the spaces after it. Non-breaking spaces belong to the word (\s would match them).
_NO_BREAK = "\u00a0\u2007\u202f"
_CHUNK = re.compile(rf"(?:[^\s]|[{_NO_BREAK}])+[^\S{_NO_BREAK}]*|[^\S{_NO_BREAK}]+")
_TEXTUAL_WRAP = _wrapped_document.compute_wrap_offsets


def _fitting(text: str, start: int, end: int, width: int) -> int:
    """The largest index such that ``text[start:index]`` fits in ``width`` cells (≥ start+1)."""
    used = 0
    for index in range(start, end):
        used += get_character_cell_size(text[index])
        if used > width:
            return max(index, start + 1)
    return end


def _inner_break(text: str, start: int, limit: int) -> int | None:
    """The last place in ``text[start:limit]`` where a long word may be cut, if any."""
    for index in range(limit, start, -1):
        if text[index - 1] in "-/" or (index < len(text) and text[index] in "@."):
            return index
    return None


def word_wrap_offsets(text: str, width: int) -> list[int]:
    """Where to break ``text`` into rows of ``width`` cells: between words, and inside a
    word only when it is longer than a whole row (at ``- / @ .`` when it has one)."""
    breaks: list[int] = []
    used = 0
    for match in _CHUNK.finditer(text):
        start, end = match.span()
        size = cell_len(match.group())
        if used + size <= width:
            used += size
            continue
        if used:
            breaks.append(start)
        word_end = start + len(match.group().rstrip())
        if cell_len(text[start:word_end]) <= width:
            used = size
            continue
        position = start
        while cell_len(text[position:word_end]) > width:
            limit = _fitting(text, position, word_end, width)
            cut = _inner_break(text, position, limit) or limit
            breaks.append(cut)
            position = cut
        used = cell_len(text[position:end])
    return breaks


def _draft_wrap_offsets(
    text: str,
    width: int,
    tab_size: int,
    fold: bool = True,
    precomputed_tab_sections: list[tuple[str, int]] | None = None,
) -> list[int]:
    if "\t" in text or not fold:  # tab stops: Textual's own computation knows them
        return _TEXTUAL_WRAP(text, width, tab_size, fold, precomputed_tab_sections)
    return word_wrap_offsets(text, width)


@contextmanager
def _word_boundaries() -> Iterator[None]:
    # WrappedDocument looks its wrapping function up in its module at each call; it is
    # swapped only for the (synchronous) duration of the draft's own wrapping.
    _wrapped_document.compute_wrap_offsets = _draft_wrap_offsets
    try:
        yield
    finally:
        _wrapped_document.compute_wrap_offsets = _TEXTUAL_WRAP


class DraftWrappedDocument(WrappedDocument):
    def wrap(self, width: int, tab_width: int | None = None) -> None:
        with _word_boundaries():
            super().wrap(width, tab_width)

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        with _word_boundaries():
            super().wrap_range(start, old_end, new_end)


class DraftEditor(TextArea):
    BINDINGS = DRAFT_EDITOR_BINDINGS

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document = DraftWrappedDocument(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._rewrap_and_refresh_virtual_size()

    def _logical_end(self) -> Location:
        row, _col = self.cursor_location
        return (row, len(self.document[row]))

    def get_cursor_line_end_location(self) -> Location:
        row_end = super().get_cursor_line_end_location()
        if self.cursor_location == row_end:  # already at the row's end: the line's
            return self._logical_end()
        return row_end

    def get_cursor_line_start_location(self, smart_home: bool = False) -> Location:
        row_start = super().get_cursor_line_start_location(smart_home)
        if self.cursor_location == row_start:
            return (self.cursor_location[0], 0)
        return row_start

    def action_delete_to_end_of_line(self) -> None:
        self._delete_via_keyboard(self.selection.end, self._logical_end())

    def action_delete_to_start_of_line(self) -> None:
        self._delete_via_keyboard(self.selection.end, (self.cursor_location[0], 0))

    def action_cursor_paragraph(self, step: int, select: bool = False) -> None:
        """Ctrl+↓: the start of the next line; Ctrl+↑: the start of this line, or of the
        previous one when already there (Word's and Writer's paragraph moves)."""
        row, column = self.cursor_location
        last = self.document.line_count - 1
        if step > 0:
            target = (row + 1, 0) if row < last else (row, len(self.document[row]))
        else:
            target = (row, 0) if column > 0 or row == 0 else (row - 1, 0)
        self.move_cursor(target, select=select)

    def action_cursor_document(self, step: int, select: bool = False) -> None:
        last = self.document.line_count - 1
        self.move_cursor((last, len(self.document[last])) if step > 0 else (0, 0), select=select)
