"""One line under the list: what the view holds, what is left, what is marked.

It fits its width instead of being cut: when the whole line does not fit, the least
useful parts go first (the suggestions' score, then « 342 affichées (3/342) » becomes
« 3/342 », then the sort, then the count left to do); the view, the position, the marks
and the search's hint about the other views stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from assises_tui.widgets.formatting import plural

SEPARATOR = " · "


@dataclass(frozen=True)
class _Part:
    text: str
    style: str = ""
    keep: int = 0  # parts with the lowest value are dropped first when the line is too long
    short: str = ""  # a shorter wording, used when steps worth less than shorten_at are done
    shorten_at: int = 100


class StatusLine(Widget):
    """A plain render (not a Static): updating it redraws one line without a relayout,
    which matters because it changes on every cursor move."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._parts: tuple[_Part, ...] = ()

    def render(self) -> Text:
        return self.fitted(self.content_region.width or 10_000)

    def fitted(self, width: int) -> Text:
        """The line as shown in ``width`` cells."""
        parts = list(self._parts)
        while cell_len(SEPARATOR.join(p.text for p in parts)) > width:
            # the cheapest step first: shortening a part or dropping one
            steps = [(p.shorten_at, i, "shorten") for i, p in enumerate(parts) if p.short]
            steps += [(p.keep, i, "drop") for i, p in enumerate(parts) if p.keep < 100]
            if not steps:
                break
            _value, index, step = min(steps)
            if step == "drop":
                del parts[index]
            else:
                part = parts[index]
                parts[index] = _Part(part.short, part.style, part.keep)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, part in enumerate(parts):
            if index:
                text.append(SEPARATOR)
            text.append(part.text, style=part.style)
        return text

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
        parts = [_Part(view, "bold", 100)]
        if loading is not None:  # kept: what is shown is not yet everything
            done, total = (f"{n:,}".replace(",", "\u202f") for n in loading)
            parts.append(_Part(f"chargement {done}/{total}", "italic", 100))
        if query:
            parts.append(_Part("recherche", keep=100))
        count = plural(shown, "affichée")
        if position is not None and shown:
            full, short = f"{count} ({position}/{shown})", f"{position}/{shown}"
            parts.append(_Part(full, keep=100, short=short, shorten_at=15))
        else:
            parts.append(_Part(count, keep=100, short=str(shown), shorten_at=15))
        if query and everywhere is not None and everywhere > shown:
            parts.append(_Part(f"{everywhere} dans Toutes (v)", "bold", 100))
        parts.append(_Part(f"{left:,} à traiter".replace(",", "\u202f"), keep=30))
        if marked:
            parts.append(_Part(plural(marked, "marquée"), "bold", 100))
        if suggestions:
            parts.append(_Part(suggestions, "italic", 10))
        parts.append(_Part(f"tri : {sort}", keep=20))
        if tuple(parts) != self._parts:
            self._parts = tuple(parts)
            self.refresh()
