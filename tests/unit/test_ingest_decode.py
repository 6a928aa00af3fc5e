"""Charsets, transfer encodings, RFC 2047/2231 headers, HTML to text, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_support import TZ, raw

from assises_tui.ingest.dates import parse_date
from assises_tui.ingest.decode import decode_bytes, header_text
from assises_tui.ingest.html import html_to_text
from assises_tui.ingest.mime import ParsedMessage, parse_message


def parsed(data: bytes) -> ParsedMessage:
    result = parse_message(data, "test.eml", "pref@example.fr", TZ)
    assert isinstance(result, ParsedMessage), getattr(result, "reason", result)
    return result


def test_latin1_label_keeps_cp1252_characters():
    text = "Le cœur du problème : 10 € et des “guillemets” — fin"
    assert decode_bytes(text.encode("cp1252"), "iso-8859-1") == text


def test_utf8_mislabelled_latin1_is_read_as_utf8():
    assert decode_bytes("sécurité".encode(), "ISO-8859-1") == "sécurité"


def test_unknown_label_falls_back_without_loss():
    assert decode_bytes("gendarmerie à côté".encode(), "x-unknown") == "gendarmerie à côté"
    # cp1252 bytes that are not utf-8, under a bogus label: no byte is dropped
    text = decode_bytes("élu".encode("cp1252"), "NONE")
    assert len(text) == 3 and text.endswith("lu")


def test_undefined_cp1252_bytes_never_raise():
    assert decode_bytes(b"a\x81b\x8d", "windows-1252") == "a\x81b\x8d"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?iso-8859-1?Q?Contribution_s=E9curit=E9?=", "Contribution sécurité"),
        ("=?UTF-8?B?UsOpdW5pb24gcHVibGlxdWU=?=", "Réunion publique"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # whitespace between encoded words dropped
        ("=?NONE?B?VEVTVA=?=", "TEST"),  # unknown charset, bad padding
        ("=?windows-1252?Q?l=92avis?=", "l’avis"),
        ("Plain text", "Plain text"),
    ],
)
def test_rfc2047(value, expected):
    assert header_text(value) == expected


def test_raw_8bit_headers_are_decoded():
    data = raw("From: José <jose@example.fr>\nSubject: Sécurité à Vichy\n\nTexte\n", "cp1252")
    p = parsed(data)
    assert p.subject == "Sécurité à Vichy"
    assert p.sender_name == "José"


def test_rfc2231_filename_and_qp_body():
    data = raw(
        "From: a@example.fr\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Plus de pr=E9sence polici=E8re, =9Cuvre commune.\n"
        "--B\nContent-Type: text/plain\n"
        "Content-Disposition: attachment; filename*=UTF-8''contribution%20%C3%A9lu.txt\n"
        "Content-Transfer-Encoding: base64\n\n"
        "UHJvcG9zaXRpb24=\n--B--\n"
    )
    p = parsed(data)
    assert p.body == "Plus de présence policière, œuvre commune."
    assert [a.filename for a in p.attachments] == ["contribution élu.txt"]
    assert p.attachments[0].data == b"Proposition"


@pytest.mark.parametrize("cte", ["quoted printable", "quoted-printable;", "Quoted-Printable"])
def test_misspelt_transfer_encodings(cte):
    data = raw(
        f"From: a@example.fr\nSubject: x\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: {cte}\n\nr=C3=A9union\n"
    )
    assert parsed(data).body == "réunion"


def test_html_only_mail_to_text():
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>Premier&nbsp;paragraphe.</p><p>Second <b>paragraphe</b>.</p>"
        "<ul><li>plus de patrouilles</li><li>un numéro unique</li></ul>"
        "<!-- commentaire --></body></html>"
    )
    text = html_to_text(html)
    assert text == (
        "Premier paragraphe.\n\nSecond paragraphe.\n\n• plus de patrouilles\n• un numéro unique"
    )
    assert "alert" not in text and "color" not in text and "<" not in text


def test_alternative_read_once_preferring_plain():
    data = raw(
        "From: a@example.fr\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="A"\n\n'
        "--A\nContent-Type: text/plain; charset=utf-8\n\nVersion texte.\n"
        "--A\nContent-Type: text/html; charset=utf-8\n\n<p>Version HTML.</p>\n--A--\n"
    )
    assert parsed(data).body == "Version texte."


def test_alternative_with_empty_plain_uses_html():
    data = raw(
        "From: a@example.fr\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="A"\n\n'
        "--A\nContent-Type: text/plain; charset=utf-8\n\n \n"
        "--A\nContent-Type: text/html; charset=utf-8\n\n<p>Seulement HTML.</p>\n--A--\n"
    )
    assert parsed(data).body == "Seulement HTML."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lun., 13 janv. 2020 14:02:11 +0100", datetime(2020, 1, 13, 13, 2, 11, tzinfo=UTC)),
        ("Mon, 13 Jan 2020 14:02:11 +0100", datetime(2020, 1, 13, 13, 2, 11, tzinfo=UTC)),
        ("lundi 13 janvier 2020 à 14h02", datetime(2020, 1, 13, 13, 2, tzinfo=UTC)),
        ("13/01/2020 14:02", datetime(2020, 1, 13, 13, 2, tzinfo=UTC)),  # local Paris time
        ("mer. 15 juil. 2020 10:00:00 +0200", datetime(2020, 7, 15, 8, 0, tzinfo=UTC)),
        ("Thu, 29 Dec 2011 14:06:53 +0400 (MSK)", datetime(2011, 12, 29, 10, 6, 53, tzinfo=UTC)),
    ],
)
def test_dates(value, expected):
    got = parse_date(value, TZ)
    assert got is not None and got.tzinfo is not None
    assert got == expected


@pytest.mark.parametrize(
    "value", ["", "n'importe quoi", "32 truc 99", "Mon, 1 Jan 1800 00:00 +0000"]
)
def test_unreadable_dates(value):
    assert parse_date(value, TZ) is None


def test_date_from_received_when_date_missing():
    data = raw(
        "Received: from mx.example.fr by mail.gouv.fr; Tue, 14 Jan 2020 09:00:00 +0100\n"
        "Received: from older by mx; Mon, 1 Jan 2018 09:00:00 +0100\n"
        "From: a@example.fr\nSubject: x\n\nTexte\n"
    )
    p = parsed(data)
    assert p.received_at == datetime(2020, 1, 14, 8, 0, tzinfo=UTC)
    assert p.date_uncertain


def test_no_date_at_all():
    p = parsed(raw("From: a@example.fr\nSubject: x\n\nTexte\n"))
    assert p.received_at is None and p.date_uncertain


def test_message_id_from_content_hash_is_stable():
    data = raw("From: a@example.fr\nSubject: x\n\nTexte\n")
    first, second = parsed(data), parsed(data)
    assert first.message_id == second.message_id
    assert first.message_id.startswith("<sha256-")
    other = parsed(raw("From: a@example.fr\nSubject: x\n\nAutre\n"))
    assert other.message_id != first.message_id


def test_unknown_label_long_text_is_detected():
    text = "Привет, это длинный текст на русском языке о безопасности и полиции. " * 6
    assert decode_bytes(text.encode("koi8-r"), "x-bogus") == text


def test_forwarded_rfc822_text_and_attachments_belong_to_carrier():
    inner = raw(
        "From: Paul Martin <paul@example.fr>\nSubject: Mon avis\nDate: Mon, 6 Jan 2020 10:00:00 "
        '+0100\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="I"\n\n'
        "--I\nContent-Type: text/plain; charset=utf-8\n\nPlus de vidéoprotection.\n"
        "--I\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        'filename="avis.pdf"\n\n%PDF-1.4\n--I--\n'
    ).decode()
    data = raw(
        "From: Mairie <mairie@example.fr>\nSubject: TR: Mon avis\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="O"\n\n'
        "--O\nContent-Type: text/plain; charset=utf-8\n\nJe vous transmets l'avis d'un habitant.\n"
        "--O\nContent-Type: message/rfc822\n\n" + inner + "\n--O--\n"
    )
    p = parsed(data)
    assert p.body == (
        "Je vous transmets l'avis d'un habitant.\n\n----- Message transféré -----\n"
        "De : Paul Martin <paul@example.fr>\nDate : Mon, 6 Jan 2020 10:00:00 +0100\n"
        "Objet : Mon avis\n\nPlus de vidéoprotection."
    )
    assert [a.filename for a in p.attachments] == ["avis.pdf"]
    assert p.sender_email == "mairie@example.fr"


def test_garbage_bytes_are_unreadable_not_an_exception():
    from assises_tui.ingest.mime import Unreadable

    for junk in (b"", b"\x00\x01\x02" * 100, b"\xff\xfe" + "x".encode("utf-16-le") * 50):
        result = parse_message(junk, "junk", "", TZ)
        assert isinstance(result, Unreadable) and result.reason
