"""The drafting screen's side panel: the excerpts and contributions of the current theme.

The panel follows the editor's cursor: the theme whose section holds the cursor decides
which excerpts and contributions are listed. Excerpts can be marked (space / F4), quoted
at the cursor (enter / F3); a contribution can be cited (``i``). The lists always keep a
highlighted row, so the first key pressed after Tab acts on the first row instead of
doing nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from assises_tui.domain.models import CATEGORY_LABELS, EXCERPT_KINDS
from assises_tui.keymap import EXCERPT_LIST_BINDINGS, THEME_CONTRIBUTIONS_BINDINGS
from assises_tui.synthesis.draft import format_citation, outline, quotation
from assises_tui.text.safe import one_line, printable

if TYPE_CHECKING:
    from assises_tui.domain.models import Excerpt
    from assises_tui.services.session import Services
    from assises_tui.services.synthesis import SynthesisService

MAX_ROWS = 300


class ExcerptList(OptionList):
    """The current theme's excerpts: space marks, enter quotes, c/p start a bullet."""

    BINDINGS = EXCERPT_LIST_BINDINGS


class ThemeContributions(OptionList):
    BINDINGS = THEME_CONTRIBUTIONS_BINDINGS


def keep_highlight(view: OptionList, previous: int | None) -> None:
    """Highlight the same row as before the refill, or the first one."""
    if view.option_count:
        view.highlighted = min(previous or 0, view.option_count - 1)


class MaterialPanel:
    """Mixin for the drafting screen: ``services``, ``synthesis`` and ``editor`` expected."""

    services: Services
    synthesis: SynthesisService
    theme: str | None
    excerpts: list[tuple[int, Excerpt]]
    marked: list[tuple[int, str]]  # (contribution id, excerpt id), in marking order

    @property
    def editor(self) -> TextArea:  # pragma: no cover - provided by the screen
        raise NotImplementedError

    def refresh_theme(self, force: bool = False) -> None:
        line = self.editor.cursor_location[0] + 1
        result = outline(self.editor.text, self.services.config)
        theme = next((h.theme for h in reversed(result.headings) if h.line <= line), None)
        label = self.services.config.theme(theme).label if theme else None
        shown = f"Thème : {label}" if label else "Hors section de thème"
        # The point under the cursor and its support (the outline is hidden when narrow).
        point = next((p for p in result.points if p.line == line), None)
        if point is not None:
            shown += f" · {'C' if point.kind == 'constat' else 'P'} {point.support} ✉"
        self.query_one("#theme-label", Static).update(shown)
        if theme == self.theme and not force:
            return
        self.theme = theme
        self.excerpts = self.synthesis.excerpts_for_theme(theme) if theme else []
        self._fill_excerpts()
        items = self.synthesis.contributions_for_theme(theme) if theme else []
        view = self.query_one("#contributions", OptionList)
        view.clear_options()
        # An OptionList slows down past a few thousand rows: show the first ones only.
        options = [Option(self._contribution_label(c), id=str(c.id)) for c in items[:MAX_ROWS]]
        if len(items) > MAX_ROWS:
            more = Text(f"… et {len(items) - MAX_ROWS} autres (voir la boîte de réception)")
            options.append(Option(more, id="more", disabled=True))
        view.add_options(options)
        keep_highlight(view, None)  # another theme: start from its first contribution
        view.border_title = f"Contributions ({len(items)})"

    def _contribution_label(self, item) -> Text:
        who = CATEGORY_LABELS.get(item.contributor_category, "")
        where = ", ".join(x for x in (who, item.commune) if x)
        text = Text(f"#{item.id} ", style="bold")
        text.append(one_line(f"{where} — {item.subject}" if where else item.subject, 80))
        return text

    def _fill_excerpts(self) -> None:
        view = self.query_one("#excerpts", OptionList)
        highlighted = view.highlighted
        view.clear_options()
        options = []
        for cid, e in self.excerpts:
            marked = (cid, e.id) in self.marked
            label = Text("● " if marked else "○ ", style="bold green" if marked else "dim")
            label.append(f"#{cid} {EXCERPT_KINDS.get(e.kind, e.kind)[:1]} ", style="bold")
            label.append(one_line(e.text, 160))
            options.append(Option(label, id=f"{cid}:{e.id}"))
        view.add_options(options)
        view.border_title = f"Extraits ({len(options)}, {len(self.marked)} marqué(s))"
        keep_highlight(view, highlighted)

    def _current_excerpt(self) -> tuple[int, Excerpt] | None:
        index = self.query_one("#excerpts", OptionList).highlighted
        if index is None or index >= len(self.excerpts):
            return None
        return self.excerpts[index]

    # -- actions ------------------------------------------------------------------
    def action_quote_excerpt(self) -> None:
        current = self._current_excerpt()
        if current is None:
            self.notify("Aucun extrait pour ce thème.", severity="warning", markup=False)
            return
        cid, excerpt = current
        row = self.editor.cursor_location[0]
        # The quotation is its own paragraph after the cursor's line (blank lines around).
        doc = self.editor.document
        line_text = doc.get_line(row)
        block = quotation(printable(excerpt.text), cid).rstrip("\n")
        if line_text.strip():
            block = "\n\n" + block
        if row + 1 < doc.line_count and doc.get_line(row + 1).strip():
            block += "\n"
        self.editor.insert(block, (row, len(line_text)), maintain_selection_offset=False)
        self.editor.focus()

    def action_toggle_mark(self) -> None:
        current = self._current_excerpt()
        if current is None:
            return
        key = (current[0], current[1].id)
        if key in self.marked:
            self.marked.remove(key)
        else:
            self.marked.append(key)
        self._fill_excerpts()

    def action_cite_contribution(self) -> None:
        view = self.query_one("#contributions", OptionList)
        if view.highlighted is None:
            return
        option = view.get_option_at_index(view.highlighted)
        if not (option.id or "").isdigit():
            return
        self.editor.insert(format_citation([int(option.id)]))
        self.editor.focus()
