"""Every ``--json`` output matches docs/cli-json.md, read from the page itself.

The page's sections are headed ``## `assises CMD …` `` and list each top-level field in the
first column of a table. Each command is run once (in-process) on a small workspace built
from a generated mailbox; the test checks that every documented field is produced and that
no undocumented top-level field appears, so the page and the code cannot drift apart.
"""

from __future__ import annotations

import contextlib
import io
import json
import mailbox
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from assises_tui.cli import main
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-json.md"

#: Sections of the page that must exist, and the shape of their output.
SHAPES = {
    "list": list,
    "show": dict,
    "stats": dict,
    "import": dict,
    "tag": dict,
    "suggest": list,
    "suggest --report": dict,
    "codebook": list,
    "agreement": dict,
    "agreement sample": dict,
    "export synthesis": dict,
    "export contributions": dict,
    "synthesis versions": list,
    "synthesis restore": dict,
    "synthesis check": dict,
    "history": list,
    "purge": dict,
    "privacy-report": dict,
    "verify": dict,
    "backup": dict,
}
#: Fields present only when the document was written.
ONLY_WHEN_WRITTEN = {"path", "format"}

_HEADING = re.compile(r"^## `assises ([^`]*)`")
_COMMAND_WORD = re.compile(r"^[a-z][a-z-]*$")
#: Options that change the shape of the output: their section is a command of its own.
_MODE_OPTIONS = {"--report"}
_FIELD = re.compile(r"`([a-z_][a-z0-9_]*)`")


