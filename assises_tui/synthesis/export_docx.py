"""Word export (python-docx), built on the default template's styles.

A4 pages, French (fr-FR) as the language of every style, so Word spell-checks and
hyphenates the text as French. The table of contents is a real TOC field (Word and
LibreOffice refresh it) whose shown result is pre-filled: each entry is a hyperlink to its
heading's bookmark with a PAGEREF field for the page, which LibreOffice computes when it
lays the document out, and Word when it opens it (``updateFields`` is set, so Word offers
to refresh the fields; until then the shown page is the PDF export's page).
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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
from assises_tui.synthesis.figures import Table as FigureTable

LANGUAGE = "fr-FR"


def _add_runs(paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        r = paragraph.add_run(run.text)
        r.bold = run.bold or None
        r.italic = run.italic or None


def _field_char(kind: str):
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    return el


def _instr(run, text: str) -> None:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = text
    run._r.append(instr)


def _bookmark_name(n: int) -> str:
    return f"_Toc{n:08d}"


def _toc(docx, doc: Document, pages: list[int]) -> None:
    docx.add_paragraph("Table des matières", style="TOC Heading")
    begin = docx.add_paragraph()
    run = begin.add_run()
    run._r.append(_field_char("begin"))
    _instr(run, 'TOC \\o "1-2" \\h \\z \\u')
    run._r.append(_field_char("separate"))
    width = docx.sections[0].page_width - docx.sections[0].left_margin
    width -= docx.sections[0].right_margin
    for n, h in enumerate(doc.headings(2)):
        p = begin if n == 0 else docx.add_paragraph()
        p.paragraph_format.left_indent = Pt(14 * (h.level - 1))
        p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), _bookmark_name(n))
        link.set(qn("w:history"), "1")
        p._p.append(link)
        for text in (h.text, "\t"):
            r = OxmlElement("w:r")
            t = OxmlElement("w:tab") if text == "\t" else OxmlElement("w:t")
            if text != "\t":
                t.set(qn("xml:space"), "preserve")
                t.text = text
            r.append(t)
            link.append(r)
        # PAGEREF: the page of the heading's bookmark, computed by the word processor.
        for part in ("begin", f" PAGEREF {_bookmark_name(n)} \\h ", "separate", "page", "end"):
            r = OxmlElement("w:r")
            if part in ("begin", "separate", "end"):
                r.append(_field_char(part))
            elif part == "page":
                t = OxmlElement("w:t")
                t.text = str(pages[n]) if n < len(pages) else ""
                r.append(t)
            else:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = part
                r.append(instr)
            link.append(r)
    end = docx.add_paragraph().add_run()
    end._r.append(_field_char("end"))


def _bookmark(paragraph, n: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(n))
    start.set(qn("w:name"), _bookmark_name(n))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(n))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _french_a4(docx) -> None:
    """A4 with 2.5 cm margins; French as the language of every run and of the theme."""
    for section in docx.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(25))
    styles = docx.styles.element
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    settings = docx.settings.element
    for lang in settings.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), LANGUAGE)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
    docx.core_properties.language = LANGUAGE


def _title_page(docx, doc: Document) -> None:
    authority = docx.add_paragraph(doc.authority, style="Subtitle")
    authority.alignment = WD_ALIGN_PARAGRAPH.CENTER
    authority.paragraph_format.space_after = Pt(180)
    title = docx.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (doc.consultation, doc.date_label):
        if line:
            p = docx.add_paragraph(line, style="Subtitle")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def build_docx(doc: Document, pages: list[int] | None = None):
    """``pages``: the page of each level-1/2 heading as the PDF export laid it out, shown
    in the table of contents until the word processor computes its own."""
    docx = new_docx()
    _french_a4(docx)
    props = docx.core_properties
    props.title = doc.title
    props.subject = doc.consultation or doc.title
    props.author = doc.authority
    _title_page(docx, doc)
    _toc(docx, doc, pages or [])
    docx.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    toc_index = 0
    for block in doc.blocks:
        if isinstance(block, HeadingBlock):
            heading = docx.add_heading(block.text, level=min(block.level, 9))
            if block.level <= 2:
                _bookmark(heading, toc_index)
                toc_index += 1
        elif isinstance(block, ParagraphBlock):
            _add_runs(docx.add_paragraph(style="Body Text"), block.runs)
        elif isinstance(block, QuoteBlock):
            _add_runs(docx.add_paragraph(style="Quote"), block.runs)
        elif isinstance(block, ListBlock):
            for k, item in enumerate(block.items):
                if block.ordered:
                    # Explicit numbers: proposals are numbered across the whole document,
                    # which Word's list numbering would restart in every section.
                    p = docx.add_paragraph(style="List Paragraph")
                    p.add_run(f"{block.numbers[k]}. ").bold = True
                else:
                    p = docx.add_paragraph(style="List Bullet")
                _add_runs(p, item)
        elif isinstance(block, TableBlock):
            _table(docx, block.table)
        elif isinstance(block, ChartBlock):
            _chart(docx, block)
    return docx


def _table(docx, t: FigureTable, title: str | None = None) -> None:
    caption_text = t.title if title is None else title
    if caption_text:
        caption = docx.add_paragraph(caption_text, style="Caption")
        caption.paragraph_format.keep_with_next = True
    table = docx.add_table(rows=1 + len(t.rows), cols=len(t.headers))
    table.style = "Table Grid"
    _cell_margins(table)
    figures = [t.numeric(c) for c in range(len(t.headers))]
    last = len(t.rows)
    for r, row in enumerate((t.headers, *t.rows)):
        row_properties = table.rows[r]._tr.get_or_add_trPr()
        # A row never splits over two pages; the header row repeats on each page.
        row_properties.append(OxmlElement("w:cantSplit"))
        if r == 0:
            row_properties.append(OxmlElement("w:tblHeader"))
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = ""
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.bold = r == 0
            fmt = paragraph.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.keep_with_next = r < last  # the table stays whole on one page when it fits
            if figures[c]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if r == 0:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:fill"), "E1E1E1")
                cell._tc.get_or_add_tcPr().append(shading)
    docx.add_paragraph()


def _cell_margins(table) -> None:
    """1 mm above and below the text of each cell, 2 mm beside it (as the PDF)."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 57), ("bottom", 57), ("left", 113), ("right", 113)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def _chart(docx, block: ChartBlock) -> None:
    """The chart as a picture (with its alternative text), then its figures as a table."""
    from assises_tui.synthesis.chart_images import image_size_mm, render_png

    png = render_png(block.chart)
    caption = docx.add_paragraph(block.chart.title, style="Caption")
    caption.paragraph_format.keep_with_next = True
    width, _height = image_size_mm(png)
    docx.add_picture(io.BytesIO(png), width=Mm(width))
    picture = docx.paragraphs[-1]
    picture.paragraph_format.keep_with_next = True
    for prop in picture._p.iter(qn("wp:docPr")):
        prop.set("descr", block.chart.description())
        prop.set("title", block.chart.title)
    _table(docx, block.table, title="" if block.table.title == block.chart.title else None)


def export_docx(doc: Document, path: Path) -> None:
    from assises_tui.synthesis.export_pdf import heading_pages

    buffer = io.BytesIO()
    build_docx(doc, heading_pages(doc)).save(buffer)
    write_atomic(path, buffer.getvalue())
