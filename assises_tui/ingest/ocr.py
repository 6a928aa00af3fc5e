"""Text of scanned letters: Debian's tesseract (French) on images and on PDF pages.

Pages of a PDF are rendered with poppler's ``pdftoppm`` (300 dpi, less for a page larger
than A4: never more than ``SCALE_TO`` pixels, whatever size the page claims), then read by ``tesseract -l fra``. Both run as separate
processes with a time limit, in a temporary folder removed afterwards: a hostile file can
waste its time slot, nothing more. Nothing here touches the store (see
``services/text_recognition.py``); nothing raises but :class:`OcrUnavailable`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANGUAGE = "fra"
SCALE_TO = 3508  # pixels on the long side at most: an A4 page at 300 dpi
MAX_DPI, MIN_DPI = 300, 30
PAGE_SECONDS = 120
INSTALL_HINT = "sudo apt install tesseract-ocr tesseract-ocr-fra poppler-utils"
NOT_INSTALLED = (
    "Document scanné : la reconnaissance de texte (OCR) n'est pas installée sur ce poste "
    f"(pour l'installer : {INSTALL_HINT}, puis relancer l'import)."
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/tiff", "image/gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif")
#: Smaller images are logos, signatures, icons: not letters.
MIN_IMAGE_BYTES = 30_000


class OcrUnavailable(Exception):
    """The engine (or its French data, or pdftoppm for PDFs) is missing: French message."""


@dataclass(frozen=True)
class Recognised:
    text: str
    pages: int  # pages read
    total_pages: int  # pages in the document


def _run(args: list[str], seconds: float) -> subprocess.CompletedProcess[bytes]:
    # One thread per tesseract: the machine's cores serve the app and the other pages.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    return subprocess.run(args, capture_output=True, timeout=seconds, env=env, check=False)


@lru_cache(maxsize=1)
def _tesseract() -> str | None:
    found = shutil.which("tesseract")
    if found is None:
        return None
    try:
        langs = _run([found, "--list-langs"], 30).stdout.decode("utf-8", "replace").split()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if LANGUAGE in langs else None


def check_engine(pdf: bool) -> None:
    """Raise :class:`OcrUnavailable` when what reading a scan needs is not installed."""
    if _tesseract() is None or (pdf and shutil.which("pdftoppm") is None):
        raise OcrUnavailable(NOT_INSTALLED)


def engine_available() -> bool:
    return _tesseract() is not None and shutil.which("pdftoppm") is not None


def _image_text(path: Path) -> str:
    done = _run([_tesseract() or "tesseract", str(path), "stdout", "-l", LANGUAGE], PAGE_SECONDS)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def image_text(data: bytes) -> Recognised:
    check_engine(pdf=False)
    with tempfile.TemporaryDirectory(prefix="assises-ocr-") as tmp:
        path = Path(tmp) / "image"
        path.write_bytes(data)
        try:
            text = _image_text(path)
        except subprocess.TimeoutExpired:
            text = ""
    return Recognised(text, 1, 1)


def _pdf_info(pdf: Path) -> tuple[int, int]:
    """(pages, resolution in dpi to render them): 300 dpi, less for pages larger than A4
    so that no page is rendered wider than ``SCALE_TO`` pixels; (0, 300) when unknown."""
    pages, dpi = 0, MAX_DPI
    try:
        done = _run(["pdfinfo", str(pdf)], 60)
    except (OSError, subprocess.SubprocessError):
        return pages, dpi
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        try:
            if key == "Pages":
                pages = int(value)
            elif key == "Page size":  # "595.28 x 841.89 pts (A4)"
                width, _x, height = value.split()[:3]
                longest = max(float(width), float(height), 1.0)
                dpi = max(MIN_DPI, min(MAX_DPI, int(SCALE_TO * 72 / longest)))
        except ValueError:
            continue
    return pages, dpi


def pdf_text(
    data: bytes, max_pages: int, on_page: Callable[[int, int], None] | None = None
) -> Recognised:
    """Text of a scanned PDF, page by page; ``on_page(done, total)`` after each page."""
    check_engine(pdf=True)
    with tempfile.TemporaryDirectory(prefix="assises-ocr-") as tmp:
        pdf = Path(tmp) / "document.pdf"
        pdf.write_bytes(data)
        total, dpi = _pdf_info(pdf)
        wanted = min(total, max_pages) if total else max_pages
        texts = []
        for page in range(1, wanted + 1):
            prefix = Path(tmp) / f"page-{page}"
            args = ["pdftoppm", "-f", str(page), "-l", str(page), "-gray", "-png"]
            try:
                rendered = _run([*args, "-r", str(dpi), str(pdf), str(prefix)], PAGE_SECONDS)
            except subprocess.TimeoutExpired:
                rendered = None
            images = sorted(Path(tmp).glob(f"page-{page}*.png"))
            if rendered is None or rendered.returncode != 0 or not images:
                if not total:  # unknown page count: past the last page
                    break
                texts.append("")
                continue
            try:
                texts.append(_image_text(images[0]))
            except subprocess.TimeoutExpired:
                texts.append("")
            for image in images:
                image.unlink()
            if on_page is not None:
                on_page(page, wanted)
        done = len(texts)
    return Recognised("\n\n".join(t.strip("\n") for t in texts), done, total or done)
