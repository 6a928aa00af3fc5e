"""The documents a prefecture signs, opened as produced: A4, French, French typography,
no bare heading without a warning, a title page and a table of contents with pages."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx.oxml.ns import qn  # noqa: E402
from system_tools import require_program  # noqa: E402

from assises_tui.synthesis.typography import NBSP, NNBSP, typeset  # noqa: E402

# A paragraph meant to wrap many times, with every mark French typography spaces.
TYPOGRAPHY = (
    "Les habitants demandent : « plus de patrouilles » ; « une brigade ouverte » ! "
    "Faut-il « des caméras » ? La contribution n° 6 le dit, comme 50 % des autres. "
) * 8

DRAFT = CLEAN_DRAFT.replace(
    "Les habitants ont écrit **nombreux** à la préfecture.", TYPOGRAPHY.strip()
)
EMPTY_DRAFT = DRAFT.replace("## Conclusion\n\nMerci.", "## Conclusion\n\n…").replace(
    "- Les habitants veulent joindre les forces facilement [#1]", "- …"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("office")
    services = make_services(tmp)
    out = {"services": services}
    for fmt in ("odt", "docx", "pdf", "md"):
        out[fmt] = tmp / f"synthese.{fmt}"
        services.synthesis.export(fmt, out[fmt], text=DRAFT)
        out[f"empty-{fmt}"] = tmp / f"vide.{fmt}"
        services.synthesis.export(fmt, out[f"empty-{fmt}"], text=EMPTY_DRAFT)
        out[f"omitted-{fmt}"] = tmp / f"omis.{fmt}"
        services.synthesis.export(fmt, out[f"omitted-{fmt}"], text=EMPTY_DRAFT, omit_empty=True)
    yield out
    services.workspace.close()


def _xml(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


# -- 2. A4 and fr-FR -------------------------------------------------------------------


def test_docx_is_a4_and_french(exported):
    import docx

    d = docx.Document(str(exported["docx"]))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    styles = _xml(exported["docx"], "word/styles.xml")
    langs = re.findall(r'<w:lang w:val="([^"]+)"', styles)
    assert langs and set(langs) == {"fr-FR"}
    everything = "".join(
        _xml(exported["docx"], m)
        for m in ("word/styles.xml", "word/settings.xml", "word/document.xml")
    )
    assert "en-US" not in everything
    assert '<w:themeFontLang w:val="fr-FR"' in everything
    assert d.core_properties.language == "fr-FR"


def test_odt_is_a4_and_french(exported):
    styles = _xml(exported["odt"], "styles.xml")
    layout = re.search(r"<style:page-layout-properties[^>]*>", styles).group(0)
    assert 'fo:page-width="21cm"' in layout and 'fo:page-height="29.7cm"' in layout
    assert re.search(r"<style:master-page [^>]*style:name=\"Standard\"", styles)
    default = re.search(
        r"<style:default-style style:family=\"paragraph\">.*?</style:default-style>", styles, re.S
    ).group(0)
    assert 'fo:language="fr"' in default and 'fo:country="FR"' in default
    assert "<dc:language>fr-FR</dc:language>" in _xml(exported["odt"], "meta.xml")


def test_pdf_is_a4_and_french(exported):
    from pypdf import PdfReader

    reader = PdfReader(str(exported["pdf"]))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    assert reader.trailer["/Root"]["/Lang"] == "fr"


# -- 3. French typography --------------------------------------------------------------


def test_typeset_rules():
    assert typeset("Vraiment ? Oui ! Non ; bien : « mot » 50 % n° 6") == (
        f"Vraiment{NNBSP}? Oui{NNBSP}! Non{NNBSP}; bien{NBSP}: «{NBSP}mot{NBSP}» "
        f"50{NBSP}% n°{NBSP}6"
    )
    assert typeset("«mot»") == f"«{NBSP}mot{NBSP}»"
    # Left alone: no blank follows the mark.
    assert typeset("https://x.fr/a?b=1 à 10:00") == "https://x.fr/a?b=1 à 10:00"


def _no_breakable_space_before_marks(text: str) -> None:
    assert not re.search(r" [;:!?»%]", text), text
    assert not re.search(r"« ", text), text
    assert not re.search(r"n° \d", text), text


def test_every_export_has_the_no_break_spaces(exported):
    import docx
    from odf import teletype
    from odf.opendocument import load

    expected = typeset("Les habitants demandent : « plus de patrouilles » ;")
    md = exported["md"].read_text(encoding="utf-8")
    body = docx.Document(str(exported["docx"])).paragraphs
    docx_text = "\n".join(p.text for p in body)
    odt_text = teletype.extractText(load(str(exported["odt"])).text)
    for text in (md, docx_text, odt_text):
        assert expected in text
        assert f"n°{NBSP}6" in text and f"50{NBSP}%" in text
        _no_breakable_space_before_marks(text)


def test_pdf_lines_never_start_with_a_closing_mark(exported):
    from pypdf import PdfReader

    reader = PdfReader(str(exported["pdf"]))
    lines = [ln.strip() for page in reader.pages for ln in page.extract_text().splitlines()]
    wrapped = [ln for ln in lines if "patrouilles" in ln or "caméras" in ln or "brigade" in ln]
    assert len(wrapped) >= 8  # the paragraph did wrap
    assert not [ln for ln in lines if ln[:1] in "»;:!?%"]


# -- 4. Empty sections -------------------------------------------------------------------


def test_check_warns_about_every_empty_section(exported):
    report = exported["services"].synthesis.check(EMPTY_DRAFT)
    assert report.ok  # a warning, not a blocking problem
    lines = EMPTY_DRAFT.split("\n")
    warned = {w.line for w in report.warnings}
    assert lines[min(warned) - 1] == "### Constats"
    assert "## Conclusion" in [lines[n - 1] for n in warned]
    assert all("est vide" in w.message for w in report.warnings)
    assert exported["services"].synthesis.check(CLEAN_DRAFT).warnings == []


def _bare_headings(paragraphs: list[tuple[int, str]]) -> list[str]:
    """Headings (level, text; level 0 = text) followed by nothing or a same/higher heading."""
    bare = []
    for k, (level, text) in enumerate(paragraphs):
        if not level:
            continue
        after = next((lv for lv, t in paragraphs[k + 1 :] if t.strip()), None)
        if after is None or (after and after <= level):
            bare.append(text)
    return bare


def _docx_outline(path: Path) -> list[tuple[int, str]]:
    import docx

    out = []
    for p in docx.Document(str(path)).paragraphs:
        m = re.fullmatch(r"Heading (\d)", p.style.name)
        out.append((int(m.group(1)) if m else 0, p.text))
    toc_end = next(k for k, (_lv, t) in enumerate(out) if t == "Introduction" and _lv)
    return out[toc_end:]


def test_no_empty_section_is_exported_without_a_warning(exported):
    services = exported["services"]
    bare = _bare_headings(_docx_outline(exported["empty-docx"]))
    assert "Conclusion" in bare and "Constats" in bare
    warned = {
        w.message.split("« ")[1].split(" »")[0]
        for w in services.synthesis.check(EMPTY_DRAFT).warnings
    }
    assert {typeset(h).replace(NBSP, " ") for h in bare} <= {w.replace(NBSP, " ") for w in warned}
    assert _bare_headings(_docx_outline(exported["omitted-docx"])) == []
    assert _bare_headings(_docx_outline(exported["docx"])) == []


def test_omitted_sections_are_gone_from_every_format(exported):
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H
    from pypdf import PdfReader

    odt = load(str(exported["omitted-odt"]))
    headings = [teletype.extractText(h) for h in odt.getElementsByType(H)]
    assert "Conclusion" not in headings and "Introduction" in headings
    assert headings.count("Constats") == 1  # Service rendu's; the other one was empty
    md = exported["omitted-md"].read_text(encoding="utf-8")
    assert "## Conclusion" not in md and "- Conclusion" not in md
    pdf = " ".join(p.extract_text() for p in PdfReader(str(exported["omitted-pdf"])).pages)
    assert "Conclusion" not in pdf


def test_cli_check_lists_the_warnings(tmp_path, capsys):
    from assises_tui.cli import main

    services = make_services(tmp_path)
    services.synthesis.save(EMPTY_DRAFT)
    root = services.workspace.root
    services.workspace.close()
    assert main(["--workspace", str(root), "synthesis", "check"]) == 0
    out = capsys.readouterr().out
    assert "avertissement" in out and "« Conclusion » est vide" in out


# -- 5. Title page and table of contents ---------------------------------------------------


def test_title_page_names_the_prefecture_once(exported):
    import docx

    paras = [p.text for p in docx.Document(str(exported["docx"])).paragraphs[:6]]
    assert paras[0] == "Préfecture de l’Allier"
    assert not any(p.startswith("Département") for p in paras)
    title = "Synthèse — Assises territoriales de la sécurité intérieure"
    assert sum(title.split(" — ")[1] in p for p in paras) == 1  # not repeated as subtitle
    md = exported["md"].read_text(encoding="utf-8")
    assert md.startswith("**Préfecture de l’Allier**")


def test_docx_toc_entries_carry_page_numbers(exported):
    document = _xml(exported["docx"], "word/document.xml")
    refs = re.findall(r"PAGEREF (_Toc\d+)", document)
    assert len(refs) >= 8
    for name in refs:
        assert f'w:name="{name}"' in document  # a bookmark on the heading
    shown = re.findall(r"PAGEREF _Toc\d+ \\h </w:instrText>.*?<w:t>(\d+)</w:t>", document)
    assert len(shown) == len(refs) and all(int(n) >= 3 for n in shown)
    assert '<w:updateFields w:val="true"/>' in _xml(exported["docx"], "word/settings.xml")


def test_odt_toc_pages_are_computed_by_libreoffice(exported, tmp_path):
    soffice = require_program("soffice", "libreoffice-writer-nogui")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(exported["odt"]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(str(tmp_path / "synthese.pdf")).pages]
    toc = next(p for p in pages if "Table des matières" in p)
    entries = dict(re.findall(r"^\s*(\S[^\n.]*?)\.{3,}\s*(\d+)\s*$", toc, re.M))
    assert "Conclusion" in entries and "Annexe : chiffres".replace(" :", "\u00a0:") in {
        k.replace(" :", "\u00a0:") for k in entries
    }
    # Each entry's page is where its heading really is.
    for heading in ("Conclusion", "Introduction"):
        page = int(entries[heading])
        assert re.search(rf"^{heading}\s*$", pages[page - 1], re.M), (heading, page)


# -- 5. PDF table cells have padding ---------------------------------------------------


def _cell_rects(page) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) in points of every rectangle the page strokes (cells)."""
    rects = []

    def before(operator, operands, _cm, _tm):
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            rects.append((min(x, x + w), min(y, y + h), max(x, x + w), max(y, y + h)))

    page.extract_text(visitor_operand_before=before)
    return rects


