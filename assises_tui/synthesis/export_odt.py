"""OpenDocument Text export (odfpy): the format the prefecture edits first.

Styles use the names LibreOffice knows (Heading_20_1, Quotations, Contents_20_1…), so the
document keeps its structure when opened and the table of contents can be refreshed there.
A4 pages with their number in the footer; French (fr-FR) declared in the default style and
the metadata, so LibreOffice spell-checks and hyphenates as French. Each table of contents
entry ends with a page reference to a bookmark on its heading: LibreOffice computes it when
it lays the document out, so the page numbers are right without a refresh.
"""

from __future__ import annotations

import io
from pathlib import Path

from odf import dc, teletype
from odf.draw import Frame, Image
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    Footer,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TabStop,
    TabStops,
    TextProperties,
)
from odf.svg import Desc as SvgDesc
from odf.svg import Title as SvgTitle
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    BookmarkEnd,
    BookmarkRef,
    BookmarkStart,
    H,
    IndexBody,
    IndexEntryLinkEnd,
    IndexEntryLinkStart,
    IndexEntryPageNumber,
    IndexEntryTabStop,
    IndexEntryText,
    IndexTitle,
    IndexTitleTemplate,
    P,
    PageNumber,
    Span,
    Tab,
    TableOfContent,
    TableOfContentEntryTemplate,
    TableOfContentSource,
)

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

FONT = "DejaVu Sans"
TEXT_WIDTH = "16cm"  # A4 (21 cm) less two 2.5 cm margins


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


def _french_a4(doc: OpenDocumentText) -> None:
    """fr-FR by default, A4 portrait with 2.5 cm margins and the page number below."""
    default = DefaultStyle(family="paragraph")
    default.addElement(TextProperties(language="fr", country="FR", hyphenate="true", fontname=FONT))
    doc.styles.addElement(default)
    doc.meta.addElement(dc.Language(text="fr-FR"))
    layout = PageLayout(name="A4Portrait")
    layout.addElement(
        PageLayoutProperties(
            pagewidth="21cm",
            pageheight="29.7cm",
            printorientation="portrait",
            margintop="2cm",
            marginbottom="2cm",
            marginleft="2.5cm",
            marginright="2.5cm",
        )
    )
    doc.automaticstyles.addElement(layout)
    footer_style = Style(name="PageFooter", family="paragraph")
    footer_style.addElement(ParagraphProperties(textalign="center"))
    footer_style.addElement(TextProperties(fontsize="9pt"))
    doc.automaticstyles.addElement(footer_style)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    footer = Footer()
    number = P(stylename=footer_style)
    number.addElement(PageNumber(selectpage="current"))
    footer.addElement(number)
    master.addElement(footer)
    doc.masterstyles.addElement(master)


