"""Builders for the ingest tests: e-mails as bytes, mbox files, small office documents."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from assises_tui.config import bundled_config_dir, load_consultation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EMAILS = FIXTURES / "emails"
CONFIG = load_consultation(bundled_config_dir() / "consultation.toml")
MAILBOX = CONFIG.mailbox
TZ = CONFIG.tz

LOREM = (
    "Je souhaite que la gendarmerie soit plus présente dans les petites communes de l'Allier, "
    "en particulier le soir et le week-end, car les habitants se sentent abandonnés. Les "
    "délais d'intervention sont trop longs et l'accueil en brigade a été réduit. Une "
    "application pour signaler les incivilités serait utile, à condition qu'une réponse "
    "arrive vraiment. Enfin, les réunions publiques avec les élus et les forces de l'ordre "
    "devraient être organisées deux fois par an dans chaque canton."
)


def mail(
    body: str = "Bonjour,\nvoici ma contribution.\n",
    *,
    sender: str = "Jeanne Dupont <jeanne.dupont@example.fr>",
    subject: str = "Contribution aux assises",
    date: str | None = "Mon, 13 Jan 2020 14:02:11 +0100",
    message_id: str | None = "<m1@example.fr>",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = MAILBOX
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    if body is not None:
        msg.set_content(body)
    if html is not None:
        if body is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)


def raw(text: str, encoding: str = "utf-8") -> bytes:
    """A hand-written message (LF line ends) as bytes."""
    return text.lstrip("\n").encode(encoding)


def mbox(messages: list[bytes], crlf: bool = False) -> bytes:
    """An mboxrd file: a From_ line per message, ">From " quoting, blank line between."""
    out = []
    for i, m in enumerate(messages):
        lines = m.replace(b"\r\n", b"\n").split(b"\n")
        quoted = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in lines]
        out.append(b"From sender%d@example.fr Mon Jan 13 14:02:11 2020\n" % i)
        out.append(b"\n".join(quoted).rstrip(b"\n") + b"\n\n")
    data = b"".join(out)
    return data.replace(b"\n", b"\r\n") if crlf else data


def pdf_bytes(pages: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text=text)
    return bytes(pdf.output())


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def odt_bytes(paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    for p in paragraphs:
        doc.text.addElement(P(text=p))
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def date_header(dt) -> str:
    return format_datetime(dt)
