"""The reader: header, body with quotes and signature folded, attachments, notes, raw source.

Used both as the right-hand pane of the inbox (wide terminals) and inside the full-screen
reader (narrow terminals), so the two never drift apart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from assises_tui.clock import local_time
from assises_tui.domain.models import EXCERPT_KINDS, Contribution
from assises_tui.keymap import READER_VIEW_BINDINGS
from assises_tui.text.fold import fold_same_length
from assises_tui.text.safe import one_line, printable
from assises_tui.widgets.body_blocks import split_blocks
from assises_tui.widgets.header_block import HeaderBlock
from assises_tui.widgets.suggestions import SuggestionBar

if TYPE_CHECKING:
    from assises_tui.services.privacy import Privacy
    from assises_tui.services.session import Services

#: Text shown at most per part (a 2-million-character attachment would freeze the layout).
BODY_LIMIT = 200_000
ATTACHMENT_LIMIT = 20_000
ATTACHMENT_LIMIT_UNFOLDED = 400_000
RAW_LIMIT = 300_000


def highlight_words(text: Text, words: tuple[str, ...]) -> None:
    """Mark in ``text`` every word starting with one of the folded search ``words`` (« gendarme »
    finds « Gendarmerie » and « gendarmes »), as the search does."""
    if not words:
        return
    folded = fold_same_length(text.plain)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words if w) + r")\w*", re.UNICODE
    )
    for m in pattern.finditer(folded):
        text.stylize("reverse", m.start(), m.end())


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} o"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} Ko"
    return f"{n / 1024 / 1024:.1f} Mo"


def _capped(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut to ``limit`` characters and how many were left out."""
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


