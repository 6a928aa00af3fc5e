"""OpenDocument Text export (odfpy): the format the prefecture edits first.

Styles use the names LibreOffice knows (Heading_20_1, Quotations, Contents_20_1…), so the
document keeps its structure when opened and the table of contents can be refreshed there.
"""

from __future__ import annotations

import io
from pathlib import Path

from odf import teletype
from odf.opendocument import OpenDocumentText
from odf.style import (
    ParagraphProperties,
    Style,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import (
    H,
    IndexBody,
    IndexTitle,
    IndexTitleTemplate,
    P,
    Span,
    TableOfContent,
    TableOfContentSource,
)

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

FONT = "DejaVu Sans"


def _pstyle(name: str, display: str, *, parent: str | None = None, **props) -> Style:
    kwargs = {"name": name, "displayname": display, "family": "paragraph"}
    if parent:
        kwargs["parentstylename"] = parent
    if "outline" in props:
        kwargs["defaultoutlinelevel"] = str(props.pop("outline"))
    style = Style(**kwargs)
    para = {k[2:]: v for k, v in props.items() if k.startswith("p_")}
    text = {k[2:]: v for k, v in props.items() if k.startswith("t_")}
    if para:
        style.addElement(ParagraphProperties(**para))
    if text:
        style.addElement(TextProperties(**text))
    return style


class _Styles:
    def __init__(self, doc: OpenDocumentText) -> None:
        s = doc.styles
        self.body = _pstyle(
            "Text_20_body",
            "Text body",
            t_fontname=FONT,
            t_fontsize="11pt",
            p_marginbottom="0.2cm",
            p_textalign="justify",
        )
        s.addElement(self.body)
        self.title = _pstyle(
            "Title",
            "Title",
            parent="Text_20_body",
            t_fontsize="24pt",
            t_fontweight="bold",
            p_textalign="center",
            p_margintop="6cm",
            p_marginbottom="1cm",
        )
        self.subtitle = _pstyle(
            "Subtitle",
            "Subtitle",
            parent="Text_20_body",
            t_fontsize="16pt",
            p_textalign="center",
            p_marginbottom="0.5cm",
        )
        self.heading = {
            1: _pstyle(
                "Heading_20_1",
                "Heading 1",
                outline=1,
                t_fontname=FONT,
                t_fontsize="16pt",
                t_fontweight="bold",
                p_margintop="0.6cm",
                p_marginbottom="0.3cm",
                p_keepwithnext="always",
            ),
            2: _pstyle(
                "Heading_20_2",
                "Heading 2",
                outline=2,
                t_fontname=FONT,
                t_fontsize="13pt",
                t_fontweight="bold",
                p_margintop="0.4cm",
                p_marginbottom="0.2cm",
                p_keepwithnext="always",
            ),
            3: _pstyle(
                "Heading_20_3",
                "Heading 3",
                outline=3,
                t_fontname=FONT,
                t_fontsize="11pt",
                t_fontweight="bold",
                t_fontstyle="italic",
                p_keepwithnext="always",
            ),
        }
        for style in (self.title, self.subtitle, *self.heading.values()):
            s.addElement(style)
        self.quote = _pstyle(
            "Quotations",
            "Quotations",
            parent="Text_20_body",
            t_fontstyle="italic",
            p_marginleft="1cm",
            p_marginright="1cm",
            p_marginbottom="0.3cm",
        )
        self.item = _pstyle(
            "List_20_Paragraph",
            "List Paragraph",
            parent="Text_20_body",
            p_marginleft="0.6cm",
            p_textindent="-0.6cm",
        )
        self.contents_heading = _pstyle(
            "Contents_20_Heading",
            "Contents Heading",
            parent="Text_20_body",
            t_fontsize="16pt",
            t_fontweight="bold",
        )
        self.contents = {
            1: _pstyle("Contents_20_1", "Contents 1", parent="Text_20_body"),
            2: _pstyle("Contents_20_2", "Contents 2", parent="Text_20_body", p_marginleft="0.5cm"),
        }
        self.table_title = _pstyle(
            "Table_20_Heading",
            "Table Heading",
            parent="Text_20_body",
            t_fontweight="bold",
            p_margintop="0.3cm",
        )
        for style in (
            self.quote,
            self.item,
            self.contents_heading,
            *self.contents.values(),
            self.table_title,
        ):
            s.addElement(style)
        a = doc.automaticstyles
        self.page_break = Style(name="PBreak", family="paragraph", parentstylename="Text_20_body")
        self.page_break.addElement(ParagraphProperties(breakafter="page"))
        # The title page's date: a subtitle like the lines above it, then the page break.
        self.date_break = Style(name="PDateBreak", family="paragraph", parentstylename="Subtitle")
        self.date_break.addElement(ParagraphProperties(breakafter="page"))
        self.bold = Style(name="TBold", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        self.italic = Style(name="TItalic", family="text")
        self.italic.addElement(TextProperties(fontstyle="italic"))
        self.bold_italic = Style(name="TBoldItalic", family="text")
        self.bold_italic.addElement(TextProperties(fontweight="bold", fontstyle="italic"))
        self.table = Style(name="FigTable", family="table")
        self.table.addElement(TableProperties(width="16cm", align="center"))
        self.column = Style(name="FigColumn", family="table-column")
        self.column.addElement(TableColumnProperties(columnwidth="8cm"))
        for style in (
            self.page_break,
            self.date_break,
            self.bold,
            self.italic,
            self.bold_italic,
            self.table,
            self.column,
        ):
            a.addElement(style)


def _add_runs(styles: _Styles, para, runs: tuple[Run, ...]) -> None:
    for run in runs:
        if run.bold and run.italic:
            span = Span(stylename=styles.bold_italic)
        elif run.bold:
            span = Span(stylename=styles.bold)
        elif run.italic:
            span = Span(stylename=styles.italic)
        else:
            teletype.addTextToElement(para, run.text)
            continue
        teletype.addTextToElement(span, run.text)
        para.addElement(span)


def build_odt(doc: Document) -> OpenDocumentText:
    odt = OpenDocumentText()
    st = _Styles(odt)
    body = odt.text
    body.addElement(P(stylename=st.title, text=doc.title))
    body.addElement(P(stylename=st.subtitle, text=doc.consultation))
    body.addElement(P(stylename=st.subtitle, text=f"Département : {doc.department}"))
    body.addElement(P(stylename=st.date_break, text=doc.date_label))
    # The table of contents, pre-filled so it reads right before any refresh.
    toc = TableOfContent(name="Table des matières")
    source = TableOfContentSource(outlinelevel=2)
    source.addElement(IndexTitleTemplate(stylename=st.contents_heading, text="Table des matières"))
    toc.addElement(source)
    index = IndexBody()
    title = IndexTitle(name="Table des matières_Head")
    title.addElement(P(stylename=st.contents_heading, text="Table des matières"))
    index.addElement(title)
    for h in doc.headings(2):
        index.addElement(P(stylename=st.contents[h.level], text=h.text))
    toc.addElement(index)
    body.addElement(toc)
    body.addElement(P(stylename=st.page_break, text=""))
    for n, block in enumerate(doc.blocks):
        if isinstance(block, HeadingBlock):
            level = min(block.level, 3)
            body.addElement(H(outlinelevel=level, stylename=st.heading[level], text=block.text))
        elif isinstance(block, ParagraphBlock):
            p = P(stylename=st.body)
            _add_runs(st, p, block.runs)
            body.addElement(p)
        elif isinstance(block, QuoteBlock):
            p = P(stylename=st.quote)
            _add_runs(st, p, block.runs)
            body.addElement(p)
        elif isinstance(block, ListBlock):
            for k, item in enumerate(block.items):
                p = P(stylename=st.item)
                marker = f"{block.numbers[k]}.\t" if block.ordered else "•\t"
                teletype.addTextToElement(p, marker)
                _add_runs(st, p, item)
                body.addElement(p)
        elif isinstance(block, TableBlock):
            t = block.table
            body.addElement(P(stylename=st.table_title, text=t.title))
            table = Table(name=f"Tableau{n}", stylename=st.table)
            table.addElement(TableColumn(numbercolumnsrepeated=len(t.headers), stylename=st.column))
            for r, row in enumerate((t.headers, *t.rows)):
                tr = TableRow()
                for cell in row:
                    tc = TableCell(valuetype="string")
                    tc.addElement(P(stylename=st.table_title if r == 0 else st.body, text=cell))
                    tr.addElement(tc)
                table.addElement(tr)
            body.addElement(table)
    return odt


def export_odt(doc: Document, path: Path) -> None:
    buffer = io.BytesIO()
    build_odt(doc).write(buffer)
    write_atomic(path, buffer.getvalue())
