"""Attachment text extraction and its bounds (size, zip bombs, pages, time, characters)."""

from __future__ import annotations

import io
import zipfile

import pytest
from ingest_support import MAILBOX, TZ, docx_bytes, mail, odt_bytes, pdf_bytes

from assises_tui.config import AttachmentLimits
from assises_tui.ingest.extract import Extractor
from assises_tui.ingest.mime import ParsedAttachment, ParsedMessage, parse_message


@pytest.fixture(scope="module")
def extractor():
    with Extractor(AttachmentLimits(max_pages=3, max_text_chars=5000)) as ex:
        yield ex


def run(ex: Extractor, name: str, ctype: str, data: bytes) -> ParsedAttachment:
    att = ParsedAttachment(name, ctype, data)
    ex.extract(att)
    return att


def test_pdf(extractor):
    att = run(
        extractor,
        "contribution.pdf",
        "application/pdf",
        pdf_bytes(["Plus de patrouilles le soir.", "Deuxieme page."]),
    )
    assert "Plus de patrouilles le soir." in att.text and "Deuxieme page." in att.text
    assert att.note is None


def test_pdf_page_limit(extractor):
    att = run(extractor, "long.pdf", "application/pdf", pdf_bytes([f"Page {i}" for i in range(5)]))
    assert "Page 2" in att.text and "Page 3" not in att.text
    assert att.note == "Seules les 3 premières pages sur 5 ont été lues."


def test_docx_and_odt(extractor):
    d = run(
        extractor,
        "avis.docx",
        "application/octet-stream",
        docx_bytes(["La sécurité à Moulins.", "Deuxième paragraphe."]),
    )
    assert d.text == "La sécurité à Moulins.\nDeuxième paragraphe.\n"
    o = run(
        extractor,
        "avis.odt",
        "application/vnd.oasis.opendocument.text",
        odt_bytes(["Gendarmerie de Vichy : être présents."]),
    )
    assert o.text.strip() == "Gendarmerie de Vichy : être présents."


def test_rtf_and_text_and_html(extractor):
    r = run(
        extractor,
        "a.rtf",
        "application/rtf",
        rb"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard Bonjour \'e9t\'e9.\par}",
    )
    assert r.text.strip() == "Bonjour été."
    t = run(extractor, "a.txt", "text/plain", "Réunion publique".encode("cp1252"))
    assert t.text == "Réunion publique"
    h = run(extractor, "a.html", "text/html", b"<p>Un</p><script>x()</script><p>Deux</p>")
    assert h.text == "Un\n\nDeux"


def test_zip_bomb_is_not_decompressed(extractor):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * 50_000_000)
    att = run(extractor, "bombe.docx", "application/octet-stream", buf.getvalue())
    assert att.text is None
    assert "bombe zip" in att.note


def test_decompressed_size_limit():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("content.xml", b"<a/>" + b" " * 300_000)
    with Extractor(AttachmentLimits(max_decompressed_bytes=100_000)) as ex:
        att = run(ex, "x.odt", "application/vnd.oasis.opendocument.text", buf.getvalue())
    assert att.text is None and "décompressé trop volumineux" in att.note


def test_size_limit():
    with Extractor(AttachmentLimits(max_bytes=1000)) as ex:
        att = run(ex, "gros.pdf", "application/pdf", b"%PDF" + b"x" * 2000)
    assert att.text is None and "trop volumineuse" in att.note


def test_char_limit(extractor):
    att = run(extractor, "long.txt", "text/plain", b"a" * 6000)
    assert len(att.text) == 5000 and "tronqué" in att.note


def test_time_limit_never_hangs():
    # A time budget far below what any PDF parse takes: the worker is abandoned and killed.
    with Extractor(AttachmentLimits(max_seconds=0.0001)) as ex:
        att = run(ex, "a.pdf", "application/pdf", pdf_bytes(["x"] * 20))
        assert att.text is None and "interrompue" in att.note
        # the pool is rebuilt for the next attachment
        ok = run(ex, "b.txt", "text/plain", b"ok")
        assert ok.text == "ok"


def test_a_worker_killed_while_idle_neither_hangs_the_import_nor_loses_the_next_text():
    # A multiprocessing.Pool worker that died while waiting for work kept the pool's queue
    # lock, and closing the pool at the end of the import then waited for ever.
    import threading

    ex = Extractor()
    first = run(ex, "a.pdf", "application/pdf", pdf_bytes(["Premier texte."]))
    assert "Premier texte." in first.text
    ex._worker.process.kill()
    ex._worker.process.join()
    second = run(ex, "b.pdf", "application/pdf", pdf_bytes(["Second texte."]))
    assert second.text and "Second texte." in second.text  # a fresh worker took over
    ex._worker.process.kill()
    ex._worker.process.join()
    closing = threading.Thread(target=ex.close, daemon=True)
    closing.start()
    closing.join(timeout=10)
    assert not closing.is_alive(), "closing the extractor hung on a dead worker"


def test_damaged_documents(extractor):
    assert "endommagé" in run(extractor, "x.docx", "application/zip", b"PK\x03\x04junk").note
    bad_pdf = run(extractor, "x.pdf", "application/pdf", b"%PDF-1.4 garbage")
    assert bad_pdf.text is None and bad_pdf.note


def test_images_are_kept_without_note(extractor):
    att = run(extractor, "photo.jpg", "image/jpeg", b"\xff\xd8\xff")
    assert att.text is None and att.note is None


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd",
        "..\\..\\windows\\system.ini",
        "/etc/shadow",
        "a\x1b]52;c;ZXZpbA==\x07b.txt",
        "nul\x00.txt",
        "\u202egnp.exe",
    ],
)
def test_hostile_filenames_are_display_only(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = mail(attachments=[(hostile, "text/plain", b"contenu")])
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    assert isinstance(p, ParsedMessage)
    (att,) = p.attachments
    assert att.data == b"contenu"
    assert "\x1b" not in att.filename and "\x00" not in att.filename
    assert "\u202e" not in att.filename and "\x07" not in att.filename
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


def test_contribution_only_in_attachment(extractor):
    data = mail(
        "Bonjour, ci-joint ma contribution.\n",
        attachments=[
            (
                "contribution.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                docx_bytes(["Ma proposition : un numéro unique."]),
            )
        ],
    )
    p = parse_message(data, "t.eml", MAILBOX, TZ)
    extractor.extract_all(p.attachments)
    assert p.attachments[0].text.strip() == "Ma proposition : un numéro unique."