def test_pdf_table_cells_keep_their_text_off_the_borders(exported, tmp_path):
    """Rendered as a reader sees it: no ink within 1.2 mm inside a cell's left or right
    border, and some ink in every cell (its text: no heading left empty)."""
    from PIL import Image
    from pypdf import PdfReader

    pdftoppm = require_program("pdftoppm", "poppler-utils")
    dpi, margin_mm = 150, 1.2
    scale = dpi / 72
    strip = round(margin_mm / 25.4 * dpi)
    reader = PdfReader(str(exported["pdf"]))
    checked = 0
    for number, page in enumerate(reader.pages, start=1):
        rects = [r for r in _cell_rects(page) if r[2] - r[0] > 20 and r[3] - r[1] > 10]
        if not rects:
            continue
        stem = tmp_path / f"page{number}"
        subprocess.run(
            [pdftoppm, "-r", str(dpi), "-gray", "-png", "-f", str(number), "-l", str(number)]
            + [str(exported["pdf"]), str(stem)],
            check=True,
            timeout=60,
        )
        image = Image.open(next(tmp_path.glob(f"page{number}*.png"))).convert("L")
        height_pt = float(page.mediabox.height)
        for left, bottom, right, top in rects:
            x0, x1 = round(left * scale), round(right * scale)
            y0, y1 = round((height_pt - top) * scale), round((height_pt - bottom) * scale)
            inner_rows = range(y0 + 3, y1 - 2)  # the horizontal borders left out

            def ink(columns, rows=inner_rows, image=image) -> int:
                return sum(1 for x in columns for y in rows if image.getpixel((x, y)) < 128)

            assert ink(range(x0 + 3, x1 - 2)) > 0, (number, left, top)  # no empty cell
            assert ink(range(x0 + 3, x0 + strip)) == 0, (number, left, top)  # left padding
            assert ink(range(x1 - strip, x1 - 2)) == 0, (number, right, top)  # right padding
            checked += 1
    assert checked >= 4  # the figures' tables were found


