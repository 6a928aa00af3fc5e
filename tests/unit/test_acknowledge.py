"""``assises acknowledge`` against a real SMTP server on loopback (aiosmtpd, STARTTLS + AUTH).

Sent once per contribution, never to automatic replies, bounces, the prefecture's own
mail, duplicates; a dry run sends nothing; a crash between the intent and the answer
never leads to a second sending; temporary failures are retried later, final refusals
never; throttled; the purge removes the address book.
"""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email import policy

import pytest
from mail_servers import PASSWORD, CertificateAuthority, SmtpServer
from mailbox_support import demo_sample, mailbox_workspace, smtp_table
from test_cli_json_contract import FIELDS

from assises_tui.cli import main
from assises_tui.domain.models import Status
from assises_tui.ingest.sources import RawMessage
from assises_tui.mailbox.smtp import SmtpConnection
from assises_tui.services.acknowledgement_records import ACK_DOC
from assises_tui.services.acknowledgements import Acknowledgements, now_local
from assises_tui.services.importer import import_messages
from assises_tui.workspace import Workspace


@pytest.fixture(autouse=True)
def smtp_password(monkeypatch):
    monkeypatch.setenv("ASSISES_SMTP_PASSWORD", PASSWORD)


@pytest.fixture
def ca(tmp_path):
    folder = tmp_path / "ca"
    folder.mkdir()
    return CertificateAuthority(folder)


