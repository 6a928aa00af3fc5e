"""The synthesis editor: a TextArea with the line conventions of text editors.

The draft is Markdown whose paragraphs are long lines shown wrapped (soft wrap). Textual's
TextArea treats each wrapped row as the line: End stops at the row's end and Ctrl+K
deletes only to it, leaving the rest of the sentence. Here, as in gedit or VS Code, End
goes to the end of the row, and pressed again to the end of the line; Home likewise to its
start; Ctrl+K (and Ctrl+Maj+Suppr) deletes to the end of the line, as nano and Emacs do.
"""

from __future__ import annotations

from textual.widgets import TextArea
from textual.widgets.text_area import Location


class DraftEditor(TextArea):
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
