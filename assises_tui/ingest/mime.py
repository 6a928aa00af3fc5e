"""One e-mail's bytes → :class:`ParsedMessage` (headers, readable body, attachments).

Parsing uses the stdlib ``compat32`` policy, which never raises on a bad header when the
message is parsed (the ``default`` policy raises lazily, when a header is read); every header
is then decoded here by hand. Nothing in this module raises: a message that cannot be
understood at all comes back as :class:`Unreadable` with a French reason.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.header import Header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from zoneinfo import ZoneInfo

from assises_tui.ingest import large_parts
from assises_tui.ingest.classify import classify, list_relay
from assises_tui.ingest.dates import parse_date, received_date
from assises_tui.ingest.decode import decode_bytes, header_text, transfer_decode
from assises_tui.ingest.dedup import TextSignature
from assises_tui.ingest.html import html_to_text
from assises_tui.ingest.simple import SimpleHeaders, simple_message
from assises_tui.ingest.tnef import decode_tnef, is_tnef
from assises_tui.text.normalize import normalize_header, normalize_text
from assises_tui.text.safe import one_line

MAX_PARTS = 2000
MAX_DEPTH = 30
_PARSER = BytesParser(policy=compat32)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_KNOWN_HEADERS = (
    "from",
    "date",
    "subject",
    "message-id",
    "received",
    "to",
    "mime-version",
    "content-type",
    "return-path",
    "sender",
    "reply-to",
    "delivered-to",
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# The commonest From values; anything with quotes, comments, groups or escapes is left to
# email.utils.parseaddr (test_ingest_simple.py compares both on every fixture).
_PLAIN_FROM = re.compile(
    r"\s*(?:([A-Za-z0-9=?_.\-\u00c0-\u024f' ]*?)\s*<([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+)>"
    r"|([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+))\s*$"
)
_NAME_PARAM = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;]+))', re.IGNORECASE)
_FORWARD_RULE = "----- Message transféré -----"


@dataclass
class ParsedAttachment:
    filename: str  # display only (control characters removed); never used as a path
    content_type: str
    data: bytes
    text: str | None = None  # extracted text, filled by the extractor
    note: str | None = None  # why text is missing or cut, in French


@dataclass
class ParsedMessage:
    source: str
    raw: bytes
    raw_sha256: str
    message_id: str
    subject: str
    sender_name: str
    sender_email: str
    received_at: datetime | None
    date_uncertain: bool
    body: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    not_contribution: str | None = None  # French reason, or None for a contribution
    to_check: list[str] = field(default_factory=list)  # French: what a reviewer should check
    #: Of the body, when the parsing process computed it (a mail without attachments, whose
    #: text is its body); None: the importer computes it from the whole text.
    signature: TextSignature | None = None


@dataclass
class Unreadable:
    source: str
    raw: bytes
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def strip_envelope(raw: bytes) -> bytes:
    """Drop a leading mbox "From " line and blank/whitespace-only lines before the headers."""
    start = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end + 1
        line = raw[start:end]
        if line.strip() and not (start == 0 and line.startswith(b"From ")):
            break
        start = end
    return raw[start:] if start else raw


def looks_like_mail(data: bytes) -> bool:
    """True when ``data`` starts like an RFC 822 message (header lines)."""
    head = strip_envelope(data[:8192].lstrip(b"\xef\xbb\xbf"))
    lines = head.splitlines()[:5]
    if not lines or b"\x00" in head:
        return False
    if not _HEADER_LINE.match(lines[0]):
        return False
    # A second line that is another header, a continuation or the blank line ending headers.
    second = lines[1] if len(lines) > 1 else b""
    return bool(_HEADER_LINE.match(second)) or second[:1] in (b" ", b"\t", b"")


def _get(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    try:
        return header_text(value) if value is not None else ""
    except Exception:
        return ""


def _raw_get(msg: Message, name: str) -> str:
    """The undecoded value (encoded words kept); raw 8-bit bytes are decoded, not lost."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        return header_text(value) if isinstance(value, Header) else str(value)
    except Exception:
        return ""


def _sender(msg: Message) -> tuple[str, str]:
    raw = _raw_get(msg, "from") or _raw_get(msg, "sender") or _raw_get(msg, "reply-to")
    if not raw:
        return "", ""
    name, addr = "", ""
    plain = _PLAIN_FROM.match(raw)
    if plain is not None:  # 'Name <a@b.fr>' or 'a@b.fr': what parseaddr gives, faster
        name, addr = (plain.group(1) or "").strip(), plain.group(2) or plain.group(3)
    else:
        try:
            name, addr = email.utils.parseaddr(raw.replace("\n", " ").replace("\r", " "))
        except Exception:
            pass
    if "@" not in addr:
        decoded = header_text(raw[:2000])  # bounded: the address regex is not linear
        found = _ADDRESS.search(decoded)
        addr = found.group(0) if found else ""
        name = name or decoded.replace(addr, "").strip(" <>\"'")
    name = normalize_header(header_text(name)).strip(" \"'")
    addr = one_line(header_text(addr), 320).strip(" <>\"'").lower()
    return one_line(name, 200), addr


