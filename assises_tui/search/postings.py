"""Set operations between candidate ids and posting arrays, picking the cheapest way.

A common word (in more than half of the documents) is handled through its complement,
which is small; a few candidates against a long posting are looked up by bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from assises_tui.search.wordindex import WordIndex


def has(posting: Sequence[int], cid: int) -> bool:
    """``cid in posting`` for a sorted posting array, by bisection."""
    i = bisect_left(posting, cid)
    return i < len(posting) and posting[i] == cid


def with_word(idx: WordIndex, word: str, cand: set[int] | None) -> set[int]:
    """``cand`` ∩ documents containing ``word`` (everything indexed when cand is None)."""
    if idx.is_common(word):
        base = set(idx.all_ids()) if cand is None else cand
        base.difference_update(idx.complement(word))
        return base
    posting = idx.lookup(word)
    if cand is None:
        return set(posting)
    if len(cand) * 16 < len(posting):
        return {c for c in cand if has(posting, c)}
    return cand.intersection(posting)


def without_word(idx: WordIndex, word: str, cand: set[int], *, copy: bool) -> set[int]:
    """``cand`` − documents containing ``word``; ``cand`` itself is changed unless ``copy``."""
    if idx.is_common(word):
        return cand.intersection(idx.complement(word))
    posting = idx.lookup(word)
    if len(cand) * 16 < len(posting):
        return {c for c in cand if not has(posting, c)}
    out = set(cand) if copy else cand
    out.difference_update(posting)
    return out
