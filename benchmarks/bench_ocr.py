"""OCR throughput: pages per second on scanned letters (tesseract, French), as the import runs it.

    python -m benchmarks.bench_ocr [--pages 6] [--dpi 200]

Builds a scanned PDF: full A4 pages of French text (the bundled DejaVu font, 11 pt) drawn
into grey images at ``--dpi`` and saved as a PDF of images, without any text layer, as a
scanner makes them. Then times ``ingest.ocr.pdf_text`` on it (pdftoppm page by page at
200 dpi, tesseract ``-l fra`` with one thread per page, as in the import) and a photo
(JPEG) of one page through ``image_text``; prints pages per second (wall and CPU of the
child processes), the load average, and the share of words recognised exactly.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assises_tui.ingest import ocr  # noqa: E402
from benchmarks.bench_import import sentence  # noqa: E402

FONT = ROOT / "assises_tui" / "synthesis" / "fonts" / "DejaVuSans.ttf"


def page_image(text: str, dpi: int):
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), int(11 / 72 * dpi))
    line_height = int(16 / 72 * dpi)
    y = int(0.8 * dpi)
    for line in textwrap.wrap(text, 80):
        if y > height - dpi:
            break
        draw.text((int(0.8 * dpi), y), line, font=font, fill=0)
        y += line_height
    return image


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def accuracy(expected: str, got: str) -> float:
    want = re.findall(r"\w+", expected.lower())
    have = set(re.findall(r"\w+", got.lower()))
    return sum(1 for w in want if w in have) / max(len(want), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    ocr.check_engine(pdf=True)
    rng = random.Random(3)
    texts = [" ".join(sentence(rng) for _ in range(40)) for _ in range(args.pages)]
    images = [page_image(t, args.dpi) for t in texts]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=args.dpi, save_all=True, append_images=images[1:])
    pdf = buf.getvalue()
    load = os.getloadavg()[0]
    cpu0, started = children_cpu(), time.perf_counter()
    result = ocr.pdf_text(pdf, args.pages)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu0
    shown = "\n".join(textwrap.wrap(" ".join(texts), 80))
    print(
        f"PDF scanné, {result.pages} pages à {args.dpi} dpi (charge {load:.1f}) : {wall:.1f} s, "
        f"{result.pages / wall:.2f} page/s (CPU des processus : {cpu:.1f} s, "
        f"{result.pages / max(cpu, 1e-9):.2f} page/s de CPU) ; mots reconnus : "
        f"{accuracy(shown, result.text):.0%}"
    )
    photo = io.BytesIO()
    images[0].save(photo, "JPEG", quality=85)
    cpu0, started = children_cpu(), time.perf_counter()
    one = ocr.image_text(photo.getvalue())
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu0
    print(
        f"photo JPEG d'une page : {wall:.1f} s (CPU {cpu:.1f} s) ; mots reconnus : "
        f"{accuracy(texts[0], one.text):.0%}"
    )


if __name__ == "__main__":
    main()