def _message_id(msg: Message, raw_sha: str) -> str:
    value = " ".join(_raw_get(msg, "message-id").split())
    value = value.strip().strip("<>").strip()
    if value and len(value) <= 500 and value.isprintable():
        return f"<{value}>"
    # No usable header: a stable identifier derived from the content itself.
    return f"<sha256-{raw_sha[:40]}@assises.invalid>"


def _date(msg: Message, tz: tzinfo) -> tuple[datetime | None, bool]:
    value = parse_date(_raw_get(msg, "date"), tz)
    if value is not None:
        return value, False
    try:
        received = msg.get_all("received") or []
    except Exception:
        received = []
    for header in received[:1]:
        value = received_date(str(header), tz)
        if value is not None:
            return value, True
    return None, True


def _ctype(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if value is None:
        return None
    try:
        if isinstance(value, tuple):
            value = email.utils.collapse_rfc2231_value(value)
        return header_text(value)
    except Exception:
        return None


def _filename(part: Message) -> str:
    name = None
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        name = _param(part, "name")
    if name and "\ufffd" in name:  # raw 8-bit name mangled by the stdlib: read it ourselves
        for header in ("content-disposition", "content-type"):
            found = _NAME_PARAM.search(_raw_get(part, header))
            if found:
                name = found.group(1) if found.group(1) is not None else found.group(2)
                break
    if not name:
        return ""
    return one_line(normalize_header(header_text(name)), 255)


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


_STD_CTE = ("quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue")


def _payload_bytes(part: Message) -> bytes:
    aside = large_parts.CURRENT.get()
    if aside is not None:  # a big part kept out of the parser: decoded from the raw bytes
        cte = _raw_get(part, "content-transfer-encoding").strip().lower()
        found = aside.part_bytes(part, cte)
        if found is not None:
            return found
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    if not isinstance(data, bytes):
        return b""
    cte = _raw_get(part, "content-transfer-encoding").strip().lower()
    if cte in _STD_CTE:  # already decoded by the stdlib
        return data
    # Misspelt values ("quoted printable", "base64;") are left encoded by the stdlib.
    return transfer_decode(data, cte)


def _part_text(part: Message, ctype: str) -> str:
    data = _payload_bytes(part)
    charset = _param(part, "charset")
    text = decode_bytes(data, charset)
    if ctype == "text/html":
        text = html_to_text(text)
    return text


TNEF_KEPT = (
    "Enveloppe Outlook (winmail.dat) décodée : son texte et ses fichiers ({count}) sont repris "
    "dans la contribution."
)
TNEF_UNREADABLE = "Enveloppe Outlook (winmail.dat) illisible : voir la source brute."


def _count_parts(part: Message, bound: int = 100_000) -> int:
    """How many MIME parts ``part`` holds, itself included (iterative: any depth)."""
    count, stack = 0, [part]
    while stack and count < bound:
        node = stack.pop()
        count += 1
        payload = node.get_payload() if node.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(p for p in payload if isinstance(p, Message))
    return count


class _Walker:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.tnef_texts: list[str] = []  # bodies found inside winmail.dat parts
        self.attachments: list[ParsedAttachment] = []
        self.types: list[str] = []
        self.parts = 0
        self.too_deep = 0  # parts not read: beyond MAX_DEPTH
        self.too_many = 0  # parts not read: beyond MAX_PARTS

    def notes(self) -> list[str]:
        """What was not read, for the reviewer (French)."""
        out = []
        if self.too_deep:
            out.append(
                f"{self.too_deep} partie(s) du message imbriquée(s) à plus de {MAX_DEPTH} "
                "niveaux n'ont pas été lues : voir la source brute."
            )
        if self.too_many:
            out.append(
                f"Le message compte plus de {MAX_PARTS} parties : {self.too_many} n'ont pas "
                "été lues ; voir la source brute."
            )
        return out

    def walk(self, part: Message, depth: int = 0) -> None:
        self.parts += 1
        if depth > MAX_DEPTH:
            self.too_deep += _count_parts(part)
            return
        if self.parts > MAX_PARTS:
            self.too_many += 1
            return
        ctype = _ctype(part)
        self.types.append(ctype)
        if part.is_multipart():
            children = [p for p in (part.get_payload() or []) if isinstance(p, Message)]
            if ctype == "message/rfc822":
                for child in children[:1]:
                    self.forwarded(child, depth)
                return
            if ctype == "multipart/alternative" and children:
                self.walk(_best_alternative(children), depth + 1)
                return
            for child in children:
                self.walk(child, depth + 1)
            return
        if ctype.startswith("multipart/"):  # declared multipart without parts: read as text
            self.leaf(part, "text/plain")
            return
        if ctype == "message/rfc822":  # not parsed by the stdlib (e.g. sent base64 by Outlook)
            data = _payload_bytes(part)
            if data.strip():
                self.forwarded(_PARSER.parsebytes(strip_envelope(data)), depth)
            return
        self.leaf(part, ctype)

    def forwarded(self, inner: Message, depth: int) -> None:
        # A forwarded mail's text belongs to the carrying contribution, headers included.
        head = [_FORWARD_RULE]
        for label, name in (("De", "from"), ("Date", "date"), ("Objet", "subject")):
            value = _get(inner, name)
            if value:
                head.append(f"{label} : {value}")
        self.texts.append("\n".join(head))
        self.walk(inner, depth + 1)

    def leaf(self, part: Message, ctype: str) -> None:
        disposition = _disposition(part)
        filename = _filename(part)
        is_body_type = ctype in ("text/plain", "text/html")
        if is_body_type and disposition != "attachment":
            text = _part_text(part, ctype)
            if text.strip():
                self.texts.append(text)
            return
        data = _payload_bytes(part)
        if not data:
            return
        attachment = ParsedAttachment(
            filename=filename or "sans-nom", content_type=ctype, data=data
        )
        self.attachments.append(attachment)
        if is_tnef(ctype, filename, data):
            self.tnef(attachment)

    def tnef(self, carrier: ParsedAttachment) -> None:
        # The winmail.dat stays an attachment (nothing lost); what it holds is added.
        content = decode_tnef(carrier.data)
        if content.body.strip():
            self.tnef_texts.append(content.body)
        for name, ctype, data in content.files:
            self.attachments.append(ParsedAttachment(one_line(name, 255), ctype, data))
        if not (content.body.strip() or content.files):
            carrier.note = TNEF_UNREADABLE
        else:
            carrier.note = content.note or TNEF_KEPT.format(count=len(content.files))


def _best_alternative(children: list[Message]) -> Message:
    def score(child: Message) -> int:
        ctype = _ctype(child)
        if ctype == "text/plain":
            data = _payload_bytes(child)
            return 3 if data.strip() else 0
        if ctype == "text/html":
            return 2
        if child.is_multipart():
            return 1
        return 0

    return max(children, key=score)  # max keeps the first of equal scores


def parse_message(
    raw: bytes, source: str, mailbox: str = "", tz: tzinfo | None = None
) -> ParsedMessage | Unreadable:
    """Parse one message. Never raises."""
    try:
        return _parse(raw, source, mailbox, tz or ZoneInfo("Europe/Paris"))
    except RecursionError:
        return Unreadable(source, raw, "Structure MIME trop profonde pour être lue.")
    except Exception as exc:  # the import must go on whatever the message holds
        return Unreadable(source, raw, f"Message illisible ({type(exc).__name__}).")


def _parse(raw: bytes, source: str, mailbox: str, tz: tzinfo) -> ParsedMessage | Unreadable:
    if not raw or raw.isspace():  # (strip() would copy a 200 MB mail)
        return Unreadable(source, raw, "Message vide.")
    clean = strip_envelope(raw)
    simple = simple_message(clean)
    msg: Message | SimpleHeaders
    if simple is not None:  # one text/plain part: no message tree needed
        msg, text = simple
    else:
        small, aside = large_parts.set_aside(clean)
        msg = _PARSER.parsebytes(small)
        del small
    try:
        keys = {k.lower() for k in msg.keys()}
    except Exception:
        keys = set()
    if not keys.intersection(_KNOWN_HEADERS):
        return Unreadable(
            source, raw, "Aucun en-tête de courriel reconnu : ce n'est pas un courriel."
        )
    raw_sha = sha256(raw)
    walker = _Walker()
    if simple is not None:
        walker.types.append("text/plain")
        if text.strip():
            walker.texts.append(text)
    else:
        token = large_parts.CURRENT.set(aside)
        try:
            walker.walk(msg)
        finally:
            large_parts.CURRENT.reset(token)
    name, addr = _sender(msg)
    subject = normalize_header(_get(msg, "subject"))
    received_at, uncertain = _date(msg, tz)
    texts = walker.texts if any(t.strip() for t in walker.texts) else walker.tnef_texts
    # Kept whole, however long: the reader says when it shows only a part. Line ends are
    # stripped whatever their style, so a mail served by IMAP (CRLF) and the same mail from
    # an mbox export (LF) have the same text: one contribution, not a new version.
    body = normalize_text("\n\n".join(t.strip("\r\n") for t in texts))
    report_type = _param(msg, "report-type") if _ctype(msg) == "multipart/report" else ""
    reason = classify(
        lambda h: _get(msg, h), addr, subject, walker.types, report_type or "", mailbox
    )
    to_check = walker.notes()
    relay = list_relay(lambda h: _get(msg, h)) if reason is None else None
    if relay:
        to_check.insert(0, relay)
    return ParsedMessage(
        source=source,
        raw=raw,
        raw_sha256=raw_sha,
        message_id=_message_id(msg, raw_sha),
        subject=one_line(subject, 998),
        sender_name=name,
        sender_email=addr,
        received_at=received_at,
        date_uncertain=uncertain,
        body=body,
        attachments=walker.attachments,
        not_contribution=reason,
        to_check=to_check,
    )
