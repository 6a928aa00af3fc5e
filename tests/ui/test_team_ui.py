"""The inbox in team mode (PostgreSQL): another reviewer's change shows without a key."""

from __future__ import annotations

import asyncio
import time

from conftest import fill, screen_text

from assises_tui.app import AssisesApp
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace


def _team(tmp_path, pg_url, name: str) -> Services:
    root = tmp_path / "equipe"
    if not root.exists():
        with Workspace.init(root, postgres_url=pg_url) as ws:
            fill(ws, with_hostile=False)
    ws = Workspace.open(root)
    ws.reviewer = name
    return Services(ws)


async def test_another_reviewers_change_appears_within_two_seconds(tmp_path, pg_url):
    alice = _team(tmp_path, pg_url, "alice")
    bob = _team(tmp_path, pg_url, "bob")
    try:
        app = AssisesApp(alice)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            first = screen.list.ids[0]
            assert "Sécurité routière" in screen_text(app)
            await asyncio.sleep(0.3)  # the listener is connected
            started = time.monotonic()
            bob.triage.set_status([first], "done")  # bob, in another process in real life
            while first in screen.list.ids and time.monotonic() - started < 2.0:
                await asyncio.sleep(0.05)
            assert first not in screen.list.ids, "le changement de bob n'est pas apparu en 2 s"
            await pilot.pause()
            assert "Sécurité routière" not in screen_text(app)
    finally:
        alice.workspace.close()
        bob.workspace.close()
