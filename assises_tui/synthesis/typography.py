"""French typesetting of the synthesis text: the spaces a French reader expects.

The Imprimerie nationale's rules, as most French administrations apply them: a narrow
no-break space (U+202F) before ``; ! ?``, a no-break space (U+00A0) before ``:`` and ``%``,
inside « guillemets », and between « n° » and its number. The spaces are no-break so a line
never starts with ``»`` or ``?`` in a word processor or in the PDF. Only spaces are added or
replaced: an URL (``https://…?id=3``) or a time (``10:00``) is left alone because no blank
follows its ``:`` or ``?``.

Every exporter gets the same text: the renderer typesets the document model once
(:func:`typeset_runs` keeps emphasis across the boundaries of bold and italic runs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

NBSP = "\u00a0"
NNBSP = "\u202f"  # espace fine insécable

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


def _edits(text: str) -> list[tuple[int, int, str]]:
    """(start, end, space) replacements, sorted and non-overlapping."""
    edits: dict[int, tuple[int, int, str]] = {}
    for pattern, space in _RULES:
        for m in pattern.finditer(text):
            if m.group(0) != space:
                edits.setdefault(m.start(), (m.start(), m.end(), space))
    out: list[tuple[int, int, str]] = []
    for edit in sorted(edits.values()):
        if not out or edit[0] >= out[-1][1]:
            out.append(edit)
    return out


def typeset(text: str) -> str:
    """``text`` with French no-break spaces where they belong."""
    out, pos = [], 0
    for start, end, space in _edits(text):
        out += [text[pos:start], space]
        pos = end
    out.append(text[pos:])
    return "".join(out)


class _HasText:
    text: str


RunT = TypeVar("RunT", bound=_HasText)


def typeset_runs(runs: Sequence[RunT], make: Callable[[RunT, str], RunT]) -> tuple[RunT, ...]:
    """Typeset the runs of one paragraph as one text, so "**mot** ?" or "«*titre*»" get
    their spaces too; ``make(run, new_text)`` builds a run with the same emphasis. An added
    space belongs to the run of the character before it (to the first run at the start)."""
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
        pieces[owner[start - 1] if start > 0 else 0].append(space)
        pos = end
    for i in range(pos, len(joined)):
        pieces[owner[i]].append(joined[i])
    return tuple(make(r, "".join(p)) for r, p in zip(runs, pieces, strict=True) if p)
