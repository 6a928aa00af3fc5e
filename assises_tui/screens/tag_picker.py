"""The tag picker (``t``): themes and sub-themes, contributor category and commune.

Works on one contribution or on a marked set. Typing filters the list (letters in order,
accents and case ignored: "prx" finds "Lien › Proximité"); Enter in the filter toggles the
first match and clears the filter; ↓ goes to the list, where Space toggles. Ctrl+S applies
everything in one step per field (each undoable), Escape leaves without changing anything.

With several contributions a theme carried by only some of them shows "(2/5)": it is left
alone unless toggled.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from assises_tui.domain.models import CATEGORY_LABELS
from assises_tui.errors import AssisesError, StoreError
from assises_tui.keymap import TAG_PICKER_SCREEN_BINDINGS
from assises_tui.services.codebook import CodebookEntry
from assises_tui.text.fold import fold
from assises_tui.text.safe import one_line


def fuzzy_rank(query: str, text: str) -> int | None:
    """Rank of ``text`` for ``query`` (lower is better), None when it does not match.

    Substring matches come first, then subsequence matches, tighter spans first.
    """
    q = "".join(fold(query).split())
    if not q:
        return 0
    t = fold(text)
    pos = t.find(q)
    if pos >= 0:
        return pos
    start, i = -1, 0
    for j, ch in enumerate(t):
        if ch == q[i]:
            if start < 0:
                start = j
            i += 1
            if i == len(q):
                return 1000 + (j - start)
    return None


class Checklist(SelectionList):
    """A SelectionList whose boxes say ✓ or nothing: Textual's show the same « X » in two
    colours, which a reviewer with a colour vision deficiency (or a monochrome terminal)
    cannot tell apart."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or index >= self.option_count:
            return strip
        chosen = self.get_option_at_index(index).value in self._selected
        inner = segments[1]
        segments[1] = Segment("✓" if chosen else " ", inner.style, inner.control)
        return Strip(segments, strip.cell_length)


