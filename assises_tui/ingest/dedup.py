"""Duplicates (same text, same sender) and campaigns (near-identical texts, many senders).

A fingerprint is a hash of the folded, whitespace-collapsed text. Campaigns are found with
word 5-shingles: MinHash signatures bucketed by LSH bands propose candidates, and the exact
Jaccard similarity of the shingle sets confirms them (``THRESHOLD``). A campaign's members
all share ``cluster`` = the smallest id in the group.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

SHINGLE = 5
MIN_WORDS = 40  # shorter texts ("Bonjour, voir pièce jointe") are not campaign material
# Measured on the demo mailbox: its 13 campaign letters differ by whole paragraphs (pairwise
# Jaccard 0.40-0.85 on 5-shingles); at 0.8 two sub-groups of 8 letters were found, at 0.6 all
# 13 (groups are transitive). Unrelated texts share almost no 5-word sequence (< 0.1).
THRESHOLD = 0.6
BANDS, ROWS = 25, 2  # one-permutation MinHash: 50 bins of the hash space, read in pairs
_BINS = BANDS * ROWS
_WORD = re.compile(r"\w+")
_EMPTY = 1 << 64


_MARKS = re.compile(r"[\u0300-\u036f]")


def fast_fold(text: str) -> str:
    """Same result as :func:`assises_tui.text.fold.fold`, ~3x faster on long texts.

    Lower-casing first leaves only the lower-case ligatures to expand, and ``str.replace``
    on the rare texts holding them beats ``str.translate`` with a dict on every text.
    """
    low = text.lower()
    if "œ" in low or "æ" in low or "ß" in low or "’" in low:
        low = low.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss").replace("’", "'")
    return _MARKS.sub("", unicodedata.normalize("NFKD", low))


def fingerprint(text: str) -> str:
    """Hash of the text folded (case, accents) with whitespace collapsed; "" for empty text."""
    words = " ".join(fast_fold(text).split())
    if not words:
        return ""
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


def shingles(text: str) -> set[int]:
    # Lower-casing is enough here (accents rarely differ inside one campaign) and much
    # cheaper than full folding. crc32 is stable between runs, so band keys can be stored.
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return set()
    encoded = [w.encode() for w in words]  # once per word, not once per shingle
    crc32 = zlib.crc32
    return {crc32(b" ".join(encoded[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


@dataclass(frozen=True)
class TextSignature:
    """What duplicate and campaign detection need of a text, computed where it is cheap
    (the parsing processes: the importer's own process is the busiest)."""

    fingerprint: str
    shingles: set[int]
    band_keys: list[int]


def signature(text: str) -> TextSignature:
    sh = shingles(text)
    return TextSignature(fingerprint(text), sh, band_keys(sh) if sh else [])


def band_keys(sh: set[int]) -> list[int]:
    """LSH keys of a shingle set (32-bit each; empty for texts too short to compare).

    One-permutation MinHash: the minimum hash in each of 50 bins, read in 25 pairs. Bands
    holding an empty bin are skipped: "both empty" says nothing about similarity.
    """
    mins = [_EMPTY] * _BINS
    for x in sh:
        b = x % _BINS
        if x < mins[b]:
            mins[b] = x
    keys = []
    for i in range(BANDS):
        first, second = mins[i * ROWS], mins[i * ROWS + 1]
        if first != _EMPTY and second != _EMPTY:
            keys.append(zlib.crc32(struct.pack("<BII", i, first, second)))
    return keys


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# -- stored signatures: id (uint32), key count (uint8), keys (uint32 each) ---------------
def pack_signatures(items: dict[int, list[int]]) -> bytes:
    out = bytearray()
    for cid, keys in items.items():
        out += struct.pack(f"<IB{len(keys)}I", cid, len(keys), *keys)
    return bytes(out)


def unpack_signatures(data: bytes) -> dict[int, list[int]]:
    items: dict[int, list[int]] = {}
    pos = 0
    while pos + 5 <= len(data):
        cid, n = struct.unpack_from("<IB", data, pos)
        pos += 5
        items[cid] = list(struct.unpack_from(f"<{n}I", data, pos))
        pos += 4 * n
    return items


class CampaignIndex:
    """Near-duplicate grouping over contribution ids, fed incrementally.

    ``known`` ids come with their stored band keys only (their shingles are fetched with
    ``load_shingles`` when they turn up as candidates); ``add`` indexes a new text and
    returns the ids confirmed similar (exact Jaccard >= THRESHOLD).
    """

    def __init__(self, load_shingles: Callable[[int], set[int]] | None = None) -> None:
        self._buckets: dict[int, list[int]] = defaultdict(list)
        self._shingles: dict[int, set[int]] = {}
        self._load = load_shingles

    def add_known(self, cid: int, keys: list[int]) -> None:
        for key in keys:
            self._buckets[key].append(cid)

    def _shingles_of(self, cid: int) -> set[int]:
        sh = self._shingles.get(cid)
        if sh is None:
            sh = self._load(cid) if self._load is not None else set()
            self._shingles[cid] = sh
        return sh

    def matches(self, sh: set[int], keys: list[int]) -> list[int]:
        """Indexed ids whose text is similar to ``sh`` (exact Jaccard >= THRESHOLD)."""
        if not sh:
            return []
        seen: set[int] = set()
        found: list[int] = []
        for key in keys:
            for other in self._buckets.get(key, ()):
                if other not in seen:
                    seen.add(other)
                    if jaccard(sh, self._shingles_of(other)) >= THRESHOLD:
                        found.append(other)
        return found

    def insert(self, cid: int, sh: set[int], keys: list[int]) -> None:
        if not sh:
            return
        self._shingles[cid] = sh
        for key in keys:
            self._buckets[key].append(cid)

    def add(self, cid: int, sh: set[int], keys: list[int] | None = None) -> list[int]:
        """Index ``cid`` and return the ids it was found similar to."""
        keys = band_keys(sh) if keys is None else keys
        found = self.matches(sh, keys)
        self.insert(cid, sh, keys)
        return found


class UnionFind:
    """Groups whose root is always the smallest id."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
