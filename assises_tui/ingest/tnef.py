"""Outlook's winmail.dat (``application/ms-tnef``): its body and its files, read with tnefparse.

Outlook "rich text" mail carries the real body (plain, HTML or compressed RTF) and the real
attachments inside this one part. :func:`decode_tnef` returns them; the MIME walker makes
the files ordinary attachments (extracted like any other) and uses the body when the mail
itself has no text. Nothing here raises: a damaged file gives what could be read and a
French note.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field

from assises_tui.ingest.decode import decode_bytes
from assises_tui.ingest.html import html_to_text

TNEF_MAGIC = b"\x78\x9f\x3e\x22"
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
MAX_RTF_BYTES = 8 * 1024 * 1024  # RTF turned into text while parsing: bounded
MAX_EMBEDDED_DEPTH = 3  # a message attached inside the winmail.dat, itself TNEF


def is_tnef(content_type: str, filename: str, data: bytes) -> bool:
    return (
        data.startswith(TNEF_MAGIC)
        or content_type in TNEF_TYPES
        or (filename.lower() == "winmail.dat" and data[:4] == TNEF_MAGIC)
    )


@dataclass
class TnefContent:
    body: str = ""
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, type, data)
    note: str | None = None  # French, when something could not be read


def _text(value: object, codepage: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), codepage)
    return str(value).rstrip("\x00")


def rtf_body_text(rtf: bytes) -> str:
    """Text of an RTF body; HTML wrapped in RTF by Outlook (``\\fromhtml``) is unwrapped."""
    if len(rtf) > MAX_RTF_BYTES:
        rtf = rtf[:MAX_RTF_BYTES]
    if b"\\fromhtml" in rtf[:4096]:
        try:
            from RTFDE.deencapsulate import DeEncapsulator

            logging.getLogger("RTFDE").setLevel(logging.CRITICAL)
            unwrapped = DeEncapsulator(rtf)
            unwrapped.deencapsulate()
            if unwrapped.html:
                html = unwrapped.html
                return html_to_text(html if isinstance(html, str) else decode_bytes(html))
        except Exception:  # fall back to reading the RTF as text
            pass
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(decode_bytes(rtf, "cp1252"), errors="ignore")


def _body(tnef) -> str:
    plain = _text(tnef.body, tnef.codepage)
    if plain.strip():
        return plain
    html = tnef.htmlbody
    if html:
        return html_to_text(_text(html, tnef.codepage))
    try:
        rtf = tnef.rtfbody
    except Exception:
        rtf = None
    if rtf:
        return rtf_body_text(rtf)
    return ""


def _guess_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def _decode(data: bytes, out: TnefContent, depth: int) -> None:
    from tnefparse.tnef import TNEF

    logging.getLogger("tnefparse").setLevel(logging.CRITICAL)
    tnef = TNEF(data, do_checksum=False)
    body = _body(tnef)
    if body.strip():
        out.body = f"{out.body}\n\n{body}" if out.body else body
    for number, att in enumerate(tnef.attachments, start=1):
        embedded = getattr(att, "embed", None)
        if embedded is not None and depth < MAX_EMBEDDED_DEPTH:
            _decode(att.data, out, depth + 1)
            continue
        try:
            name = _text(att.long_filename()) or _text(att.name)
        except Exception:
            name = ""
        name = name or f"piece-jointe-{number}"
        if att.data:
            out.files.append((name, _guess_type(name), bytes(att.data)))


def decode_tnef(data: bytes) -> TnefContent:
    """Body text and files of a winmail.dat. Never raises."""
    out = TnefContent()
    try:
        _decode(data, out, 0)
    except Exception as exc:
        out.note = (
            f"Enveloppe Outlook (winmail.dat) lue en partie ({type(exc).__name__}) : "
            "voir la source brute."
        )
    return out
