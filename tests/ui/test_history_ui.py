"""The history screen: who, when, what, before → after, hostile text shown literally; and a
read-only instance that notices the writer's changes."""

from __future__ import annotations

from conftest import screen_text
from fixtures import hostile

from assises_tui.domain.models import Status
from assises_tui.screens.history import HistoryScreen, history_rows
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace

SIZE = (140, 40)


async def test_history_screen_lists_changes_literally(make_app, services):
    hostile_id = services.store.count()
    services.triage.set_status([hostile_id], Status.IN_PROGRESS)
    services.triage.add_note(hostile_id, hostile.MARKUP_BOLD + hostile.ANSI_RED)
    rows = history_rows(services, hostile_id)
    assert [r[2] for r in rows] == ["Statut", "Note"]
    assert rows[0][3] == "Nouveau" and rows[0][4] == "En cours"
    assert all("\x1b" not in cell for row in rows for cell in row)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(HistoryScreen(services, hostile_id))
        await pilot.pause()
        text = screen_text(app)
        assert f"Historique de la contribution n° {hostile_id}" in text
        assert "Statut" in text and "En cours" in text and services.reviewer in text
        assert hostile.MARKUP_BOLD in text  # literal, not bold
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_history_screen_for_unknown_contribution(make_app, services):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(HistoryScreen(services, 9999))
        await pilot.pause()
        assert "La contribution n° 9999 n'existe pas." in screen_text(app)


async def test_read_only_instance_sees_the_writers_changes(workspace):
    from assises_tui.app import AssisesApp

    writer = Services(workspace)
    viewer = Services(Workspace.open(workspace.root, fallback_read_only=True))
    try:
        app = AssisesApp(viewer)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "Lecture seule" in screen_text(app)
            writer.triage.assign([1], "agent-distant")
            await pilot.pause(3.5)  # the inbox polls the store every 3 s in read-only mode
            assert viewer.store.get(1).assignee == "agent-distant"
            app.push_screen(HistoryScreen(viewer, 1))
            await pilot.pause()
            assert "agent-distant" in screen_text(app)
    finally:
        viewer.workspace.close()