@pytest.fixture
def smtp(ca):
    with SmtpServer(ca) as server:
        yield server


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A sample of the demonstration mailbox imported once; each test copies the store."""
    base = tmp_path_factory.mktemp("ackdemo")
    root = mailbox_workspace(base)
    with Workspace.open(root) as ws:
        raws = [RawMessage(f"démo #{n}", raw) for n, raw in enumerate(demo_sample())]
        import_messages(ws.store, ws.config, raws, workers=1)
    return root


def workspace(tmp_path, demo_store, smtp, ca, *, template: bool = True, **extra):
    """A workspace holding the demonstration mailbox, with an [smtp] table."""
    import shutil

    root = mailbox_workspace(tmp_path, smtp_table(smtp, ca.ca_file, **extra))
    for part in ("store", "blobs"):
        shutil.rmtree(root / part)
        shutil.copytree(demo_store / part, root / part)
    if template:
        from assises_tui.mailbox.template import Template

        Template.write_default(root / "accuse-reception.txt")
    return root


def acknowledge(root, capsys, *extra: str):
    capsys.readouterr()
    code = main(["--workspace", str(root), "acknowledge", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in extra and out.strip() else out), err


def eligible(root) -> dict[str, int]:
    """Message-ID → contribution number of what must be acknowledged, worked out here
    from the records themselves."""
    with Workspace.open(root, read_only=True) as ws:
        own = ws.config.mailbox
        return {
            c.message_id: c.id
            for c in ws.store.all()
            if c.status not in (Status.NOT_CONTRIBUTION, Status.DUPLICATE)
            and c.sender_email
            and c.sender_email != own
        }


def sent_messages(smtp):
    return [
        (rcpts, email.message_from_bytes(data, policy=policy.default))
        for _sender, rcpts, data in smtp.messages
    ]


def test_sent_once_each_and_never_to_the_excluded(tmp_path, demo_store, smtp, ca, capsys):
    root = workspace(tmp_path, demo_store, smtp, ca)
    expected = eligible(root)

    code, report, err = acknowledge(root, capsys, "--json")

    assert (code, err) == (0, "")
    assert set(report) == FIELDS["acknowledge"]  # the fields docs/cli-json.md documents
    assert report["sent"] == len(expected) == len(smtp.messages)
    assert report["failed"] == report["refused"] == 0 and report["uncertain"] == []
    skipped = report["skipped"]
    assert (
        skipped["hors contribution (réponse automatique, non-remise, envoi de la préfecture)"] >= 8
    )
    assert skipped["doublon d'une contribution déjà reçue"] >= 4
    acknowledged = []
    with Workspace.open(root, read_only=True) as ws:
        for rcpts, message in sent_messages(smtp):
            cid = expected[message["In-Reply-To"]]
            item = ws.store.get(cid)
            assert rcpts == [item.sender_email]  # one recipient, the contributor
            assert message["To"] == item.sender_email and message["Bcc"] is None
            assert message["Auto-Submitted"] == "auto-replied"
            assert message["Subject"] == f"Accusé de réception de votre contribution n° {cid}"
            assert f"enregistrée sous le numéro {cid}." in message.get_content()
            assert "\x1b" not in message.as_string()  # a hostile subject stays inert
            acknowledged.append(cid)
    assert sorted(acknowledged) == sorted(expected.values())  # each once, no other

    # Again: nothing leaves; each sending is in the contribution's history.
    code, again, _ = acknowledge(root, capsys, "--json")
    assert again["sent"] == 0 and again["already_sent"] == len(expected)
    assert len(smtp.messages) == len(expected)
    capsys.readouterr()
    main(["--workspace", str(root), "history", str(acknowledged[0]), "--json"])
    history = json.loads(capsys.readouterr().out)
    assert [h["what"] for h in history].count("acknowledgement.sent") == 1


def test_dry_run_sends_nothing_and_writes_a_template_to_review(
    tmp_path, demo_store, smtp, ca, capsys
):
    root = workspace(tmp_path, demo_store, smtp, ca, template=False)
    code, out, err = acknowledge(root, capsys)
    assert code == 2 and out == ""
    assert "Aucun modèle d'accusé de réception : un modèle a été écrit dans" in err
    assert (root / "accuse-reception.txt").read_text(encoding="utf-8").startswith("Objet : ")

    code, out, _ = acknowledge(root, capsys, "--dry-run")

    assert code == 0 and smtp.messages == []
    assert out.startswith(f"Simulation : {len(eligible(root))} accusé(s) de réception partiraient")
    assert "sans accusé : hors contribution" in out
    with Workspace.open(root, read_only=True) as ws:
        assert ws.store.get_doc(ACK_DOC) in ({}, None)


def test_a_crash_between_intent_and_answer_never_sends_twice(
    tmp_path, demo_store, smtp, ca, capsys
):
    root = workspace(tmp_path, demo_store, smtp, ca)
    crashed = []

    class CrashAfterThirdHandOver(SmtpConnection):
        def send(self, message, recipient):
            super().send(message, recipient)  # the server has the message…
            if len(smtp.messages) == 3:
                crashed.append(message["In-Reply-To"])
                raise KeyboardInterrupt  # …and the program dies before writing so

    with Workspace.open(root) as ws:
        service = Acknowledgements(
            ws.store, ws.config, ws.reviewer, connect=CrashAfterThirdHandOver
        )
        with pytest.raises(KeyboardInterrupt):
            service.run(PASSWORD)

    code, report, _ = acknowledge(root, capsys, "--json")

    expected = eligible(root)
    uncertain = expected[crashed[0]]
    assert code == 1 and report["uncertain"] == [uncertain]
    replies = [m["In-Reply-To"] for _r, m in sent_messages(smtp)]
    assert sorted(replies) == sorted(expected)  # every contribution once, none twice
    code, out, _ = acknowledge(root, capsys)
    assert f"1 envoi(s) interrompu(s) (n° {uncertain}) : peut-être partis" in out
    assert len(smtp.messages) == len(expected)


def test_killed_and_restarted_never_sends_twice(tmp_path, demo_store, smtp, ca):
    root = workspace(tmp_path, demo_store, smtp, ca)
    (root / "consultation.toml").write_text(
        (root / "consultation.toml").read_text().replace("per_minute = 6000", "per_minute = 1200")
    )
    env = {**os.environ, "ASSISES_SMTP_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "assises_tui", "--workspace", str(root), "acknowledge"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(smtp.messages) < 10 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    expected = eligible(root)
    assert 10 <= len(smtp.messages) < len(expected), "the run ended before it was killed"

    done = subprocess.run(command + ["--json"], env=env, capture_output=True, timeout=300)

    report = json.loads(done.stdout)
    replies = [m["In-Reply-To"] for _r, m in sent_messages(smtp)]
    assert len(replies) == len(set(replies))  # never twice
    uncertain = {mid for mid, cid in expected.items() if cid in report["uncertain"]}
    # Every contribution acknowledged once, except at most the one the kill cut between
    # its intent and the server's answer: left to a person, never sent again by itself.
    assert set(expected) - uncertain <= set(replies) <= set(expected)
    assert len(report["uncertain"]) <= 1


def test_temporary_failures_retried_later_final_refusals_never(
    tmp_path, demo_store, smtp, ca, capsys
):
    root = workspace(tmp_path, demo_store, smtp, ca)
    expected = eligible(root)
    with Workspace.open(root, read_only=True) as ws:
        first, second = (ws.store.get(cid) for cid in sorted(expected.values())[:2])
    smtp.refuse = {
        first.sender_email: "451 4.7.1 Réessayez plus tard",
        second.sender_email: "550 5.1.1 Utilisateur inconnu",
    }
    code, report, _ = acknowledge(root, capsys, "--json")
    assert code == 1 and report["failed"] >= 1 and report["refused"] >= 1
    smtp.refuse = {}
    sent_before = len(smtp.messages)
    code, report, _ = acknowledge(root, capsys, "--json")
    assert report["sent"] == 0 and report["waiting"] >= 1  # not due yet
    assert len(smtp.messages) == sent_before

    later = now_local() + timedelta(hours=1)
    with Workspace.open(root) as ws:
        service = Acknowledgements(ws.store, ws.config, ws.reviewer, now=lambda: later)
        report = service.run(PASSWORD)
        records = service.records()
    assert report.sent >= 1 and report.skipped["refusé définitivement par le serveur"] >= 1
    assert records[str(first.id)]["state"] == "sent"
    assert records[str(first.id)]["attempts"] == 2
    assert records[str(second.id)]["state"] == "refused"
    recipients = smtp.recipients()
    assert second.sender_email not in recipients
    replies = [m["In-Reply-To"] for _r, m in sent_messages(smtp)]
    assert len(replies) == len(set(replies))


def test_throttled(tmp_path, demo_store, smtp, ca):
    root = workspace(tmp_path, demo_store, smtp, ca)
    (root / "consultation.toml").write_text(
        (root / "consultation.toml").read_text().replace("per_minute = 6000", "per_minute = 30")
    )
    waits: list[float] = []
    with Workspace.open(root) as ws:
        service = Acknowledgements(ws.store, ws.config, ws.reviewer, sleep=waits.append)
        report = service.run(PASSWORD, limit=4)
    assert report.sent == 4
    # 30 a minute: each send waits out what is left of its 2 s slot (less when the previous
    # send itself took time on a loaded machine, never more).
    assert len(waits) == 3 and all(0 < w <= 2.0 for w in waits)


def test_server_problems_are_clear_errors(tmp_path, demo_store, smtp, ca, capsys, monkeypatch):
    root = workspace(tmp_path, demo_store, smtp, ca)
    monkeypatch.setenv("ASSISES_SMTP_PASSWORD", "faux")
    code, out, err = acknowledge(root, capsys)
    assert code == 2 and out == ""
    assert (
        err == "assises : Identifiant ou mot de passe SMTP refusé pour « consult » sur 127.0.0.1.\n"
    )
    smtp.stop()
    monkeypatch.setenv("ASSISES_SMTP_PASSWORD", PASSWORD)
    code, _, err = acknowledge(root, capsys)
    assert err == (
        f"assises : Le serveur SMTP 127.0.0.1:{smtp.port} refuse la connexion : serveur "
        "arrêté ou port erroné.\n"
    )
    assert smtp.messages == []
    with Workspace.open(root, read_only=True) as ws:  # nothing recorded as sent
        assert ws.store.get_doc(ACK_DOC) in ({}, None)


def test_purge_removes_the_address_book(tmp_path, demo_store, smtp, ca, capsys):
    root = workspace(tmp_path, demo_store, smtp, ca)
    acknowledge(root, capsys)
    with Workspace.open(root, read_only=True) as ws:
        addresses = {c.sender_email for c in ws.store.all() if c.sender_email}
        records = ws.store.get_doc(ACK_DOC)["records"]
    assert addresses & {r["to"] for r in records.values()}

    assert main(["--workspace", str(root), "purge", "--before", "2030-01-01"]) == 0

    with Workspace.open(root, read_only=True) as ws:
        records = ws.store.get_doc(ACK_DOC)["records"]
    assert all("to" not in r and r["state"] == "sent" for r in records.values())
    store_text = b"".join(
        p.read_bytes() for p in (root / "store").rglob("*") if p.is_file()
    ).decode("utf-8", "replace")
    assert [a for a in addresses if a in store_text] == []
    # Purged contributions have no address left: nothing to acknowledge again.
    code, report, _ = acknowledge(root, capsys, "--json")
    assert report["sent"] == 0 and len(smtp.messages) == len(records)
