"""Hostile messages: huge or deeply nested structures never hang nor raise."""

from __future__ import annotations

import time

import pytest
from ingest_support import TZ

from assises_tui.ingest.mime import ParsedMessage, Unreadable, parse_message

CASES = {
    "from-without-address": b"From: " + b"a" * 300_000 + b"\nSubject: x\n\nbody\n",
    "many-encoded-words": b"From: a@b.fr\nSubject: " + b"=?utf-8?q?a?= " * 30_000 + b"\n\nb\n",
    "long-date": b"From: a@b.fr\nDate: " + b"1 " * 100_000 + b"\nSubject: x\n\nbody\n",
    "deep-multipart": b"From: a@b.fr\nSubject: x\nContent-Type: multipart/mixed; boundary=b0\n\n"
    + b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i, i + 1) for i in range(3000)
    ),
    "many-headers": b"".join(b"X-H%d: v\n" % i for i in range(50_000)) + b"From: a@b.fr\n\nx\n",
    "nested-html": b"From: a@b.fr\nSubject: x\nContent-Type: text/html\n\n" + b"<div>" * 50_000,
    "escape-sequences": b"From: \x1b]52;c;ZXZpbA==\x07 <a@b.fr>\nSubject: \x1b[2J\x9b31m\n\nx\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_message_is_bounded(name):
    started = time.monotonic()
    result = parse_message(CASES[name], name, "", TZ)
    assert time.monotonic() - started < 10
    assert isinstance(result, ParsedMessage | Unreadable)
    if isinstance(result, Unreadable):
        assert result.reason and result.raw == CASES[name]
    else:
        for text in (result.subject, result.sender_name, result.sender_email):
            assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
