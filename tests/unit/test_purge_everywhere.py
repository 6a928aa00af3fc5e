"""A purged contributor's personal data, planted everywhere a reviewer can put it, is
nowhere in the workspace after the purge: every byte searched, archives unpacked
(``benchmarks/purge_everywhere.py``; figures in docs/privacy.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.purge_everywhere import FORMS, purge_everywhere  # noqa: E402


def test_nothing_personal_survives_the_purge(tmp_path):
    result = purge_everywhere(tmp_path)
    before = {
        place.split("/")[0].split("!")[0]
        for places in result["before"].values()
        for place in places
    }
    # The search found the data in every place it was planted (so it can fail) …
    places = {p for p in before if not p.startswith("store.avant-restauration-")}
    assert places >= {
        "store",
        "blobs",
        "index",
        "backups",
        "synthesis.md",
        "synthesis_versions",
        "suggestions",
    }
    assert any(p.startswith("store.avant-restauration-") for p in before)
    assert all(result["before"][form] for form in FORMS)
    archives = {p.split("!")[0] for v in result["before"].values() for p in v if "!" in p}
    assert len(archives) >= 2  # the manual backup and an automatic one
    # … and nowhere after the purge.
    assert result["after"] == {form: [] for form in FORMS}
    report = result["report"]
    assert result["exit_code"] == 0 and result["verify"] == []
    assert report["saved_searches_masked"] == 1 and report["synthesis_files_masked"] >= 4
    assert report["restore_leftovers_deleted"] == 1 and report["backup_made"] is True
    assert report["backups_deleted"] == report["backups"] >= 3
    assert result["kept_senders"] == ["marcel.tournadre@exemple.fr"]  # newer: untouched
