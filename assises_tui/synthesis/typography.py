"""French typesetting of the synthesis text: the spaces and apostrophes of French.

The Imprimerie nationale's rules, as most French administrations apply them: a narrow
no-break space (U+202F) before ``; ! ?``, a no-break space (U+00A0) before ``:`` and ``%``,
inside « guillemets », and between « n° » and its number. The spaces are no-break so a line
never starts with ``»`` or ``?`` in a word processor or in the PDF. These rules only add or
replace spaces: an URL (``https://…?id=3``) or a time (``10:00``) is left alone because no blank
follows its ``:`` or ``?``.

The apostrophe is the typographic one (U+2019, ’), with a conservative rule: a straight
``'`` becomes ’ only between two letters (« l'Allier », « aujourd'hui », « D'Artagnan ») or
after an elided word followed by a blank (« l' Allier », « jusqu' à »). Anything else is not
taken for an apostrophe and stays as typed: a quotation between straight quotes
(``'texte'`` is not turned into « », the draft's author chose it), « les gendarmes' »,
primes after digits (``5'30``), and the tokens that must stay byte for byte: URLs, e-mail
addresses (``o'brien@exemple.fr``), text between backquotes and code-like tokens
(``_ = \\ { } < > |``).

Every exporter gets the same text: the renderer typesets the document model once
(:func:`typeset_runs` keeps emphasis across the boundaries of bold and italic runs, so
``**l'**Allier`` gets its ’ in the bold run).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

NBSP = "\u00a0"
NNBSP = "\u202f"  # espace fine insécable
APOSTROPHE = "\u2019"  # apostrophe typographique

_SPACES = "[ \t\u00a0\u202f\u2009]*"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # before ; ! ? (a run of them, "?!" counts as one), when a blank or the end follows
    (re.compile(rf"(?<=[^\s;!?«(]){_SPACES}(?=[;!?]+(?:[\s»)\]\"']|$))"), NNBSP),
    # before a colon that ends a clause (not "10:00", not "https://")
    (re.compile(rf"(?<=[^\s:«(]){_SPACES}(?=:(?:\s|$))"), NBSP),
    (re.compile(rf"(?<=\S){_SPACES}(?=»)"), NBSP),
    (re.compile(rf"(?<=«){_SPACES}(?=\S)"), NBSP),
    (re.compile(rf"(?<=\d){_SPACES}(?=%)"), NBSP),
    (re.compile(rf"(?i:(?<=\bn°)){_SPACES}(?=\d)"), NBSP),
)

_LETTER = r"[^\W\d_]"
_APOSTROPHES = (
    # l'Allier, aujourd'hui, D'Artagnan: a letter on each side
    re.compile(rf"(?<={_LETTER})(?P<q>')(?={_LETTER})"),
    # an elided word then a blank: « l' Allier », « jusqu' à » (not « les gendarmes' »,
    # not the closing quote of 'l')
    re.compile(
        r"(?i:(?<![\w'’])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu|quelqu))(?P<q>')(?=\s)"
    ),
)
# What must stay as typed: `code`, URLs, e-mail addresses, code-like tokens.
_VERBATIM = re.compile(r"`[^`]*`|\S*(?:://|@|(?i:www\.)|[_=\\{}<>|])\S*")


def _apostrophes(text: str) -> list[tuple[int, int, str]]:
    if "'" not in text:
        return []
    kept = [m.span() for m in _VERBATIM.finditer(text)]
    return [
        (m.start("q"), m.end("q"), APOSTROPHE)
        for pattern in _APOSTROPHES
        for m in pattern.finditer(text)
        if not any(a <= m.start("q") < b for a, b in kept)
    ]


def _edits(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) edits, sorted and non-overlapping: spaces, apostrophes."""
    edits: dict[int, tuple[int, int, str]] = {}
    for pattern, space in _RULES:
        for m in pattern.finditer(text):
            if m.group(0) != space:
                edits.setdefault(m.start(), (m.start(), m.end(), space))
    for edit in _apostrophes(text):
        edits.setdefault(edit[0], edit)
    out: list[tuple[int, int, str]] = []
    for edit in sorted(edits.values()):
        if not out or edit[0] >= out[-1][1]:
            out.append(edit)
    return out


def typeset(text: str) -> str:
    """``text`` with French no-break spaces and apostrophes where they belong."""
    out, pos = [], 0
    for start, end, new in _edits(text):
        out += [text[pos:start], new]
        pos = end
    out.append(text[pos:])
    return "".join(out)


class _HasText:
    text: str


RunT = TypeVar("RunT", bound=_HasText)


def typeset_runs(runs: Sequence[RunT], make: Callable[[RunT, str], RunT]) -> tuple[RunT, ...]:
    """Typeset the runs of one paragraph as one text, so "**mot** ?" or "«*titre*»" get
    their spaces too; ``make(run, new_text)`` builds a run with the same emphasis. An added
    space belongs to the run of the character before it (to the first run at the start); an
    apostrophe stays in the run of the one it replaces."""
    owner = [n for n, r in enumerate(runs) for _ in r.text]
    joined = "".join(r.text for r in runs)
    edits = _edits(joined)
    if not edits:
        return tuple(runs)
    pieces: list[list[str]] = [[] for _ in runs]
    pos = 0
    for start, end, space in edits:
        for i in range(pos, start):
            pieces[owner[i]].append(joined[i])
        if space == APOSTROPHE:
            pieces[owner[start]].append(space)
        else:
            pieces[owner[start - 1] if start > 0 else 0].append(space)
        pos = end
    for i in range(pos, len(joined)):
        pieces[owner[i]].append(joined[i])
    return tuple(make(r, "".join(p)) for r, p in zip(runs, pieces, strict=True) if p)
