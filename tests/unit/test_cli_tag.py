"""``assises tag / suggest / codebook / agreement`` through ``cli.main`` on a real workspace.

Most tests use a small built workspace (fast, exact ids); ``test_tag_on_the_demo_import``
runs on the imported demo consultation.
"""

from __future__ import annotations

import json

import pytest
from tagging_support import sample_workspace

from assises_tui.cli import main
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace


@pytest.fixture
def ws_dir(tmp_path):
    hostile = ("piège\x1b]0;x\x07", "Objet piégé \x1b[31m police de proximité")
    return sample_workspace(tmp_path / "ws", [hostile])


def run(ws_dir, capsys, *argv):
    code = main(["--workspace", str(ws_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def themes(ws_dir):
    with Workspace.open(ws_dir, read_only=True) as ws:
        return {c.id: c.themes for c in ws.store.all()}


def test_tag_adds_and_removes_and_prints_changes(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "tag", "+lien", "--json", "--", "proximité")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["matched"] == [3, 6]
    assert doc["changed"][0] == {"id": 3, "before": {"themes": []}, "after": {"themes": ["lien"]}}
    assert themes(ws_dir)[3] == ("lien",)
    code, out, err = run(ws_dir, capsys, "tag", "-lien", "+service", "--", "proximité")
    assert code == 0
    assert "n° 3 — thèmes : lien → service" in out
    assert "2 contribution(s) trouvée(s), 2 modifiée(s)." in out
    assert "\x1b" not in out
    with Workspace.open(ws_dir, read_only=True) as ws:
        assert ws.store.get(3).history[-1].what == "themes"


def test_tag_with_status(ws_dir, capsys):
    code, out, _ = run(
        ws_dir, capsys, "tag", "+service", "--status", "traité", "--json", "--", "commissariat"
    )
    assert code == 0
    change = json.loads(out)["changed"][0]
    assert change["after"] == {"themes": ["service"], "status": "done"}


def test_tag_with_status_is_one_all_or_nothing_write(ws_dir, capsys, monkeypatch):
    """Themes and status in one store write: a full disk leaves neither half."""
    from assises_tui.store.tinydb_store import TinyDBStore

    writes = []
    real = TinyDBStore.save_many

    def counted(self, items):
        writes.append(sorted(c.id for c in items))
        return real(self, items)

    monkeypatch.setattr(TinyDBStore, "save_many", counted)
    code, out, err = run(ws_dir, capsys, "tag", "+service", "--status", "traité", "--", "proximité")
    assert code == 0, err
    assert writes == [[3, 6]]
    with Workspace.open(ws_dir, read_only=True) as ws:
        assert [h.what for h in ws.store.get(3).history[-2:]] == ["themes", "status"]

    def full(self, items):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TinyDBStore, "save_many", full)
    before = {c: (t, s) for c, t, s in records(ws_dir)}
    code, out, err = run(ws_dir, capsys, "tag", "+lien", "--status", "en cours", "--", "proximité")
    assert code == 2 and "disque plein" in err.lower() and "Traceback" not in err
    assert {c: (t, s) for c, t, s in records(ws_dir)} == before


def test_a_combined_change_is_undone_as_one(ws_dir):
    with Workspace.open(ws_dir) as ws:
        services = Services(ws)
        with services.changes.together():
            services.tagging.update_themes([1, 2], add=["lien"])
            services.triage.set_status([2, 3], "done")
        assert services.store.get(2).themes == ("lien",) and services.store.get(2).status == "done"
        undone = services.triage.undo()
        assert undone.what == "themes+status" and undone.ids == [1, 2, 3]
        for cid in (1, 2, 3):
            item = services.store.get(cid)
            assert item.themes == () and item.status == "new"
        assert [h.what for h in services.store.get(2).history[-2:]] == [
            "undo:status",
            "undo:themes",
        ]
        assert not services.triage.can_undo


def records(ws_dir):
    with Workspace.open(ws_dir, read_only=True) as ws:
        return [(c.id, c.themes, c.status) for c in ws.store.all()]


def test_tag_exit_codes(ws_dir, capsys):
    code, _, err = run(ws_dir, capsys, "tag", "+lien", "--", "introuvablemotxyz")
    assert code == 1 and "aucune contribution" in err
    code, _, err = run(ws_dir, capsys, "tag", "+meteo", "--", "police")
    assert code == 2 and "Thème inconnu : « meteo »" in err
    code, _, err = run(ws_dir, capsys, "tag", "+lien")
    assert code == 2 and "Requête manquante" in err
    code, _, err = run(ws_dir, capsys, "tag", "lien", "--", "x")
    assert code == 2 and "Argument inattendu" in err
    code, out, _ = run(ws_dir, capsys, "tag", "--help")
    assert code == 0 and "Codes de sortie" in out
    assert all(t == () for t in themes(ws_dir).values())


def test_suggest_json_shape(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "suggest", "--search", "plainte", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [d["id"] for d in doc] == [1]
    assert set(doc[0]) == {"id", "suggestions"}
    first = doc[0]["suggestions"][0]
    assert set(first) == {"theme", "confidence", "because"}
    assert first["theme"] == "communication"
    assert themes(ws_dir)[1] == ()  # suggesting never tags


def test_codebook_commands(ws_dir, capsys):
    assert run(ws_dir, capsys, "codebook", "add", "service", "Accueil")[0] == 0
    assert run(ws_dir, capsys, "tag", "+service/accueil", "--", "commissariat")[0] == 0
    code, out, _ = run(ws_dir, capsys, "codebook", "--json")
    entries = {e["key"]: e for e in json.loads(out)}
    assert entries["service/accueil"]["count"] == 1 and entries["service"]["count"] == 1
    assert run(ws_dir, capsys, "codebook", "add", "service", "Guichet")[0] == 0
    code, out, _ = run(ws_dir, capsys, "codebook", "merge", "service/accueil", "service/guichet")
    assert code == 0 and "1 contribution(s) réécrite(s)" in out
    assert themes(ws_dir)[2] == ("service", "service/guichet")
    code, _, err = run(ws_dir, capsys, "codebook", "retire", "service/inconnu")
    assert code == 2 and "Sous-thème inconnu" in err


def test_agreement(ws_dir, capsys):
    code, _, err = run(ws_dir, capsys, "agreement", "sample", "3")
    assert code == 1 and "premier codage" in err
    run(ws_dir, capsys, "tag", "+lien", "--", "proximité")
    code, out, _ = run(ws_dir, capsys, "agreement", "--json", "sample", "5", "--seed", "3")
    assert json.loads(out)["sample"] == [3, 6]
    code, out, _ = run(ws_dir, capsys, "agreement", "--json")
    doc = json.loads(out)
    assert doc["sample_size"] == 2 and doc["coded"] == 0
    assert {t["theme"] for t in doc["themes"]} == {
        "communication",
        "service",
        "lien",
        "participation",
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from assises_tui.cli.app_cmds import prepare_demo

    root = tmp_path_factory.mktemp("demo") / "ws"
    prepare_demo(root)
    return root


def test_tag_on_the_demo_import(demo_dir, capsys):
    code, out, err = run(
        demo_dir, capsys, "tag", "+service/accueil", "--json", "--", '"brigade du Donjon"'
    )
    assert code == 2 and "Thème inconnu" in err  # sub-themes must be in the codebook first
    assert run(demo_dir, capsys, "codebook", "add", "service", "Accueil")[0] == 0
    code, out, err = run(
        demo_dir, capsys, "tag", "+service/accueil", "--json", "--", '"brigade du Donjon"'
    )
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc["matched"]) >= 5  # the letter-writing campaign about the Donjon brigade
    assert {c["id"] for c in doc["changed"]} == set(doc["matched"])
    assert all(c["after"]["themes"] == ["service", "service/accueil"] for c in doc["changed"])
    code, out, _ = run(demo_dir, capsys, "codebook", "--json")
    counts = {e["key"]: e["count"] for e in json.loads(out)}
    assert counts["service/accueil"] == len(doc["matched"])
    code, out, _ = run(demo_dir, capsys, "suggest", "--json", "--search", "voisins vigilants")
    got = json.loads(out)
    assert got and any(s["theme"] == "participation" for d in got for s in d["suggestions"])


def test_excerpts_survive_a_reimport(demo_dir):
    from assises_tui.cli.app_cmds import DEMO_MBOX
    from assises_tui.services.import_bridge import run_import

    with Workspace.open(demo_dir) as ws:
        services = Services(ws)
        cid = next(
            c.id
            for c in services.store.all()
            if "brigade" in services.contributions.body_text(c.id)
        )
        body = services.contributions.body_text(cid)
        start = body.index("brigade")
        end = min(len(body), start + 40)
        ex = services.tagging.add_excerpt(cid, start, end, "service", "constat", "x")
        before = services.store.count()
    with Workspace.open(demo_dir) as ws:
        report = run_import(ws, Services(ws).search, [DEMO_MBOX])
        assert report.imported == 0 and report.already_present >= 300
    with Workspace.open(demo_dir, read_only=True) as ws:
        services = Services(ws)
        assert services.store.count() == before
        assert services.store.get(cid).excerpts == (ex,)
        assert services.contributions.body_text(cid)[ex.start : ex.end] == ex.text
