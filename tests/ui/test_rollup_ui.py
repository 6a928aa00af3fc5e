"""Ctrl+T on the statistics, codebook and synthesis screens of a national roll-up: the
figures of one département. Records 2, 3, 5 came from the Cher, the others are the
workspace's own (Allier); see ``tests/unit/test_rollup_filters.py`` for the services."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import screen_text
from textual.widgets import DataTable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from synthesis_support import CLEAN_DRAFT, make_services  # noqa: E402

from assises_tui.app import AssisesApp  # noqa: E402
from assises_tui.screens.codebook import CodebookScreen  # noqa: E402
from assises_tui.screens.prompts import ChoiceScreen  # noqa: E402
from assises_tui.screens.statistics import StatisticsScreen  # noqa: E402
from assises_tui.screens.synthesis import SynthesisScreen  # noqa: E402

SIZE = (120, 40)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def single(tmp_path):
    services = make_services(tmp_path)
    yield services
    services.workspace.close()


@pytest.fixture
def rollup(single):
    store = single.store
    store.save_many([replace(store.get(cid), department="Cher") for cid in (2, 3, 5)])
    return single


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pick(pilot, row: int) -> None:
    """Ctrl+T, then the row-th choice: 0 all, 1 Allier, 2 Cher."""
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ChoiceScreen)
    await pilot.press("home", *["down"] * row, "enter")
    await settle(pilot)


async def test_statistics_of_one_departement(rollup):
    app = AssisesApp(rollup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, StatisticsScreen)
        text = screen_text(app)
        assert "Département : tous · 6 messages reçus, dont 4 contributions" in text
        assert "^t Département" in text or "Ctrl+T Département" in text  # in the footer
        await pick(pilot, 2)
        text = screen_text(app)
        assert "Département : Cher · 3 messages reçus, dont 2 contributions" in text
        await pick(pilot, 1)
        assert "Département : Allier · 3 messages reçus, dont 2 contributions" in screen_text(app)
        await pick(pilot, 0)
        assert "Département : tous · 6 messages reçus" in screen_text(app)


async def test_codebook_counts_of_one_departement(rollup):
    app = AssisesApp(rollup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodebookScreen)

        def count(key: str) -> str:
            return str(screen.query_one(DataTable).get_cell(key, "count"))

        assert (count("service"), count("communication")) == ("3", "1")
        await pick(pilot, 2)
        assert (count("service"), count("communication")) == ("3", "0")
        assert "effectifs du département : Cher" in screen_text(app)
        await pick(pilot, 1)
        assert (count("service"), count("communication")) == ("0", "1")


async def test_synthesis_material_and_preview_of_one_departement(rollup):
    rollup.synthesis.save(CLEAN_DRAFT)
    app = AssisesApp(rollup)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SynthesisScreen)
        editor = screen.editor
        line = CLEAN_DRAFT.split("\n").index("## Communication et échanges")
        editor.move_cursor((line + 2, 0))
        await settle(pilot)
        assert screen.query_one("#contributions").option_count == 1  # n° 1, Allier's
        await pick(pilot, 2)
        assert rollup.synthesis.department == "Cher"
        assert "département : Cher" in screen_text(app)
        assert screen.query_one("#contributions").option_count == 0
        assert rollup.synthesis.render().document.consultation.endswith("Cher")
        path = rollup.synthesis.export_to_workspace("md", editor.text)
        assert "2 contributions reçues" in plain(path.read_text(encoding="utf-8"))


async def test_the_key_is_hidden_without_a_roll_up(single):
    app = AssisesApp(single)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        assert "Département" not in text and "6 messages reçus" in text
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, StatisticsScreen)  # nothing to choose: no picker
