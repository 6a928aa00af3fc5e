"""Team mode on a real PostgreSQL: several reviewers on one database, nobody's work lost."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assises_tui.domain.models import Contribution, HistoryEntry, Status
from assises_tui.errors import StoreConflictError
from assises_tui.services.session import Services
from assises_tui.store.merge import merge
from assises_tui.store.protocol import StoreError
from assises_tui.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")


def item(cid: int, **extra) -> Contribution:
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


def team_workspace(tmp_path: Path, pg_url: str, count: int = 4) -> Path:
    with Workspace.init(tmp_path / "equipe", postgres_url=pg_url) as ws:
        ws.store.add_many([item(i) for i in ws.store.allocate_ids(count)])
    return tmp_path / "equipe"


def reviewer(root: Path, name: str) -> Services:
    ws = Workspace.open(root)
    ws.reviewer = name
    return Services(ws)


@pytest.fixture
def team(tmp_path, pg_url):
    root = team_workspace(tmp_path, pg_url)
    alice, bob = reviewer(root, "alice"), reviewer(root, "bob")
    yield alice, bob
    alice.workspace.close()
    bob.workspace.close()


# -- the merge itself (no server) ----------------------------------------------------
def test_merge_keeps_both_sides_changes_to_different_fields_and_both_themes():
    base = item(1, themes=("lien",))
    mine = replace(base, themes=("lien", "service"), history=(HistoryEntry("a", "t", "themes"),))
    theirs = replace(
        base,
        themes=("lien", "participation"),
        assignee="bob",
        history=(HistoryEntry("b", "t", "themes"),),
    )
    merged = merge(base, mine, theirs)
    assert merged.themes == ("lien", "participation", "service")
    assert merged.assignee == "bob"
    assert [h.who for h in merged.history] == ["b", "a"]
    removed = merge(base, replace(base, themes=()), theirs)
    assert removed.themes == ("participation",)


def test_merge_refuses_two_different_statuses_naming_the_other_change():
    base = item(1)
    theirs = replace(
        base,
        status=Status.DONE,
        history=(
            HistoryEntry("bob", "2020-01-10T14:02:00+01:00", "status", {}, {"status": "done"}),
        ),
    )
    with pytest.raises(StoreConflictError) as caught:
        merge(base, replace(base, status=Status.OFF_TOPIC), theirs)
    message = str(caught.value)
    assert "bob (14:02)" in message and "« Traité »" in message and "« Hors sujet »" in message
    same = merge(base, replace(base, status=Status.DONE), theirs)
    assert same.status == Status.DONE  # the same change twice is no conflict


# -- two reviewers on one database ---------------------------------------------------
def test_two_reviewers_adding_different_themes_keep_both(team):
    alice, bob = team
    alice.triage.toggle_theme([1], "lien")
    bob.triage.toggle_theme([1], "service")  # bob had not seen alice's theme
    assert set(bob.store.get(1).themes) == {"lien", "service"}
    assert alice.store.reload_if_changed()
    assert set(alice.store.get(1).themes) == {"lien", "service"}
    whos = [h.who for h in alice.store.get(1).history]
    assert whos == ["alice", "bob"]


def test_a_real_conflict_is_refused_with_the_other_reviewers_change(team):
    alice, bob = team
    alice.triage.set_status([2], "done")
    with pytest.raises(StoreConflictError) as caught:
        bob.triage.set_status([2], "off_topic")
    assert "alice" in str(caught.value) and "Traité" in str(caught.value)
    # nothing overwritten, and bob now sees alice's status
    assert bob.store.get(2).status == Status.DONE
    with Workspace.open(alice.workspace.root, read_only=True) as fresh:
        assert fresh.store.get(2).status == Status.DONE
        assert [h.who for h in fresh.store.get(2).history] == ["alice"]
    # having seen it, bob may change it
    bob.triage.set_status([2], "off_topic")
    assert bob.store.get(2).status == Status.OFF_TOPIC


def test_a_bulk_action_with_one_conflict_writes_nothing(team):
    alice, bob = team
    alice.triage.set_status([3], "done")
    with pytest.raises(StoreConflictError):
        bob.triage.set_status([1, 2, 3, 4], "in_progress")
    with Workspace.open(alice.workspace.root, read_only=True) as fresh:
        statuses = [fresh.store.get(cid).status for cid in (1, 2, 3, 4)]
    assert statuses == [Status.NEW, Status.NEW, Status.DONE, Status.NEW]


def test_undo_takes_back_only_ones_own_change(team):
    alice, bob = team
    alice.triage.toggle_theme([1], "lien")
    bob.triage.toggle_theme([1], "service")
    alice.store.reload_if_changed()
    alice.triage.undo()
    assert alice.store.get(1).themes == ("service",)
    # a status bob changed after alice is not alice's to undo
    alice.triage.set_status([4], "done")
    bob.store.reload_if_changed()
    bob.triage.set_status([4], "off_topic")
    alice.store.reload_if_changed()
    with pytest.raises(StoreConflictError, match="bob"):
        alice.triage.undo()
    assert alice.store.get(4).status == Status.OFF_TOPIC


def test_others_changes_are_announced_within_two_seconds(team):
    alice, bob = team
    woken = threading.Event()
    alice.store.start_listening(woken.set)
    time.sleep(0.2)  # LISTEN registered
    started = time.monotonic()
    bob.triage.set_status([1], "done")
    assert woken.wait(2.0), "aucune notification reçue en 2 s"
    assert alice.store.reload_if_changed() and alice.store.get(1).status == Status.DONE
    assert time.monotonic() - started < 2.0


def test_no_writer_lock_many_writers_open_at_once(tmp_path, pg_url):
    root = team_workspace(tmp_path, pg_url)
    opened = [Workspace.open(root) for _ in range(3)]
    try:
        assert not any(ws.read_only for ws in opened)
        for n, ws in enumerate(opened):
            ws.store.save(replace(ws.store.get(n + 1), assignee=f"r{n}"))
    finally:
        for ws in opened:
            ws.close()
    with Workspace.open(root, read_only=True) as ws:
        assert [ws.store.get(n + 1).assignee for n in range(3)] == ["r0", "r1", "r2"]


def test_a_password_in_the_url_is_refused(tmp_path, pg_url):
    bad = pg_url.replace("assises@", "assises:secret@")
    with pytest.raises(StoreError, match="mot de passe"):
        Workspace.init(tmp_path / "w", postgres_url=bad)
    assert not (tmp_path / "w").exists()


def test_an_unreachable_server_is_one_french_sentence(tmp_path):
    url = f"postgresql://assises@/absente?host={tmp_path}"
    with pytest.raises(StoreError, match="Impossible de joindre la base PostgreSQL"):
        Workspace.init(tmp_path / "w", postgres_url=url)
