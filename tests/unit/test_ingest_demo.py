"""The demo mailbox against what its generator meant (data/demo/allier-demo.expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assises_tui.domain.models import Status
from assises_tui.services.importer import import_sources
from assises_tui.workspace import Workspace

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
MBOX, EXPECTED = DEMO / "allier-demo.mbox", DEMO / "allier-demo.expected.json"
NOT_CONTRIBUTIONS = {"auto-reply", "bounce", "own-mail"}

pytestmark = pytest.mark.skipif(
    not (MBOX.exists() and EXPECTED.exists()), reason="boîte de démonstration absente"
)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "ws"
    with Workspace.init(root) as ws:
        report = import_sources(ws, [MBOX])
        items = {c.message_id: c for c in ws.store.all()}
        texts = {mid: ws.store.get_blob(c.body_blob).decode() for mid, c in items.items()}
        att_texts = {
            mid: [ws.store.get_blob(a.text_blob).decode() for a in c.attachments if a.text_blob]
            for mid, c in items.items()
        }
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return report, items, texts, att_texts, expected


def test_counts(imported):
    report, items, _, _, expected = imported
    assert report.read == len(expected) and not report.quarantined
    assert report.already_present == sum("exact-duplicate" in e["kinds"] for e in expected)
    assert report.late == sum("late" in e["kinds"] for e in expected)


def test_each_message_as_meant(imported):
    _, items, texts, att_texts, expected = imported
    for e in expected:
        kinds, c = set(e["kinds"]), items[e["message_id"]]
        assert (c.status is Status.NOT_CONTRIBUTION) == bool(kinds & NOT_CONTRIBUTIONS), kinds
        assert c.late == ("late" in kinds), (kinds, c.received_at)
        if "resent" in kinds:
            original = next(k.split(":", 1)[1] for k in kinds if k.startswith("duplicate-of:"))
            assert c.status is Status.DUPLICATE and c.duplicate_of == items[original].id
        if "no-date" in kinds:
            assert c.date_uncertain and c.received_at is not None  # from Received
        if "html-only" in kinds:
            assert texts[e["message_id"]].strip() and "<" not in texts[e["message_id"]]
        if "attachment-body" in kinds:
            assert any(t.strip() for t in att_texts[e["message_id"]]), kinds


def test_campaign_is_one_group(imported):
    _, items, _, _, expected = imported
    members = [items[e["message_id"]] for e in expected if "campaign" in e["kinds"]]
    clusters = {c.cluster for c in members}
    assert len(members) == 13 and len(clusters) == 1
    assert clusters == {min(c.id for c in members)}
