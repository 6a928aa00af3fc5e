"""Triage service: every action durable, in the history, undoable (bulk as a whole)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assises_tui.domain.models import Contribution, Status
from assises_tui.services.session import Services
from assises_tui.services.triage import TriageError
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")


def _item(cid: int, **extra) -> Contribution:
    return Contribution(
        id=cid,
        message_id=f"<{cid}@t>",
        received_at=datetime(2020, 1, 10, tzinfo=PARIS),
        date_uncertain=False,
        sender_name=f"S{cid}",
        sender_email=f"s{cid}@t.fr",
        subject=f"Objet {cid}",
        body_blob=None,
        raw_blob=None,
        **extra,
    )


@pytest.fixture
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    ids = ws.store.allocate_ids(4)
    ws.store.add_many([_item(i) for i in ids])
    yield ws
    ws.close()


def reopened(ws: Workspace, cid: int) -> Contribution:
    with Workspace.open(ws.root, read_only=True) as again:
        return again.store.get(cid)


def test_status_is_durable_recorded_and_undoable(ws):
    triage = Services(ws).triage
    changed = triage.set_status([1, 2], "done")
    assert len(changed) == 2
    assert reopened(ws, 2).status == Status.DONE
    assert reopened(ws, 2).history[-1].what == "status"
    triage.undo()
    assert ws.store.get(1).status == Status.NEW and ws.store.get(2).status == Status.NEW
    assert ws.store.get(1).history[-1].what == "undo:status"


def test_leaving_duplicate_clears_duplicate_of(ws):
    triage = Services(ws).triage
    triage.mark_duplicate(2, 1)
    assert ws.store.get(2).duplicate_of == 1 and ws.store.get(2).status == Status.DUPLICATE
    triage.set_status([2], Status.IN_PROGRESS)
    assert ws.store.get(2).duplicate_of is None
    with pytest.raises(TriageError):
        triage.mark_duplicate(2, 2)
    with pytest.raises(TriageError):
        triage.mark_duplicate(2, 999)


def test_a_not_contribution_or_a_duplicate_cannot_be_the_original(ws):
    triage = Services(ws).triage
    triage.mark_not_contribution([1], "accusé de réception de la préfecture")
    with pytest.raises(TriageError, match="« hors contribution »"):
        triage.mark_duplicate(2, 1)
    assert ws.store.get(2).status == Status.NEW  # the citizen's message is still counted
    triage.mark_duplicate(3, 4)
    with pytest.raises(TriageError, match="indiquez le n° 4"):
        triage.mark_duplicate(2, 3)
    assert ws.store.get(2).status == Status.NEW


def test_bulk_theme_toggle_adds_to_all_then_removes_from_all(ws):
    s = Services(ws)
    s.triage.toggle_theme([1], "lien")
    s.triage.toggle_theme([1, 2, 3], "lien")  # not all have it: add to all
    assert all("lien" in ws.store.get(i).themes for i in (1, 2, 3))
    s.triage.toggle_theme([1, 2, 3], "lien")  # all have it: remove from all
    assert not any("lien" in ws.store.get(i).themes for i in (1, 2, 3))
    s.triage.toggle_theme([1], "participation")
    s.triage.toggle_theme([1], "communication")
    assert ws.store.get(1).themes == ("communication", "participation")  # config order
    with pytest.raises(TriageError):
        s.triage.toggle_theme([1], "inconnu")


def test_note_assign_not_contribution_date_late(ws):
    s = Services(ws)
    s.triage.add_note(1, "  à relire  ")
    note = ws.store.get(1).notes[-1]
    assert note.text == "à relire" and note.author == s.reviewer
    with pytest.raises(TriageError):
        s.triage.add_note(1, "   ")
    s.triage.assign([1, 2], "m.dupont")
    assert ws.store.get(2).assignee == "m.dupont"
    s.triage.mark_not_contribution([3], "réponse  automatique")
    item = ws.store.get(3)
    assert item.status == Status.NOT_CONTRIBUTION and item.status_reason == "réponse automatique"
    s.triage.set_date(4, datetime(2020, 1, 21, 9, 0))  # naive: consultation time zone
    item = ws.store.get(4)
    assert item.late and not item.date_uncertain and item.received_at.tzinfo is not None
    s.triage.set_late(4, False)
    assert not reopened(ws, 4).late


def test_read_only_workspace_refuses(ws):
    with Workspace.open(ws.root, read_only=True) as ro:
        with pytest.raises(TriageError, match="lecture seule"):
            Services(ro).triage.set_status([1], "done")
