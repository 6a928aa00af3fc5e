"""Bytes to text, the tolerant way: charsets, transfer encodings and RFC 2047 headers.

Nothing here raises on bad input: a wrong or unknown charset label falls back to UTF-8,
then to detection, then to a lossless single-byte reading; broken base64 is padded.
"""

from __future__ import annotations

import binascii
import codecs
import quopri
import re
from email.header import Header, decode_header

# A "latin-1" label on French mail almost always holds windows-1252 bytes (œ, €, ’, “ ”):
# decoding as cp1252 keeps them, where latin-1 would turn them into C1 control characters.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",  # 8-bit bytes in "ascii" mail are cp1252 in practice
    "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "x-mac-cyrillic": "mac_cyrillic",
    "gb2312": "gb18030",  # superset: mail labelled gb2312 often holds GBK characters
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "cp-850": "cp850",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined are read as latin-1: nothing is ever lost.
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("assises-latin1", _latin1_fallback)


def cp1252(data: bytes) -> str:
    """Lossless single-byte reading (cp1252, latin-1 for its holes)."""
    return data.decode("cp1252", "assises-latin1")


def codec_for(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:
        return None
    if best is None:
        return None
    try:
        return str(data, best.encoding)
    except (LookupError, UnicodeDecodeError):
        return None


# Encodings that are pure ASCII on the wire: the ASCII shortcut must not skip them.
_SEVEN_BIT_CODECS = ("utf-7", "iso2022", "hz")


# Below this size detection guesses wildly (3 bytes of "élu" come out as Chinese).
_DETECT_MIN = 200


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode ``data`` declared as ``label``; never raises, never drops a byte silently."""
    if not data:
        return ""
    codec = codec_for(label)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and (codec is None or codec.startswith("utf-16")):
        try:  # a UTF-16 file (Windows Notepad) says so with its byte order mark
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.isascii() and not (codec and codec.startswith(_SEVEN_BIT_CODECS)):
        return data.decode("ascii")
    if codec == "cp1252":
        # A utf-8 body mislabelled latin-1 is common; utf-8 decoding by chance is not.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return cp1252(data)
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, UnicodeError):
            pass
        if codec.startswith(_SEVEN_BIT_CODECS):  # ASCII on the wire: utf-8 would "succeed"
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is None and label and len(data) >= _DETECT_MIN:  # unknown label: ask the detector
        detected = _detect(data)
        if detected is not None:
            return detected
    if codec is not None and codec not in ("utf-8", "cp1252"):
        return data.decode(codec, "replace")
    return cp1252(data)


# -- transfer encodings -------------------------------------------------------

_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def b64decode_lenient(data: bytes) -> bytes:
    clean = _B64_JUNK.sub(b"", data)
    if len(clean) % 4 == 1:  # one stray character cannot be decoded: drop it
        clean = clean[:-1]
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return b""


def transfer_decode(payload: bytes, cte: str | None) -> bytes:
    """Undo Content-Transfer-Encoding, reading misspelt values ("quoted printable;") kindly."""
    token = (cte or "").lower()
    if "base64" in token:
        return b64decode_lenient(payload)
    if "quoted" in token:
        try:
            return quopri.decodestring(payload)
        except (ValueError, binascii.Error):
            return payload
    if "uu" in token:
        try:
            lines = payload.splitlines()
            body = [ln for ln in lines if ln and not ln.startswith((b"begin ", b"end"))]
            return b"".join(binascii.a2b_uu(ln) for ln in body)
        except (binascii.Error, ValueError):
            return payload
    return payload


# -- headers ------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=)\s+(?==\?)")


def _decode_word(match: re.Match[str]) -> str:
    charset, kind, text = match.group(1), match.group(2).upper(), match.group(3)
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix: =?utf-8*fr?Q?...?=
    if kind == "B":
        data = b64decode_lenient(text.encode("ascii", "ignore"))
    else:
        raw = text.replace("_", " ").encode("latin-1", "replace")
        data = quopri.decodestring(raw, header=False)
    return decode_bytes(data, charset)


def header_text(value: object) -> str:
    """A header value (str with surrogate escapes, Header or bytes) as clean text."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        text = decode_bytes(value, "utf-8")
    elif isinstance(value, Header):  # compat32 wraps raw 8-bit headers in Header objects
        text = "".join(
            decode_bytes(chunk, None if cs in (None, "unknown-8bit") else cs)
            if isinstance(chunk, bytes)
            else chunk
            for chunk, cs in decode_header(value)
        )
    else:
        text = str(value) if not isinstance(value, str) else value
        if any("\udc80" <= ch <= "\udcff" for ch in text):  # raw 8-bit bytes in the header
            text = decode_bytes(text.encode("ascii", "surrogateescape"), "utf-8")
    if "=?" in text:
        text = _BETWEEN_WORDS.sub(r"\1", text)  # whitespace between encoded words is dropped
        text = _ENCODED_WORD.sub(_decode_word, text)
    return " ".join(text.split())
