"""The importer service over a real workspace: counts, records, duplicates, campaigns, resume."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingest_support import LOREM, MAILBOX, docx_bytes, mail, mbox

from assises_tui.cli import main
from assises_tui.domain.models import Status
from assises_tui.ingest.sources import SourceError
from assises_tui.services.importer import import_sources
from assises_tui.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def ws(tmp_path):
    with Workspace.init(tmp_path / "ws") as workspace:
        yield workspace


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    path.write_bytes(mbox(messages))
    return path


def by_mid(ws) -> dict[str, object]:
    return {c.message_id: c for c in ws.store.all()}


def test_import_counts_and_records(ws, tmp_path):
    src = write_mbox(
        tmp_path / "a.mbox",
        [
            mail("Plus de patrouilles.\n", message_id="<c1@x>"),
            mail("Encore moi.\n", message_id="<late@x>", date="Sun, 19 Jan 2020 23:30:00 +0000"),
            mail(
                "Juste à temps.\n",
                message_id="<ontime@x>",
                sender="b@example.fr",
                date="Sun, 19 Jan 2020 22:30:00 +0000",
            ),
            mail("Je suis absent.\n", message_id="<auto@x>", subject="Réponse automatique"),
            mail("Bonjour\n", message_id="<own@x>", sender=MAILBOX),
        ],
    )
    (tmp_path / "junk.eml").write_bytes(b"\x00\x01 pas un courriel")
    report = import_sources(ws, [src, tmp_path / "junk.eml"])
    assert report.read == 6
    assert report.imported == 5 and report.already_present == 0
    assert report.not_contributions == 2 and report.late == 1
    assert report.read == report.imported + report.already_present + len(report.quarantined)
    assert report.quarantined == [
        {"source": "junk.eml", "reason": "Ce fichier n'est pas un courriel."}
    ]
    items = by_mid(ws)
    first = items["<c1@x>"]
    assert first.sender_email == "jeanne.dupont@example.fr"
    assert first.sender_name == "Jeanne Dupont"
    assert ws.store.get_blob(first.body_blob).decode() == "Plus de patrouilles."
    assert (
        ws.store.get_blob(first.raw_blob)
        == mbox([mail("Plus de patrouilles.\n", message_id="<c1@x>")]).split(b"\n", 1)[1][:-1]
    )
    assert first.snippet == "Plus de patrouilles." and first.text_fingerprint
    assert first.history[0].what == "import" and first.source == "a.mbox #1"
    assert items["<late@x>"].late and not items["<ontime@x>"].late
    assert items["<auto@x>"].status is Status.NOT_CONTRIBUTION
    assert "automatique" in items["<auto@x>"].status_reason
    assert items["<own@x>"].status is Status.NOT_CONTRIBUTION
    assert len(ws.store.quarantine()) == 1


def test_reimport_is_idempotent_and_growing_export_adds_only_new(ws, tmp_path):
    msgs = [mail(f"Texte {i}.\n", message_id=f"<g{i}@x>") for i in range(5)]
    src = write_mbox(tmp_path / "g.mbox", msgs[:3])
    assert import_sources(ws, [src]).imported == 3
    again = import_sources(ws, [src])
    assert (again.imported, again.already_present) == (0, 3)
    write_mbox(src, msgs)  # the export grew
    grown = import_sources(ws, [src])
    assert (grown.imported, grown.already_present) == (2, 3)
    assert ws.store.count() == 5


def test_same_bytes_or_same_message_id_and_content_is_already_present(ws, tmp_path):
    one = mail("Bonjour.\n", message_id="<same@x>")
    (tmp_path / "a.eml").write_bytes(one)
    (tmp_path / "b.eml").write_bytes(one)  # same bytes
    # Same Message-ID and same content, other bytes (another export of the same mail).
    (tmp_path / "c.eml").write_bytes(b"X-Exported: again\r\n" + one)
    report = import_sources(ws, [tmp_path])
    assert (report.imported, report.already_present, report.new_versions) == (1, 2, 0)


def test_duplicates_same_sender_same_text(ws, tmp_path):
    src = write_mbox(
        tmp_path / "d.mbox",
        [
            mail("Plus de   policiers\nà Moulins.\n", message_id="<d1@x>"),
            mail("PLUS de policiers à moulins.\n", message_id="<d2@x>"),  # folded: same text
            mail("Plus de policiers à Moulins.\n", message_id="<d3@x>", sender="autre@x.fr"),
        ],
    )
    report = import_sources(ws, [src])
    items = by_mid(ws)
    assert report.duplicates == 1
    assert items["<d2@x>"].status is Status.DUPLICATE
    assert items["<d2@x>"].duplicate_of == items["<d1@x>"].id
    assert items["<d3@x>"].status is Status.NEW  # another sender: not a duplicate


def test_campaign_groups_across_imports(ws, tmp_path):
    variants = [LOREM, LOREM.replace("deux fois", "trois fois"), "Madame, Monsieur, " + LOREM]
    first = write_mbox(
        tmp_path / "c1.mbox",
        [
            mail(variants[0], message_id="<k1@x>", sender="a@x.fr"),
            mail(variants[1], message_id="<k2@x>", sender="b@x.fr"),
            mail(" ".join(reversed(LOREM.split())), message_id="<other@x>", sender="c@x.fr"),
        ],
    )
    import_sources(ws, [first])
    items = by_mid(ws)
    root = items["<k1@x>"].id
    assert items["<k1@x>"].cluster == root and items["<k2@x>"].cluster == root
    assert items["<other@x>"].cluster is None
    later = write_mbox(
        tmp_path / "c2.mbox", [mail(variants[2], message_id="<k3@x>", sender="d@x.fr")]
    )
    import_sources(ws, [later])
    items = by_mid(ws)
    assert items["<k3@x>"].cluster == root
    assert all(items[m].status is Status.NEW for m in ("<k1@x>", "<k2@x>", "<k3@x>"))


def test_contribution_only_in_attachment_is_searchable(ws, tmp_path):
    data = mail(
        "Bonjour, ci-joint ma contribution.\n",
        attachments=[
            ("avis.docx", "application/octet-stream", docx_bytes(["Un numéro unique pour tous."])),
            ("../../etc/passwd", "application/octet-stream", b"root:x:0:0"),
        ],
    )
    (tmp_path / "m.eml").write_bytes(data)
    import_sources(ws, [tmp_path / "m.eml"])
    (item,) = ws.store.all()
    docx_att, hostile = item.attachments
    assert ws.store.get_blob(docx_att.text_blob).decode().strip() == "Un numéro unique pour tous."
    assert ws.store.get_blob(hostile.blob) == b"root:x:0:0"
    assert hostile.filename == "../../etc/passwd"  # display only, never a path
    assert "Un numéro unique" in item.snippet


def test_quarantine_is_not_repeated_on_reimport(ws, tmp_path):
    (tmp_path / "x.eml").write_bytes(b"Subject: \n\n")
    (tmp_path / "bad.msg").write_bytes(b"not an outlook file at all")
    for _ in range(2):
        report = import_sources(ws, [tmp_path])
        assert len(report.quarantined) == 1
    assert len(ws.store.quarantine()) == 1


def test_wrong_path(ws, tmp_path):
    with pytest.raises(SourceError, match="introuvable"):
        import_sources(ws, [tmp_path / "absent"])
    assert ws.store.count() == 0


def test_cli_exit_codes_and_json(tmp_path, capsys):
    root = tmp_path / "ws"
    assert main(["--workspace", str(root), "init"]) == 0
    good = write_mbox(tmp_path / "ok.mbox", [mail(message_id="<cli@x>")])
    capsys.readouterr()
    assert main(["--workspace", str(root), "import", str(good), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 1 and report["read"] == 1
    with Workspace.open(root, read_only=True) as ws:  # searchable at once: indexed
        from assises_tui.services.session import Services

        assert Services(ws).search.pending() == 0
    (tmp_path / "junk.eml").write_bytes(b"\x00\x00")
    assert main(["--workspace", str(root), "import", str(tmp_path / "junk.eml")]) == 1
    out = capsys.readouterr().out
    assert "quarantaine" in out and "junk.eml" in out
    assert main(["--workspace", str(root), "import", str(tmp_path / "nope.mbox")]) == 2
    assert "Chemin introuvable" in capsys.readouterr().err


KILL_SCRIPT = """
import sys
from assises_tui.services.importer import import_sources
from assises_tui.workspace import Workspace

