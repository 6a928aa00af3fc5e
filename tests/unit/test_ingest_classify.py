"""Auto-replies, bounces, read receipts and the prefecture's own mail are not contributions."""

from __future__ import annotations

import pytest
from ingest_support import MAILBOX, TZ, mail, raw

from assises_tui.ingest import classify as c
from assises_tui.ingest.mime import ParsedMessage, parse_message


def reason(data: bytes) -> str | None:
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    assert isinstance(p, ParsedMessage)
    return p.not_contribution


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "1"},
        {"Precedence": "auto_reply"},
    ],
)
def test_auto_reply_headers(headers):
    assert reason(mail(headers=headers)) == c.REASON_AUTO


def test_precedence_junk_is_set_aside():
    assert reason(mail(headers={"Precedence": "junk"})) == c.REASON_BULK


@pytest.mark.parametrize("precedence", ["bulk", "list", "BULK"])
def test_list_relay_is_left_to_check_not_set_aside(precedence):
    """An association relaying its members' mail through a list: a reviewer decides."""
    p = parse_message(mail(headers={"Precedence": precedence}), "t.eml", MAILBOX, TZ)
    assert p.not_contribution is None
    assert p.to_check == [c.CHECK_LIST.format(value=precedence.lower())]


def test_list_relayed_auto_reply_is_still_set_aside():
    headers = {"Precedence": "list", "Auto-Submitted": "auto-replied"}
    p = parse_message(mail(headers=headers), "t.eml", MAILBOX, TZ)
    assert p.not_contribution == c.REASON_AUTO
    assert p.to_check == []
    subject = "Réponse automatique : absent"
    p = parse_message(mail(headers={"Precedence": "bulk"}, subject=subject), "t.eml", MAILBOX, TZ)
    assert p.not_contribution == c.REASON_AUTO and p.to_check == []


def test_auto_submitted_no_is_a_contribution():
    assert reason(mail(headers={"Auto-Submitted": "no"})) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Réponse automatique : Contribution",
        "RE: Absence du bureau",
        "Out of Office: back Monday",
        "Automatic reply: Assises",
        "REPONSE AUTOMATIQUE",
    ],
)
def test_auto_reply_subjects(subject):
    assert reason(mail(subject=subject)) == c.REASON_AUTO


def test_ordinary_subject_mentioning_absence_is_kept():
    assert reason(mail(subject="L'absence de gendarmes la nuit")) is None


def test_bounce_by_sender_and_report():
    assert reason(mail(sender="MAILER-DAEMON@example.fr")) == c.REASON_BOUNCE
    assert reason(mail(sender="postmaster@example.fr", subject="x")) == c.REASON_BOUNCE
    dsn = raw(
        "From: Mail System <daemon@example.fr>\nSubject: Ne pas tenir compte\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n'
        "--R\nContent-Type: text/plain\n\nEchec.\n"
        "--R\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--R--\n"
    )
    assert reason(dsn) == c.REASON_BOUNCE


def test_read_receipt():
    mdn = raw(
        "From: b@example.fr\nSubject: Lu : Contribution\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="R"\n\n'
        "--R\nContent-Type: text/plain\n\nLu.\n"
        "--R\nContent-Type: message/disposition-notification\n\nDisposition: displayed\n--R--\n"
    )
    assert reason(mdn) == c.REASON_RECEIPT
    assert reason(mail(subject="Lu : Assises")) == c.REASON_RECEIPT


def test_own_mail_from_the_prefecture():
    assert reason(mail(sender=f"Préfecture <{MAILBOX.upper()}>")) == c.REASON_OWN


def test_plain_contribution_is_a_contribution():
    assert reason(mail()) is None
