"""The statistics screen (``g``): the same figures as ``assises stats``, charts drawn with
text characters, at 80×24 and 120×40."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import screen_text
from fixtures import hostile

from assises_tui.screens.statistics import StatisticsScreen
from assises_tui.services.stats import stats
from assises_tui.synthesis import charts
from assises_tui.widgets.text_chart import TextChart, chart_text


def _enrich(services) -> None:
    """Communes, categories and assignees on a few records, a hostile commune among them."""
    store = services.store
    changes = {
        1: {"commune": "Moulins", "contributor_category": "citoyen", "assignee": "m.dupont"},
        2: {"commune": "Vichy", "contributor_category": "elu", "assignee": "m.dupont"},
        3: {"commune": "Moulins", "contributor_category": "association", "assignee": "l.roux"},
        4: {"commune": hostile.MARKUP_CLICK, "themes": ("service", "service/accueil")},
    }
    store.save_many([replace(store.get(cid), **fields) for cid, fields in changes.items()])


async def _open(pilot) -> StatisticsScreen:
    await pilot.pause()
    await pilot.press("g")
    await pilot.pause(0.2)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StatisticsScreen)
    return screen


async def test_statistics_screen_says_what_assises_stats_says(make_app, services):
    _enrich(services)
    data = stats(services.store, services.config)
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        text = screen_text(pilot.app)
        assert data["summary"] in text
        assert f"{data['on_time']} dans les délais · {data['late']} hors délai" in text
        assert f"{data['untagged']} contribution(s) sans thème" in text
        keys = [w.chart.key for w in screen.query(TextChart)]
        assert keys == ["per_day", "per_theme", "per_category", "per_commune", "progress"]
        assert "[@click=app.quit]" in text  # a commune from the mail, shown literally
        assert "m.dupont" in text and "█ Traité" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, StatisticsScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_statistics(snap_compare, make_app, services, size):
    _enrich(services)

    async def run(pilot):
        await _open(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run)


def _chart(**fields) -> charts.Chart:
    base = {"key": "k", "title": "Titre", "labels": ("A", "B"), "values": (3, 1)}
    return charts.Chart(**{**base, **fields})


def test_text_bars_fit_the_width_and_end_with_the_figure():
    text = chart_text(_chart(labels=("Moulins", "Vichy"), values=(40, 10)), 40).plain
    lines = text.rstrip("\n").split("\n")
    assert all(len(line) <= 40 for line in lines)
    assert lines[1].startswith("Moulins") and lines[1].endswith(" 40")
    assert lines[1].count("█") == 4 * lines[2].count("█")


def test_text_days_mark_the_deadline_and_group_days_when_narrow():
    values = tuple(range(1, 101))
    labels = tuple(f"{n:02d}/01" for n in range(100))
    chart = _chart(kind="days", labels=labels, values=values, deadline_index=50)
    text = chart_text(chart, 60).plain
    assert "┃ date limite 50/01" in text
    assert "(une colonne = 2 jours)" in text
    assert all(len(line) <= 60 for line in text.split("\n"))
    wide = chart_text(chart, 200).plain
    assert "une colonne" not in wide


def test_text_progress_uses_distinct_characters_not_only_colour():
    chart = charts.Chart(
        "progress",
        "Avancement",
        ("m.dupont",),
        (4,),
        series=(("Traité", (2,)), ("En cours", (1,)), ("Nouveau", (1,)), ("Hors sujet", (0,))),
        kind="stacked",
    )
    line = chart_text(chart, 40).plain.split("\n")[1]
    assert "█" in line and "▓" in line and "░" in line
