"""Fuzzing the importer's parser: generated MIME trees, hostile headers and charsets, and
byte mutations of the real-world fixtures. ``parse_message`` must never raise, never hang
(each message has a time limit) and keep its memory bounded (tracemalloc peak).

Every input that broke one of these rules is kept in tests/fixtures/crashers/ (set
``ASSISES_SAVE_CRASHERS=1`` to have a failing run save it there) and
``test_crashers_import_cleanly`` imports them all through the real importer.
``ASSISES_LONG=1`` runs many more examples.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assises_tui.ingest.mime import ParsedMessage, Unreadable, parse_message

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CRASHERS = FIXTURES / "crashers"
REAL = sorted(
    p
    for p in (FIXTURES / "emails").rglob("*")
    if p.is_file() and p.suffix.lower() not in (".md", ".msg") and p.stat().st_size < 200_000
)
LONG = os.environ.get("ASSISES_LONG") == "1"
EXAMPLES = 1500 if LONG else 120
TIME_LIMIT_S = 10.0
MEMORY_FLOOR = 64 * 1024 * 1024  # tracemalloc peak allowed whatever the input size
MEMORY_PER_BYTE = 60  # plus this many bytes per input byte (decoded copies, text, HTML)

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the time limit is enforced below, with a thread, so a hang fails too
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not LONG,
)


def _save_crasher(raw: bytes, why: str) -> None:
    if os.environ.get("ASSISES_SAVE_CRASHERS") == "1":
        CRASHERS.mkdir(exist_ok=True)
        name = hashlib.sha256(raw).hexdigest()[:16]
        (CRASHERS / f"{name}.eml").write_bytes(raw)
        (CRASHERS / f"{name}.txt").write_text(why + "\n", encoding="utf-8")


def check_parse(raw: bytes) -> ParsedMessage | Unreadable:
    """Parse in a thread with a time limit, measuring the allocation peak."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = parse_message(raw, "fuzz.eml", "assises@exemple.fr")
        except BaseException as exc:  # noqa: BLE001 - the point is to catch anything
            result["error"] = exc

    tracemalloc.start()
    try:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(TIME_LIMIT_S)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if worker.is_alive():
        _save_crasher(raw, f"hang > {TIME_LIMIT_S} s")
        pytest.fail(f"parse_message still running after {TIME_LIMIT_S} s")
    if "error" in result:
        _save_crasher(raw, repr(result["error"]))
        raise AssertionError(f"parse_message raised {result['error']!r}")
    bound = MEMORY_FLOOR + MEMORY_PER_BYTE * len(raw)
    if peak > bound:
        _save_crasher(raw, f"memory peak {peak}")
        pytest.fail(f"memory peak {peak} bytes > {bound}")
    value = result["value"]
    assert isinstance(value, ParsedMessage | Unreadable)
    if isinstance(value, ParsedMessage):
        assert isinstance(value.body, str) and isinstance(value.subject, str)
        assert "\n" not in value.subject and "\x1b" not in value.subject
        assert all(isinstance(a.data, bytes) for a in value.attachments)
    return value


# -- generated MIME ---------------------------------------------------------------------------
CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "iso-8859-15",
    "koi8-r",
    "utf-16",
    "utf-7",
    "gb2312",
    "x-unknown",
    "",
    "utf-8'fr'",
    '"utf-8"',
    "us-ascii",
    "macintosh",
]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus", ""]
HEADER_NAMES = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "Cc",
    "Received",
    "Content-Disposition",
    "X-Mailer",
    "In-Reply-To",
    "Sender",
]
TYPES = [
    "text/plain",
    "text/html",
    "application/pdf",
    "application/octet-stream",
    "message/rfc822",
    "image/png",
    "text/rtf",
    "application/vnd.oasis.opendocument.text",
    "application/msword",
    "text/calendar",
    "garbage",
]

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
small_bytes = st.binary(max_size=400)


@st.composite
def encoded_word(draw) -> str:
    charset = draw(st.sampled_from(CHARSETS))
    raw = draw(texts).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        payload = base64.b64encode(raw).decode()
        if draw(st.booleans()):
            payload = payload[: draw(st.integers(0, len(payload)))]  # truncated base64
        return f"=?{charset}?B?{payload}?="
    return f"=?{charset}?Q?{raw.hex()[:80]}?="


