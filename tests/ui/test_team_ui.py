"""The inbox in team mode (PostgreSQL): another reviewer's change shows without a key."""

from __future__ import annotations

import asyncio
import time

from conftest import fill, screen_text

from assises_tui.app import AssisesApp
from assises_tui.domain.models import Status
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


async def test_others_changes_move_only_their_rows_and_keep_the_cursor_in_place(tmp_path, pg_url):
    from assises_tui.screens.view_rows import ViewRows
    from assises_tui.screens.views import is_open

    alice = _team(tmp_path, pg_url, "alice")
    bob = _team(tmp_path, pg_url, "bob")
    try:
        app = AssisesApp(alice)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            mine = screen.list.current
            await pilot.press("d")  # alice's own row: done, it stays where it is, greyed
            await pilot.press("j")
            await pilot.pause()
            assert mine in screen.list.ids
            row = screen.list.cursor
            under_cursor, next_one = screen.list.ids[row], screen.list.ids[row + 1]
            # « hors contribution »: not in « À traiter » until bob reopens it
            (reopened,) = [
                c.id for c in alice.contributions.all() if c.status == Status.NOT_CONTRIBUTION
            ]
            assert reopened not in screen.list.ids
            await asyncio.sleep(0.3)  # the listener is connected
            bob.triage.set_status([under_cursor], "done")
            bob.triage.set_status([reopened], "new")
            started = time.monotonic()
            while (under_cursor in screen.list.ids or reopened not in screen.list.ids) and (
                time.monotonic() - started < 2.0
            ):
                await asyncio.sleep(0.05)
            await pilot.pause()
            # bob's rows moved: the closed one left, the reopened one came in at its place
            assert under_cursor not in screen.list.ids and reopened in screen.list.ids
            records = alice.contributions.all()
            expected = ViewRows.of(records, screen.view, "alice", screen.sort, screen.reverse)
            assert [i for i in screen.list.ids if i != mine] == expected.ids
            # alice's own row did not vanish under her, and her cursor did not jump away
            assert mine in screen.list.ids
            assert screen.list.current == next_one
            assert screen.left == sum(1 for c in records if is_open(c))
    finally:
        alice.workspace.close()
        bob.workspace.close()