def test_a_theme_with_nothing_but_its_description_is_empty(exported, tmp_path):
    """The template copies each theme's description under its heading: with no constat or
    proposition the theme says nothing, is warned about as a whole and omitted whole."""
    import docx

    from assises_tui.synthesis.draft import template

    services = exported["services"]
    config = services.config
    theme = config.themes[1]
    text = template(config).replace("## Conclusion\n\n…", "## Conclusion\n\nMerci.")
    report = services.synthesis.check(text)
    lines = text.split("\n")
    themed = [w for w in report.warnings if lines[w.line - 1] == f"## {theme.label}"]
    assert len(themed) == 1 and "rien dans « Constats » ni « Propositions »" in themed[0].message
    assert not any(lines[w.line - 1].startswith("###") for w in report.warnings)
    out = tmp_path / "omis.docx"
    services.synthesis.export("docx", out, text=text, omit_empty=True)
    body = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "Conclusion" in body
    assert theme.label not in body
    assert not any(theme.description[:40] in p for p in body)  # its description went too


# -- tables a prefecture would not send back: header repeated, rows whole, figures right --


def test_docx_tables_repeat_their_header_keep_rows_whole_and_align_figures(exported):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document(str(exported["docx"]))
    assert len(document.tables) >= 4
    for table in document.tables:
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
        assert margins is not None and int(margins.find(qn("w:left")).get(qn("w:w"))) >= 100
        for row in rows[1:]:
            label, figure = row.cells[0].paragraphs[0], row.cells[-1].paragraphs[0]
            if figure.text.replace("\u202f", "").isdigit():
                assert figure.alignment == WD_ALIGN_PARAGRAPH.RIGHT, figure.text
                assert label.alignment != WD_ALIGN_PARAGRAPH.RIGHT


