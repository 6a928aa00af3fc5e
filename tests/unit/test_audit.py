"""The audit trail: every kind of change is recorded with who, when, before and after."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from privacy_support import PARIS, build

from assises_tui.cli import main
from assises_tui.domain.models import Status
from assises_tui.services.audit import (
    AuditEntry,
    describe_change,
    what_label,
    workspace_entry,
)


@pytest.fixture
def env(tmp_path):
    ws, services = build(tmp_path)
    yield ws, services
    ws.close()


def _last(services, cid, what) -> AuditEntry:
    found = [e for e in services.audit.history(cid) if e.what == what]
    assert found, f"no {what!r} entry for n° {cid}"
    entry = found[-1]
    assert entry.who == services.reviewer and entry.id == cid
    datetime.fromisoformat(entry.at)  # a real timestamp with offset
    assert datetime.fromisoformat(entry.at).tzinfo is not None
    return entry


def test_every_triage_change_is_recorded(env):
    _ws, services = env
    triage = services.triage
    triage.set_status([2], Status.IN_PROGRESS)
    e = _last(services, 2, "status")
    assert e.before == {"status": "new"} and e.after == {"status": "in_progress"}
    assert "Nouveau → En cours" == describe_change(e)
    triage.assign([2, 4], "agent-b")
    assert _last(services, 4, "assignee").after == {"assignee": "agent-b"}
    triage.add_note(2, "À rappeler")
    assert _last(services, 2, "note").after["notes"][-1]["text"] == "À rappeler"
    triage.toggle_theme([4], "lien")
    e = _last(services, 4, "themes")
    assert e.before == {"themes": []} and e.after == {"themes": ["lien"]}
    triage.set_date(4, datetime(2020, 1, 25, 10, 0, tzinfo=PARIS))
    e = _last(services, 4, "received_at")
    assert e.before["received_at"].startswith("2019-11-25") and e.after["late"] is True
    triage.set_late(4, False)
    assert _last(services, 4, "late").before == {"late": True}
    triage.mark_duplicate(4, 2)
    assert _last(services, 4, "duplicate").after["duplicate_of"] == 2
    triage.mark_not_contribution([3], "publicité")
    assert _last(services, 3, "not_contribution").after["status_reason"] == "publicité"
    triage.undo()
    e = _last(services, 3, "undo:not_contribution")
    assert e.after["status"] == "new"
    assert what_label(e.what).startswith("Annulation")


def test_tagging_and_excerpt_changes_are_recorded(env):
    _ws, services = env
    tagging = services.tagging
    tagging.add([2], "service")
    assert _last(services, 2, "themes").after == {"themes": ["communication", "service"]}
    tagging.set_category([2], "citoyen")
    assert _last(services, 2, "contributor_category").after == {"contributor_category": "citoyen"}
    tagging.set_commune([2], "Vichy")
    assert _last(services, 2, "commune").after == {"commune": "Vichy"}
    excerpt = tagging.add_excerpt(2, 0, 14, "communication", "proposition")
    e = _last(services, 2, "excerpt")
    assert e.after["excerpts"][-1]["text"] == excerpt.text
    tagging.edit_excerpt(2, excerpt.id, kind="constat")
    assert _last(services, 2, "excerpt").after["excerpts"][-1]["kind"] == "constat"
    tagging.remove_excerpt(2, excerpt.id)
    assert _last(services, 2, "excerpt").after == {"excerpts": []}


def test_workspace_events_codebook_synthesis_export_purge(env, tmp_path):
    _ws, services = env
    codebook = services.tagging.codebook
    codebook.add("service", "Accueil du public", "accueil")
    codebook.rename("service/accueil", label="Accueil")
    events = services.audit.history(kinds=["codebook"])
    assert [e.what for e in events] == ["codebook:add", "codebook:rename"]
    assert events[0].id is None and events[0].who == services.reviewer
    assert events[1].before["label"] == "Accueil du public"
    assert events[1].after["label"] == "Accueil"
    assert "Référentiel" in events[1].label
    # An accepted personal-data finding and an export of the synthesis.
    synthesis = services.synthesis
    report = synthesis.check("Merci à Jeanne Vernadaz pour sa contribution.\n")
    finding = next(f for f in report.findings if f.kind == "name")
    synthesis.accept(finding)
    accepted = services.audit.history(kinds=["synthesis.accept_finding"])
    assert accepted[-1].after["finding"] == finding.id
    services.synthesis.export_contributions("csv", tmp_path / "a.csv")
    assert services.audit.history(kinds=["contributions.export"])[-1].after["count"] == 4
    services.purge.run(date(2019, 12, 1))
    purge = services.audit.history(kinds=["privacy.purge"])[-1]
    assert purge.after["ids"] == [1, 4] and purge.id is None
    # A contribution's view includes the workspace events that name it.
    assert any(e.what == "privacy.purge" for e in services.audit.history(1))
    assert not any(e.what == "privacy.purge" for e in services.audit.history(2))


def test_filters_by_id_kind_and_date(env):
    ws, services = env
    services.triage.set_status([2], Status.DONE)
    everything = services.audit.history()
    assert [e.at for e in everything] == sorted(
        (e.at for e in everything), key=datetime.fromisoformat
    )
    assert {e.id for e in services.audit.history(2)} == {2}
    assert [e.what for e in services.audit.history(2, kinds=["status"])] == ["status"]
    old = services.audit.history(until=date(2020, 1, 4))
    assert old and all(e.what == "import" for e in old)
    today = datetime.now(PARIS).date()
    recent = services.audit.history(since=today)
    assert any(e.what == "status" for e in recent)
    assert all(e.what != "import" or e.at >= today.isoformat() for e in recent)


def test_workspace_entry_shape():
    e = workspace_entry(
        {"at": "2020-01-01T00:00:00+01:00", "who": "a", "what": "x.y", "path": "/tmp/f", "id": 7}
    )
    assert e.to_dict() == {
        "id": 7,
        "who": "a",
        "at": "2020-01-01T00:00:00+01:00",
        "what": "x.y",
        "before": None,
        "after": {"path": "/tmp/f", "id": 7},
    }


def test_cli_history_json_shape_and_text(env, capsys):
    ws, services = env
    services.triage.set_status([2], Status.DONE)
    root = str(ws.root)
    ws.close()
    assert main(["--workspace", root, "history", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data and all(set(d) == {"id", "who", "at", "what", "before", "after"} for d in data)
    assert data[-1]["what"] == "status" and data[-1]["after"] == {"status": "done"}
    assert (
        main(
            ["--workspace", root, "history", "--kind", "status", "--since", "2020-01-01", "--json"]
        )
        == 0
    )
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == [2]
    assert main(["--workspace", root, "history", "2"]) == 0
    out = capsys.readouterr().out
    assert "Statut : Nouveau → Traité" in out
    assert main(["--workspace", root, "history", "999"]) == 1
    assert "n'existe pas" in capsys.readouterr().err


def test_history_names_fields_in_french():
    from assises_tui.services.audit import describe

    shown = describe({"status": "duplicate", "duplicate_of": 2})
    assert shown == "statut : Doublon ; doublon de : n° 2"
    assert "duplicate_of" not in describe({"status": "new", "duplicate_of": None, "late": True})