def _bookmark_name(n: int) -> str:
    return f"toc{n}"


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
            p_margintop="5cm",
            p_marginbottom="1cm",
        )
        self.authority = _pstyle(
            "Assises_20_Authority",
            "Assises Authority",
            parent="Text_20_body",
            t_fontsize="14pt",
            t_fontweight="bold",
            p_textalign="center",
            p_margintop="1cm",
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
        for style in (self.authority, self.title, self.subtitle, *self.heading.values()):
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
            1: _pstyle("Contents_20_1", "Contents 1", parent="Text_20_body", p_textalign="left"),
            2: _pstyle(
                "Contents_20_2",
                "Contents 2",
                parent="Text_20_body",
                p_marginleft="0.5cm",
                p_textalign="left",
            ),
        }
        for level, style in self.contents.items():
            # The page number at the right margin, after a dotted leader.
            props = style.getElementsByType(ParagraphProperties)[0]
            stops = TabStops()
            position = f"{16 - 0.5 * (level - 1):g}cm"
            stops.addElement(TabStop(position=position, type="right", leaderstyle="dotted"))
            props.addElement(stops)
        self.table_title = _pstyle(
            "Table_20_Heading",
            "Table Heading",
            parent="Text_20_body",
            t_fontweight="bold",
            p_margintop="0.3cm",
            p_keepwithnext="always",  # a caption never ends a page without its figure
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
        self.chart = Style(name="PChart", family="paragraph", parentstylename="Text_20_body")
        self.chart.addElement(ParagraphProperties(textalign="center", keepwithnext="always"))
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
        # Cells: 1 mm above and below, 2 mm beside the text (as the PDF); the header shaded.
        cell_box = {
            "paddingtop": "0.1cm",
            "paddingbottom": "0.1cm",
            "paddingleft": "0.2cm",
            "paddingright": "0.2cm",
            "border": "0.5pt solid #808080",
        }
        self.cell = Style(name="FigCell", family="table-cell")
        self.cell.addElement(TableCellProperties(**cell_box))
        self.head_cell = Style(name="FigHeadCell", family="table-cell")
        self.head_cell.addElement(TableCellProperties(backgroundcolor="#e1e1e1", **cell_box))
        # A row never splits across two pages (its lower half alone would open the next).
        self.row = Style(name="FigRow", family="table-row")
        self.row.addElement(TableRowProperties(keeptogether="always"))
        # Cell text without the body's spacing; figures aligned right.
        self.cell_text = Style(name="FigText", family="paragraph", parentstylename="Text_20_body")
        self.cell_text.addElement(ParagraphProperties(margintop="0cm", marginbottom="0cm"))
        self.cell_figure = Style(name="FigNumber", family="paragraph", parentstylename="FigText")
        self.cell_figure.addElement(ParagraphProperties(textalign="end"))
        self.cell_head = Style(name="FigHead", family="paragraph", parentstylename="FigText")
        self.cell_head.addElement(TextProperties(fontweight="bold"))
        self.cell_head_figure = Style(
            name="FigHeadNumber", family="paragraph", parentstylename="FigHead"
        )
        self.cell_head_figure.addElement(ParagraphProperties(textalign="end"))
        for style in (
            self.chart,
            self.page_break,
            self.date_break,
            self.bold,
            self.italic,
            self.bold_italic,
            self.table,
            self.column,
            self.cell,
            self.head_cell,
            self.row,
        ):
            a.addElement(style)
        # Paragraph styles with a parent among them: common styles, so the parent is found.
        for style in (self.cell_text, self.cell_figure, self.cell_head, self.cell_head_figure):
            s.addElement(style)


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


def _toc(st: _Styles, doc: Document, pages: list[int]) -> TableOfContent:
    """The table of contents, pre-filled so it reads right before any refresh: each entry
    is the heading's text, a tab and a page reference to the heading's bookmark."""
    toc = TableOfContent(name="Table des matières")
    source = TableOfContentSource(outlinelevel=2)
    source.addElement(IndexTitleTemplate(stylename=st.contents_heading, text="Table des matières"))
    for level in (1, 2):
        entry = TableOfContentEntryTemplate(outlinelevel=level, stylename=st.contents[level])
        entry.addElement(IndexEntryLinkStart())
        entry.addElement(IndexEntryText())
        entry.addElement(IndexEntryTabStop(type="right", leaderchar="."))
        entry.addElement(IndexEntryPageNumber())
        entry.addElement(IndexEntryLinkEnd())
        source.addElement(entry)
    toc.addElement(source)
    index = IndexBody()
    title = IndexTitle(name="Table des matières_Head")
    title.addElement(P(stylename=st.contents_heading, text="Table des matières"))
    index.addElement(title)
    for n, h in enumerate(doc.headings(2)):
        p = P(stylename=st.contents[h.level])
        teletype.addTextToElement(p, h.text)
        p.addElement(Tab())
        ref = BookmarkRef(referenceformat="page", refname=_bookmark_name(n))
        teletype.addTextToElement(ref, str(pages[n]) if n < len(pages) else "")
        p.addElement(ref)
        index.addElement(p)
    toc.addElement(index)
    return toc


def build_odt(doc: Document, pages: list[int] | None = None) -> OpenDocumentText:
    """``pages``: the PDF export's page of each level-1/2 heading, the references' shown
    value until LibreOffice lays the document out and computes its own."""
    odt = OpenDocumentText()
    _french_a4(odt)
    st = _Styles(odt)
    body = odt.text
    body.addElement(P(stylename=st.authority, text=doc.authority))
    body.addElement(P(stylename=st.title, text=doc.title))
    if doc.consultation:
        body.addElement(P(stylename=st.subtitle, text=doc.consultation))
    body.addElement(P(stylename=st.date_break, text=doc.date_label))
    body.addElement(_toc(st, doc, pages or []))
    body.addElement(P(stylename=st.page_break, text=""))
    toc_index = 0
    for n, block in enumerate(doc.blocks):
        if isinstance(block, HeadingBlock):
            level = min(block.level, 3)
            heading = H(outlinelevel=level, stylename=st.heading[level])
            if block.level <= 2:
                heading.addElement(BookmarkStart(name=_bookmark_name(toc_index)))
                teletype.addTextToElement(heading, block.text)
                heading.addElement(BookmarkEnd(name=_bookmark_name(toc_index)))
                toc_index += 1
            else:
                teletype.addTextToElement(heading, block.text)
            body.addElement(heading)
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
            body.addElement(P(stylename=st.table_title, text=block.table.title))
            body.addElement(_table(st, block.table, n))
        elif isinstance(block, ChartBlock):
            body.addElement(P(stylename=st.table_title, text=block.chart.title))
            body.addElement(_chart(odt, st, block, n))
            if block.table.title != block.chart.title:
                body.addElement(P(stylename=st.table_title, text=block.table.title))
            body.addElement(_table(st, block.table, n))
    return odt


def _table(st: _Styles, t, n: int) -> Table:
    table = Table(name=f"Tableau{n}", stylename=st.table)
    table.addElement(TableColumn(numbercolumnsrepeated=len(t.headers), stylename=st.column))
    figures = [t.numeric(c) for c in range(len(t.headers))]
    # The header row is repeated at the top of each page the table runs over.
    header = TableHeaderRows()
    table.addElement(header)
    for r, row in enumerate((t.headers, *t.rows)):
        tr = TableRow(stylename=st.row)
        for c, cell in enumerate(row):
            if r == 0:
                tc = TableCell(valuetype="string", stylename=st.head_cell)
                style = st.cell_head_figure if figures[c] else st.cell_head
            else:
                tc = TableCell(valuetype="string", stylename=st.cell)
                style = st.cell_figure if figures[c] else st.cell_text
            tc.addElement(P(stylename=style, text=cell))
            tr.addElement(tc)
        (header if r == 0 else table).addElement(tr)
    return table


def _chart(odt: OpenDocumentText, st: _Styles, block: ChartBlock, n: int) -> P:
    """A paragraph holding the chart's picture, with its title and description (the
    alternative text screen readers say)."""
    from assises_tui.synthesis.chart_images import image_size_mm, render_png

    png = render_png(block.chart)
    href = odt.addPictureFromString(png, "image/png")
    width, height = image_size_mm(png)
    frame = Frame(
        name=f"Graphique{n}",
        anchortype="as-char",
        width=f"{width / 10:.2f}cm",
        height=f"{height / 10:.2f}cm",
    )
    frame.addElement(Image(href=href))
    frame.addElement(SvgTitle(text=block.chart.title))
    frame.addElement(SvgDesc(text=block.chart.description()))
    p = P(stylename=st.chart)
    p.addElement(frame)
    return p


def export_odt(doc: Document, path: Path) -> None:
    from assises_tui.synthesis.export_pdf import heading_pages

    buffer = io.BytesIO()
    build_odt(doc, heading_pages(doc)).write(buffer)
    write_atomic(path, buffer.getvalue())
