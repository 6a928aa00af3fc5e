"""Text out of attachment formats (PDF, DOCX, ODT, RTF, HTML, plain text).

These functions run inside a worker process (see :mod:`assises_tui.ingest.extract`), so a
hostile file can at worst waste its time slot. Each returns ``(text, note)``: ``note`` is a
French sentence when something was cut or could not be read. Zip containers are checked
(sizes, ratios, member count) before anything is decompressed.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

from assises_tui.ingest.decode import decode_bytes
from assises_tui.ingest.html import html_to_text
from assises_tui.ingest.tnef import TNEF_MAGIC, TNEF_TYPES

MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_RATIO = 200  # a member expanding more than this is treated as a zip bomb
Result = tuple[str, str | None]


class LimitHit(Exception):
    """A bound was reached; the message is the French note for the reviewer."""


_MEDIA = ("image/", "audio/", "video/", "font/", "model/")
# Starts of binary formats that may decode as text by chance (zip, gzip, 7z, images, OLE…).
_BINARY_MAGIC = (
    b"PK",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",
    b"BZh",
    b"\x00\x00",
)
SNIFF_BYTES = 64 * 1024


def looks_like_text(data: bytes) -> bool:
    """True when the bytes are plain text (UTF-8, UTF-16 with its mark, or a single-byte
    charset): no NUL, and nearly every character printable or whitespace."""
    if not data.strip() or data.startswith(_BINARY_MAGIC):
        return False
    sample = data[:SNIFF_BYTES]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = sample.decode("utf-16")
        except UnicodeDecodeError:
            text = sample[: len(sample) // 2 * 2].decode("utf-16", "replace")
    elif b"\x00" in sample:
        return False
    else:
        text = decode_bytes(sample, None)
    bad = sum(1 for ch in text if not (ch.isprintable() or ch in "\t\n\r\f"))
    bad += text.count("\ufffd")
    return bad <= len(text) // 100


def _sniff(data: bytes) -> str | None:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text" if looks_like_text(data) else None


def kind_of(content_type: str, filename: str, data: bytes) -> str | None:
    """Which extractor applies: "pdf", "docx", "odt", "rtf", "html", "text", "tnef" or None.

    Declared types, names and magic numbers are trusted first; anything else but media
    (``application/octet-stream``, no type, an unknown one) is decided by the bytes.
    """
    name = filename.lower()
    ctype = content_type.lower()
    head = data[:8]
    if head.startswith(TNEF_MAGIC) or ctype in TNEF_TYPES:
        return "tnef"
    if head.startswith(b"%PDF") or ctype == "application/pdf" or name.endswith(".pdf"):
        return "pdf"
    if (
        head.startswith(b"{\\rtf")
        or ctype in ("application/rtf", "text/rtf")
        or name.endswith(".rtf")
    ):
        return "rtf"
    if head.startswith(b"PK"):
        if name.endswith(".odt") or "opendocument.text" in ctype:
            return "odt"
        if name.endswith(".docx") or "wordprocessingml" in ctype:
            return "docx"
        return "zip-office"  # decided after looking inside
    if ctype == "text/html" or name.endswith((".htm", ".html")):
        return "html"
    if ctype.startswith("text/") or name.endswith((".txt", ".csv", ".md")):
        return "text"
    if ctype.startswith(_MEDIA):
        return None
    return _sniff(data)


def check_zip(zf: zipfile.ZipFile, max_decompressed: int) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LimitHit(f"Archive suspecte ({len(infos)} fichiers internes) : texte non extrait.")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_ZIP_RATIO and info.file_size > 1_000_000:
            raise LimitHit(
                "Archive suspecte (taux de compression anormal, « bombe zip ») : texte non extrait."
            )
    if total > max_decompressed:
        raise LimitHit(
            f"Contenu décompressé trop volumineux ({total // 1_048_576} Mo) : texte non extrait."
        )


def read_member(zf: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    # Declared sizes can lie: never read more than the bound, whatever the header says.
    with zf.open(name) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitHit("Contenu décompressé trop volumineux : texte non extrait.")
    return data


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _xml_text(xml: bytes, paragraphs: set[str], handlers: dict[str, str], texts: set[str]) -> str:
    root = ET.fromstring(xml)
    out: list[str] = []

    def walk(el: ET.Element, collect: bool) -> None:
        tag = el.tag
        inside = collect or tag in paragraphs
        if tag in handlers:
            out.append(handlers[tag])
        if inside and el.text and (tag in texts or not texts):
            out.append(el.text)
        for child in el:
            walk(child, inside)
            if child.tail and inside and not texts:
                out.append(child.tail)
        if tag in paragraphs:
            out.append("\n")

    walk(root, False)
    return "".join(out)


def docx_text(data: bytes, max_decompressed: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_zip(zf, max_decompressed)
        xml = read_member(zf, "word/document.xml", max_decompressed)
    return _xml_text(xml, {W + "p"}, {W + "tab": "\t", W + "br": "\n", W + "cr": "\n"}, {W + "t"})


def odt_text(data: bytes, max_decompressed: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_zip(zf, max_decompressed)
        xml = read_member(zf, "content.xml", max_decompressed)
    return _xml_text(
        xml, {T + "p", T + "h"}, {T + "tab": "\t", T + "line-break": "\n", T + "s": " "}, set()
    )


def pdf_text(data: bytes, max_pages: int, max_chars: int) -> Result:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                return "", "PDF protégé par mot de passe : texte non extrait."
        except Exception:
            return "", "PDF protégé par mot de passe : texte non extrait."
    count = len(reader.pages)
    parts: list[str] = []
    size = 0
    note = None
    for i in range(min(count, max_pages)):
        try:
            page = reader.pages[i].extract_text() or ""
        except Exception:
            page = ""
        parts.append(page)
        size += len(page)
        if size > max_chars:
            break
    if count > max_pages:
        note = f"Seules les {max_pages} premières pages sur {count} ont été lues."
    text = "\n\n".join(p.strip("\n") for p in parts)
    if not text.strip() and note is None:
        note = "PDF sans texte (document scanné ?) : aucun texte extrait."
    return text, note


def rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(decode_bytes(data, "cp1252"), errors="ignore")


def extract_text(kind: str, data: bytes, filename: str, limits: tuple) -> Result:
    """Run in the worker: ``limits`` is (max_decompressed, max_pages, max_chars)."""
    max_decompressed, max_pages, max_chars = limits
    try:
        if kind == "zip-office":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
            kind = (
                "docx" if "word/document.xml" in names else "odt" if "content.xml" in names else ""
            )
            if not kind:
                return "", "Archive compressée : son contenu n'est pas lu."
        if kind == "pdf":
            text, note = pdf_text(data, max_pages, max_chars)
        elif kind == "docx":
            text, note = docx_text(data, max_decompressed), None
        elif kind == "odt":
            text, note = odt_text(data, max_decompressed), None
        elif kind == "rtf":
            text, note = rtf_text(data), None
        elif kind == "html":
            text, note = html_to_text(decode_bytes(data, None)), None
        else:
            text, note = decode_bytes(data, None), None
    except LimitHit as hit:
        return "", str(hit)
    except (zipfile.BadZipFile, ET.ParseError, KeyError):
        return "", "Document endommagé ou d'un format inattendu : texte non extrait."
    except MemoryError:
        return "", "Document trop gourmand en mémoire : texte non extrait."
    except Exception as exc:
        return "", f"Texte illisible ({type(exc).__name__}) : document endommagé ou protégé."
    if len(text) > max_chars:
        text = text[:max_chars]
        note = f"Texte tronqué à {max_chars} caractères."
    return text, note
