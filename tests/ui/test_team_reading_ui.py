"""The inbox on a team database whose records are still being read: the first screen comes
from the database, the status line says how far the reading is, keys work at once, and
search waits for the end of the reading, then runs."""

from __future__ import annotations

import asyncio
import threading

import pytest
from conftest import fill, screen_text

from assises_tui.app import AssisesApp
from assises_tui.screens.views import VIEW_BY_KEY, view_ids
from assises_tui.services.session import Services
from assises_tui.store.postgres import store as pg_store
from assises_tui.store.postgres.store import PostgresStore
from assises_tui.workspace import Workspace


@pytest.fixture
def paused_reading(monkeypatch):
    """The records are read 3 at a time and the reading stops after its first batch
    until ``release`` is set (set again at the end of the test, whatever happens)."""
    release = threading.Event()
    monkeypatch.setattr(pg_store, "LOAD_BATCH", 3)
    absorb = PostgresStore._absorb

    batches = []

    def first_batch_then_wait(self, rows, pool):
        if threading.current_thread().name == "assises-load":
            batches.append(len(rows))
            if len(batches) == 2:
                release.wait(timeout=30)
        absorb(self, rows, pool)

    monkeypatch.setattr(PostgresStore, "_absorb", first_batch_then_wait)
    yield release
    release.set()


@pytest.fixture
def team(tmp_path, pg_url):
    root = tmp_path / "equipe"
    with Workspace.init(root, postgres_url=pg_url) as ws:
        fill(ws, with_hostile=False)
        expected = view_ids(ws.store.all(), VIEW_BY_KEY["left"], "", "date", False)
    ws = Workspace.open(root, background_load=True)
    ws.reviewer = "alice"
    yield Services(ws), expected
    ws.close()


async def _first_screen(app, pilot):
    while not getattr(app.screen, "list", None) or not app.screen.list.ids:
        await asyncio.sleep(0.01)
    await pilot.pause()
    return app.screen


async def test_first_screen_from_the_database_then_everything_once_read(team, paused_reading):
    services, expected = team
    app = AssisesApp(services)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _first_screen(app, pilot)
        assert screen.reading and services.contributions.loading() == (3, 10)
        assert screen.list.ids == expected  # À traiter, by date, from SQL
        # the status line looks at the reading every LOADING_POLL seconds
        for _ in range(40):
            if "chargement 3/10" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert "chargement 3/10" in screen_text(app)
        # keys work on rows the reading has not reached: fetched per screen of rows
        await pilot.press("j", "j")
        await pilot.pause(0.2)  # the reader pane follows the cursor after 50 ms
        assert screen.list.cursor == 2
        assert services.contributions.get(expected[2]).subject in screen_text(app)
        # a search typed now waits for every record, and says so
        await pilot.press("slash", *"caméra", "enter")
        await pilot.pause(0.3)
        assert "la recherche partira à la fin du chargement" in screen_text(app)
        assert screen.list.ids == expected
        paused_reading.set()
        while screen.reading:
            await asyncio.sleep(0.02)
        await pilot.pause()
        text = screen_text(app)
        assert "chargement" not in text and "la recherche partira" not in text
        hits = set(services.search.search("caméra"))
        assert hits and set(screen.list.ids) == hits & set(expected)


async def test_a_status_changed_while_reading_counts_at_once(team, paused_reading):
    services, expected = team
    app = AssisesApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _first_screen(app, pilot)
        left = screen.left
        first = screen.list.current
        await pilot.press("d")  # done: leaves "À traiter"
        await pilot.pause()
        assert screen.left == left - 1 and screen.list.cursor == 1
        assert services.contributions.get(first).status.value == "done"
        paused_reading.set()
        while screen.reading:
            await asyncio.sleep(0.02)
        await pilot.pause()
        assert first not in screen.list.ids and screen.left == left - 1


async def test_views_are_offered_while_reading_and_shown_at_its_end(team, paused_reading):
    services, expected = team
    app = AssisesApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _first_screen(app, pilot)
        await pilot.press("v")  # at once, without waiting for every record
        await pilot.pause()
        assert "Sans thème (…)" in screen_text(app)
        await pilot.press("4")  # « Sans thème »: the database cannot select it
        await pilot.pause()
        assert screen.view.key == "untagged" and screen.list.ids == []
        assert "chargement 3/10" in screen_text(app)
        paused_reading.set()
        while screen.reading:
            await asyncio.sleep(0.02)
        await pilot.pause()
        untagged = view_ids(
            services.contributions.all(), VIEW_BY_KEY["untagged"], "alice", "date", False
        )
        assert untagged and screen.list.ids == untagged


def test_snapshot_inbox_while_reading_80x24(snap_compare, team, paused_reading):
    services, _expected = team

    async def run_before(pilot):
        await _first_screen(pilot.app, pilot)
        await pilot.pause(0.3)

    assert snap_compare(AssisesApp(services), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize(
    ("key", "name"),
    [("g", "Statistiques"), ("C", "Livre de codes"), ("s", "Synthèse"), ("i", "Importer")],
)
async def test_screens_needing_every_record_wait_for_the_reading_without_blocking(
    team, paused_reading, key, name
):
    services, expected = team
    app = AssisesApp(services)
    async with app.run_test(size=(120, 30)) as pilot:
        inbox = await _first_screen(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        # the interface answers at once, stays on the inbox, and says why
        assert app.screen is inbox
        said = [n.message for n in app._notifications]
        assert f"« {name} » : disponible à la fin du chargement (3/10 contributions lues)." in said
        await pilot.press("j")
        await pilot.pause()
        assert inbox.list.cursor == 1
        paused_reading.set()
        while inbox.reading:
            await asyncio.sleep(0.02)
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is not inbox
