"""Duplicates (same text, same sender) and campaigns (near-identical texts, many senders).

A fingerprint is a hash of the folded, whitespace-collapsed text. Campaigns are found with
word 5-shingles: MinHash signatures bucketed by LSH bands propose candidates, and the exact
Jaccard similarity of the shingle sets confirms them (threshold 0.8). A campaign's members
all share ``cluster`` = the smallest id in the group.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from assises_tui.text.fold import fold

SHINGLE = 5
MIN_WORDS = 40  # shorter texts ("Bonjour, voir pièce jointe") are not campaign material
THRESHOLD = 0.8
BANDS, ROWS = 25, 2  # one-permutation MinHash: 50 bins of the hash space, read in pairs
_BINS = BANDS * ROWS
_WORD = re.compile(r"\w+")
_EMPTY = 1 << 64


def fingerprint(text: str) -> str:
    """Hash of the text folded (case, accents) with whitespace collapsed; "" for empty text."""
    words = " ".join(fold(text).split())
    if not words:
        return ""
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


def shingles(text: str) -> set[int]:
    # Lower-casing is enough here (accents rarely differ inside one campaign), and it is
    # much cheaper than full folding. Python's hash() is stable within one process, which
    # is all the index needs: it is rebuilt on every import.
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return set()
    return {hash(tuple(words[i : i + SHINGLE])) & 0xFFFFFFFFFFFFFFFF
            for i in range(len(words) - SHINGLE + 1)}


def _bands(sh: set[int]) -> list[tuple[int, int, int]]:
    # One pass over the shingles (one-permutation hashing): the minimum hash in each bin.
    # Bands holding an empty bin are skipped: "both empty" says nothing about similarity.
    mins = [_EMPTY] * _BINS
    for x in sh:
        b = x % _BINS
        if x < mins[b]:
            mins[b] = x
    keys = []
    for i in range(BANDS):
        first, second = mins[i * ROWS], mins[i * ROWS + 1]
        if first != _EMPTY and second != _EMPTY:
            keys.append((i, first, second))
    return keys


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class CampaignIndex:
    """Incremental near-duplicate grouping over contribution ids."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        self._shingles: dict[int, set[int]] = {}
        self._parent: dict[int, int] = {}
        self._size: dict[int, int] = {}

    def _find(self, x: int) -> int:
        while self._parent[x] != x:
            self._parent[x] = self._parent[self._parent[x]]
            x = self._parent[x]
        return x

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self._parent[hi] = lo  # the root is always the smallest id
            self._size[lo] = self._size.get(lo, 1) + self._size.pop(hi, 1)

    def add(self, cid: int, text: str, sh: set[int] | None = None) -> list[int]:
        """Index ``cid``; return the ids it was found similar to (empty if none)."""
        sh = shingles(text) if sh is None else sh
        if not sh:
            return []
        self._shingles[cid] = sh
        self._parent.setdefault(cid, cid)
        seen: set[int] = set()
        matches: list[int] = []
        for key in _bands(sh):
            for other in self._buckets[key]:
                if other in seen:
                    continue
                seen.add(other)
                if jaccard(sh, self._shingles[other]) >= THRESHOLD:
                    matches.append(other)
                    self._union(cid, other)
            self._buckets[key].append(cid)
        return matches

    def cluster_of(self, cid: int) -> int | None:
        """Smallest id of ``cid``'s group, None when it is alone."""
        if cid not in self._parent:
            return None
        root = self._find(cid)
        return root if self._size.get(root, 1) > 1 else None

    def groups(self) -> dict[int, list[int]]:
        """root id → member ids, for groups of two or more."""
        out: dict[int, list[int]] = defaultdict(list)
        for cid in self._parent:
            out[self._find(cid)].append(cid)
        return {root: sorted(m) for root, m in out.items() if len(m) > 1}
