"""One line under the list: what the view holds, what is left, what is marked."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from assises_tui.widgets.formatting import plural


class StatusLine(Widget):
    """A plain render (not a Static): updating it redraws one line without a relayout,
    which matters because it changes on every cursor move."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text()

    def render(self) -> Text:
        return self._text

    def show(
        self,
        *,
        view: str,
        shown: int,
        left: int,
        marked: int,
        sort: str,
        query: str = "",
        position: int | None = None,
        everywhere: int | None = None,
        suggestions: str = "",
        loading: tuple[int, int] | None = None,
    ) -> None:
        """``everywhere``: how many records the search finds in every view, said when the
        current view shows fewer (the search is limited to the view). ``loading``: (read,
        total) while a shared database's records are still being read."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(view, style="bold")
        if loading is not None:  # first: at 80 columns the end of the line is cut off
            done, total = (f"{n:,}".replace(",", "\u202f") for n in loading)
            text.append(f" · chargement {done}/{total}", style="italic")
        if query:
            text.append(" · recherche")
        text.append(f" · {plural(shown, 'affichée')}")
        if position is not None and shown:
            text.append(f" ({position}/{shown})")
        if query and everywhere is not None and everywhere > shown:
            text.append(f" · {everywhere} dans Toutes (v)", style="bold")
        text.append(f" · {left:,} à traiter".replace(",", "\u202f"))
        if marked:
            text.append(f" · {plural(marked, 'marquée')}", style="bold")
        if suggestions:  # before the sort: at 80 columns the end of the line is cut off
            text.append(f" · {suggestions}", style="italic")
        text.append(f" · tri : {sort}")
        if text.plain != self._text.plain:
            self._text = text
            self.refresh()
