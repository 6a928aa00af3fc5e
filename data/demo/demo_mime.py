"""Low-level MIME and mbox helpers for the demo mailbox (stdlib ``email`` only).

Everything the ``email`` package would otherwise take from the clock or from ``random``
(boundaries, Message-IDs, dates) is given explicitly, so the output is reproducible.
"""

from __future__ import annotations

import base64
import quopri
import re
import textwrap
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage, Message
from email.utils import format_datetime
from io import BytesIO

POLICY = policy.default  # linesep "\n": mbox files use bare LF
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Encodings a body can be sent with: (label announced, codec really used, transfer encoding).
# "cp1252-as-latin1" is Outlook's classic lie: windows-1252 bytes labelled iso-8859-1.
BODY_ENCODINGS = {
    "utf8-qp": ("utf-8", "utf-8", "quoted-printable"),
    "utf8-b64": ("utf-8", "utf-8", "base64"),
    "utf8-8bit": ("utf-8", "utf-8", "8bit"),
    "latin1-qp": ("iso-8859-1", "latin-1", "quoted-printable"),
    "latin1-8bit": ("iso-8859-1", "latin-1", "8bit"),
    "cp1252-as-latin1-qp": ("iso-8859-1", "cp1252", "quoted-printable"),
    "cp1252-as-latin1-8bit": ("iso-8859-1", "cp1252", "8bit"),
    "cp1252-qp": ("windows-1252", "cp1252", "quoted-printable"),
}

LATIN1_SAFE = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "œ": "oe",
        "Œ": "OE",
        "€": "euros",
        "…": "...",
        "–": "-",
        "—": "-",
        "“": '"',
        "”": '"',
    }
)


def wrap(text: str, width: int = 76) -> str:
    """Hard-wrap each paragraph the way a classic mail client does for 8bit bodies."""
    out = []
    for line in text.split("\n"):
        out.append(
            textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
            if len(line) > width
            else line
        )
    return "\n".join(out)


def fits(text: str, encoding: str) -> bool:
    """Whether a client could send this text in that encoding (else it would pick utf-8)."""
    codec = BODY_ENCODINGS[encoding][1]
    if codec == "latin-1":
        text = text.translate(LATIN1_SAFE)
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def text_part(text: str, encoding: str = "utf8-qp", subtype: str = "plain") -> Message:
    """A single text part whose bytes are exactly those of the chosen encoding."""
    label, codec, cte = BODY_ENCODINGS[encoding]
    if codec == "latin-1":
        text = text.translate(LATIN1_SAFE)
    if cte == "8bit":
        text = wrap(text)
    data = text.encode(codec)
    part = Message(policy=POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="{label}"'
    part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        payload = base64.encodebytes(data).decode("ascii")
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data).decode("ascii")
    else:
        # Surrogate escapes make the generator write these bytes back untouched.
        payload = data.decode("ascii", "surrogateescape")
        if not payload.endswith("\n"):
            payload += "\n"
    part.set_payload(payload)
    return part


def bytes_part(data: bytes, content_type: str, filename: str) -> EmailMessage:
    maintype, subtype = content_type.split("/", 1)
    part = EmailMessage(policy=POLICY)
    part.set_content(data, maintype, subtype, filename=filename, disposition="attachment")
    return part


def message_part(inner: Message) -> EmailMessage:
    """A message/rfc822 part wrapping a whole e-mail (a forward "as attachment")."""
    part = EmailMessage(policy=POLICY)
    part["Content-Type"] = "message/rfc822"
    part["Content-Disposition"] = "inline"
    part.set_payload([inner])
    return part


def multipart(subtype: str, parts: list[Message], boundary: str, **params: str) -> Message:
    container = Message(policy=POLICY)
    extra = "".join(f'; {k.replace("_", "-")}="{v}"' for k, v in params.items())
    container["Content-Type"] = f'multipart/{subtype}; boundary="{boundary}"{extra}'
    for part in parts:
        container.attach(part)
    return container


def assemble(headers: list[tuple[str, str]], body: Message) -> EmailMessage:
    """Top-level headers in the given order, then MIME-Version and the body's own headers."""
    msg = EmailMessage(policy=POLICY)
    for name, value in headers:
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    for name, value in body.items():
        msg[name] = value
    # get_payload() would decode 8bit bodies to text; the raw payload keeps their bytes.
    msg.set_payload(body._payload)
    return msg


def serialize(msg: Message) -> bytes:
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=POLICY).flatten(msg)
    return out.getvalue()


def rfc2047(text: str, charset: str = "utf-8") -> str:
    """An encoded-word as a given client would write it (charset chosen, not utf-8 forced)."""
    return Header(text, charset).encode(maxlinelen=998)


def override_headers(raw: bytes, changes: dict[str, str | None]) -> bytes:
    """Replace (or drop, with None) top-level header fields at the byte level.

    Used for what the ``email`` policy would normalise away: localised Date values,
    encoded-words in a charset other than utf-8, raw control characters.
    """
    head, sep, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    fields: list[list[bytes]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    wanted = {k.lower(): v for k, v in changes.items()}
    out: list[bytes] = []
    for field in fields:
        name = field[0].split(b":", 1)[0].decode("ascii").lower()
        if name in wanted:
            value = wanted.pop(name)
            if value is not None:
                out.append(f"{field[0].split(b':', 1)[0].decode()}: {value}".encode())
            continue
        out.extend(field)
    for name, value in changes.items():  # fields that were not there yet go last
        if name.lower() in wanted and value is not None:
            out.append(f"{name}: {value}".encode())
    return b"\n".join(out) + sep + body


def mail_date(when: datetime) -> str:
    return format_datetime(when)


def _asctime(when: datetime) -> str:
    t = when.astimezone(UTC)
    return (
        f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:>2} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {t.year}"
    )


_FROM_LINE = re.compile(rb"^>*From ")


def mbox_entry(raw: bytes, envelope_from: str, arrival: datetime) -> bytes:
    """One mboxrd entry: "From " separator, body lines matching ^>*From quoted with one more >."""
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    quoted = [b">" + line if _FROM_LINE.match(line) else line for line in lines]
    separator = f"From {envelope_from} {_asctime(arrival)}\n".encode("ascii")
    return separator + b"\n".join(quoted) + b"\n\n"
