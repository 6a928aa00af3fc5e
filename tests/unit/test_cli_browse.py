"""``assises list/show/stats`` through ``cli.main`` on a real workspace."""

from __future__ import annotations

import json

import pytest
from search_fixtures import record, sample

from assises_tui.cli import main
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

LIST_FIELDS = {
    "id",
    "message_id",
    "received_at",
    "date_uncertain",
    "sender_name",
    "sender_email",
    "subject",
    "status",
    "themes",
    "late",
    "duplicate_of",
    "cluster",
    "attachments",
    "assignee",
}


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "ws"
    with Workspace.init(root) as ws:
        services = Services(ws)
        sample(services)
        store = ws.store
        store.add_many(
            [
                record(
                    store,
                    7,
                    "Texte\x1b]52;c;aGk=\x07 piégé \x1b[31mrouge",
                    subject="Objet \x1b[2J piégé",
                    sender_name="Eve\x07",
                )
            ]
        )
    return root


def run(ws_dir, capsys, *argv):
    code = main(["--workspace", str(ws_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_the_contract_fields(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "list", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [d["id"] for d in data] == [1, 2, 3, 4, 5, 6, 7]
    assert all(set(d) == LIST_FIELDS for d in data)
    two = data[1]
    assert two["status"] == "done" and two["themes"] == ["communication", "service/accueil"]
    assert two["assignee"] == "marie" and two["cluster"] == 3
    assert data[0]["received_at"] == "2019-12-01T10:00:00+01:00"
    assert data[4]["attachments"] == 1 and data[5]["duplicate_of"] == 2
    assert data[0]["assignee"] is None


def test_list_filters_and_search(ws_dir, capsys):
    def ids(*argv):
        code, out, err = run(ws_dir, capsys, "list", "--json", *argv)
        assert code == 0, err
        return [d["id"] for d in json.loads(out)]

    assert ids("--status", "traité") == [2]
    assert ids("--status", "new,en cours") == [1, 3, 5, 7]
    assert ids("--theme", "lien") == [1]
    assert ids("--late") == [3]
    assert ids("--search", "securite") == [1]
    assert ids("--search", "secur") == []  # no prefix matching on the command line
    assert ids("--search", '"plainte en ligne"') == [2]
    assert ids("--search", "vigilants") == [5]
    assert ids("--search", "plainte", "--status", "doublon") == [6]


def test_list_bad_query_is_a_usage_error(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "list", "--search", "couleur:bleu")
    assert code == 2 and out == ""
    assert "Champ inconnu « couleur: »" in err
    code, _out, err = run(ws_dir, capsys, "list", "--status", "fini")
    assert code == 2 and "Statut inconnu" in err
    code, _out, err = run(ws_dir, capsys, "list", "--theme", "cuisine")
    assert code == 2 and "Thème inconnu" in err


def test_list_table_is_french_and_safe(ws_dir, capsys):
    code, out, _err = run(ws_dir, capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["N°", "Reçue", "le"]
    assert "01/12/2019 10:00" in out and "Traité" in out and "hors délai" in out
    assert "\x1b" not in out and "\x07" not in out
    assert lines[-1] == "7 contributions."
    code, out, _err = run(ws_dir, capsys, "list", "--search", "zorglub")
    assert code == 0 and out.strip() == "Aucune contribution ne correspond."


def test_show_json(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "show", "5", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert LIST_FIELDS - {"attachments"} <= set(data)
    assert data["body"] == "Voir la pièce jointe."
    assert data["attachments"] == [
        {
            "filename": "note.pdf",
            "content_type": "application/pdf",
            "size": 52,
            "text": "Les voisins vigilants et la participation citoyenne.",
            "note": None,
        }
    ]
    assert data["excerpts"] == [] and data["history"] == []
    code, out, _err = run(ws_dir, capsys, "show", "3", "--json")
    assert json.loads(out)["notes"] == [{"author": "marie", "at": "2020-01-02", "text": "à revoir"}]


def test_show_text_strips_control_sequences(ws_dir, capsys):
    code, out, _err = run(ws_dir, capsys, "show", "7")
    assert code == 0
    assert out.startswith("Contribution n° 7\n")
    assert "piégé" in out and "\x1b" not in out and "\x07" not in out


def test_show_unknown_id(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "show", "42")
    assert code == 1 and out == ""
    assert "La contribution n° 42 n'existe pas." in err


def test_show_non_numeric_id_is_usage_error(ws_dir, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--workspace", str(ws_dir), "show", "quarante"])
    assert exc.value.code == 2


def test_stats(ws_dir, capsys):
    code, out, err = run(ws_dir, capsys, "stats", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 7 and data["open"] == 4 and data["quarantined"] == 0
    assert data["by_status"] == {
        "new": 3,
        "in_progress": 1,
        "done": 1,
        "off_topic": 0,
        "duplicate": 1,
        "not_contribution": 1,
    }
    assert data["by_theme"] == {"communication": 1, "service": 1, "lien": 1, "participation": 1}
    # Counted over the 5 contributions (the duplicate and the auto-reply set aside).
    assert data["contributions"] == 5
    assert data["summary"] == "7 messages reçus, dont 5 contributions"
    assert data["untagged"] == 2 and data["late"] == 1
    assert data["on_time"] + data["late"] + data["date_uncertain"] == 5
    assert data["by_category"]["citoyen"] == 1 and sum(data["by_category"].values()) == 5
    code, out, _err = run(ws_dir, capsys, "stats")
    assert code == 0 and "Par statut :" in out and "Traité" in out and "Sans thème" in out
    assert out.startswith("7 messages reçus, dont 5 contributions ;")


def test_missing_workspace_is_an_environment_error(tmp_path, capsys):
    code, _out, err = run(tmp_path / "absent", capsys, "list")
    assert code == 2 and "Aucun espace de travail" in err
