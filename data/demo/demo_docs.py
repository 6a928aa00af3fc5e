"""Office documents attached to demo e-mails: PDF, DOCX and ODT, byte-for-byte reproducible.

Each builder takes a title, paragraphs and a fixed datetime and returns bytes. Every timestamp
that the libraries would take from the clock (PDF creation date, DOCX core properties, zip entry
times) is pinned, so two runs give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

# Core PDF fonts only know latin-1: these characters are written the way a typist would.
_LATIN1_FALLBACKS = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "œ": "oe",
        "Œ": "OE",
        "€": "EUR",
        "\u202f": " ",
        "•": "-",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")


def build_pdf(title: str, paragraphs: list[str], author: str, when: datetime) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(when)
    pdf.set_title(_latin1(title))
    pdf.set_author(_latin1(author))
    pdf.set_creator("Writer")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin1(title))
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, _latin1(paragraph))
        pdf.ln(3)
    return bytes(pdf.output())


def _rezip(data: bytes, when: datetime) -> bytes:
    """Rewrite a zip with every entry dated ``when``, entries in their original order."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_docx(title: str, paragraphs: list[str], author: str, when: datetime) -> bytes:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = title
    props.created = when.replace(tzinfo=None)
    props.modified = when.replace(tzinfo=None)
    props.revision = 1
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return _rezip(buffer.getvalue(), when)


_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" \
manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"'
)


def build_odt(title: str, paragraphs: list[str], author: str, when: datetime) -> bytes:
    """A minimal valid ODF text document, written by hand so that nothing is left to chance."""
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODT_NS}>'
        f'<office:body><office:text><text:h text:outline-level="1">{escape(title)}</text:h>'
        f"{body}</office:text></office:body></office:document-content>\n"
    )
    stamp = when.replace(tzinfo=None).isoformat()
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODT_NS}><office:meta>'
        f"<meta:generator>LibreOffice/6.3</meta:generator><dc:title>{escape(title)}</dc:title>"
        f"<meta:initial-creator>{escape(author)}</meta:initial-creator>"
        f"<dc:creator>{escape(author)}</dc:creator><meta:creation-date>{stamp}"
        f"</meta:creation-date><dc:date>{stamp}</dc:date></office:meta>"
        "</office:document-meta>\n"
    )
    entries = [
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
        ("meta.xml", meta),
        ("META-INF/manifest.xml", _ODT_MANIFEST),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in entries:
            archive.writestr(name, text.encode("utf-8"))
    # The mimetype entry must come first and stay uncompressed (ODF 1.2, section 3.3).
    return _rezip(out.getvalue(), when)
