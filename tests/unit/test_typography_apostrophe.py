"""The typographic apostrophe (’) in every synthesis export: the rule, then each file as
produced (ODT content.xml, DOCX document.xml, the PDF's text, the Markdown)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from system_tools import require_program  # noqa: E402

from assises_tui.synthesis.document import Run  # noqa: E402
from assises_tui.synthesis.render import ChartBlock, ParagraphBlock, inline_runs  # noqa: E402
from assises_tui.synthesis.typography import APOSTROPHE, typeset, typeset_runs  # noqa: E402

A = APOSTROPHE


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("la préfecture de l'Allier", f"la préfecture de l{A}Allier"),
        ("aujourd'hui", f"aujourd{A}hui"),
        ("Qu'en dit M. D'Artagnan", f"Qu{A}en dit M. D{A}Artagnan"),
        ("une presqu'île", f"une presqu{A}île"),
        # an elided word then a blank (a typing slip): still an apostrophe
        ("l' Allier, jusqu' à", f"l{A} Allier, jusqu{A} à"),
        # not apostrophes: left as typed
        ("les gendarmes' voitures", "les gendarmes' voitures"),
        ("le mot 'texte' cité", "le mot 'texte' cité"),
        ("la lettre 'l' seule", "la lettre 'l' seule"),
        ("départ à 5'30", "départ à 5'30"),
        ("écrire à o'brien@exemple.fr demain", "écrire à o'brien@exemple.fr demain"),
        (
            "voir https://exemple.fr/l'avis?id=3 et l'avis",
            f"voir https://exemple.fr/l'avis?id=3 et l{A}avis",
        ),
        ("voir www.exemple.fr/l'avis", "voir www.exemple.fr/l'avis"),
        ("l'option `l'option` reste", f"l{A}option `l'option` reste"),
        ("la variable nom_d'usage", "la variable nom_d'usage"),
        # with the spaces: both rules in one text, the apostrophe already typographic kept
        ("L'avis ? D'accord : l’Allier !", f"L{A}avis\u202f? D{A}accord\u00a0: l{A}Allier\u202f!"),
    ],
)
def test_apostrophe_rule(typed, expected):
    assert typeset(typed) == expected
    assert typeset(expected) == expected  # typesetting twice changes nothing


def test_an_email_address_stays_byte_identical():
    address = "o'brien@exemple.fr"
    assert address in typeset(f"Écrire à {address} ; merci d'avance")


def _runs(text: str) -> tuple[Run, ...]:
    return typeset_runs(inline_runs(text), lambda r, t: Run(t, r.bold, r.italic))


def test_the_apostrophe_across_emphasis_boundaries_stays_in_its_run():
    assert _runs("La préfecture de **l'**Allier") == (
        Run("La préfecture de "),
        Run(f"l{A}", bold=True),
        Run("Allier"),
    )
    assert _runs("La préfecture de **l**'Allier") == (
        Run("La préfecture de "),
        Run("l", bold=True),
        Run(f"{A}Allier"),
    )
    assert _runs("**aujourd**'hui ?") == (Run("aujourd", bold=True), Run(f"{A}hui\u202f?"))
    # an address in a run stays as typed, the apostrophe beside it does not
    assert _runs("**l'adresse** o'brien@exemple.fr") == (
        Run(f"l{A}adresse", bold=True),
        Run(" o'brien@exemple.fr"),
    )


# -- every export, read as produced ---------------------------------------------------------

URL = "https://www.allier.gouv.fr/l'avis"
PROSE = (
    "La préfecture de l'Allier remercie chacun : aujourd'hui, **l'**Allier compte "
    f"d'une commune à l'autre. Le compte rendu est en ligne ({URL})."
)
DRAFT = CLEAN_DRAFT.replace("Les habitants ont écrit **nombreux** à la préfecture.", PROSE)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("apostrophe")
    services = make_services(tmp)
    out = {"services": services}
    for fmt in ("odt", "docx", "pdf", "md"):
        out[fmt] = tmp / f"synthese.{fmt}"
        services.synthesis.export(fmt, out[fmt], text=DRAFT)
    yield out
    services.workspace.close()


def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def _assert_typographic(text: str) -> None:
    text = " ".join(text.split())  # lines of the PDF, no-break spaces
    assert f"préfecture de l{A}Allier remercie" in text, text
    assert f"aujourd{A}hui, l{A}Allier compte d{A}une commune à l{A}autre" in text
    assert "Élargir les horaires d" + A + "ouverture" in text  # a list item
    assert "semaine d" + A + "arrivée" in text  # a table's title
    assert URL in text  # an address never changes
    assert "'" not in text.replace(URL, ""), re.findall(r".{20}'.{20}", text)


def _xml_text(xml: str, paragraph_end: str, inline: str) -> str:
    """What the reader sees: the ``inline`` tags (runs, spans) join their text, the
    others separate it; ``paragraph_end`` ends a line."""
    xml = xml.replace(paragraph_end, "\n")
    xml = re.sub(inline, "", xml)
    return unescape(re.sub(r"<[^>]+>", " ", xml))


def test_odt_content_has_typographic_apostrophes(exported):
    xml = _member(exported["odt"], "content.xml")
    _assert_typographic(_xml_text(xml, "</text:p>", r"</?text:span[^>]*>"))
    # the picture's alternative text too
    descriptions = re.findall(r"<svg:desc>(.*?)</svg:desc>", xml)
    assert any(d.startswith(f"Contributions par jour d{A}arrivée") for d in descriptions)


def test_docx_document_has_typographic_apostrophes(exported):
    xml = _member(exported["docx"], "word/document.xml")
    text_only = re.sub(r"<w:instrText[^>]*>.*?</w:instrText>", "", xml)  # field codes
    _assert_typographic(_xml_text(text_only, "</w:p>", r"</?w:(?:r|t|rPr|b|i)(?: [^>]*)?/?>"))
    # the bold run of **l'**Allier keeps its apostrophe
    assert f"<w:rPr><w:b/></w:rPr><w:t>l{A}</w:t>" in xml
    # the pictures' alternative text too
    assert f'descr="Contributions par jour d{A}arrivée' in xml


def test_pdf_text_has_typographic_apostrophes(exported):
    pdftotext = require_program("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-layout", str(exported["pdf"]), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    _assert_typographic(text)


def test_markdown_has_typographic_apostrophes(exported):
    markdown = exported["md"].read_text(encoding="utf-8")
    assert f"aujourd{A}hui, **l{A}**Allier" in markdown
    _assert_typographic(markdown.replace("**", ""))


def test_the_document_model_is_typeset_once_for_every_format(exported):
    doc = exported["services"].synthesis.render(DRAFT).document
    assert doc.authority == f"Préfecture de l{A}Allier"
    paragraph = next(b for b in doc.blocks if isinstance(b, ParagraphBlock))
    assert Run(f"l{A}", bold=True) in paragraph.runs
    chart = next(b for b in doc.blocks if isinstance(b, ChartBlock)).chart
    assert chart.title == f"Contributions par jour d{A}arrivée"
    assert chart.description().startswith(chart.title)
