"""Outlook .msg files (OLE2 compound documents) → :class:`ParsedMessage`.

The raw .msg bytes are what is stored; the fields are read with extract-msg. Headers that
Outlook kept (transport headers) are used for classification like any other mail.
"""

from __future__ import annotations

import email.utils
import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from assises_tui.ingest.classify import classify
from assises_tui.ingest.decode import decode_bytes, header_text
from assises_tui.ingest.html import html_to_text
from assises_tui.ingest.mime import ParsedAttachment, ParsedMessage, Unreadable, sha256
from assises_tui.text.normalize import normalize_header, normalize_text
from assises_tui.text.safe import one_line

_quiet = False


def _silence() -> None:
    # extract-msg logs every oddity of the file at WARNING: noise on the CLI's stderr.
    global _quiet
    if not _quiet:
        for name in ("extract_msg", "olefile", "RTFDE"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        _quiet = True


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_bytes(value, "utf-8")
    return str(value)


def parse_msg(
    raw: bytes, source: str, mailbox: str = "", tz: tzinfo | None = None
) -> ParsedMessage | Unreadable:
    """Parse an Outlook .msg. Never raises."""
    _silence()
    try:
        import extract_msg

        msg = extract_msg.openMsg(raw)
    except Exception as exc:
        return Unreadable(source, raw, f"Fichier Outlook (.msg) illisible ({type(exc).__name__}).")
    try:
        return _convert(msg, raw, source, mailbox, tz or ZoneInfo("Europe/Paris"))
    except Exception as exc:
        return Unreadable(source, raw, f"Fichier Outlook (.msg) illisible ({type(exc).__name__}).")
    finally:
        try:
            msg.close()
        except Exception:
            pass


def _convert(msg, raw: bytes, source: str, mailbox: str, tz: tzinfo) -> ParsedMessage:
    header = getattr(msg, "header", None)

    def get(name: str) -> str:
        try:
            return header_text(header.get(name)) if header is not None else ""
        except Exception:
            return ""

    sender_raw = _text(getattr(msg, "sender", None)) or get("from")
    name, addr = email.utils.parseaddr(sender_raw)
    if "@" not in addr:
        addr = ""
    subject = normalize_header(_text(getattr(msg, "subject", None)))
    date = getattr(msg, "date", None)
    received_at = date if isinstance(date, datetime) else None
    if received_at is not None and received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=tz)
    body = _text(getattr(msg, "body", None))
    if not body.strip():
        html = getattr(msg, "htmlBody", None)
        if html:
            body = html_to_text(_text(html))
    attachments: list[ParsedAttachment] = []
    for att in getattr(msg, "attachments", []) or []:
        data = getattr(att, "data", None)
        filename = one_line(
            _text(getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)), 255
        )
        if isinstance(data, bytes) and data:
            ctype = _text(getattr(att, "mimetype", None)) or "application/octet-stream"
            attachments.append(ParsedAttachment(filename or "sans-nom", ctype.lower(), data))
        elif data is not None and hasattr(data, "body"):  # an embedded message: forwarded
            inner = _text(getattr(data, "body", None))
            if inner.strip():
                body += "\n\n----- Message transféré -----\n" + inner
    raw_sha = sha256(raw)
    message_id = " ".join(_text(getattr(msg, "messageId", None)).split()).strip("<>")
    message_id = f"<{message_id}>" if message_id else f"<sha256-{raw_sha[:40]}@assises.invalid>"
    addr = addr.lower()
    reason = classify(get, addr, subject, [], "", mailbox)
    return ParsedMessage(
        source=source,
        raw=raw,
        raw_sha256=raw_sha,
        message_id=message_id,
        subject=one_line(subject, 998),
        sender_name=one_line(normalize_header(name), 200),
        sender_email=one_line(addr, 320),
        received_at=received_at,
        date_uncertain=received_at is None,
        body=normalize_text(body),
        attachments=attachments,
        not_contribution=reason,
    )
