"""Team mode from the command line: init --postgres, db upgrade, migrate (round trip and
national roll-up), verify/backup/restore on the database, the reviewer in the history."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import psycopg
import pytest
from test_cli_json_contract import FIELDS
from test_team_concurrency import item

import assises_tui.cli as cli
from assises_tui.domain.models import Status
from assises_tui.services.session import Services
from assises_tui.store.transfer import item_blobs
from assises_tui.workspace import Workspace

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "allier-demo.mbox"


@pytest.fixture
def run(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def small_mbox(path: Path, count: int = 40) -> Path:
    source = mailbox.mbox(DEMO)
    target = mailbox.mbox(path)
    for n, message in enumerate(source):
        if n >= count:
            break
        target.add(message)
    target.flush()
    return path


def synthesis(root: Path) -> tuple[str | None, list[tuple[str, str]]]:
    with Workspace.open(root, read_only=True) as ws:
        versions = Services(ws).synthesis.versions
        return versions.current(), [(v.id, versions.read(v.id)) for v in versions.list()]


def snapshot(store) -> dict:
    """Everything a store holds, blobs included, in a comparable form."""
    items = store.all()
    shas = {sha for item in items for sha in item_blobs(item)}
    entries = store.quarantine()
    shas |= {e.raw_blob for e in entries if e.raw_blob}
    return {
        "records": items,
        "quarantine": entries,
        "documents": {name: store.get_doc(name) for name in store.doc_names()},
        "audit": store.audit(),
        "blobs": {sha: store.get_blob(sha) for sha in shas},
    }


def busy_workspace(run, root: Path, tmp_path: Path) -> None:
    code, _, err = run("init", str(root))
    assert code == 0, err
    code, _, err = run("--workspace", str(root), "import", str(small_mbox(tmp_path / "a.mbox")))
    assert code in (0, 1), err
    with Workspace.open(root) as ws:
        services = Services(ws)
        services.triage.set_status([1, 2], "done")
        services.triage.add_note(3, "À relire")
        services.triage.toggle_theme([4], "lien")
        services.saved_searches.save("police", "police -theme:lien")
        raw = ws.store.put_blob(b"From: x\n\ncourriel illisible")
        ws.store.add_quarantine("boite.mbox#99", "En-têtes illisibles", raw)
        ws.store.append_audit([{"what": "export", "at": "2020-01-20T10:00:00+01:00"}])
        services.synthesis.save("# Synthèse\n\nPremière version.\n")
        services.synthesis.save("# Synthèse\n\nDeuxième version [#1].\n")


def test_migrate_round_trip_tinydb_postgres_tinydb_is_equal_blobs_included(run, tmp_path, pg_url):
    root = tmp_path / "allier"
    busy_workspace(run, root, tmp_path)
    with Workspace.open(root, read_only=True) as ws:
        start = snapshot(ws.store)
    assert len(start["records"]) >= 30 and start["blobs"] and start["quarantine"]
    drafted = synthesis(root)
    assert drafted[0].endswith("[#1].\n") and len(drafted[1]) == 2

    code, out, err = run("--workspace", str(root), "migrate", "--to", "postgres", pg_url, "--json")
    assert code == 0, err
    moved = json.loads(out)
    assert moved["contributions"] == len(start["records"])
    assert set(moved) <= FIELDS["migrate"] and moved["aside"]
    assert "[store]" in (root / "consultation.toml").read_text()
    with Workspace.open(root, read_only=True) as ws:
        assert type(ws.store).__name__ == "PostgresStore"
        documents = snapshot(ws.store)
    # the synthesis is now shared: in the database, with its versions
    assert synthesis(root) == drafted and not (root / "synthesis.md").exists()
    shared = {k: v for k, v in documents["documents"].items() if not k.startswith("synthesis.")}
    assert {**documents, "documents": shared} == start
    code, out, _ = run("--workspace", str(root), "verify")
    assert code == 0 and "Tout est en ordre" in out

    back = tmp_path / "retour"
    code, out, err = run("--workspace", str(root), "migrate", "--to", "tinydb", str(back), "--json")
    assert code == 0, err
    assert set(json.loads(out)) <= FIELDS["migrate"]
    with Workspace.open(back, read_only=True) as ws:
        assert type(ws.store).__name__ == "TinyDBStore"
        assert "[store]" not in (back / "consultation.toml").read_text()
        assert snapshot(ws.store) == start
    assert synthesis(back) == drafted


def test_init_postgres_upgrade_reviewer_and_backup_restore(run, tmp_path, pg_url, monkeypatch):
    root = tmp_path / "equipe"
    code, out, err = run("init", str(root), "--postgres", pg_url)
    assert code == 0 and "Base partagée" in out, err
    text = (root / "consultation.toml").read_text()
    assert pg_url in text and "password" not in text
    code, out, _ = run("--workspace", str(root), "db", "upgrade")
    assert code == 0 and "déjà à jour" in out
    code, _, err = run("init", str(tmp_path / "autre"), "--postgres", pg_url)
    assert code == 0  # an empty database may be shared by a second folder (a colleague)

    code, _, err = run("--workspace", str(root), "import", str(small_mbox(tmp_path / "b.mbox", 5)))
    assert code in (0, 1), err
    monkeypatch.delenv("ASSISES_REVIEWER", raising=False)
    code, _, err = run(
        "--workspace", str(root), "--reviewer", "m.dupont", "tag", "--status", "done", "--", "id:1"
    )
    assert code == 0, err
    with Workspace.open(root, read_only=True) as ws:
        assert ws.store.get(1).history[-1].who == "m.dupont"
    code, out, _ = run("--workspace", str(root), "backup", "--json")
    backup = json.loads(out)["backup"]
    run("--workspace", str(root), "tag", "--status", "off_topic", "--", "id:1-5")
    code, out, err = run("--workspace", str(root), "restore", backup)
    assert code == 0 and "restaurée" in out, err
    with Workspace.open(root, read_only=True) as ws:
        assert ws.store.get(1).status == Status.DONE
        assert ws.store.get(2).status != Status.OFF_TOPIC


def test_db_upgrade_applies_new_steps_once_and_a_newer_schema_is_refused(
    run, tmp_path, pg_url, monkeypatch
):
    from assises_tui.store.postgres import schema

    root = tmp_path / "equipe"
    assert run("init", str(root), "--postgres", pg_url)[0] == 0
    # a later version of Assises brings one more step
    current = schema.SCHEMA_VERSION
    step = current + 1
    monkeypatch.setitem(schema.MIGRATIONS, step, "CREATE TABLE etape_suivante (x integer)")
    monkeypatch.setattr(schema, "SCHEMA_VERSION", step)
    code, _, err = run("--workspace", str(root), "list")
    assert code == 2 and "assises db upgrade" in err and "Traceback" not in err
    code, out, _ = run("--workspace", str(root), "db", "upgrade", "--json")
    assert code == 0 and json.loads(out) == {"applied": [step], "schema_version": step}
    assert set(json.loads(out)) == FIELDS["db upgrade"]
    code, out, _ = run("--workspace", str(root), "db", "upgrade")
    assert code == 0 and "déjà à jour" in out
    assert run("--workspace", str(root), "list")[0] == 0
    # and this version of Assises meets a database upgraded by a newer one
    monkeypatch.delitem(schema.MIGRATIONS, step)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current)
    code, _, err = run("--workspace", str(root), "list")
    assert code == 2 and "plus récente" in err
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM assises_schema").fetchone() == (step,)


def test_national_roll_up_keeps_each_departement_and_number(run, tmp_path, pg_url):
    roots = []
    for name, department in (("allier", "Allier"), ("cher", "Cher")):
        root = tmp_path / name
        config = (Path(__file__).resolve().parents[2] / "data/allier/consultation.toml").read_text()
        folder = tmp_path / f"conf-{name}"
        folder.mkdir()
        (folder / "consultation.toml").write_text(
            config.replace('department = "Allier"', f'department = "{department}"').replace(
                'announcement = "annonce.txt"\n', ""
            )
        )
        assert run("init", str(root), "--config", str(folder / "consultation.toml"))[0] == 0
        run("--workspace", str(root), "import", str(small_mbox(tmp_path / f"{name}.mbox", 6)))
        roots.append(root)
    for root in roots:
        code, _, err = run(
            "--workspace", str(root), "migrate", "--to", "postgres", pg_url, "--merge"
        )
        assert code == 0, err
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT department, count(*), min(origin_id), max(id) FROM contributions "
            "GROUP BY department ORDER BY department"
        ).fetchall()
    allier, cher = rows
    assert allier[0] == "Allier" and cher[0] == "Cher"
    assert allier[1] == cher[1] and allier[2] == cher[2] == 1  # each keeps its numbers
    assert cher[3] == allier[1] + cher[1]  # renumbered after the first
    # the départements' own workspaces are untouched
    assert "[store]" not in (roots[0] / "consultation.toml").read_text()
    # the national inbox filters by département
    national = tmp_path / "national"
    folder = tmp_path / "conf-cher"
    assert (
        run(
            "init",
            str(national),
            "--postgres",
            pg_url,
            "--config",
            str(folder / "consultation.toml"),
        )[0]
        == 0
    )
    code, out, _ = run(
        "--workspace", str(national), "list", "--search", "departement:cher", "--json"
    )
    listed = json.loads(out)
    assert len(listed) == cher[1] and min(r["id"] for r in listed) == allier[1] + 1
    code, out, _ = run("--workspace", str(national), "list", "--search", "dep:allier", "--json")
    assert len(json.loads(out)) == allier[1]
    # and so do its statistics and the codebook's counts (on the real server)
    whole = json.loads(run("--workspace", str(national), "stats", "--json")[1])
    by_department = {}
    for name in ("cher", "ALLIER"):
        code, out, err = run("--workspace", str(national), "stats", "--departement", name, "--json")
        assert code == 0, err
        by_department[name] = json.loads(out)
    assert by_department["cher"]["department"] == "Cher"
    assert by_department["cher"]["total"] == cher[1]
    assert by_department["ALLIER"]["total"] == allier[1]
    assert sum(d["contributions"] for d in by_department.values()) == whole["contributions"]
    code, _, err = run("--workspace", str(national), "stats", "--departement", "Nièvre")
    assert code == 2 and "départements : Allier, Cher" in err


def test_assign_spreads_the_inbox_and_stats_show_progress_per_reviewer(run, tmp_path, pg_url):
    root = tmp_path / "equipe"
    assert run("init", str(root), "--postgres", pg_url)[0] == 0
    run("--workspace", str(root), "import", str(small_mbox(tmp_path / "c.mbox", 20)))
    with Workspace.open(root) as ws:
        open_ids = [c.id for c in ws.store.all() if c.status in (Status.NEW, Status.IN_PROGRESS)]
        Services(ws).triage.assign(open_ids[:2], "alice")  # alice already has two
    code, out, err = run("--workspace", str(root), "assign", "alice", "bob", "carole", "--json")
    assert code == 0, err
    given = json.loads(out)["assigned"]
    assert set(json.loads(out)) == FIELDS["assign"]
    counts = {name: len(ids) for name, ids in given.items()}
    left = len(open_ids) - 2
    assert sum(counts.values()) == left
    totals = {"alice": counts["alice"] + 2, "bob": counts["bob"], "carole": counts["carole"]}
    assert max(totals.values()) - min(totals.values()) <= 1  # spread evenly
    bobs = given["bob"]
    assert (
        run(
            "--workspace",
            str(root),
            "--reviewer",
            "bob",
            "tag",
            "--status",
            "done",
            "--",
            f"id:{bobs[0]}",
        )[0]
        == 0
    )
    code, out, _ = run("--workspace", str(root), "stats", "--json")
    team = json.loads(out)["by_reviewer"]
    assert team["bob"] == {"assigned": counts["bob"], "left": counts["bob"] - 1, "closed": 1}
    assert team["alice"]["assigned"] == totals["alice"] and team["alice"]["closed"] == 0
    code, out, _ = run("--workspace", str(root), "stats")
    assert "Par relecteur" in out and "carole" in out
    code, out, _ = run("--workspace", str(root), "assign", "alice", "--json")
    assert json.loads(out) == {"assigned": {"alice": []}}  # nothing left unassigned


def test_the_password_comes_from_pgpassword_or_the_prompt_never_the_file(
    run, tmp_path, pg_url, monkeypatch
):
    from pg_server import PASSWORD_ROLE

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'secret' SUPERUSER")
    url = pg_url.replace("assises@", f"{PASSWORD_ROLE}@")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "absent.pgpass"))
    root = tmp_path / "equipe"
    # no password anywhere, not a terminal: one French sentence saying where to put it
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run("init", str(root), "--postgres", url)
    assert code == 2 and "PGPASSWORD" in err and "Traceback" not in err
    assert not root.exists()
    # PGPASSWORD
    monkeypatch.setenv("PGPASSWORD", "secret")
    code, _, err = run("init", str(root), "--postgres", url)
    assert code == 0, err
    assert "secret" not in (root / "consultation.toml").read_text()
    # on a terminal, asked once
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "secret")
    code, out, err = run("--workspace", str(root), "stats", "--json")
    assert code == 0, err
    assert len(asked) == 1 and PASSWORD_ROLE in asked[0]


def test_privacy_report_weighs_the_blobs_kept_in_the_database(run, tmp_path, pg_url):
    """The mails and attachments of a team workspace live in the database, not in
    ``blobs/``: the register still says what they weigh, and where they are."""
    local, team = tmp_path / "local", tmp_path / "equipe"
    mbox = small_mbox(tmp_path / "p.mbox", 25)
    assert run("init", str(local))[0] == 0
    assert run("init", str(team), "--postgres", pg_url)[0] == 0
    reports = {}
    for root in (local, team):
        assert run("--workspace", str(root), "import", str(mbox))[0] in (0, 1)
        code, out, err = run("--workspace", str(root), "privacy-report", "--json")
        assert code == 0, err
        reports[root.name] = {c["key"]: c for c in json.loads(out)["categories"]}
    with Workspace.open(team, read_only=True) as ws:
        items = ws.store.all()
        raw = sum(len(ws.store.get_blob(sha)) for sha in {c.raw_blob for c in items if c.raw_blob})
        files = {a.blob for c in items for a in c.attachments if a.blob}
        attached = sum(len(ws.store.get_blob(sha)) for sha in files)
    assert not (team / "blobs").exists() or not any((team / "blobs").iterdir())
    mails, attachments = reports["equipe"]["raw_mails"], reports["equipe"]["attachments"]
    assert mails["bytes"] == raw > 0
    assert attachments["bytes"] == attached and attachments["files"] == len(files) > 0
    assert mails["where"] == ["base PostgreSQL (table blobs)"]
    for key in ("raw_mails", "attachments"):  # the same mails weigh the same in both
        assert reports["equipe"][key]["bytes"] == reports["local"][key]["bytes"]
    assert reports["local"]["raw_mails"]["where"] == ["blobs/"]


@pytest.mark.parametrize("theirs", [("service",), ("lien",)])
def test_tag_json_reports_the_change_as_written_in_the_history(
    tmp_path, pg_url, capsys, monkeypatch, theirs
):
    """``tag --json`` runs on the records as this process read them; another reviewer
    tagged the record meanwhile (another theme, or the same one): the write merges both,
    and the report gives this command's change as its history entry records it, not the
    merged record (which also carries the other reviewer's theme)."""
    from assises_tui.cli import tag_cmds

    root = tmp_path / "equipe"
    assert cli.main(["init", str(root), "--postgres", pg_url]) == 0
    with Workspace.open(root) as ws:
        ws.store.add_many([item(cid) for cid in ws.store.allocate_ids(1)])
    monkeypatch.setenv("ASSISES_REVIEWER", "cli")
    with Workspace.open(root) as mine:
        services = Services(mine)
        services.store.get(1)  # read before the other reviewer's change
        monkeypatch.setenv("ASSISES_REVIEWER", "autre")
        with Workspace.open(root) as other:
            Services(other).tagging.update_themes([1], add=list(theirs))
        capsys.readouterr()
        opts = tag_cmds.parse_tag_words(["--json", "+lien", "--", "id:1"])
        assert tag_cmds._tag(services, opts, None) == 0
        report = json.loads(capsys.readouterr().out)
    with Workspace.open(root, read_only=True) as ws:
        stored = ws.store.get(1)
    assert sorted(stored.themes) == sorted({"lien", *theirs})  # both kept
    entries = [h for h in stored.history if h.who == "cli"]
    assert len(entries) == 1
    assert report["changed"] == [{"id": 1, "before": entries[0].before, "after": entries[0].after}]
    assert report["changed"][0]["after"] == {"themes": ["lien"]}
