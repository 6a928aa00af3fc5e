"""The fast path for single-part text/plain mail gives what the full MIME path gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from ingest_support import EMAILS, FIXTURES, MAILBOX, TZ, mail, raw

from assises_tui.ingest import mime
from assises_tui.ingest.mime import strip_envelope
from assises_tui.ingest.simple import simple_message


def both_ways(data: bytes, monkeypatch) -> tuple[object, object]:
    fast = mime.parse_message(data, "t.eml", MAILBOX, TZ)
    with monkeypatch.context() as patch:
        patch.setattr(mime, "simple_message", lambda _clean: None)
        full = mime.parse_message(data, "t.eml", MAILBOX, TZ)
    return fast, full


def _files() -> list[Path]:
    found = [p for p in sorted(EMAILS.rglob("*")) if p.is_file() and p.suffix != ".md"]
    found += [p for p in sorted((FIXTURES / "crashers").glob("*.eml"))]
    return found


GENERATED = [
    mail("Bonjour,\nje propose plus de patrouilles.\n"),
    mail("Accents : é à ç œ € ’\n", headers={"Precedence": "list"}),
    mail("Texte\n", subject="Réponse automatique : absent", date=None, message_id=None),
    raw(
        "From: =?utf-8?q?Jos=C3=A9?= <jose@example.fr>\nSubject: =?iso-8859-1?q?r=E9union?=\n"
        "Date: Mon, 13 Jan 2020 14:02:11 +0100\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\nReceived: from x by y;\n"
        " Mon, 13 Jan 2020 14:02:11 +0100\n\nJ'ai =E9t=E9 cambriol=E9.=\n Voil=E0.\n"
    ),
    raw("From: a@b.fr\r\nSubject: crlf\r\nContent-Transfer-Encoding: base64\r\n\r\nw6l0w6k=\r\n"),
]


@pytest.mark.parametrize("data", GENERATED, ids=range(len(GENERATED)))
def test_generated_plain_mail_takes_the_fast_path_with_the_same_result(data, monkeypatch):
    assert simple_message(strip_envelope(data)) is not None
    fast, full = both_ways(data, monkeypatch)
    assert dataclasses.asdict(fast) == dataclasses.asdict(full)


def test_every_fixture_the_fast_path_accepts_parses_the_same(monkeypatch):
    taken = 0
    for path in _files():
        data = path.read_bytes()
        if simple_message(strip_envelope(data)) is None:
            continue
        taken += 1
        fast, full = both_ways(data, monkeypatch)
        assert dataclasses.asdict(fast) == dataclasses.asdict(full), path
    assert taken >= 10  # the comparison covers real mail, not just generated


@pytest.mark.parametrize(
    "data",
    [
        mail(html="<p>x</p>", body=None),
        mail(attachments=[("a.txt", "text/plain", b"x")]),
        raw("From: a@b.fr\nSubject: caf\xe9\n\nbody\n", "latin-1"),  # 8-bit header
        raw("From: a@b.fr\nSubject : odd\n\nbody\n"),
        raw("From: a@b.fr\nContent-Transfer-Encoding: x-uuencode\n\nbody\n"),
        raw("From: a@b.fr\nContent-Type: text/plain; charset*=utf-8''x\n\nbody\n"),
    ],
    ids=["html", "attachment", "8bit-header", "space-colon", "uuencode", "rfc2231"],
)
def test_anything_else_takes_the_full_path(data):
    assert simple_message(strip_envelope(data)) is None


def test_fast_sender_reading_agrees_with_parseaddr():
    import email
    import email.utils

    values = [
        "Jeanne Dupont <jeanne.dupont@example.fr>",
        "jeanne@example.fr",
        "  =?utf-8?q?Jos=C3=A9?= <jose@example.fr> ",
        "Élodie d'Arc <e.d-arc+assises@mairie-vichy.fr>",
        "<nu@example.fr>",
    ]
    for path in _files():
        msg = email.message_from_bytes(path.read_bytes())
        for name in ("from", "sender", "reply-to"):
            value = msg.get(name)
            if isinstance(value, str) and value.isascii():
                values.append(value)
    checked = 0
    for value in values:
        found = mime._PLAIN_FROM.match(value)
        if found is None:
            continue
        checked += 1
        fast = ((found.group(1) or "").strip(), found.group(2) or found.group(3))
        assert fast == email.utils.parseaddr(value), value
    assert checked >= 20