class ReaderView(VerticalScroll, can_focus=True):
    BINDINGS = READER_VIEW_BINDINGS

    DEFAULT_CSS = """
    ReaderView { height: 1fr; }
    ReaderView > .reader-part { padding: 0 1; }
    ReaderView > #reader-body { margin-top: 1; }
    ReaderView > #reader-attachments { margin-top: 1; }
    ReaderView > #reader-excerpts { margin-top: 1; }
    ReaderView > #reader-raw { display: none; }
    ReaderView.raw > #reader-raw { display: block; }
    ReaderView.raw > #reader-body, ReaderView.raw > #reader-attachments,
    ReaderView.raw > #reader-notes, ReaderView.raw > #reader-suggestions,
    ReaderView.raw > #reader-excerpts { display: none; }
    """

    def __init__(self, services: Services, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.cid: int | None = None
        self.unfolded = False
        self.raw = False
        #: Folded words of the inbox search, highlighted in the body (accents ignored).
        self.highlight: tuple[str, ...] = ()

    def compose(self):
        yield HeaderBlock(id="reader-header")
        yield SuggestionBar(self.services, None, keys=("y",), id="reader-suggestions")
        yield Static("", markup=False, id="reader-body", classes="reader-part")
        yield Static("", markup=False, id="reader-excerpts", classes="reader-part")
        yield Static("", markup=False, id="reader-attachments", classes="reader-part")
        yield Static("", markup=False, id="reader-notes", classes="reader-part")
        yield Static("", markup=False, id="reader-raw", classes="reader-part")

    # -- public ---------------------------------------------------------------
    def show(self, cid: int | None, *, keep_scroll: bool = False) -> None:
        """Display contribution ``cid`` (folded, not raw, unless it is the same one)."""
        if cid != self.cid:
            self.unfolded = False
            self.raw = False
            self.set_class(False, "raw")
            keep_scroll = False
        self.cid = cid
        self._render_all()
        self.suggestions.reload_in_background(cid)
        if not keep_scroll:
            self.scroll_home(animate=False)

    @property
    def suggestions(self) -> SuggestionBar:
        return self.query_one("#reader-suggestions", SuggestionBar)

    def refresh_contribution(self) -> None:
        """Redraw after a change to the record (status, themes, notes, excerpts), keeping
        the scroll position and the folding."""
        self._render_all()
        self.suggestions.reload_in_background(self.cid)

    def toggle_fold(self) -> None:
        self.unfolded = not self.unfolded
        self._render_all()

    def toggle_raw(self) -> None:
        self.raw = not self.raw
        self.set_class(self.raw, "raw")
        self._render_all()
        self.scroll_home(animate=False)

    # -- rendering ------------------------------------------------------------
    def _item(self) -> Contribution | None:
        return self.services.contributions.get(self.cid) if self.cid is not None else None

    @property
    def _privacy(self) -> Privacy:
        return self.services.privacy

    def _masked(self, item: Contribution, text: str) -> str:
        """``text`` as the current view may show it (personal data masked if pseudonymised)."""
        return self._privacy.display_text(item, text)

    def _render_all(self) -> None:
        item = self._item()
        self.query_one(HeaderBlock).show(item, self.services.config, self._privacy)
        body = self.query_one("#reader-body", Static)
        attachments = self.query_one("#reader-attachments", Static)
        raw = self.query_one("#reader-raw", Static)
        notes = self.query_one("#reader-notes", Static)
        excerpts = self.query_one("#reader-excerpts", Static)
        if item is None:
            for part in (body, attachments, raw, notes, excerpts):
                part.update("")
            return
        if self.raw:
            raw.update(self._raw_text(item))
            return
        body.update(self._body_text(item))
        excerpts.update(self._excerpts_text(item))
        excerpts.display = bool(item.excerpts)
        attachments.update(self._attachments_text(item))
        notes.update(self._notes_text(item))

    def _body_text(self, item: Contribution) -> Text:
        body = self._masked(item, self.services.contributions.body_text(item.id))
        source, cut = _capped(printable(body), BODY_LIMIT)
        text = Text(overflow="fold")
        if not source.strip():
            text.append("(message sans texte)", style="italic")
            return text
        for block in split_blocks(source):
            if text:
                text.append("\n")
            if block.kind == "text":
                text.append(block.text)
            elif self.unfolded:
                text.append(block.text, style="italic dim")
            else:
                n = len(block.lines)
                what = "citées" if block.kind == "quote" else "de signature"
                label = f"▸ {n} ligne{'s' if n > 1 else ''} {what} (f : déplier)"
                text.append(label, style="italic dim")
        if cut:
            text.append(f"\n… {cut:,} caractères de plus non affichés.".replace(",", " "))
        self._highlight_excerpts(item, text)
        highlight_words(text, self.highlight)
        return text

    def _highlight_excerpts(self, item: Contribution, text: Text) -> None:
        """Underline the filed excerpts where they are shown (not inside folded quotes).
        Found by their text rather than their offsets: the displayed body is cleaned
        (control characters) and may be masked, which moves offsets."""
        plain = text.plain
        for excerpt in item.excerpts:
            needle = printable(self._masked(item, excerpt.text)).strip()
            at = plain.find(needle) if needle else -1
            if at >= 0:
                text.stylize("underline bold", at, at + len(needle))

    def _excerpts_text(self, item: Contribution) -> Text:
        text = Text(overflow="fold")
        if not item.excerpts:
            return text
        tagging = self.services.tagging
        text.append(f"Extraits ({len(item.excerpts)})", style="bold underline")
        for excerpt in item.excerpts:
            kind = EXCERPT_KINDS.get(excerpt.kind, one_line(excerpt.kind, 20))
            text.append(f"\n▪ {kind} — ", style="bold")
            text.append(one_line(tagging.label(excerpt.theme), 60), style="bold")
            text.append(" : « ")
            text.append(one_line(self._masked(item, excerpt.text), 300))
            text.append(" »")
            if excerpt.note:
                text.append(" — ")
                text.append(one_line(excerpt.note, 200), style="italic")
        return text

    def _attachments_text(self, item: Contribution) -> Text:
        text = Text(overflow="fold")
        if not item.attachments:
            return text
        limit = ATTACHMENT_LIMIT_UNFOLDED if self.unfolded else ATTACHMENT_LIMIT
        text.append(f"Pièces jointes ({len(item.attachments)})", style="bold underline")
        for att in item.attachments:
            name = one_line(self._masked(item, att.filename), 200) or "(sans nom)"
            text.append("\n\n▪ ", style="bold")
            text.append(name, style="bold")
            text.append(f"  ({one_line(att.content_type, 80)}, {_size(att.size)})")
            if att.note:
                text.append("\n  ")
                text.append(one_line(att.note, 500), style="italic")
            extracted = self._masked(item, self.services.contributions.blob_text(att.text_blob))
            if extracted:
                shown, cut = _capped(printable(extracted), limit)
                text.append("\n")
                text.append(shown)
                if cut:
                    more = " (f : afficher davantage)" if not self.unfolded else ""
                    text.append(f"\n… {cut:,} caractères de plus.{more}".replace(",", " "))
            elif not att.note:
                text.append("\n  (aucun texte extrait)", style="italic")
        return text

    def _notes_text(self, item: Contribution | None) -> Text:
        text = Text(overflow="fold")
        if item is None or not item.notes:
            return text
        text.append("\nNotes", style="bold underline")
        for note in item.notes:
            when = one_line(local_time(note.at, self.services.config.tz), 40)
            text.append(f"\n{one_line(note.author, 80)} ({when}) : ", style="bold")
            text.append(printable(note.text))
        return text

    def _raw_text(self, item: Contribution) -> Text:
        text = Text(overflow="fold")
        text.append("Source brute du courriel (b : revenir au message)\n\n", style="bold")
        if not item.raw_blob:
            text.append("(source brute non conservée)", style="italic")
            return text
        if self._privacy.pseudonymised:  # the raw source is all personal data: nothing masked
            text.append(
                "(source brute cachée en vue pseudonymisée ; P : afficher les données "
                "personnelles)",
                style="italic",
            )
            return text
        data = self.services.contributions.raw_mail(item)
        if data is None:  # purged or missing
            text.append("(source brute introuvable)", style="italic")
            return text
        shown, cut = _capped(printable(data.decode("utf-8", "replace")), RAW_LIMIT)
        text.append(shown)
        if cut:
            text.append(f"\n… {cut:,} caractères de plus non affichés.".replace(",", " "))
        return text
