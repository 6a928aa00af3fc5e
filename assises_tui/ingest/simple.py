"""The fast path for the commonest mail: one text/plain part, ASCII headers.

Most contributions are a plain-text message. Building the ``email`` package's message tree
for them costs more than everything else the import does per message, and a contribution
needs only a few headers and the decoded text. :func:`simple_message` reads those directly
from the bytes and returns None for anything else (multipart, HTML, an attachment, 8-bit
or malformed headers, an unusual transfer encoding), which then takes the full MIME path.
``tests/unit/test_ingest_simple.py`` checks both paths give the same result on every
fixture the fast path accepts.
"""

from __future__ import annotations

import quopri
import re
from email._encoded_words import decode_b

from assises_tui.ingest.decode import decode_bytes

_HEADER = re.compile(rb"([!-9;-~]+):[ \t]*")  # as strict as the email package
_CHARSET = re.compile(r'charset\s*=\s*(?:"([^"]*)"|([^\s;]+))', re.IGNORECASE)
_PLAIN_ENCODINGS = ("", "7bit", "8bit", "binary")


class SimpleHeaders:
    """The few ``email.message.Message`` reading methods the MIME module uses."""

    __slots__ = ("_values", "_names")

    def __init__(self, values: dict[str, list[str]], names: list[str]) -> None:
        self._values = values
        self._names = names

    def keys(self) -> list[str]:
        return self._names

    def get(self, name: str, failobj: object = None) -> object:
        found = self._values.get(name.lower())
        return found[0] if found else failobj

    def get_all(self, name: str, failobj: object = None) -> object:
        return self._values.get(name.lower()) or failobj

    def get_content_type(self) -> str:
        return "text/plain"


def _split(clean: bytes) -> tuple[int, int] | None:
    """(end of the headers, start of the body)."""
    lf = clean.find(b"\n\n")
    crlf = clean.find(b"\r\n\r\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return crlf, crlf + 4
    if lf >= 0:
        return lf, lf + 2
    return None  # no body: rare enough for the full path


def simple_message(clean: bytes) -> tuple[SimpleHeaders, str] | None:
    """(headers, body text) of a single-part text/plain message, or None."""
    parts = _split(clean)
    if parts is None:
        return None
    head = clean[: parts[0]]
    if not head.isascii() or b"\r" in head.replace(b"\r\n", b"\n"):
        return None
    values: dict[str, list[str]] = {}
    names: list[str] = []
    current: list[str] | None = None
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if current is None:
                return None  # a continuation before any header
            current[-1] += "\n" + line.decode("ascii")
            continue
        found = _HEADER.match(line)
        if found is None:
            return None
        name = found.group(1).decode("ascii")
        names.append(name)
        current = values.setdefault(name.lower(), [])
        current.append(line[found.end() :].decode("ascii").rstrip(" \t"))
    headers = SimpleHeaders(values, names)
    ctype = values.get("content-type")
    charset = None
    if ctype:
        if len(ctype) > 1 or "*" in ctype[0]:
            return None  # repeated or RFC 2231 parameters: the full parser decides
        kind = ctype[0].split(";", 1)[0].strip().lower()
        if kind != "text/plain":
            return None
        found_charset = _CHARSET.search(ctype[0])
        if found_charset:
            charset = (
                found_charset.group(1)
                if found_charset.group(1) is not None
                else found_charset.group(2)
            )
    if values.get("content-disposition"):
        return None  # inline or attachment: the full path decides what it is
    cte = [v.strip().lower() for v in values.get("content-transfer-encoding", [])]
    if len(cte) > 1:
        return None
    encoding = cte[0] if cte else ""
    body = clean[parts[1] :]  # sliced only now: most big mails have left by this point
    if encoding == "quoted-printable":
        data = quopri.decodestring(body)
    elif encoding == "base64":
        # The email package's own decoder, so both paths read broken base64 alike.
        data, _defects = decode_b(b"".join(body.splitlines()))
    elif encoding in _PLAIN_ENCODINGS:
        data = body
    else:
        return None
    return headers, decode_bytes(data, charset)