def test_odt_tables_repeat_their_header_keep_rows_whole_and_align_figures(exported):
    content = _xml(exported["odt"], "content.xml")
    styles = _xml(exported["odt"], "styles.xml") + content
    tables = re.findall(r"<table:table .*?</table:table>", content, re.S)
    assert len(tables) >= 4
    row_style = re.search(r'<style:style style:name="FigRow".*?</style:style>', styles, re.S)
    assert row_style and 'fo:keep-together="always"' in row_style.group()
    figure_style = re.search(r'<style:style style:name="FigNumber".*?</style:style>', styles, re.S)
    assert figure_style and 'fo:text-align="end"' in figure_style.group()
    caption = re.search(
        r'<style:style style:name="Table_20_Heading".*?</style:style>', styles, re.S
    )
    assert caption and 'fo:keep-with-next="always"' in caption.group()
    for table in tables:
        assert "<table:table-header-rows>" in table
        cells = re.findall(r'<text:p text:style-name="(\w+)">([^<]*)</text:p>', table)
        figures = [style for style, text in cells if text.replace("\u202f", "").isdigit()]
        assert figures and set(figures) == {"FigNumber"}, set(figures)


def test_pdf_heading_and_short_table_never_end_a_page():
    """However much text comes before, « Annexe » is never alone at the foot of a page and
    a short table never leaves its first rows there."""
    from pypdf import PdfReader

    from assises_tui.synthesis.document import (
        Document,
        HeadingBlock,
        ParagraphBlock,
        Run,
        TableBlock,
    )
    from assises_tui.synthesis.export_pdf import build_pdf
    from assises_tui.synthesis.figures import Table

    table = Table(
        "Messages reçus", ("Indicateur", "Nombre"), tuple((f"ligne {n}", "1") for n in range(8))
    )
    # paragraphs (7.5 mm each) and extra wrapped lines (5.5 mm) put « Annexe » at every
    # height of the page's last centimetres
    for lines in [(p, x) for p in range(25, 31) for x in range(4)]:
        filler = [ParagraphBlock((Run("mot " * 30 * lines[1] + "fin."),))]
        filler += [ParagraphBlock((Run(f"Paragraphe {n}."),)) for n in range(lines[0])]
        blocks = [
            HeadingBlock(1, "Conclusion", 1),
            *filler,
            HeadingBlock(1, "Annexe", 2),
            TableBlock(table),
        ]
        pdf = PdfReader(
            io.BytesIO(build_pdf(Document("Synthèse", "", "Préfecture", "1er mars", blocks)))
        )
        for page in pdf.pages:
            text = [t for t in page.extract_text().split("\n") if t.strip() and "— page" not in t]
            assert text[-1].strip() not in ("Annexe", "Messages reçus", "Indicateur Nombre"), lines
            if "ligne 0" in "\n".join(text):
                assert "ligne 7" in "\n".join(text), lines  # the table on one page
