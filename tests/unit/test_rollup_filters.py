"""A national roll-up's figures filtered by département: ``assises stats``, the codebook's
counts, the synthesis (figures, material, exports) and the archive, in the services and
from the command line (``--departement``).

The workspace is Allier's; three of its six records came from the Cher (as after
``assises migrate --to postgres URL --merge`` then ``--to tinydb``): 1, 4, 6 are Allier's
(4 is not a contribution), 2, 3, 5 the Cher's (5 a duplicate of 2).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from synthesis_support import CLEAN_DRAFT, make_services
from test_cli_json_contract import FIELDS

import assises_tui.cli as cli
from assises_tui.errors import AssisesError
from assises_tui.services.departments import departments, in_department, quarantine_in
from assises_tui.services.stats import stats

CHER = (2, 3, 5)


def plain(text: str) -> str:
    """French typography's no-break spaces as plain ones, to compare words."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def services(tmp_path):
    services = make_services(tmp_path)
    store = services.store
    store.save_many([replace(store.get(cid), department="Cher") for cid in CHER])
    store.add_quarantine("Cher : boite.mbox#7", "En-têtes illisibles", None)
    store.add_quarantine("allier.mbox#2", "En-têtes illisibles", None)
    store.add_quarantine("Cher : boite.mbox#9", "Trop gros", None)
    yield services
    services.workspace.close()


def test_records_without_a_departement_are_the_workspaces_own(services):
    items = services.store.all()
    assert departments(items, "Allier") == ["Allier", "Cher"]
    assert [c.id for c in in_department(items, "Allier", "Allier")] == [1, 4, 6]
    assert [c.id for c in in_department(items, "Cher", "Allier")] == list(CHER)
    assert in_department(items, None, "Allier") == items
    entries = services.store.quarantine()
    names = departments(items, "Allier")
    assert [e.source for e in quarantine_in(entries, "Allier", names, "Allier")] == [
        "allier.mbox#2"
    ]
    assert len(quarantine_in(entries, "Cher", names, "Allier")) == 2


def test_stats_of_one_departement(services):
    whole = stats(services.store, services.config)
    cher = stats(services.store, services.config, "CHER ")  # accents and case aside
    allier = stats(services.store, services.config, "allier")
    assert whole["department"] is None and whole["total"] == 6 and whole["quarantined"] == 3
    assert cher["department"] == "Cher" and allier["department"] == "Allier"
    assert (cher["total"], cher["contributions"], cher["quarantined"]) == (3, 2, 2)
    assert (allier["total"], allier["contributions"], allier["quarantined"]) == (3, 2, 1)
    assert cher["by_theme"]["service"] == 2 and cher["by_theme"]["communication"] == 0
    assert allier["by_theme"]["service"] == 0 and allier["by_theme"]["participation"] == 1
    assert cher["summary"] == "3 messages reçus, dont 2 contributions"
    for key in ("total", "contributions", "late", "on_time", "untagged", "quarantined"):
        assert cher[key] + allier[key] == whole[key], key


def test_an_unknown_departement_is_refused_never_counted_zero(services):
    with pytest.raises(AssisesError, match=r"« Nièvre ».*départements : Allier, Cher"):
        stats(services.store, services.config, "Nièvre")
    with pytest.raises(AssisesError, match="Nièvre"):
        services.tagging.codebook.entries(department="Nièvre")
    with pytest.raises(AssisesError, match="Nièvre"):
        services.synthesis.scope_to("Nièvre")
    assert services.synthesis.department is None  # a refused scope changes nothing


def test_codebook_counts_of_one_departement(services):
    def counts(department=None):
        entries = services.tagging.codebook.entries(department=department)
        return {e.key: e.count for e in entries if not e.is_sub}

    whole, cher, allier = counts(), counts("cher"), counts("Allier")
    assert cher == {"lien": 1, "service": 3, "communication": 0, "participation": 0}
    assert allier["communication"] == 1 and allier["service"] == 0
    assert all(cher[k] + allier[k] == whole[k] for k in whole)


def test_synthesis_figures_material_and_exports_of_one_departement(services, tmp_path):
    synthesis = services.synthesis
    synthesis.save(CLEAN_DRAFT)
    assert synthesis.figures().contributions == 4
    assert [c.id for c in synthesis.contributions_for_theme("communication")] == [1]
    assert synthesis.scope_to("cher") == "Cher"
    assert synthesis.figures().contributions == 2
    assert synthesis.contributions_for_theme("communication") == []
    assert [c.id for c in synthesis.contributions_for_theme("service")] == [2, 3]
    assert {cid for cid, _e in synthesis.excerpts_for_theme("service")} == {2, 3}
    # a citation of another département's contribution still resolves: numbers are national
    result = synthesis.render()
    assert not result.errors
    assert "Département : Cher" in plain(result.document.consultation)
    path = synthesis.export_to_workspace("md", synthesis.load())
    assert path.name == "synthese-cher.md"
    text = plain(path.read_text(encoding="utf-8"))
    assert "Département : Cher" in text and "2 contributions reçues, dont 0 hors délai" in text
    archive = tmp_path / "cher.jsonl"
    assert synthesis.export_contributions("jsonl", archive) == 3
    assert [json.loads(line)["id"] for line in archive.read_text().splitlines()] == list(CHER)
    events = [e for e in services.store.audit() if e["what"].endswith(".export")]
    assert [e["department"] for e in events] == ["Cher", "Cher"]
    synthesis.scope_to(None)
    assert synthesis.figures().contributions == 4
    assert "Département" not in synthesis.render().document.consultation


@pytest.fixture
def run(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_departement_option_on_the_command_line(services, run, tmp_path):
    services.synthesis.save(CLEAN_DRAFT)
    root = str(services.workspace.root)
    services.workspace.close()
    ws = ("--workspace", root)

    code, out, _ = run(*ws, "stats", "--departement", "Cher", "--json")
    data = json.loads(out)
    assert code == 0 and data["department"] == "Cher" and data["total"] == 3
    assert set(data) == FIELDS["stats"]
    code, out, _ = run(*ws, "stats", "--json")
    assert json.loads(out)["department"] is None and json.loads(out)["total"] == 6
    code, out, _ = run(*ws, "stats", "--departement", "cher")
    assert code == 0 and out.startswith("Département : Cher\n3 messages reçus")

    code, out, err = run(*ws, "stats", "--departement", "Nièvre", "--json")
    assert code == 2 and out == "" and "départements : Allier, Cher" in err
    assert "Traceback" not in err

    code, out, _ = run(*ws, "codebook", "--json", "--departement", "allier")
    counts = {e["key"]: e["count"] for e in json.loads(out)}
    assert code == 0 and counts["communication"] == 1 and counts["service"] == 0
    code, out, _ = run(*ws, "codebook", "--departement", "cher")
    assert code == 0 and out.startswith("Effectifs du département : Cher\n")

    target = tmp_path / "cher.md"
    code, out, err = run(
        *ws, "export", "synthesis", "-o", str(target), "--departement", "cher", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["department"] == "Cher" and data["written"]
    assert set(data) <= FIELDS["export synthesis"]
    assert "2 contributions reçues" in plain(target.read_text(encoding="utf-8"))
    code, out, _ = run(
        *ws, "export", "contributions", "-o", str(tmp_path / "a.csv"), "--departement", "Allier"
    )
    assert code == 0 and out.startswith("3 enregistrement(s)")
