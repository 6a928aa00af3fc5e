"""A big attachment is decoded from the raw bytes, not copied through the email parser."""

from __future__ import annotations

import os
import tracemalloc

from ingest_support import MAILBOX, TZ, mail

from assises_tui.ingest import large_parts, mime


def big_mail(size: int) -> tuple[bytes, bytes, bytes]:
    data = os.urandom(size)
    letter = ("Monsieur le Préfet, voici notre délibération.\n" * 20).encode()
    raw = mail(
        "Voir les pièces jointes.\n",
        attachments=[
            ("video.bin", "application/octet-stream", data),
            ("lettre.txt", "text/plain", letter),
        ],
    )
    return raw, data, letter


def test_big_parts_are_read_the_same_as_through_the_parser(monkeypatch):
    raw, data, letter = big_mail(6_000_000)
    assert len(raw) > large_parts.BIG_MESSAGE
    aside = mime.parse_message(raw, "t.eml", MAILBOX, TZ)
    monkeypatch.setattr(large_parts, "BIG_MESSAGE", 10**12)  # the plain parser path
    plain = mime.parse_message(raw, "t.eml", MAILBOX, TZ)
    assert [a.data for a in aside.attachments] == [data, letter]
    assert [(a.filename, a.data) for a in aside.attachments] == [
        (a.filename, a.data) for a in plain.attachments
    ]
    assert aside.body == plain.body and aside.body.startswith("Voir les pièces jointes")


def test_parsing_a_big_mail_takes_a_few_times_its_size_not_ten():
    raw, data, _letter = big_mail(12_000_000)
    tracemalloc.start()
    try:
        parsed = mime.parse_message(raw, "t.eml", MAILBOX, TZ)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.attachments[0].data == data
    # The decoded attachment (0.75× the mail) plus small change; through the parser's
    # text, lines and joins it was ~8× the mail.
    assert peak < 2 * len(raw), peak / len(raw)