def documented_fields(text: str) -> dict[str, set[str]]:
    """``"export synthesis"`` → the top-level field names of that section's tables."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            match = _HEADING.match(line)
            current = None
            if match:
                words = [
                    w
                    for w in match.group(1).split()
                    if _COMMAND_WORD.match(w) or w in _MODE_OPTIONS
                ]
                current = sections.setdefault(" ".join(words), set())
        elif current is not None and line.startswith("| `"):
            first_cell = line.split("|")[1].strip()
            current.update(
                m.group(1)
                for m in _FIELD.finditer(first_cell)
                if not first_cell.startswith(f"`{m.group(1)}[]")
            )
    return sections


FIELDS = documented_fields(DOC.read_text(encoding="utf-8"))


def _mail(n: int, sender: str, subject: str, body: str, date: str, **headers: str):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "pref-assises-securite-interieure@allier.gouv.fr"
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<contrat-{n}@exemple.fr>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def _mailbox(path: Path) -> None:
    box = mailbox.mbox(path)
    police = (
        "Bonjour,\n\nJe souhaite le retour de la police de proximité dans mon quartier "
        "et des patrouilles à pied.\n\nJean Dupont\n06 12 34 56 78\n"
    )
    box.add(
        _mail(
            1,
            "Jean Dupont <jean.dupont@exemple.fr>",
            "Police de proximité",
            police,
            "Mon, 02 Dec 2019 10:00:00 +0100",
        )
    )
    with_file = _mail(
        2,
        "Marie Durand <marie.durand@exemple.fr>",
        "Voisins vigilants",
        "Bonjour,\n\nVoici ma proposition sur les voisins vigilants.\n",
        "Tue, 03 Dec 2019 11:00:00 +0100",
    )
    with_file.add_attachment(
        b"Participation citoyenne et solidarite entre voisins.\n",
        maintype="text",
        subtype="plain",
        filename="note.txt",
    )
    box.add(with_file)
    box.add(
        _mail(
            3,
            "Paul Martin <paul.martin@exemple.fr>",
            "En retard",
            "Bonjour,\n\nLa gendarmerie ferme trop tôt le samedi.\n",
            "Fri, 24 Jan 2020 09:00:00 +0100",
        )
    )
    box.add(
        _mail(
            4,
            "Sophie Bernard <sophie.bernard@exemple.fr>",
            "Absence du bureau",
            "Je suis absente jusqu'au 6 janvier.\n",
            "Mon, 30 Dec 2019 08:00:00 +0100",
            Auto_Submitted="auto-replied",
        )
    )
    box.add(
        _mail(
            5,
            "Jean Dupont <jean.dupont@exemple.fr>",
            "Police de proximité",
            police,
            "Mon, 02 Dec 2019 10:05:00 +0100",
        )
    )
    box.flush()
    box.close()


def _run(root: Path, *argv: str) -> tuple[int, object]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--workspace", str(root), *argv])
    text = out.getvalue()
    try:
        return code, json.loads(text)
    except ValueError:
        raise AssertionError(
            f"{argv}: not one JSON document: {text!r} / {err.getvalue()!r}"
        ) from None


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[int, object]]:
    """Each documented command run once, in an order where each has something to show."""
    tmp = tmp_path_factory.mktemp("contract")
    root = tmp / "ws"
    Workspace.init(root).close()
    _mailbox(tmp / "boite.mbox")
    (tmp / "illisible.msg").write_bytes(b"ceci n'est pas un message Outlook")
    out: dict[str, tuple[int, object]] = {}

    def run(name: str, *argv: str) -> object:
        out[name] = _run(root, *argv)
        return out[name][1]

    run("import", "import", str(tmp / "boite.mbox"), str(tmp / "illisible.msg"), "--json")
    run("list", "list", "--json")
    run("show", "show", "2", "--json")
    run("stats", "stats", "--json")
    run("tag", "tag", "+lien", "--status", "en cours", "--json", "--", "police")
    run("suggest", "suggest", "--json")
    run("suggest --report", "suggest", "--report", "--json")
    run("codebook", "codebook", "--json")
    run("agreement sample", "agreement", "--json", "sample", "2", "--seed", "3")
    run("agreement", "agreement", "--json")

    with Workspace.open(root) as ws:  # the app's editor, in two saves
        synthesis = Services(ws).synthesis
        first = synthesis.load()
        synthesis.save(first)
        synthesis.save(
            first + "\nUn habitant demande la police de proximité [#1].\n"
            "Le joindre au 06 12 34 56 78.\n"
        )
    versions = run("synthesis versions", "synthesis", "versions", "--json")
    check = run("synthesis check", "synthesis", "check", "--json")
    run("export synthesis (refused)", "export", "synthesis", "-o", str(tmp / "s.md"), "--json")
    accept = [a for f in check["findings"] for a in ("--accept", f["id"])]
    run("export synthesis", "export", "synthesis", "-o", str(tmp / "s.odt"), *accept, "--json")
    run("synthesis restore", "synthesis", "restore", versions[0]["id"], "--json")
    run(
        "export contributions",
        "export",
        "contributions",
        "-o",
        str(tmp / "c.jsonl"),
        "--with-personal-data",
        "--json",
    )
    run("history", "history", "1", "--json")
    run("privacy-report", "privacy-report", "--json")
    run("verify", "verify", "--json")
    run("backup", "backup", "--json")
    run("purge (dry run)", "purge", "--before", "2019-12-03", "--dry-run", "--json")
    run("purge", "purge", "--before", "2019-12-03", "--json")
    return out


def test_the_page_documents_every_command():
    assert set(SHAPES) <= set(FIELDS), set(SHAPES) - set(FIELDS)
    for name in SHAPES:
        assert FIELDS[name], f"no field documented for « {name} »"
    assert "received_at" in FIELDS["list"] and "body" in FIELDS["show"]
    assert "filename" not in FIELDS["show"]  # attachments[].filename is not top-level


def _objects(name: str, data: object) -> list[dict]:
    assert isinstance(data, SHAPES[name.split(" (")[0]]), f"{name}: {type(data).__name__}"
    items = data if isinstance(data, list) else [data]
    assert items, f"{name}: empty output, nothing to check"
    return items


def _expected(name: str) -> set[str]:
    base = name.split(" (")[0]
    fields = set(FIELDS[base])
    if base == "show":  # "tous les champs de list, plus…"
        fields |= FIELDS["list"]
    return fields


@pytest.mark.parametrize(
    "name",
    sorted(SHAPES)
    + [
        "export synthesis (refused)",
        "purge (dry run)",
    ],
)
def test_json_fields_are_the_documented_ones(outputs, name):
    _code, data = outputs[name]
    expected = _expected(name)
    if name == "export synthesis (refused)":
        expected -= ONLY_WHEN_WRITTEN
    for item in _objects(name, data):
        assert set(item) == expected, (
            f"{name}: missing {expected - set(item)}, undocumented {set(item) - expected}"
        )


def test_exit_codes_and_values_match_the_page(outputs):
    code, data = outputs["import"]
    assert code == 1 and data["read"] == 6 and len(data["quarantined"]) == 1  # the .msg
    assert data["not_contributions"] == 1 and data["duplicates"] == 1 and data["late"] == 1
    assert set(data["quarantined"][0]) == {"source", "reason"}

    code, shown = outputs["show"]
    assert code == 0 and shown["attachments"][0]["filename"] == "note.txt"
    assert set(shown["attachments"][0]) == {"filename", "content_type", "size", "text", "note"}
    assert shown["received_at"] == "2019-12-03T11:00:00+01:00"

    code, tagged = outputs["tag"]
    assert code == 0 and 1 in tagged["matched"]
    assert tagged["changed"][0]["after"] == {"themes": ["lien"], "status": "in_progress"}

    code, check = outputs["synthesis check"]
    assert code == 1 and check["ok"] is False
    assert {f["kind"] for f in check["findings"]} >= {"phone"}
    assert outputs["export synthesis (refused)"][0] == 1
    assert outputs["export synthesis (refused)"][1]["written"] is False
    code, written = outputs["export synthesis"]
    assert code == 0 and written["written"] is True and written["format"] == "odt"

    assert outputs["verify"] == (
        0,
        {
            "ok": True,
            "contributions": 5,
            "problems": [],
            "unreferenced_blobs": {"files": 0, "bytes": 0},
            "removed_blobs": 0,
        },
    )
    assert outputs["purge (dry run)"][1]["path"] is None
    assert outputs["purge"][1]["path"].startswith("purge-reports/")
    assert outputs["purge"][1]["ids"] == [1, 5]
    assert outputs["agreement sample"][1]["seed"] == 3
    history = outputs["history"][1]
    assert history[0]["what"] == "import" and history[0]["id"] == 1


def test_errors_write_no_json_on_stdout(tmp_path):
    root = tmp_path / "ws"
    Workspace.init(root).close()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["--workspace", str(root), "show", "42", "--json"]) == 1
        assert main(["--workspace", str(root), "list", "--search", "couleur:bleu", "--json"]) == 2
    assert out.getvalue() == ""
    assert "n'existe pas" in err.getvalue()
