"""Every damage of ``benchmarks/damage_campaign.py`` is found at open or by ``verify``, in
French, without rewriting the damaged files (figures in docs/reliability.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.damage_campaign import DAMAGES, damage_campaign  # noqa: E402

#: One damage of each family in the default run (each costs opens and fsyncs); all with
#: ASSISES_LONG=1.
SAMPLE = [
    "shard-middle-deleted",
    "shard-empty-table",
    "record-line-deleted",
    "themes-a-string",
    "next-id-behind",
    "journal-garbage",
    "body-modified",
    "audit-line-corrupt",
]
LONG = os.environ.get("ASSISES_LONG") == "1"


def test_every_damage_is_detected_cleanly(tmp_path):
    wanted = list(DAMAGES) if LONG else SAMPLE
    findings = damage_campaign(tmp_path, messages=120, only=wanted)
    assert [f.damage for f in findings] == [d for d in DAMAGES if d in wanted]
    assert [f.damage for f in findings if not f.detected] == []
    assert [(f.damage, f.failures) for f in findings if f.failures] == []
    # What is in the files is checked at open; what is in blobs/, by verify (hashing
    # every file at each open would cost minutes at 100,000 contributions).
    blobs = {"raw-mail-deleted", "body-modified", "attachment-deleted", "quarantine-raw-deleted"}
    late = (blobs | {"audit-line-corrupt"}) & set(wanted)
    assert {f.damage for f in findings if not f.refused_at_open} == late
    restore = {f.damage for f in findings if "assises restore" in f.sentence}
    assert restore >= {"shard-middle-deleted", "themes-a-string"}


def test_the_check_can_fail(tmp_path, monkeypatch):
    """With the counts check disabled, records cut out of a shard go unseen."""
    from assises_tui.store import loading

    monkeypatch.setattr(loading, "shortfalls", lambda *_a: {})
    from assises_tui.store import verify

    monkeypatch.setattr(verify, "shortfalls", lambda *_a: {})
    (finding,) = damage_campaign(tmp_path, messages=60, only=["shard-empty-table"])
    assert not finding.refused_at_open and finding.verify_code == 0  # blobs orphaned, no more
