"""PDF export (fpdf2) with the DejaVu Sans font shipped in ``fonts/`` (French accents,
« guillemets », œ and € need a Unicode TrueType font; nothing is downloaded at run time)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.outline import TableOfContents

from assises_tui.durable import write_atomic
from assises_tui.synthesis.document import (
    ChartBlock,
    Document,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
    QuoteBlock,
    Run,
    TableBlock,
)

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
LINE = 5.5  # mm per text line at 10.5 pt
CENTRED = {"align": "C", "new_x": "LMARGIN", "new_y": "NEXT"}
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
MISSING = "□"  # shown for a character the font cannot draw (an emoji, a CJK ideogram…)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points every shipped style can draw."""
    covered: set[int] | None = None
    for name in FONT_FILES:
        font = TTFont(str(FONTS / name), lazy=True)
        points = set(font.getBestCmap())
        font.close()
        covered = points if covered is None else covered & points
    return frozenset(covered or ())


def pdf_text(text: str) -> str:
    """``text`` with what the font lacks replaced by a visible box, tabs by a space.

    Left to itself fpdf2 drops such characters silently and logs an English warning on
    the terminal; the reader of the PDF should see that something was there.
    """
    covered = _covered()
    if all(ord(ch) in covered for ch in text):
        return text
    return "".join(" " if ch == "\t" else (ch if ord(ch) in covered else MISSING) for ch in text)


class _Pdf(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(format="A4")
        self.doc = doc
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font(FAMILY, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_title(pdf_text(doc.title))
        self.set_subject(pdf_text(doc.consultation))
        self.set_creator("Assises")
        self.set_lang("fr")

    def footer(self) -> None:
        if self.page_no() <= 1:
            return
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, pdf_text(f"{self.doc.title} — page {self.page_no()}"), align="C")


def _runs(pdf: FPDF, runs: tuple[Run, ...], size: float = 10.5, italic: bool = False) -> None:
    for run in runs:
        style = "B" if run.bold else ("I" if run.italic or italic else "")
        pdf.set_font(FAMILY, style, size)
        pdf.write(LINE, pdf_text(run.text))
    pdf.ln(LINE)


def _title_page(pdf: _Pdf, doc: Document) -> None:
    pdf.add_page()
    pdf.set_y(40)
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 8, pdf_text(doc.authority), **CENTRED)
    pdf.set_y(100)
    pdf.set_font(FAMILY, "B", 22)
    pdf.multi_cell(0, 11, pdf_text(doc.title), **CENTRED)
    pdf.ln(6)
    if doc.consultation:
        pdf.set_font(FAMILY, "", 14)
        pdf.multi_cell(0, 8, pdf_text(doc.consultation), **CENTRED)
    pdf.ln(10)
    pdf.set_font(FAMILY, "I", 12)
    pdf.multi_cell(0, 8, doc.date_label, **CENTRED)


def _layout(doc: Document) -> _Pdf:
    pdf = _Pdf(doc)
    _title_page(pdf, doc)
    # Table of contents (filled by fpdf2 once every section is known)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 10, "Table des matières", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    toc = TableOfContents(level_indent=6, line_spacing=1.6)
    # The placeholder reserves this page and starts the body on a new one.
    pdf.insert_toc_placeholder(toc.render_toc, allow_extra_pages=True)
    for index, block in enumerate(doc.blocks):
        if isinstance(block, HeadingBlock):
            size = {1: 16, 2: 13}.get(block.level, 11)
            pdf.ln(3 if block.level > 1 else 5)
            # A heading never ends a page: it keeps the room its first table needs too.
            following = doc.blocks[index + 1] if index + 1 < len(doc.blocks) else None
            room = size * 2
            if isinstance(following, TableBlock):
                room += _table_height(following.table)
            if pdf.will_page_break(room):
                pdf.add_page()
            heading = pdf_text(block.text)
            if block.level <= 2:
                pdf.start_section(heading, level=block.level - 1, strict=False)
            pdf.set_font(FAMILY, "B", size)
            pdf.multi_cell(0, size * 0.5, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif isinstance(block, ParagraphBlock):
            _runs(pdf, block.runs)
            pdf.ln(2)
        elif isinstance(block, QuoteBlock):
            pdf.set_left_margin(32)
            pdf.set_right_margin(28)
            pdf.set_x(32)
            pdf.set_text_color(70, 70, 70)
            _runs(pdf, block.runs, size=10, italic=True)
            pdf.set_text_color(0, 0, 0)
            pdf.set_left_margin(20)
            pdf.set_right_margin(20)
            pdf.ln(2)
        elif isinstance(block, ListBlock):
            for k, item in enumerate(block.items):
                marker = f"{block.numbers[k]}." if block.ordered else "•"
                pdf.set_font(FAMILY, "B" if block.ordered else "", 10.5)
                pdf.set_x(24)
                pdf.cell(8, LINE, marker)
                pdf.set_left_margin(32)
                _runs(pdf, item)
                pdf.set_left_margin(20)
                pdf.ln(1)
            pdf.ln(1.5)
        elif isinstance(block, TableBlock):
            _caption(pdf, block.table.title, _table_height(block.table))
            _table(pdf, block.table)
        elif isinstance(block, ChartBlock):
            _chart(pdf, block)
            if block.table.title != block.chart.title:
                _caption(pdf, block.table.title, _table_height(block.table))
            _table(pdf, block.table)
    return pdf


def _table_height(t) -> float:
    """Room (mm) asked before a table's caption: a short table starts on the next page
    rather than leaving its first rows alone at the bottom of this one; a long one may run
    over (its header row is repeated)."""
    return min(12 + (len(t.rows) + 1) * (LINE + 2), 110)


def _caption(pdf: FPDF, title: str, room: float) -> None:
    pdf.set_font(FAMILY, "B", 10.5)
    if pdf.will_page_break(room):
        pdf.add_page()
    pdf.multi_cell(0, LINE, pdf_text(title), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, t) -> None:
    width = pdf.epw
    pdf.set_font(FAMILY, "", 10)
    first = width * 0.7 if len(t.headers) == 2 else None
    widths = (first, width - first) if first else None
    with pdf.table(
        col_widths=widths,
        padding=(1, 2),  # mm: top/bottom, left/right
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        line_height=LINE,
        text_align=("LEFT", "RIGHT") if len(t.headers) == 2 else "LEFT",
    ) as table:
        for row in (t.headers, *t.rows):
            cells = table.row()
            for value in row:
                cells.cell(pdf_text(str(value)))
    pdf.ln(4)


def _chart(pdf: FPDF, block: ChartBlock) -> None:
    """The chart's picture under its title, with its description as alternative text."""
    from assises_tui.synthesis.chart_images import image_size_mm, render_png

    png = render_png(block.chart)
    width, height = image_size_mm(png)
    _caption(pdf, block.chart.title, height + 12)
    pdf.image(io.BytesIO(png), w=width, h=height, alt_text=pdf_text(block.chart.description()))
    pdf.ln(2)


def build_pdf(doc: Document) -> bytes:
    return bytes(_layout(doc).output())


def heading_pages(doc: Document) -> list[int]:
    """The page of each level-1/2 heading once laid out, in order (for other formats'
    tables of contents)."""
    pdf = _layout(doc)
    pdf.output()  # the table of contents is placed (and may add pages) on output
    return [section.page_number for section in pdf._outline]


def export_pdf(doc: Document, path: Path) -> None:
    write_atomic(path, build_pdf(doc))