class TagPickerScreen(ModalScreen[bool]):
    TITLE = HELP_TITLE = "Thèmes"  # the header's and the help's title
    CSS_PATH = "tag_picker.tcss"
    BINDINGS = TAG_PICKER_SCREEN_BINDINGS

    def __init__(self, services, ids: list[int]) -> None:
        super().__init__()
        self.services = services
        self.ids = list(dict.fromkeys(ids))
        tagging = services.tagging
        self.entries: list[CodebookEntry] = tagging.codebook.entries(counts=False)
        self.counts = tagging.theme_counts(self.ids)
        n = len(self.ids)
        self.chosen: set[str] = {k for k, c in self.counts.items() if c == n and n}
        self.touched: set[str] = set()
        self.suggested: dict[str, int] = {}
        if n == 1:
            for s in services.suggester.suggest(self.ids[0], train=False):
                self.suggested[s.theme] = round(s.confidence * 100)
        items = [services.contributions.get(i) for i in self.ids]
        items = [c for c in items if c is not None]
        cats = {c.contributor_category for c in items}
        communes = {c.commune for c in items}
        self.initial_category = cats.pop() if len(cats) == 1 else ""
        self.initial_commune = communes.pop() if len(communes) == 1 else ""
        self.subject = one_line(items[0].subject, 60) if n == 1 and items else ""

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        n = len(self.ids)
        title = (
            f"Thèmes — n° {self.ids[0]} {self.subject}" if n == 1 else f"Thèmes — {n} contributions"
        )
        with Vertical(id="tag-dialog"):
            yield Static(title, markup=False, id="tag-title")
            yield Input(placeholder="Filtrer les thèmes (ex. « prox »)", id="tag-filter")
            yield Checklist(id="tag-list")
            with Horizontal(id="tag-fields"):
                options = [(label, key) for key, label in CATEGORY_LABELS.items()]
                yield Select(
                    options,
                    prompt="Catégorie : inchangée",
                    value=self.initial_category or Select.NULL,
                    id="tag-category",
                )
                yield Input(
                    self.initial_commune,
                    placeholder="Commune : inchangée",
                    id="tag-commune",
                )
            yield Static(
                "Entrée : cocher · ↓ liste, Espace · Ctrl+S : valider · Échap : annuler",
                markup=False,
                id="tag-help",
            )

    def on_mount(self) -> None:
        self.refill("")
        self.query_one("#tag-filter", Input).focus()

    def prompt_for(self, entry: CodebookEntry) -> Text:
        # Non-breaking spaces: the option list trims ordinary leading/trailing blanks.
        text = Text("\u00a0\u00a0└\u00a0" if entry.is_sub else "")
        text.append(one_line(entry.label, 60), style="" if entry.is_sub else "bold")
        n, count = len(self.ids), self.counts.get(entry.key, 0)
        if n > 1 and 0 < count < n:
            # A theme on some of the contributions: say what Ctrl+S will do with it, so an
            # unticked box never hides "removed from the ones that had it".
            if entry.key not in self.touched:
                note = f"({count}/{n})"  # left alone unless ticked or unticked
            elif entry.key in self.chosen:
                note = f"(posé sur les {n})"
            else:
                note = f"(retiré des {count})"
            text.append(f"\u00a0\u00a0{note}", style="italic")
        if entry.retired:
            text.append("\u00a0\u00a0(retiré)", style="dim")
        if entry.key in self.suggested:
            text.append(f"\u00a0\u00a0★ suggéré {self.suggested[entry.key]}\u00a0%", style="italic")
        return text

    def visible_entries(self, query: str) -> list[CodebookEntry]:
        ranked = []
        for order, e in enumerate(self.entries):
            # Retired sub-themes are only listed where they are still set (to be unticked).
            if e.retired and e.key not in self.chosen and not self.counts.get(e.key):
                continue
            rank = fuzzy_rank(query, f"{e.label} {e.key}") if query else 0
            if rank is not None:
                ranked.append((rank, order, e))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [e for _r, _o, e in ranked]

    def refill(self, query: str) -> None:
        lst = self.query_one("#tag-list", SelectionList)
        lst.clear_options()
        lst.add_options(
            [
                Selection(self.prompt_for(e), e.key, e.key in self.chosen, id=e.key)
                for e in self.visible_entries(query)
            ]
        )
        if lst.option_count:
            lst.highlighted = 0

    # -- events --------------------------------------------------------------
    @on(Input.Changed, "#tag-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.refill(event.value)

    @on(Input.Submitted, "#tag-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        lst = self.query_one("#tag-list", SelectionList)
        if lst.option_count:
            lst.toggle(lst.get_option_at_index(lst.highlighted or 0))
            event.input.value = ""  # refill follows through Input.Changed

    @on(SelectionList.SelectionToggled, "#tag-list")
    def toggled(self, event: SelectionList.SelectionToggled) -> None:
        key = event.selection.value
        self.touched.add(key)
        if key in event.selection_list.selected:
            self.chosen.add(key)
        else:
            self.chosen.discard(key)
        entry = next((e for e in self.entries if e.key == key), None)
        if entry is not None:  # the label follows (see prompt_for)
            event.selection_list.replace_option_prompt(key, self.prompt_for(entry))

    @on(Input.Submitted, "#tag-commune")
    def commune_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_to_list(self) -> None:
        if self.focused is self.query_one("#tag-filter", Input):
            self.query_one("#tag-list", SelectionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_apply(self) -> None:
        tagging = self.services.tagging
        n = len(self.ids)
        touched = [e.key for e in self.entries if e.key in self.touched]  # codebook order
        add = [k for k in touched if k in self.chosen and self.counts.get(k, 0) < n]
        remove = [k for k in touched if k not in self.chosen and self.counts.get(k, 0)]
        changed = False
        category = self.query_one("#tag-category", Select).value
        commune = self.query_one("#tag-commune", Input).value.strip()
        try:
            with self.services.changes.together():  # one action: one write, one undo
                if add or remove:
                    changed |= bool(tagging.update_themes(self.ids, add=add, remove=remove))
                if isinstance(category, str) and category != self.initial_category:
                    changed |= bool(tagging.set_category(self.ids, category))
                if commune != self.initial_commune and (commune or n == 1):
                    changed |= bool(tagging.set_commune(self.ids, commune))
        except (AssisesError, StoreError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(changed)
