"""Fetch from the app (``r``): a thread worker against a real Dovecot; password asked only
when the environment does not give it; the last fetch said; a snapshot of the screen."""

from __future__ import annotations

import pytest
from mail_servers import PASSWORD, Dovecot
from mailbox_support import demo_messages, imap_table, mailbox_workspace

from assises_tui.app import AssisesApp
from assises_tui.screens.fetch_screen import FetchScreen
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


@pytest.fixture
def dovecot():
    with Dovecot() as server:
        yield server


async def test_fetch_from_the_app_asks_the_password_then_fetches(tmp_path, dovecot, monkeypatch):
    monkeypatch.delenv("ASSISES_IMAP_PASSWORD", raising=False)
    monkeypatch.setattr("assises_tui.mailbox.settings._from_keyring", lambda *_a: None)
    for raw in demo_messages()[:12]:
        dovecot.deliver(raw)
    before = dovecot.snapshot()
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    with Workspace.open(root) as ws:
        services = Services(ws)
        app = AssisesApp(services)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FetchScreen)
            assert "n'a encore jamais été relevée" in _text(screen, "#fetch-last")
            await pilot.press(*"faux", "enter")  # a wrong password: said, nothing lost
            await screen.workers.wait_for_complete()
            await pilot.pause(0.2)
            assert "Identifiant ou mot de passe IMAP refusé" in _text(screen, "#fetch-result")
            assert "Échec de la tentative" in _text(screen, "#fetch-last")
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            screen = app.screen
            await pilot.press(*PASSWORD, "enter")
            await screen.workers.wait_for_complete()
            await pilot.pause(0.2)
            assert "12 message(s) lu(s)" in _text(screen, "#fetch-result")
            assert "Dernière relève de la boîte : le " in _text(screen, "#fetch-last")
            assert services.store.count() >= 10
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen.list.ids) == services.store.count()
    assert dovecot.snapshot() == before


async def test_offline_is_said_with_the_last_fetch(tmp_path, dovecot, monkeypatch):
    import errno
    import socket

    monkeypatch.setenv("ASSISES_IMAP_PASSWORD", PASSWORD)
    root = mailbox_workspace(tmp_path, imap_table(dovecot))
    with Workspace.open(root) as ws:
        services = Services(ws)
        app = AssisesApp(services)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r")  # the password comes from the environment: starts at once
            await app.screen.workers.wait_for_complete()
            await pilot.pause(0.2)
            await pilot.press("escape")

            def no_network(*_args, **_kwargs):
                raise OSError(errno.ENETUNREACH, "Network is unreachable")

            monkeypatch.setattr(socket, "create_connection", no_network)
            await pilot.press("r")
            await app.screen.workers.wait_for_complete()
            await pilot.pause(0.2)
            screen = app.screen
            assert "Hors ligne" in _text(screen, "#fetch-state")
            assert "Relève reportée ; rien n'est perdu." in _text(screen, "#fetch-state")
            assert "Dernière relève de la boîte : le " in _text(screen, "#fetch-last")


def test_snapshot_fetch_screen_asking_the_password(snap_compare, tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISES_IMAP_PASSWORD", raising=False)
    monkeypatch.setattr("assises_tui.mailbox.settings._from_keyring", lambda *_a: None)
    table = '[imap]\nhost = "imap.allier.gouv.fr"\nsecurity = "tls"\nuser = "pref-assises"\n'
    root = mailbox_workspace(tmp_path, table)
    ws = Workspace.open(root)
    try:
        app = AssisesApp(Services(ws))

        async def run(pilot):
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause(0.3)
            pilot.app.screen.query_one("#fetch-password").cursor_blink = False
            await pilot.pause()

        assert snap_compare(app, terminal_size=(80, 24), run_before=run)
    finally:
        ws.close()
