"""The template's "…" placeholders never reach a document nor take a proposal number."""

import pytest
from synthesis_support import make_services

from assises_tui.synthesis.draft import add_point, is_filler, template
from assises_tui.synthesis.export_md import to_markdown
from assises_tui.synthesis.render import ListBlock, ParagraphBlock, plain


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    yield s
    s.workspace.close()


def test_is_filler():
    assert is_filler("…") and is_filler(" ... ") and is_filler("[…]")
    assert not is_filler("Plus de patrouilles…") and not is_filler("")


def test_first_real_proposal_is_number_one_and_fillers_are_left_out(services):
    config = services.config
    draft = template(config)
    # A coordinator fills one proposal of the third theme, the others stay "- …".
    draft, _line = add_point(draft, config, "lien", "proposition", "Des réunions de quartier", [3])
    result = services.synthesis.render(draft)
    assert result.errors == []
    numbered = [b for b in result.document.blocks if isinstance(b, ListBlock) and b.ordered]
    assert [b.numbers for b in numbered] == [(1,)]
    assert plain(numbered[0].items[0]).startswith("Des réunions de quartier")
    texts = [plain(b.runs) for b in result.document.blocks if isinstance(b, ParagraphBlock)]
    assert "…" not in texts
    markdown = to_markdown(result.document)
    assert "- …" not in markdown and "1. Des réunions de quartier" in markdown
    assert "\n…\n" not in markdown
    assert "\n2. " not in markdown


def test_a_list_keeps_its_real_items_around_a_filler(services):
    text = "# T\n\n## Service rendu\n\n### Propositions\n\n- …\n- Élargir les horaires [#2]\n"
    blocks = services.synthesis.render(text).document.blocks
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    assert len(lists) == 1 and lists[0].numbers == (1,)
    assert plain(lists[0].items[0]).startswith("Élargir les horaires")


def test_odt_title_page_date_is_a_subtitle(services, tmp_path):
    from odf import teletype
    from odf.opendocument import load
    from odf.style import Style
    from odf.text import P

    path = tmp_path / "s.odt"
    services.synthesis.export("odt", path, text="# T\n\n## Introduction\n\nTexte.\n")
    doc = load(str(path))
    date = next(p for p in doc.getElementsByType(P) if teletype.extractText(p) == "3 février 2020")
    name = date.getAttribute("stylename")
    style = next(s for s in doc.getElementsByType(Style) if s.getAttribute("name") == name)
    assert style.getAttribute("parentstylename") == "Subtitle"


def test_pdf_shows_a_box_for_what_the_font_cannot_draw(services, tmp_path, caplog):
    import logging

    import pypdf

    from assises_tui.synthesis.export_pdf import pdf_text

    assert pdf_text("Bravo 👍\tà 警察") == "Bravo □ à □□"
    assert pdf_text("Œuvre « € »") == "Œuvre « € »"
    path = tmp_path / "s.pdf"
    caplog.set_level(logging.WARNING)
    text = "# T\n\n## Émojis 🚓\n\nBravo 👍 aux gendarmes !\n\n> « Merci 🙏 » [#2]\n"
    services.synthesis.export("pdf", path, text=text)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    body = "".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
    assert "Bravo □ aux gendarmes" in body and "Émojis □" in body


def test_control_characters_in_the_draft_never_reach_a_document(services, tmp_path):
    import zipfile

    import docx

    text = "# T\n\n## Introduction\n\nA\x0bB\x01C \x1b[31mrouge\x7f fin [#2]\n\n- x [#999]\n"
    result = services.synthesis.render(text)
    assert [e.line for e in result.errors] == [7]  # line numbers unchanged
    for fmt in ("odt", "docx", "pdf", "md"):
        services.synthesis.export(fmt, tmp_path / f"s.{fmt}", text=text.replace("#999", "#3"))
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "ABC rouge fin" in md and "\x1b" not in md and "\x01" not in md
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "s.docx")).paragraphs]
    assert any(p.startswith("ABC rouge fin") for p in paragraphs)
    content = zipfile.ZipFile(tmp_path / "s.odt").read("content.xml").decode("utf-8")
    assert "ABC rouge fin" in content and "\x0b" not in content
