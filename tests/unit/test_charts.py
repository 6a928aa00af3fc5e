"""Charts: the numbers they draw (one definition of what counts) and the images in the
ODT, DOCX and PDF exports, with French labels and the figures beside them."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

from assises_tui.config import bundled_config_dir, load_consultation
from assises_tui.domain.models import Contribution, Status
from assises_tui.synthesis import charts

PARIS = ZoneInfo("Europe/Paris")
CONFIG = load_consultation(bundled_config_dir() / "consultation.toml")


def _item(cid: int, **extra) -> Contribution:
    fields = {
        "id": cid,
        "message_id": f"<{cid}@t>",
        "received_at": datetime(2020, 1, 18, 10, tzinfo=PARIS),
        "date_uncertain": False,
        "sender_name": "x",
        "sender_email": "x@t.fr",
        "subject": "s",
        "body_blob": None,
        "raw_blob": None,
    }
    fields.update(extra)
    return Contribution(**fields)


def test_per_day_spans_every_day_and_marks_the_deadline():
    items = [
        _item(1),
        _item(2, received_at=datetime(2020, 1, 22, 9, tzinfo=PARIS), late=True),
        _item(3, received_at=None, date_uncertain=True),
        _item(4, status=Status.NOT_CONTRIBUTION),
    ]
    chart = charts.per_day(items, CONFIG)
    assert chart.labels == ("18/01", "19/01", "20/01", "21/01", "22/01")
    assert chart.values == (1, 0, 0, 0, 1)
    assert chart.labels[chart.deadline_index] == "20/01"
    assert "1 contribution(s) de date incertaine" in chart.note
    assert "Date limite : 20/01/2020 à 00:00" in chart.note


def test_per_theme_lists_sub_themes_under_their_theme():
    items = [
        _item(1, themes=("service", "service/accueil")),
        _item(2, themes=("service/accueil",)),
        _item(3, themes=("lien",), status=Status.DUPLICATE),
    ]
    chart = charts.per_theme(items, CONFIG, label=lambda k: "Service rendu › Accueil")
    rows = dict(zip(chart.labels, chart.values, strict=True))
    assert rows["Service rendu"] == 2 and rows["  › Accueil"] == 2
    assert rows["Lien population-forces"] == 0  # the duplicate does not count
    assert chart.labels.index("  › Accueil") == chart.labels.index("Service rendu") + 1


def test_per_commune_keeps_the_biggest_and_adds_up_the_rest():
    items = [_item(n, commune=f"Commune {n % 20:02d}") for n in range(1, 61)]
    items += [_item(100 + n, commune="Moulins") for n in range(10)] + [_item(200)]
    chart = charts.per_commune(items)
    assert chart.labels[0] == "Moulins" and chart.values[0] == 10
    assert len(chart.labels) == charts.TOP_COMMUNES + 2
    assert chart.labels[-2] == "Autres communes (6)" and chart.values[-2] == 18
    assert chart.labels[-1] == "Non renseignée"
    assert sum(chart.values) == 71


def test_progress_per_reviewer_stacks_the_statuses():
    items = [
        _item(1, assignee="m.dupont", status=Status.DONE),
        _item(2, assignee="m.dupont", status=Status.NEW),
        _item(3, status=Status.IN_PROGRESS),
        _item(4, status=Status.NOT_CONTRIBUTION, assignee="m.dupont"),
    ]
    chart = charts.progress_per_reviewer(items)
    assert chart.labels == ("m.dupont", "Non attribuées")
    series = dict(chart.series)
    assert series["Traité"] == (1, 0) and series["Nouveau"] == (1, 0)
    assert series["En cours"] == (0, 1)
    assert chart.values == (2, 1)
    table = chart.table()
    assert table.headers[-1] == "Total" and table.rows[0][-1] == "2"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("charts")
    services = make_services(tmp)
    out = {}
    for fmt in ("odt", "docx", "pdf", "md"):
        out[fmt] = tmp / f"synthese.{fmt}"
        services.synthesis.export(fmt, out[fmt], text=CLEAN_DRAFT)
    services.workspace.close()
    return out


ANNEX_CHARTS = 4  # per day, per theme, per category, per commune (progress stays in the app)


def test_odt_has_the_charts_as_images_with_a_description(exported):
    with zipfile.ZipFile(exported["odt"]) as z:
        pictures = [n for n in z.namelist() if n.startswith("Pictures/")]
        content = z.read("content.xml").decode()
        assert all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in pictures)
    assert len(pictures) == ANNEX_CHARTS
    assert content.count("<draw:image") == ANNEX_CHARTS
    descriptions = re.findall(r"<svg:desc>(.*?)</svg:desc>", content)
    assert any(d.startswith("Contributions par jour d’arrivée") for d in descriptions)
    # the figures beside the picture
    assert "Contributions par commune" in content and "Gannat" in content


def test_docx_has_the_charts_as_images_with_alt_text(exported):
    import docx

    d = docx.Document(str(exported["docx"]))
    assert len(d.inline_shapes) == ANNEX_CHARTS
    document = d.element.xml
    alts = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', document)
    assert len(alts) == ANNEX_CHARTS
    assert any("Contributions par catégorie de contributeur" in a for a in alts)
    tables = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    assert ["Gannat", "1"] in tables  # per commune, as a table too


def test_pdf_has_the_charts_as_images(exported):
    from pypdf import PdfReader

    reader = PdfReader(str(exported["pdf"]))
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == ANNEX_CHARTS
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Contributions par jour d’arrivée" in text and "Contributions par commune" in text


def test_markdown_keeps_the_figures_as_tables(exported):
    text = exported["md"].read_text(encoding="utf-8")
    assert "**Contributions par commune**" in text and "| Gannat | 1 |" in text


def test_chart_images_have_french_labels_and_are_reproducible():
    from assises_tui.synthesis.chart_images import render_png

    chart = charts.per_category([_item(1, contributor_category="elu"), _item(2)])
    assert chart.labels == ("Élu", "Non renseignée")
    png = render_png(chart)
    render_png.cache_clear()
    assert png[:4] == b"\x89PNG" and render_png(chart) == png
    assert replace(chart, values=(5, 1)) != chart


def test_a_chart_with_nothing_but_unknown_is_a_sentence_not_a_picture():
    from assises_tui.synthesis.charts import UNKNOWN_COMMUNE, Chart
    from assises_tui.synthesis.figures import Figures
    from assises_tui.synthesis.render import ChartBlock, ParagraphBlock, figure_blocks

    unknown = Chart("per_commune", "Contributions par commune", (UNKNOWN_COMMUNE,), (342,))
    known = Chart("per_commune", "Contributions par commune", ("Vichy", UNKNOWN_COMMUNE), (3, 9))
    blocks = figure_blocks(Figures(), [unknown, known])
    charts = [b for b in blocks if isinstance(b, ChartBlock)]
    assert [b.chart for b in charts] == [known]  # a real distribution is still drawn
    said = ["".join(r.text for r in b.runs) for b in blocks if isinstance(b, ParagraphBlock)]
    assert said == [
        "Contributions par commune : aucune donnée renseignée pour les 342 contributions."
    ]
