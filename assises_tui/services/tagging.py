"""Themes, contributor category, commune and excerpts on contributions.

Every change goes through ``services.changes`` (durable, in each record's history, undoable).
Theme changes are recorded with ``what="themes"``: the suggestion engine learns from them.

Sub-themes are ``"parent/sub"`` keys. Adding a sub-theme adds its parent too (a remark about
"accueil" is a remark about "service"); removing a main theme removes its sub-themes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import CATEGORY_LABELS, EXCERPT_KINDS, Excerpt
from assises_tui.services.changes import ChangeSet
from assises_tui.services.codebook import Codebook, CodebookError, ensure_writable, parent_of
from assises_tui.text.safe import one_line

if TYPE_CHECKING:
    from assises_tui.domain.models import Contribution
    from assises_tui.services.changes import Changes
    from assises_tui.services.contributions import Contributions

THEMES_WHAT = "themes"


class TaggingError(CodebookError):
    """Bad tagging request (unknown theme, bad offsets…): French message, exit code 2."""


def _with_added(themes: tuple[str, ...], keys: Iterable[str]) -> tuple[str, ...]:
    out = list(themes)
    for key in keys:
        for k in (parent_of(key), key):
            if k not in out:
                out.append(k)
    return tuple(out)


def _with_removed(themes: tuple[str, ...], keys: Iterable[str]) -> tuple[str, ...]:
    gone = set(keys)
    return tuple(k for k in themes if k not in gone and parent_of(k) not in gone)


class Tagging:
    def __init__(self, contributions: Contributions, changes: Changes, codebook: Codebook) -> None:
        self.contributions = contributions
        self.changes = changes
        self.codebook = codebook

    # -- themes ----------------------------------------------------------------
    def label(self, key: str) -> str:
        return self.codebook.label(key)

    def check_theme(self, key: str, *, for_adding: bool = True) -> str:
        """``key`` if it is a known (and, for adding, active) theme; else TaggingError."""
        known = {e.key: e for e in self.codebook.entries(counts=False)}
        entry = known.get(key)
        if entry is None:
            actives = ", ".join(k for k, e in known.items() if not e.retired)
            raise TaggingError(f"Thème inconnu : « {key} ». Thèmes possibles : {actives}.")
        if for_adding and entry.retired:
            raise TaggingError(f"Le sous-thème « {key} » est retiré du référentiel.")
        return key

    def update_themes(
        self, ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> ChangeSet:
        """Add and remove theme keys on every id in one undoable action."""
        ensure_writable(self.changes)
        add = [self.check_theme(k) for k in add]
        remove = list(remove)

        def change(item: Contribution) -> dict[str, Any]:
            return {"themes": _with_added(_with_removed(item.themes, remove), add)}

        return self.changes.apply(list(ids), THEMES_WHAT, change)

    def add(self, ids: Sequence[int], key: str) -> ChangeSet:
        return self.update_themes(ids, add=[key])

    def remove(self, ids: Sequence[int], key: str) -> ChangeSet:
        return self.update_themes(ids, remove=[key])

    def toggle(self, ids: Sequence[int], key: str) -> ChangeSet:
        """Remove ``key`` when every record has it, else add it to all."""
        items = [c for c in (self.contributions.get(i) for i in ids) if c is not None]
        if items and all(key in c.themes for c in items):
            return self.remove(ids, key)
        return self.add(ids, key)

    def theme_counts(self, ids: Sequence[int]) -> dict[str, int]:
        """How many of ``ids`` carry each key (the picker shows partial states)."""
        counts: dict[str, int] = {}
        for cid in ids:
            item = self.contributions.get(cid)
            for key in item.themes if item else ():
                counts[key] = counts.get(key, 0) + 1
        return counts

    # -- contributor -----------------------------------------------------------
    def set_category(self, ids: Sequence[int], category: str) -> ChangeSet:
        ensure_writable(self.changes)
        if category and category not in CATEGORY_LABELS:
            known = ", ".join(CATEGORY_LABELS)
            raise TaggingError(f"Catégorie inconnue : « {category} » (possibles : {known}).")
        return self.changes.set_fields(
            list(ids), "contributor_category", contributor_category=category
        )

    def set_commune(self, ids: Sequence[int], name: str) -> ChangeSet:
        ensure_writable(self.changes)
        return self.changes.set_fields(list(ids), "commune", commune=one_line(name, 120).strip())

    # -- excerpts --------------------------------------------------------------
    def add_excerpt(
        self, cid: int, start: int, end: int, theme: str, kind: str, note: str = ""
    ) -> Excerpt:
        """File ``body[start:end]`` under ``theme``; the contribution gets the theme too."""
        ensure_writable(self.changes)
        self.check_theme(theme)
        if kind not in EXCERPT_KINDS:
            raise TaggingError(f"Nature d'extrait inconnue : « {kind} ».")
        body = self.contributions.body_text(cid)
        if not 0 <= start < end <= len(body):
            raise TaggingError("La sélection est vide ou sort du texte.")
        if not body[start:end].strip():
            raise TaggingError("La sélection ne contient que des blancs.")
        excerpt = Excerpt(
            id=uuid.uuid4().hex[:12],
            start=start,
            end=end,
            text=body[start:end],
            theme=theme,
            kind=kind,
            note=note.strip(),
            author=self.changes.reviewer,
            created_at=self.changes.clock(),
        )

        def change(item: Contribution) -> dict[str, Any]:
            return {
                "excerpts": item.excerpts + (excerpt,),
                "themes": _with_added(item.themes, [theme]),
            }

        result = self.changes.apply([cid], "excerpt", change)
        if not result.ids:
            raise TaggingError(f"Contribution n° {cid} introuvable.")
        return excerpt

    def remove_excerpt(self, cid: int, excerpt_id: str) -> ChangeSet:
        ensure_writable(self.changes)

        def change(item: Contribution) -> dict[str, Any]:
            return {"excerpts": tuple(e for e in item.excerpts if e.id != excerpt_id)}

        return self.changes.apply([cid], "excerpt", change)

    def edit_excerpt(self, cid: int, excerpt_id: str, **values: Any) -> ChangeSet:
        """Change theme, kind or note of an excerpt (offsets and text stay)."""
        ensure_writable(self.changes)
        allowed = {k: v for k, v in values.items() if k in ("theme", "kind", "note")}
        if "theme" in allowed:
            self.check_theme(allowed["theme"])

        def change(item: Contribution) -> dict[str, Any]:
            return {
                "excerpts": tuple(
                    replace(e, **allowed) if e.id == excerpt_id else e for e in item.excerpts
                )
            }

        return self.changes.apply([cid], "excerpt", change)

    def excerpts_by_theme(self, theme: str) -> list[tuple[int, Excerpt]]:
        """Excerpts filed under ``theme`` (a main theme includes its sub-themes)."""
        return excerpts_under(self.contributions.all(), theme)


def excerpts_under(items: Iterable[Contribution], theme: str) -> list[tuple[int, Excerpt]]:
    """(id, excerpt) filed under ``theme`` (a main theme includes its sub-themes), in
    contribution then text order."""
    out: list[tuple[int, Excerpt]] = []
    for item in items:
        for e in item.excerpts:
            if e.theme == theme or ("/" not in theme and parent_of(e.theme) == theme):
                out.append((item.id, e))
    out.sort(key=lambda pair: (pair[0], pair[1].start))
    return out


# -- text spans for excerpt selection (offsets into the body text) ----------------------
# A sentence ends at . ! ? … (with any closing quote or bracket, French spacing allowed
# before «»), when a blank follows. A single line break does not end one: mail clients
# wrap lines at ~72 columns, so "condamner les mineurs\ndélinquants à nettoyer…" is one
# sentence. A blank line (a new paragraph) or a line starting with a list marker does.
_SENTENCE_END = re.compile(
    r"[.!?…]+(?:[ \u00a0\u202f]?[»\"')\]])*(?=\s|$)"
    r"|\n(?=[ \t]*\n)|\n(?=[ \t]*(?:[-*•–]|\d{1,2}[.)])[ \t])"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# Characters that must not reach the terminal or that TextArea would treat as line breaks
# (str.splitlines splits on \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029). They are replaced
# one for one so that character offsets into the body stay exact.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]"
)


def display_text(body: str) -> str:
    """``body`` with unsafe characters replaced by "·", same length, same offsets."""
    return _UNSAFE.sub("·", body)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


#: Abbreviations after which a period does not end the sentence ("M. Dupont", "cf. art. 3").
_ABBREVIATIONS = frozenset(
    "m mm mme mmes mlle mlles dr me mgr pr st ste cf av bd art ex no n° p vol".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+°?)$")


def _continues(text: str, m: re.Match[str]) -> bool:
    """The punctuation matched by ``m`` does not end a sentence: an abbreviation before a
    period, or an ellipsis, "?" or "!" right before a lower-case word ("… faire payer").
    A single period before a lower-case word still ends one: many people write without
    capitals ("la dépression. les dossiers s'entassent")."""
    if m.group(0).startswith("\n"):
        return False
    if m.group(0) == ".":
        word = _WORD_BEFORE.search(text, 0, m.start())
        return bool(word) and word.group(1).lower() in _ABBREVIATIONS
    rest = text[m.end() : m.end() + 40].lstrip(" \u00a0\u202f\t")
    return bool(rest) and rest[0].islower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: ends at . ! ? … (before a blank), at a blank line or
    before a list item, not after an abbreviation ("M.") nor before a lower-case word."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _continues(text, m):
            continue
        span = _trimmed(text, start, m.end())
        if span:
            spans.append(span)
        start = m.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans


# The closing formula of a letter starts what is not the contribution any more: the
# courtesy sentence, then the sender's name, title, address… ("Veuillez agréer…",
# "Cordialement,"), and so does a "-- " signature separator or a quoted reply.
_CLOSING = re.compile(
    r"^[ \t]*(?:(?:bien |très |tr[eè]s )?cordialement|(?:veuillez|je vous prie d)\W*\w*\W*agr[ée]er"
    r"|(?:avec mes |mes |sinc[eè]res |meilleures |respectueuses |salutations )*salutations"
    r"|bien (?:à|a) vous|respectueusement|--[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
_REPLY = re.compile(
    r"^[ \t]*(?:>|le\b.*\ba [ée]crit ?:|-{2,} ?message)", re.IGNORECASE | re.MULTILINE
)
#: A closing formula this far from the end (or from a quoted reply) is not the closing one.
_SIGNATURE_MAX = 600


def signature_start(text: str) -> int | None:
    """Offset where the letter's closing formula or signature begins, None without one."""
    reply = _REPLY.search(text)
    end = reply.start() if reply else len(text)
    for m in _CLOSING.finditer(text, 0, end):
        if m.start() > 0 and end - m.start() <= _SIGNATURE_MAX:
            return m.start() + len(m.group(0)) - len(m.group(0).lstrip())
    return None


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (blocks separated by blank lines)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        span = _trimmed(text, start, m.start())
        if span:
            spans.append(span)
        start = m.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def next_span(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The span after selection (start, end); with an empty selection, the one at the cursor."""
    for s, e in spans:
        if (start == end and e > start) or (start != end and s >= end):
            return (s, e)
    return None


def previous_span(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The last span starting before the selection (so from mid-paragraph, its paragraph)."""
    for s, e in reversed(spans):
        if s < start:
            return (s, e)
    return None
