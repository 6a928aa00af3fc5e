"""Every real-world fixture imports or lands in quarantine with a reason; none raises.

Golden checks on the decoded text of the tricky ones (see tests/fixtures/emails/README.md).
"""

from __future__ import annotations

import time

import pytest
from ingest_support import EMAILS, MAILBOX, TZ

from assises_tui.ingest import classify as c
from assises_tui.ingest.mime import ParsedMessage, Unreadable, parse_message
from assises_tui.ingest.msg import parse_msg
from assises_tui.ingest.sources import iter_sources

ALL = sorted(p for p in EMAILS.rglob("*") if p.is_file() and p.name != "README.md")


def load(rel: str) -> ParsedMessage | Unreadable | str:
    (raw,) = list(iter_sources([EMAILS / rel]))
    if raw.problem:
        return raw.problem
    parse = parse_msg if raw.kind == "msg" else parse_message
    return parse(raw.raw, raw.source, MAILBOX, TZ)


def test_fixture_count():
    assert len(ALL) == 103


@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(EMAILS)) for p in ALL])
def test_every_fixture_parses_or_has_a_reason(path):
    started = time.monotonic()
    result = load(str(path.relative_to(EMAILS)))
    assert time.monotonic() - started < 10
    if isinstance(result, str):
        assert result  # reported by the source reader
    elif isinstance(result, Unreadable):
        assert result.reason and result.raw
    else:
        assert isinstance(result.body, str) and isinstance(result.subject, str)
        assert result.message_id.startswith("<") and result.message_id.endswith(">")
        assert "\r" not in result.body
        assert result.received_at is None or result.received_at.tzinfo is not None


def ok(rel: str) -> ParsedMessage:
    result = load(rel)
    assert isinstance(result, ParsedMessage), result
    return result


PHP = "php-mime-mail-parser__php-mime-mail-parser/tests/mails/"
FLANKER = "mailgun__flanker/tests/fixtures/messages/"
MIKEL = "mikel__mail/spec/fixtures/emails/"


def test_french_outlook_reply():
    p = ok(PHP + "m0013")
    assert p.subject == "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829. pdf"
    assert p.sender_email == "firstname.name@groupe-company.com"
    assert "Pièce jointe toujours pas conforme il y a toujours l'espace après le" in p.body
    assert "-----Message d'origine-----\nDe\u00a0: Retour BL" in p.body  # NBSP kept
    assert "Pas à pas, agissons au quotidien pour préserver notre environnement." in p.body
    assert [a.content_type for a in p.attachments] == ["application/pdf"]


def test_windows_1252_encoded_words():
    p = ok("Sicos1977__MSGReader/TestWithInlineHavingWindows1252Fields.eml")
    assert p.sender_name == "Müller Peter"
    assert p.body.startswith("Test email")


def test_outlook_msg_with_french_subject():
    p = ok("Sicos1977__MSGReader/EmailWithSpecialCharsInSubject.msg")
    assert p.subject == (
        "Un sujet bien défini Àéroport mañana être ouïe électricité così próxima à Ô"
    )
    assert p.sender_email == "julie.clarebots@qbere.com"
    assert p.body.startswith("Testing .msg subject encoding")


def test_outlook_msg_without_extension_keeps_attachments():
    p = ok("SpamScope__mail-parser/tests/mails/mail_outlook_1")
    assert p.subject == "Newsletter Prüfung Personalwesen / Prüfung Eröffnungsbilanz"
    assert len(p.attachments) == 5


def test_forwarded_message_text_belongs_to_carrier():
    p = ok(FLANKER + "enclosed-bad-encoding.eml")
    assert p.body.startswith("Hello\n\n----- Message transféré -----\nDe : Kirk Douglas")
    assert "чтобы я без вас делал, дорогие мои!!!" in p.body


def test_iso_2022_jp_subject():
    assert ok(PHP + "issue116").subject.startswith("ЖД")


def test_raw_utf8_headers():
    p = ok(MIKEL + "rfc6532/utf8_headers.eml")
    assert p.subject == "Säying Hello"
    assert p.sender_email == "jdöe@mächine.example"


def test_raw_8bit_attachment_name():
    p = ok(MIKEL + "attachment_emails/attachment_nonascii_filename.eml")
    assert [a.filename for a in p.attachments] == ["ciële.txt"]


def test_bilingual_qp():
    p = ok(FLANKER + "bilingual-simple.eml")
    assert "Как ты поживаешь" in p.subject


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        (FLANKER + "bounce/mailbox-full.eml", c.REASON_BOUNCE),
        (FLANKER + "bounce/office365.eml", c.REASON_BOUNCE),
        (FLANKER + "bounce/gmail-invalid-address.eml", c.REASON_BOUNCE),
        (FLANKER + "bounce/zed.eml", c.REASON_BOUNCE),
        (FLANKER + "bounce/delayed-broken.eml", c.REASON_BOUNCE),
        ("nodemailer__mailparser/test/fixtures/delivery-status.eml", c.REASON_BOUNCE),
        (FLANKER + "disposition-notification.eml", c.REASON_RECEIPT),
        (FLANKER + "complaints/aol.eml", c.REASON_REPORT),
        (PHP + "failure.eml", c.REASON_BOUNCE),
    ],
)
def test_real_bounces_and_reports(rel, reason):
    assert ok(rel).not_contribution == reason


def test_many_parts_and_long_header():
    assert len(ok(PHP + "issue408.eml").attachments) == 328  # 330 parts, 328 with a file name
    assert ok(FLANKER + "long-header.eml").subject.startswith("Die heiße Zypernsonne")


def test_not_mail_files_are_reported():
    assert isinstance(load("scanny__python-oxmsg/tests/test_files/not-a-MSG-file.msg"), str)
