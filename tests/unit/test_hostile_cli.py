"""Hostile e-mail text through every CLI output: shown literally, bounded, never a crash,
never an escape sequence or a bell on the terminal."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures import hostile  # noqa: E402

from assises_tui.cli import main  # noqa: E402
from assises_tui.domain.models import Attachment, Contribution, Excerpt, Note  # noqa: E402
from assises_tui.services.session import Services  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402

HOSTILE_ID = 1
PARIS = ZoneInfo("Europe/Paris")


def _build(root: Path) -> None:
    ws = Workspace.init(root)
    try:
        store = ws.store
        body = hostile.HOSTILE_BODY
        start = body.index(hostile.MARKUP_CLICK)
        end = start + len(hostile.MARKUP_CLICK)
        item = Contribution(
            id=store.allocate_ids(1)[0],
            message_id="<hostile@exemple.fr>",
            received_at=datetime(2020, 1, 10, 10, 0, tzinfo=PARIS),
            date_uncertain=False,
            sender_name=hostile.HOSTILE_SENDER,
            sender_email="evil\x1b[31m@exemple.fr",
            subject=hostile.HOSTILE_SUBJECT + " " + hostile.LONG_SUBJECT,
            body_blob=store.put_blob(body.encode()),
            raw_blob=store.put_blob(body.encode()),
            attachments=(
                Attachment(
                    hostile.MARKUP_CLICK + hostile.OSC52 + ".pdf",
                    "application/pdf\x1b[2J",
                    3,
                    store.put_blob(b"pdf"),
                    store.put_blob(hostile.HOSTILE_BODY.encode()),
                    "note " + hostile.ANSI_RED,
                ),
            ),
            themes=("communication",),
            excerpts=(
                Excerpt(
                    "x1",
                    start,
                    end,
                    body[start:end],
                    "communication",
                    "citation",
                    note=hostile.OSC8,
                ),
            ),
            notes=(Note("agent" + hostile.BEL, "2020-01-11T10:00:00+01:00", hostile.HOSTILE_BODY),),
            commune=hostile.ANSI_RED,
            snippet=hostile.HOSTILE_SUBJECT,
        )
        store.add_many([item])
        services = Services(ws)
        services.triage.assign([item.id], hostile.HOSTILE_SENDER)
        services.triage.add_note(item.id, hostile.OSC52 + hostile.MARKUP_BOLD)
    finally:
        ws.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "ws"
    _build(path)
    return path


def _run(capsys, root: Path, *args: str) -> str:
    code = main(["--workspace", str(root), *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    for bad in hostile.FORBIDDEN_OUTPUT:
        assert bad not in out, (args, repr(bad))
        assert bad not in err, (args, repr(bad))
    return out


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--search", "bold"),
        ("stats",),
        ("history",),
        ("history", str(HOSTILE_ID)),
        ("privacy-report",),
        ("purge", "--before", "2021-01-01", "--dry-run"),
    ],
)
def test_human_outputs_are_clean_and_bounded(capsys, root, args):
    out = _run(capsys, root, *args)
    assert out.strip()
    if args[0] in ("list", "history"):  # one line per row, bounded
        assert max(len(line) for line in out.splitlines()) < 400
    if args[0] == "list":
        assert hostile.MARKUP_CLICK[:12] in out  # markup is shown as text, not applied


def test_show_is_literal(capsys, root):
    out = _run(capsys, root, "show", str(HOSTILE_ID))
    for literal in hostile.LITERAL_MARKUP:
        assert literal in out
    assert "rouge" in out and "cloche" in out  # the text around the controls stays
    header = [line for line in out.splitlines() if line.startswith("Objet")]
    assert header and len(header[0]) < 600  # the 2,000-character subject is cut


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json"),
        ("show", str(HOSTILE_ID), "--json"),
        ("stats", "--json"),
        ("history", "--json"),
        ("history", str(HOSTILE_ID), "--json"),
        ("privacy-report", "--json"),
    ],
)
def test_json_outputs_keep_text_exact_and_escaped(capsys, root, args):
    data = json.loads(_run(capsys, root, *args))
    if args[0] == "show":
        assert data["subject"].startswith(hostile.HOSTILE_SUBJECT)  # exact, escaped in JSON
        assert data["body"] == hostile.HOSTILE_BODY
    if args[0] == "history" and len(args) == 3:
        notes = [d for d in data if d["what"] == "note"]
        assert notes[-1]["after"]["notes"][-1]["text"] == hostile.OSC52 + hostile.MARKUP_BOLD


def test_exports(capsys, root, tmp_path):
    out = _run(capsys, root, "export", "contributions", "-o", str(tmp_path / "a.csv"))
    assert "1 enregistrement" in out
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == 1 and hostile.MARKUP_BOLD in rows[0]["Texte"]
    _run(capsys, root, "export", "contributions", "-o", str(tmp_path / "a.jsonl"), "--json")
    line = json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "sender_name" not in line and hostile.MARKUP_CLICK in line["body"]
    # The synthesis quotes the hostile excerpt: the document shows it as text.
    draft = f"# Synthèse\n\n## Communication\n\n> « {hostile.MARKUP_CLICK} » [#{HOSTILE_ID}]\n"
    with Workspace.open(root) as ws:
        Services(ws).synthesis.save(draft)
    md = tmp_path / "s.md"
    code = main(["--workspace", str(root), "export", "synthesis", "-o", str(md)])
    out, err = capsys.readouterr()
    for bad in hostile.FORBIDDEN_OUTPUT:
        assert bad not in out and bad not in err
    if code == 0:  # markdown-escaped, so a viewer shows the brackets as text
        text = md.read_text(encoding="utf-8")
        assert hostile.MARKUP_CLICK in text.replace("\\[", "[").replace("\\]", "]")
        assert "\x1b" not in text and "\x07" not in text
    else:  # refused by the check: the refusal lists problems, still without controls
        assert code == 1 and "Export refusé" in err
