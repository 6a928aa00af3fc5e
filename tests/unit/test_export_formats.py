"""Exported documents parsed back: structure, numbered proposals, quotations, figures."""

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

PROPOSAL_3 = (
    "Plus de patrouilles le soir (Contribution n° 2 — élu, Gannat ; "
    "contribution n° 3 — gendarmerie)"
)
QUOTE = "« une application pour porter plainte en ligne » (Contribution n° 1 — citoyen, Montluçon)"


def spaced(text: str) -> str:
    """The text with French no-break spaces read as plain spaces (checked apart)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    services = make_services(tmp)
    out = {}
    for fmt in ("odt", "docx", "pdf", "md"):
        out[fmt] = tmp / f"synthese.{fmt}"
        services.synthesis.export(fmt, out[fmt], text=CLEAN_DRAFT)
    out["audit"] = services.store.audit()
    services.workspace.close()
    return out


def test_odt_structure(exported):
    from odf import teletype
    from odf.opendocument import load
    from odf.table import TableCell
    from odf.text import H, P, TableOfContent

    doc = load(str(exported["odt"]))
    headings = [
        (h.getAttribute("outlinelevel"), spaced(teletype.extractText(h)))
        for h in doc.getElementsByType(H)
    ]
    assert ("1", "Communication et échanges") in headings
    assert ("2", "Propositions") in headings
    assert ("1", "Annexe : chiffres") in headings
    paras = {}
    for p in doc.getElementsByType(P):
        paras.setdefault(p.getAttribute("stylename"), []).append(spaced(teletype.extractText(p)))
    assert QUOTE in paras["Quotations"]
    items = paras["List_20_Paragraph"]
    assert "3.\t" + PROPOSAL_3 in items
    assert "1.\tCréer une plainte en ligne simple (Contribution n° 1 — citoyen, Montluçon)" in items
    assert paras["Title"] == ["Synthèse — Assises territoriales de la sécurité intérieure"]
    assert paras["Assises_20_Authority"] == ["Préfecture de l’Allier"]
    assert "Subtitle" not in paras  # the title says the consultation already
    assert doc.getElementsByType(TableOfContent)
    cells = [spaced(teletype.extractText(c)) for c in doc.getElementsByType(TableCell)]
    assert "Doublons écartés" in cells and "Service rendu" in cells
    assert "2019, semaine 49 (du 02/12)" in cells
    text = spaced(teletype.extractText(doc.text))
    assert "Dupontel" not in text and "[#" not in text


def test_docx_structure(exported):
    import docx

    d = docx.Document(str(exported["docx"]))
    by_style = {}
    for p in d.paragraphs:
        by_style.setdefault(p.style.name, []).append(spaced(p.text))
    assert "Service rendu" in by_style["Heading 1"]
    assert "Propositions" in by_style["Heading 2"]
    assert QUOTE in by_style["Quote"]
    assert "3. " + PROPOSAL_3 in by_style["List Paragraph"]
    assert by_style["Title"] == ["Synthèse — Assises territoriales de la sécurité intérieure"]
    assert "Table des matières" in by_style["TOC Heading"]
    assert 'TOC \\o "1-2"' in d.element.xml
    tables = [[spaced(c.text) for c in row.cells] for t in d.tables for row in t.rows]
    assert ["Contributions", "4"] in tables
    assert ["Messages sans contribution écartés", "1"] in tables
    assert ["Élu", "1"] in tables
    body = spaced("\n".join(p.text for p in d.paragraphs))
    assert "Dupontel" not in body and "[#" not in body


def test_pdf_has_pages_and_text(exported):
    from pypdf import PdfReader

    reader = PdfReader(str(exported["pdf"]))
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Table des matières" in flat
    assert "Annexe : chiffres" in flat
    assert "Contribution n° 1 — citoyen, Montluçon" in flat
    assert "Élargir les horaires d’ouverture" in flat
    assert "Doublons écartés" in flat
    assert reader.outline  # headings are PDF bookmarks


def test_markdown_export(exported):
    text = spaced(exported["md"].read_text(encoding="utf-8"))
    assert "## Table des matières" in text
    assert "3. " + PROPOSAL_3 in text
    assert "> " + QUOTE in text
    assert "| Doublons écartés | 1 |" in text


def test_every_export_is_audited(exported):
    events = [e for e in exported["audit"] if e["what"] == "synthesis.export"]
    assert [e["format"] for e in events] == ["odt", "docx", "pdf", "md"]
    assert all(len(e["sha256"]) == 64 and e["who"] for e in events)