def tick(p):
    print(p.messages, flush=True)

if __name__ == "__main__":
    with Workspace.open(sys.argv[1]) as ws:
        import_sources(ws, [sys.argv[2]], progress=tick, batch_size=50)
    print("done", flush=True)
"""


def test_killed_import_resumes_without_duplicates(tmp_path):
    root = tmp_path / "ws"
    Workspace.init(root).close()
    total = 700
    src = write_mbox(
        tmp_path / "big.mbox",
        [
            mail(f"Contribution numéro {i}.\n", message_id=f"<k{i}@x>", sender=f"p{i}@x.fr")
            for i in range(total)
        ],
    )
    script = tmp_path / "run_import.py"
    script.write_text(KILL_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(root), str(src)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        for line in proc.stdout:  # kill once a few batches are in
            if line.strip().isdigit() and int(line) >= 150 or time.monotonic() > deadline:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Workspace.open(root) as ws:
        partial = ws.store.count()
        assert 0 < partial < total
        assert ws.store.verify() == []
        report = import_sources(ws, [src])
        assert report.imported == total - partial
        assert report.already_present == partial
        mids = [c.message_id for c in ws.store.all()]
        assert len(mids) == total and len(set(mids)) == total
        assert ws.store.verify() == []


def test_parallel_parsing_keeps_mailbox_order(ws, tmp_path):
    n = 420  # past the serial start, so the worker processes are used
    src = write_mbox(
        tmp_path / "p.mbox",
        [mail(f"Texte {i}.\n", message_id=f"<p{i}@x>", sender=f"s{i}@x.fr") for i in range(n)]
        + [b"\x00\x01garbage"],
    )
    report = import_sources(ws, [src], workers=2)
    assert report.imported == n and len(report.quarantined) == 1
    items = ws.store.all()
    assert [c.message_id for c in items] == [f"<p{i}@x>" for i in range(n)]
    assert ws.store.get_blob(items[-1].raw_blob).startswith(b"From: ")


def test_campaign_groups_repaired_when_signatures_were_lost(ws, tmp_path):
    # As if an import had died after saving records but before grouping them.
    src = write_mbox(
        tmp_path / "c.mbox",
        [
            mail(LOREM, message_id="<r1@x>", sender="a@x.fr"),
            mail(LOREM.replace("canton", "quartier"), message_id="<r2@x>", sender="b@x.fr"),
        ],
    )
    import_sources(ws, [src])
    ws.store.save_many([dataclasses.replace(c, cluster=None) for c in ws.store.all()])
    ws.store.put_doc("ingest-campaigns", {"version": 1, "chunks": []})
    more = write_mbox(tmp_path / "d.mbox", [mail("Autre chose.\n", message_id="<r3@x>")])
    import_sources(ws, [more])
    items = by_mid(ws)
    assert items["<r1@x>"].cluster == items["<r2@x>"].cluster == items["<r1@x>"].id
    assert items["<r3@x>"].cluster is None


def test_cli_refuses_a_workspace_open_elsewhere(ws, tmp_path, capsys):
    src = write_mbox(tmp_path / "l.mbox", [mail()])
    assert main(["--workspace", str(ws.root), "import", str(src)]) == 2
    assert "déjà ouvert" in capsys.readouterr().err
    assert ws.store.count() == 0


def test_progress_bar_shows_count_rate_and_time_left():
    import io

    from assises_tui.cli.import_cmds import ProgressBar
    from assises_tui.services.importer import ImportProgress

    out = io.StringIO()
    bar = ProgressBar(out)
    bar(ImportProgress(messages=500, bytes_done=250, bytes_total=1000, elapsed=10.0))
    bar.done()
    line = out.getvalue()
    assert "25%" in line and "500 message(s)" in line and "50/s" in line
    assert "reste ~30 s" in line and line.endswith("\n")


def test_whole_fixture_folder_imports_without_raising(ws):
    from ingest_support import EMAILS

    report = import_sources(ws, [EMAILS], workers=1)
    assert report.read == report.imported + report.already_present + len(report.quarantined)
    assert report.imported > 60 and report.not_contributions >= 10
    assert all(q["reason"] for q in report.quarantined)
    assert ws.store.verify() == []


def test_near_identical_resend_by_same_sender_is_a_duplicate(ws, tmp_path):
    src = write_mbox(
        tmp_path / "r.mbox",
        [
            mail(LOREM, message_id="<o1@x>", sender="a@x.fr"),
            mail(
                "Je vous renvoie ma contribution, je ne suis pas certain du premier envoi.\n\n"
                + LOREM,
                message_id="<o2@x>",
                sender="A@X.FR",
            ),
            mail(LOREM.replace("canton", "village"), message_id="<o3@x>", sender="b@x.fr"),
        ],
    )
    report = import_sources(ws, [src])
    items = by_mid(ws)
    first = items["<o1@x>"]
    assert items["<o2@x>"].status is Status.DUPLICATE
    assert (
        items["<o2@x>"].duplicate_of == first.id
        and "presque identique" in items["<o2@x>"].status_reason
    )
    assert items["<o2@x>"].cluster is None
    assert first.cluster == items["<o3@x>"].cluster == first.id  # another sender: campaign
    assert report.duplicates == 1