header_value = st.one_of(
    texts.map(lambda t: t.replace("\r", " ").replace("\n", " ")),
    encoded_word(),
    st.lists(encoded_word(), max_size=4).map(" ".join),
    st.sampled_from(
        [
            "",
            "<>",
            "<@>",
            '"" <>',
            "Mon, 32 Foo 2019 25:61:61 +9999",
            "=?utf-8?B?====?=",
            "a" * 2000,
            "x@",
            "@@@",
            "(comment (nested",
        ]
    ),
)


def _body(draw, ctype: str, encoding: str, charset: str) -> bytes:
    data = draw(st.one_of(texts.map(lambda t: t.encode("utf-8", "surrogatepass")), small_bytes))
    if encoding == "base64" and draw(st.booleans()):
        data = base64.encodebytes(data)
    return data


@st.composite
def mime_part(draw, depth: int = 0) -> bytes:
    ctype = draw(
        st.sampled_from(
            TYPES
            + (
                ["multipart/mixed", "multipart/alternative", "multipart/related"]
                if depth < 4
                else []
            )
        )
    )
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    headers = [f"Content-Type: {ctype}; charset={charset}"]
    if encoding:
        headers.append(f"Content-Transfer-Encoding: {encoding}")
    if draw(st.booleans()):
        headers.append(f'Content-Disposition: attachment; filename="{draw(header_value)}"')
    if ctype.startswith("multipart/"):
        boundary = draw(st.sampled_from(["b1", "==x==", "", "a" * 80, 'b1"; x="y']))
        headers[0] = f'Content-Type: {ctype}; boundary="{boundary}"'
        parts = draw(st.lists(mime_part(depth + 1), max_size=4))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
    elif ctype == "message/rfc822" and depth < 4:
        body = draw(message(depth + 1))
    else:
        body = _body(draw, ctype, encoding, charset)
    head = "\r\n".join(headers).encode("utf-8", "surrogatepass")
    return head + b"\r\n\r\n" + body


@st.composite
def message(draw, depth: int = 0) -> bytes:
    names = draw(st.lists(st.sampled_from(HEADER_NAMES), min_size=1, max_size=8))
    lines = []
    for name in names:
        value = draw(header_value)
        lines.append(f"{name}: {value}".encode("utf-8", "surrogatepass"))
    if draw(st.booleans()):  # raw 8-bit bytes in a header
        lines.append(b"Subject: " + draw(small_bytes).replace(b"\n", b" ").replace(b"\r", b" "))
    sep = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
    return sep.join(lines) + sep + draw(mime_part(depth))


@SETTINGS
@given(message())
def test_generated_mime_never_breaks_the_parser(raw):
    check_parse(raw)


# -- mutations of the real fixtures ------------------------------------------------------------
@st.composite
def mutated_fixture(draw) -> bytes:
    data = bytearray(REAL[draw(st.integers(0, len(REAL) - 1))].read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "drop", "crlf", "nul"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(small_bytes)
        elif op == "dup":
            j = draw(st.integers(i, min(len(data), i + 2000)))
            data[i:i] = data[i:j] * draw(st.integers(1, 20))
        elif op == "drop":
            del data[i : i + draw(st.integers(1, 500))]
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r"))
        else:
            data[i:i] = b"\x00" * draw(st.integers(1, 64))
    return bytes(data)


@SETTINGS
@given(mutated_fixture())
def test_mutated_real_mails_never_break_the_parser(raw):
    check_parse(raw)


def test_real_fixtures_parse_without_error():
    assert len(REAL) > 50
    for path in REAL:
        check_parse(path.read_bytes())


# -- the regression corpus ------------------------------------------------------------------
def test_crashers_import_cleanly(tmp_path):
    """Every kept crasher goes through parse and the real importer, then verify is clean."""
    from assises_tui.services.importer import import_sources
    from assises_tui.workspace import Workspace

    files = sorted(CRASHERS.glob("*.eml"))
    assert files, "the regression corpus is empty"
    for path in files:
        check_parse(path.read_bytes())
    with Workspace.init(tmp_path / "ws") as ws:
        report = import_sources(ws, [CRASHERS])
        assert report.read == len(files)
        assert report.imported + len(report.quarantined) + report.already_present == len(files)
        assert ws.store.verify() == []
        again = import_sources(ws, [CRASHERS])
        assert again.imported == 0  # nothing twice
