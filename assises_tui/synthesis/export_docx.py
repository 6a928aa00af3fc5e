"""Word export (python-docx), built on the default template's styles.

The table of contents is a real TOC field (Word and LibreOffice refresh it) whose shown
result is pre-filled with the headings, so the document reads right before any refresh.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from assises_tui.durable import write_atomic
from assises_tui.synthesis.render import (
    Document,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
    QuoteBlock,
    Run,
    TableBlock,
)


def _add_runs(paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        r = paragraph.add_run(run.text)
        r.bold = run.bold or None
        r.italic = run.italic or None


def _field_char(kind: str):
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    return el


def _toc(docx, doc: Document) -> None:
    docx.add_paragraph("Table des matières", style="TOC Heading")
    begin = docx.add_paragraph()
    run = begin.add_run()
    run._r.append(_field_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    run._r.append(instr)
    run._r.append(_field_char("separate"))
    for n, h in enumerate(doc.headings(2)):
        p = begin if n == 0 else docx.add_paragraph()
        p.paragraph_format.left_indent = Pt(14 * (h.level - 1))
        p.add_run(h.text)
    end = docx.add_paragraph().add_run()
    end._r.append(_field_char("end"))


def build_docx(doc: Document):
    docx = new_docx()
    props = docx.core_properties
    props.title = doc.title
    props.subject = doc.consultation
    props.author = "Préfecture — " + doc.department
    title = docx.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (doc.consultation, f"Département : {doc.department}", doc.date_label):
        p = docx.add_paragraph(line, style="Subtitle")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    _toc(docx, doc)
    docx.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    for block in doc.blocks:
        if isinstance(block, HeadingBlock):
            docx.add_heading(block.text, level=min(block.level, 9))
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
            t = block.table
            caption = docx.add_paragraph(t.title, style="Caption")
            caption.paragraph_format.keep_with_next = True
            table = docx.add_table(rows=1 + len(t.rows), cols=len(t.headers))
            table.style = "Table Grid"
            for c, head in enumerate(t.headers):
                cell = table.cell(0, c)
                cell.text = ""
                cell.paragraphs[0].add_run(head).bold = True
            for r, row in enumerate(t.rows, start=1):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
            docx.add_paragraph()
    return docx


def export_docx(doc: Document, path: Path) -> None:
    buffer = io.BytesIO()
    build_docx(doc).save(buffer)
    write_atomic(path, buffer.getvalue())
