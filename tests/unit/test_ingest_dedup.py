"""Fingerprints, shingles, stored band keys and incremental campaign grouping."""

from __future__ import annotations

import random

from ingest_support import LOREM

from assises_tui.ingest.dedup import (
    MIN_WORDS,
    THRESHOLD,
    CampaignIndex,
    UnionFind,
    band_keys,
    fingerprint,
    jaccard,
    pack_signatures,
    shingles,
    unpack_signatures,
)


def test_fingerprint_folds_case_accents_and_spaces():
    assert fingerprint("Sécurité  à\nMoulins") == fingerprint("SECURITE A MOULINS")
    assert fingerprint("Sécurité à Moulins") != fingerprint("Sécurité à Vichy")
    assert fingerprint("   ") == ""


def test_shingles_are_stable_and_need_some_length():
    assert shingles(LOREM) == shingles(LOREM)  # crc32: the same in every process
    assert shingles(" ".join(["mot"] * (MIN_WORDS - 1))) == set()


def test_near_identical_found_and_different_not():
    rng = random.Random(4)
    words = LOREM.split()
    edited = words[:]
    edited[10] = "autrement"
    other = words[:]
    rng.shuffle(other)
    a, b, c = shingles(LOREM), shingles(" ".join(edited)), shingles(" ".join(other))
    assert jaccard(a, b) >= THRESHOLD > 0.1 > jaccard(a, c)
    index = CampaignIndex()
    assert index.add(1, a) == []
    assert index.add(2, b) == [1]
    assert index.add(3, c) == []


def test_known_ids_are_loaded_only_when_candidates():
    loaded = []
    a = shingles(LOREM)

    def load(cid):
        loaded.append(cid)
        return a

    index = CampaignIndex(load)
    index.add_known(7, band_keys(a))
    index.add_known(8, [123, 456])  # never a candidate
    assert index.add(9, shingles(LOREM + " Merci.")) == [7]
    assert loaded == [7]


def test_signatures_round_trip():
    items = {1: band_keys(shingles(LOREM)), 5: [], 2**31: [0, 2**32 - 1]}
    assert unpack_signatures(pack_signatures(items)) == items


def test_union_find_root_is_smallest():
    uf = UnionFind()
    uf.union(9, 4)
    uf.union(12, 9)
    uf.union(2, 12)
    assert {uf.find(x) for x in (2, 4, 9, 12)} == {2}


def test_fast_fold_equals_fold():
    from assises_tui.ingest.dedup import fast_fold
    from assises_tui.text.fold import fold

    for text in ["Œuvre, cœur, Æsop, Straße, l’État, ÉLUS à Vichy", "Привет ÀÉÎÕÜ ﬁ ½", ""]:
        assert fast_fold(text) == fold(text)
