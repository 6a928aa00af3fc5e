"""``assises fetch`` against a real Dovecot on loopback (started and stopped by the tests).

First fetch, incremental fetch, UIDVALIDITY change, interrupted fetches (server gone
mid-way, process killed) resumed without duplicates, server down, wrong password,
unknown folder, untrusted certificate, offline; and after every fetch the server's
mailbox is exactly as before (count, flags, files).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
from mail_servers import PASSWORD, Dovecot
from mailbox_support import (
    DEMO_MBOX,
    crlf,
    demo_messages,
    fixture_mails,
    imap_table,
    mailbox_workspace,
    reference_import,
)
from test_cli_json_contract import FIELDS

from assises_tui.cli import main
from assises_tui.services.mailbox_fetch import FETCH_DOC, MailboxFetch
from assises_tui.workspace import Workspace


@pytest.fixture
def dovecot():
    with Dovecot() as server:
        yield server


@pytest.fixture(autouse=True)
def imap_password(monkeypatch):
    monkeypatch.setenv("ASSISES_IMAP_PASSWORD", PASSWORD)


def fetch(root, capsys, *extra: str) -> tuple[int, dict | str, str]:
    capsys.readouterr()
    code = main(["--workspace", str(root), "fetch", *extra])
    out, err = capsys.readouterr()
    if "--json" in extra and out.strip():
        return code, json.loads(out), err
    return code, out, err


def stored(root) -> list:
    with Workspace.open(root, read_only=True) as ws:
        return ws.store.all()


def assert_one_record_per_message(records) -> None:
    counts = Counter(r.message_id for r in records)
    assert [mid for mid, n in counts.items() if n > 1] == []


def test_first_fetch_imports_like_an_import_and_leaves_the_server_untouched(
    tmp_path, dovecot, capsys
):
    messages = demo_messages()
    for n, raw in enumerate(messages):
        dovecot.deliver(raw, seen=n % 3 == 0)  # some already read in the webmail
    before = dovecot.snapshot()
    root = mailbox_workspace(tmp_path, imap_table(dovecot))

    code, report, err = fetch(root, capsys, "--json")

    assert err == ""
    assert code == (1 if report["quarantined"] else 0)
    assert report["read"] == len(messages) and report["server_messages"] == len(messages)
    assert report["offline"] is False and report["last_fetch"]
    assert set(report) == FIELDS["fetch"]  # the fields docs/cli-json.md documents
    # The same counts as importing the same messages from the mbox export.
    reference = mailbox_workspace(tmp_path, name="reference")
    capsys.readouterr()
    main(["--workspace", str(reference), "import", str(DEMO_MBOX), "--json"])
    imported = json.loads(capsys.readouterr().out)
    for key in ("read", "imported", "duplicates", "not_contributions", "late", "already_present"):
        assert report[key] == imported[key], key
    assert report["not_contributions"] >= 8  # auto-replies, bounces, own mail: classified
    # Raw bytes kept byte for byte as the server sent them.
    records = stored(root)
    assert len(records) == report["imported"]
    with Workspace.open(root, read_only=True) as ws:
        raws = {ws.store.get_blob(r.raw_blob) for r in records}
    assert raws == {crlf(raw) for raw in messages}
    assert all(r.source.startswith("IMAP INBOX UID ") for r in records)
    # Nothing changed on the server: same messages, same flags, same files.
    assert dovecot.snapshot() == before
    assert "EXAMINE" in dovecot.log() or "deleted=0 expunged=0" in dovecot.log()


def test_incremental_fetch_reads_only_new_messages(tmp_path, dovecot, capsys):
    messages = demo_messages()
    for raw in messages[:40]:
        dovecot.deliver(raw)
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    first = fetch(root, capsys, "--json")[1]
    for raw in messages[40:45]:
        dovecot.deliver(raw)
    before = dovecot.snapshot()

    code, report, _ = fetch(root, capsys, "--json")

    assert (first["read"], report["read"], report["already_present"]) == (40, 5, 0)
    assert fetch(root, capsys, "--json")[1]["read"] == 0  # nothing new: nothing read
    expected, expected_ids = reference_import(tmp_path, messages[:45], "reference")
    records = stored(root)
    assert sorted(r.message_id for r in records) == expected_ids
    assert first["imported"] + report["imported"] == expected.imported
    assert dovecot.snapshot() == before
    with Workspace.open(root, read_only=True) as ws:
        doc = ws.store.get_doc(FETCH_DOC)
        assert doc["last_uid"] == 45 and doc["uidvalidity"] == before["uidvalidity"]
        events = [e for e in ws.store.audit() if e["what"] == "mailbox.fetch"]
    assert [e["read"] for e in events] == [40, 5, 0]


def test_changed_uidvalidity_refetches_without_duplicates(tmp_path, dovecot, capsys):
    messages = demo_messages()
    for raw in messages[:30]:
        dovecot.deliver(raw)
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    first = fetch(root, capsys, "--json")[1]
    dovecot.set_uidvalidity(4242)  # the folder was rebuilt on the server: UIDs mean nothing
    for raw in messages[30:33]:
        dovecot.deliver(raw)

    code, report, _ = fetch(root, capsys, "--json")

    assert report["uidvalidity_changed"] is True
    assert report["read"] == 33
    assert report["already_present"] >= 30 - len(first["quarantined"])
    _expected, expected_ids = reference_import(tmp_path, messages[:33], "reference")
    assert sorted(r.message_id for r in stored(root)) == expected_ids
    code, out, _ = fetch(root, capsys)
    assert "0 message(s) lu(s)" in out


def test_a_message_imported_from_an_export_and_fetched_is_one_contribution(
    tmp_path, dovecot, capsys
):
    for raw in demo_messages()[:25]:
        dovecot.deliver(raw)
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    main(["--workspace", str(root), "import", str(DEMO_MBOX), "--json"])
    count = len(stored(root))

    code, report, _ = fetch(root, capsys, "--json")

    assert (report["imported"], report["already_present"]) == (0, 25)
    assert len(stored(root)) == count


def test_line_ends_do_not_change_the_text():
    """IMAP serves CRLF; an mbox export holds LF: the same mail must read the same."""
    from zoneinfo import ZoneInfo

    from assises_tui.ingest.mime import parse_message

    tz = ZoneInfo("Europe/Paris")
    for raw in demo_messages()[:40]:
        lf = parse_message(raw, "mbox", "pref@allier.gouv.fr", tz)
        served = parse_message(crlf(raw), "imap", "pref@allier.gouv.fr", tz)
        assert served.body == lf.body
        assert [a.data for a in served.attachments] == [a.data for a in lf.attachments]


def test_server_gone_mid_fetch_then_resumed(tmp_path, dovecot, capsys, monkeypatch):
    messages = demo_messages()
    for raw in messages[:250]:
        dovecot.deliver(raw)
    before = dovecot.snapshot()
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    from assises_tui.services import importer as importer_module

    real = importer_module.import_messages

    def stop_server_once_started(*args, **kwargs):
        progress = args[3] if len(args) > 3 else kwargs.get("progress")

        def on_progress(p):
            if dovecot.process is not None:
                dovecot.stop()  # the server goes away in the middle of the fetch
            if progress is not None:
                progress(p)

        return real(*args[:3], on_progress, **{k: v for k, v in kwargs.items() if k != "progress"})

    monkeypatch.setattr(
        "assises_tui.services.mailbox_fetch.import_messages", stop_server_once_started
    )
    code, out, err = fetch(root, capsys)
    assert code == 2 and out == ""
    assert err.startswith("assises : La connexion au serveur IMAP")
    assert "enregistrés avant la coupure : relancez la relève pour reprendre" in err
    assert "Traceback" not in err
    partial = stored(root)
    assert 0 < len(partial) < 250
    with Workspace.open(root, read_only=True) as ws:
        status = MailboxFetch(ws.store, ws.config, ws.reviewer).status()
    assert status.last_error and 0 < status.last_uid < 250

    monkeypatch.undo()
    monkeypatch.setenv("ASSISES_IMAP_PASSWORD", PASSWORD)
    dovecot.start()
    code, report, _ = fetch(root, capsys, "--json")

    records = stored(root)
    assert len(records) == len(partial) + report["imported"]
    assert report["read"] == 250 - status.last_uid
    _expected, expected_ids = reference_import(tmp_path, messages[:250], "reference")
    assert sorted(r.message_id for r in records) == expected_ids
    assert dovecot.snapshot() == before


def test_fetch_killed_then_resumed(tmp_path, dovecot):
    """A fetch process killed (SIGKILL) half-way; the next one finishes without duplicates."""
    messages = list(demo_messages())
    doubled = messages + [m.replace(b"Message-ID: <", b"Message-ID: <bis-", 1) for m in messages]
    for raw in doubled:
        dovecot.deliver(raw)
    total = dovecot.snapshot()["count"]
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    env = {**os.environ, "ASSISES_IMAP_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "assises_tui", "--workspace", str(root), "fetch"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    meta = root / "store" / "meta.json"
    deadline = time.monotonic() + 120
    killed_at = None
    while time.monotonic() < deadline and process.poll() is None:
        if meta.exists() and b'"last_uid":' in meta.read_bytes():
            with Workspace.open(root, read_only=True) as ws:
                position = ws.store.get_doc(FETCH_DOC).get("last_uid", 0)
            if position > 0:
                process.send_signal(signal.SIGKILL)
                killed_at = position
                break
        time.sleep(0.02)
    process.wait(30)
    assert killed_at is not None and killed_at < total, "the fetch ended before it was killed"

    done = subprocess.run(command + ["--json"], env=env, capture_output=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr.decode()
    records = stored(root)
    assert_one_record_per_message(records)
    report = json.loads(done.stdout)
    assert report["read"] == total - killed_at
    with Workspace.open(root, read_only=True) as ws:
        assert ws.store.get_doc(FETCH_DOC)["last_uid"] == total
    _expected, expected_ids = reference_import(tmp_path, doubled, "reference")
    assert sorted(r.message_id for r in records) == expected_ids


def test_server_down_is_a_clear_error_and_remembered(tmp_path, dovecot, capsys):
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    dovecot.stop()

    code, out, err = fetch(root, capsys)

    assert code == 2 and out == ""
    assert err == (
        f"assises : Le serveur IMAP 127.0.0.1:{dovecot.port} refuse la connexion : serveur "
        "arrêté ou port erroné.\n"
    )
    code, out, _ = fetch(root, capsys, "--status")
    assert code == 0
    assert out.startswith("La boîte de la consultation n'a encore jamais été relevée. Échec de")
    assert "refuse la connexion" in out


def test_wrong_password(tmp_path, dovecot, capsys, monkeypatch):
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    monkeypatch.setenv("ASSISES_IMAP_PASSWORD", "pas-le-bon")
    code, out, err = fetch(root, capsys, "--json")
    assert code == 2 and out == ""
    assert (
        err == "assises : Identifiant ou mot de passe IMAP refusé pour « consult » sur 127.0.0.1.\n"
    )


def test_unknown_folder(tmp_path, dovecot, capsys):
    root = mailbox_workspace(tmp_path, imap_table(dovecot, folder="Consultation"))
    code, _, err = fetch(root, capsys)
    assert code == 2
    assert "Le dossier IMAP « Consultation » n'existe pas sur 127.0.0.1 (dossiers : INBOX)" in err


def test_untrusted_certificate(tmp_path, dovecot, capsys):
    root = mailbox_workspace(tmp_path, imap_table(dovecot, security="tls", ca=False))
    code, _, err = fetch(root, capsys)
    assert code == 2
    assert err.startswith(
        f"assises : Certificat du serveur IMAP 127.0.0.1:{dovecot.tls_port} refusé"
    )
    assert "ca_file" in err


def test_implicit_tls_with_the_administrations_authority(tmp_path, dovecot, capsys):
    for raw in fixture_mails(6):
        dovecot.deliver(raw)
    root = mailbox_workspace(tmp_path, imap_table(dovecot, security="tls"))
    code, report, _ = fetch(root, capsys, "--json")
    assert report["read"] == 6
    assert report["imported"] + len(report["quarantined"]) + report["already_present"] == 6


def test_offline_is_not_an_error(tmp_path, dovecot, capsys, monkeypatch):
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    for raw in demo_messages()[:3]:
        dovecot.deliver(raw)
    fetch(root, capsys, "--json")

    def no_network(*_args, **_kwargs):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", no_network)
    code, report, err = fetch(root, capsys, "--json")
    assert code == 0 and err == ""
    assert report["offline"] is True and report["read"] == 0 and report["last_fetch"]
    code, out, _ = fetch(root, capsys)
    assert code == 0
    assert "Hors ligne : le serveur IMAP 127.0.0.1" in out and "Relève reportée." in out
    assert "Dernière relève de la boîte : le " in out


def test_no_imap_table_and_password_in_file_are_refused(tmp_path, capsys):
    root = mailbox_workspace(tmp_path)
    code, _, err = fetch(root, capsys)
    assert code == 2 and "Aucun serveur IMAP configuré : ajoutez une table [imap]" in err
    bad = mailbox_workspace(
        tmp_path,
        '[imap]\nhost = "h"\nsecurity = "tls"\nuser = "u"\npassword = "x"\n',
        name="bad",
    )
    code, _, err = fetch(bad, capsys)
    assert code == 2 and "« imap.password » ne doit pas figurer dans le fichier" in err
