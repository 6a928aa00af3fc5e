"""The bundled demo mailbox: reproducible, and holding every kind of message the app must handle.

The mailbox is read with the stdlib ``mailbox`` and ``email`` packages only, so these checks do
not depend on the project's own importer.
"""

from __future__ import annotations

import json
import mailbox
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
MBOX = DEMO / "allier-demo.mbox"
MAILBOX = "pref-assises-securite-interieure@allier.gouv.fr"
DEADLINE = datetime(2020, 1, 20, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture(scope="module")
def messages() -> list[EmailMessage]:
    box = mailbox.mbox(str(MBOX), create=False)
    try:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(m.as_bytes()) for m in box]
    finally:
        box.close()


def _date(msg: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and value.tzinfo is not None else None


def _text(msg: EmailMessage) -> str:
    chunks = []
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.is_attachment():
            chunks.append(part.get_content())
    return "\n".join(chunks)


def test_generator_is_deterministic_and_matches_committed_ids(tmp_path: Path) -> None:
    outputs = [tmp_path / f"run{n}" / "demo.mbox" for n in range(2)]
    script = str(DEMO / "build_demo.py")
    # Both runs at once: each takes a second or two.
    runs = [
        subprocess.Popen(
            [sys.executable, script, "--output", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for out in outputs
    ]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    first, second = (out.read_bytes() for out in outputs)
    assert first == second
    assert (
        outputs[0].with_suffix(".expected.json").read_bytes()
        == outputs[1].with_suffix(".expected.json").read_bytes()
    )
    # The committed mailbox is the generator's output (document bytes may differ with other
    # versions of the PDF/DOCX libraries, so compare the message sequence, not every byte).
    ids = re.compile(rb"^Message-ID: (\S+)$", re.MULTILINE)
    assert ids.findall(first) == ids.findall(MBOX.read_bytes())


def test_size_count_and_expected_manifest(messages: list[EmailMessage]) -> None:
    assert MBOX.stat().st_size < 3_000_000
    assert 320 <= len(messages) <= 400
    expected = json.loads((DEMO / "allier-demo.expected.json").read_text(encoding="utf-8"))
    assert [e["message_id"] for e in expected] == [str(m["Message-ID"]).strip() for m in messages]


def test_mbox_is_mboxrd_quoted() -> None:
    raw = MBOX.read_bytes()
    assert raw.startswith(b"From ")
    assert b"\n>From 23 December" in raw  # an English auto-reply line, quoted once


def test_html_only_and_alternative(messages: list[EmailMessage]) -> None:
    html_only = [m for m in messages if m.get_content_type() == "text/html"]
    assert html_only
    assert any(
        all(tag in m.get_content() for tag in ("<script", "<style", "<ul>", "<p"))
        for m in html_only
    )
    assert any(m.get_content_type() == "multipart/alternative" for m in messages)


def test_contributions_in_office_attachments(messages: list[EmailMessage]) -> None:
    types = [part.get_content_type() for m in messages for part in m.iter_attachments()]
    assert "application/pdf" in types
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in types
    assert "application/vnd.oasis.opendocument.text" in types
    assert "message/rfc822" in types  # an elected official forwarding a citizen's mail
    pdf = next(
        part
        for m in messages
        for part in m.iter_attachments()
        if part.get_content_type() == "application/pdf"
    )
    assert pdf.get_content().startswith(b"%PDF-")


def test_auto_replies_bounces_and_own_mail(messages: list[EmailMessage]) -> None:
    auto = [
        m
        for m in messages
        if m["Auto-Submitted"] == "auto-replied" and m.get_content_type() != "multipart/report"
    ]
    assert any("Réponse automatique" in str(m["Subject"]) for m in auto)
    bounces = [m for m in messages if m.get_content_type() == "multipart/report"]
    assert 1 <= len(bounces) <= 2
    assert all(m.get_param("report-type") == "delivery-status" for m in bounces)
    assert all("MAILER-DAEMON" in str(m["From"]) for m in bounces)
    own = [m for m in messages if MAILBOX in str(m["From"])]
    assert 1 <= len(own) <= 2


def test_dates_late_edges_odd_and_missing(messages: list[EmailMessage]) -> None:
    dated = [d for d in map(_date, messages) if d is not None]
    late = [d for d in dated if d >= DEADLINE]
    assert 0.03 <= len(late) / len(messages) <= 0.08
    assert min(dated) >= datetime(2019, 11, 14, tzinfo=UTC)
    assert max(dated) <= datetime(2020, 2, 1, tzinfo=UTC)
    # Around midnight: "19 Jan" in UTC that is already the 20th in Paris.
    assert any(d.utcoffset() == timedelta(0) and d.day == 19 and d >= DEADLINE for d in late)
    assert any(DEADLINE - timedelta(minutes=5) <= d < DEADLINE for d in dated)
    assert any(str(m["Date"]).startswith("lun., 13 janv. 2020") for m in messages)
    undated = [m for m in messages if m["Date"] is None]
    assert 1 <= len(undated) <= 2 and all(m["Received"] for m in undated)


def test_charsets_and_encoded_headers(messages: list[EmailMessage]) -> None:
    raw = MBOX.read_bytes()
    assert b"Subject: =?" in raw and b"From: =?" in raw
    parts = [p for m in messages for p in m.walk() if p.get_content_maintype() == "text"]
    seen = {(p.get_content_charset(), p["Content-Transfer-Encoding"]) for p in parts}
    for wanted in (
        ("utf-8", "quoted-printable"),
        ("utf-8", "base64"),
        ("utf-8", "8bit"),
        ("iso-8859-1", "quoted-printable"),
        ("iso-8859-1", "8bit"),
    ):
        assert wanted in seen
    # windows-1252 bytes (curly quote, œ, €) under an iso-8859-1 label.
    lying = [
        p
        for p in parts
        if p.get_content_charset() == "iso-8859-1"
        and any(0x80 <= b <= 0x9F for b in p.get_payload(decode=True))
    ]
    assert lying


def test_campaign_duplicates_and_senders(messages: list[EmailMessage]) -> None:
    campaign = {str(m["From"]) for m in messages if "maintien de la brigade du Donjon" in _text(m)}
    assert len(campaign) >= 10
    ids = [str(m["Message-ID"]) for m in messages]
    twice = [i for i in set(ids) if ids.count(i) == 2]
    assert len(twice) == 1
    same = [m.as_bytes() for m in messages if str(m["Message-ID"]) == twice[0]]
    assert same[0] == same[1]
    domains = {str(m["From"].addresses[0].domain) for m in messages if m["From"]}
    for domain in (
        "orange.fr",
        "free.fr",
        "gmail.com",
        "laposte.net",
        "gendarmerie.interieur.gouv.fr",
    ):
        assert domain in domains
    assert any(d.startswith("mairie-") for d in domains)
    assert len(domains) >= 20


def test_personal_data_in_signatures(messages: list[EmailMessage]) -> None:
    bodies = [_text(m) for m in messages]
    phones = [b for b in bodies if re.search(r"\b0[46][ .](?:39|65)[ .](?:98|71)[ .]\d\d", b)]
    addresses = [b for b in bodies if re.search(r"\b03\d{3} [A-ZÉ]", b)]
    assert len(phones) >= 20 and len(addresses) >= 20


def test_exactly_one_hostile_message(messages: list[EmailMessage]) -> None:
    hostile = [m for m in messages if "\x1b" in _text(m) or "\x1b" in str(m["Subject"])]
    assert len(hostile) == 1
    body, subject = _text(hostile[0]), str(hostile[0]["Subject"])
    assert "[bold red]x[/]" in subject and "[@click=app.quit]clic[/]" in body
    assert "\x1b]52;" in body and "\u202e" in body


def test_readmes_state_the_real_message_count(messages: list[EmailMessage]) -> None:
    for readme in (DEMO / "README.md", ROOT / "data" / "README.md"):
        assert f"{len(messages)} courriels" in readme.read_text(encoding="utf-8"), readme


def test_attribution_files() -> None:
    credit = "Mission Grand Débat National"
    assert credit in (DEMO / "README.md").read_text(encoding="utf-8")
    assert credit in (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    lines = (DEMO / "corpus-extrait.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["text"] for line in lines)
