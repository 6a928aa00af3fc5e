"""Scanned letters: OCR with Debian's tesseract (French) on a PDF of images and on a photo.

The fixtures are made here: French text rendered to an image with the bundled DejaVu font,
saved as a PDF without any text layer (what a scanner produces) and as a JPEG photo.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from ingest_support import mail
from system_tools import require_program

from assises_tui.ingest import ocr
from assises_tui.services.importer import import_sources
from assises_tui.services.text_recognition import CACHE_DOC, TextRecognition
from assises_tui.workspace import Workspace

FONT = (
    Path(__file__).resolve().parents[2] / "assises_tui" / "synthesis" / "fonts" / "DejaVuSans.ttf"
)
LETTER = [
    "Monsieur le Préfet,",
    "Le conseil municipal de Bellerive demande",
    "une patrouille de gendarmerie le samedi soir",
    "près de la salle des fêtes.",
    "Veuillez agréer nos salutations.",
]


def letter_image(lines: list[str]):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 560), 255)  # the top of an A4 page at 150 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 34)
    for i, line in enumerate(lines):
        draw.text((100, 60 + i * 90), line, font=font, fill=0)
    return image


def scanned_pdf(pages: list[list[str]]) -> bytes:
    images = [letter_image(lines) for lines in pages]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return buf.getvalue()


def photo(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    letter_image(lines).save(buf, "JPEG", quality=85)
    return buf.getvalue()


@pytest.fixture()
def engine():
    require_program("tesseract", "tesseract-ocr")
    require_program("pdftoppm", "poppler-utils")
    ocr._tesseract.cache_clear()
    if not ocr.engine_available():
        message = "données françaises de tesseract absentes : paquet Debian tesseract-ocr-fra"
        if os.environ.get("ASSISES_REQUIRE_SERVERS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture()
def ws(tmp_path):
    with Workspace.init(tmp_path / "ws") as workspace:
        yield workspace


def import_letter(ws, tmp_path, name: str, ctype: str, data: bytes, mid: str = "<scan@x>"):
    path = tmp_path / f"{mid.strip('<>')}.eml"
    path.write_bytes(
        mail("Voir la lettre jointe.\n", message_id=mid, attachments=[(name, ctype, data)])
    )
    return import_sources(ws, [path])


def test_scanned_pdf_text_is_recognised_marked_and_searchable(engine, ws, tmp_path):
    pdf = scanned_pdf([LETTER, ["Deuxième page : vidéoprotection place du marché."]])
    assert b"Bellerive" not in pdf  # no text layer: only pixels
    seen = []
    path = tmp_path / "scan.eml"
    path.write_bytes(
        mail("Voir la lettre jointe.\n", attachments=[("lettre.pdf", "application/pdf", pdf)])
    )
    report = import_sources(ws, [path], progress=lambda p: seen.append(p))
    assert report.recognised == 1 and report.ocr_missing == 0
    (item,) = ws.store.all()
    (att,) = item.attachments
    assert att.recognised and "reconnu automatiquement (OCR) sur 2 page(s)" in att.note
    assert "erreurs" in att.note
    text = ws.store.get_blob(att.text_blob).decode()
    assert "Bellerive" in text and "gendarmerie" in text and "vidéoprotection" in text
    assert item.history[-1].what == "ocr"
    stages = [p.current for p in seen if p.stage == "ocr"]
    assert any("page 2/2" in s for s in stages), stages
    from assises_tui.services.session import Services

    services = Services(ws)
    services.search.refresh()
    assert services.search.search("Bellerive") == [item.id]


def test_photo_of_a_letter_is_recognised(engine, ws, tmp_path):
    report = import_letter(ws, tmp_path, "IMG_2041.jpg", "image/jpeg", photo(LETTER))
    assert report.recognised == 1
    (att,) = ws.store.all()[0].attachments
    assert "salle des fêtes" in ws.store.get_blob(att.text_blob).decode()


def test_recognition_is_cached_by_file_hash(engine, ws, tmp_path, monkeypatch):
    pdf = scanned_pdf([LETTER])
    import_letter(ws, tmp_path, "a.pdf", "application/pdf", pdf, "<a@x>")
    assert len(ws.store.get_doc(CACHE_DOC)["texts"]) == 1

    def fail(*_args, **_kwargs):
        raise AssertionError("OCR run again for a file already read")

    monkeypatch.setattr(ocr, "pdf_text", fail)
    report = import_letter(ws, tmp_path, "copie.pdf", "application/pdf", pdf, "<b@x>")
    assert report.recognised == 1
    first, second = sorted(ws.store.all(), key=lambda c: c.id)
    assert first.attachments[0].text_blob == second.attachments[0].text_blob


def test_without_the_engine_the_note_says_how_to_install_it_then_a_later_import_reads_it(
    ws, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    ocr._tesseract.cache_clear()
    try:
        report = import_letter(ws, tmp_path, "lettre.pdf", "application/pdf", scanned_pdf([LETTER]))
    finally:
        monkeypatch.undo()
        ocr._tesseract.cache_clear()
    assert report.ocr_missing == 1 and report.recognised == 0
    (att,) = ws.store.all()[0].attachments
    assert att.note == ocr.NOT_INSTALLED and "apt install tesseract-ocr" in att.note
    assert att.text_blob is None
    require_program("tesseract", "tesseract-ocr")
    if not ocr.engine_available():
        pytest.skip("tesseract-ocr-fra absent")
    again = import_sources(ws, [tmp_path / "scan@x.eml"])  # same mail: only the OCR runs
    assert (again.imported, again.recognised) == (0, 1)
    (att,) = ws.store.all()[0].attachments
    assert att.recognised and "Bellerive" in ws.store.get_blob(att.text_blob).decode()


def test_small_images_and_text_pdfs_are_not_sent_to_ocr(ws, tmp_path):
    from ingest_support import pdf_bytes

    logo = io.BytesIO()
    letter_image(["logo"]).resize((80, 80)).save(logo, "PNG")
    path = tmp_path / "x.eml"
    path.write_bytes(
        mail(
            attachments=[
                ("logo.png", "image/png", logo.getvalue()),
                ("texte.pdf", "application/pdf", pdf_bytes(["Un PDF avec du texte."])),
            ]
        )
    )
    import_sources(ws, [path])
    assert TextRecognition(ws.store, ws.config.limits).pending() == []
