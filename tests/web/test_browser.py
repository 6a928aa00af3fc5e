"""``assises serve`` in a real headless Chromium (Debian's, driven by Playwright).

One walk through a working session as two colleagues live it — login refused then
accepted, the inbox, triage and a theme, a note seen by the other session, an export
downloaded, logout — with every request the browser made recorded: none may leave for
another host, and the page must not break its own Content-Security-Policy.

The terminal is drawn on a canvas, so the test reads what the app sends: an init script
decodes the websocket's bytes (escape sequences dropped) into ``window.__screen``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api
from system_tools import require_program
from web_support import PASSWORDS

from assises_tui.domain.models import Status
from assises_tui.workspace import Workspace

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREEN_TAP = """
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.__screen = "";
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      const text = decoder.decode(new Uint8Array(event.data), { stream: true });
      window.__screen = (window.__screen + text.replace(/\\x1b\\[[0-9;?:]*[ -\\/]*[@-~]/g, ""))
        .slice(-400000);
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
})();
"""


@pytest.fixture(scope="module")
def browser():
    chromium = require_program("chromium", "chromium", "/usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Desk:
    """One colleague's browser tab, with what it requested and what the console said."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(
            viewport={"width": 1300, "height": 760}, accept_downloads=True
        )
        self.context.add_init_script(SCREEN_TAP)
        self.requests: list[str] = []
        self.console: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page = self.context.new_page()

    def login(self, user: str, password: str) -> None:
        self.page.goto(self.base + "/")
        assert urlsplit(self.page.url).path == "/login"
        self.page.get_by_label("Identifiant").fill(user)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.keyboard.press("Enter")  # the form works from the keyboard

    def mark(self) -> int:
        return self.page.evaluate("window.__screen.length")

    def wait_screen(self, text: str, since: int = 0, timeout: float = 45_000) -> None:
        try:
            self.page.wait_for_function(
                "([text, since]) => window.__screen.slice(since).includes(text)",
                arg=[text, since],
                timeout=timeout,
            )
        except sync_api.TimeoutError:
            shown = self.page.evaluate("(since) => window.__screen.slice(since)", since)
            raise AssertionError(f"{text!r} never shown; the app sent:\n{shown[-3000:]}") from None

    def keys(self, *keys: str) -> None:
        self.page.locator("#terminal").click()
        for key in keys:
            self.page.keyboard.press(key)


def test_two_colleagues_work_in_their_browsers(browser, live_server, tmp_path):
    base, root, log = live_server
    claire = Desk(browser, base)
    paul = Desk(browser, base)

    # A wrong password: refused, the same French sentence, no cookie, still on the login.
    claire.login("claire", "pas-le-bon-mot-de-passe")
    assert claire.page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
    assert claire.context.cookies() == []

    claire.login("claire", PASSWORDS["claire"])
    claire.page.wait_for_url(base + "/")
    claire.wait_screen("À traiter")  # the inbox
    claire.wait_screen("Sécurité routière à Vichy")
    assert "claire" in claire.page.locator("header").inner_text()

    # The colleague opens the same workspace: read-only (TinyDB has one writer), with the banner.
    paul.login("paul", PASSWORDS["paul"])
    paul.wait_screen("Lecture seule")
    paul.wait_screen("Sécurité routière à Vichy")

    # Claire tags the first contribution with theme 1 and writes a note…
    since = paul.mark()
    claire.keys("1")
    mark = claire.mark()
    claire.keys("N")
    claire.wait_screen("Note sur la contribution n° 1", mark)
    claire.page.keyboard.type("Relue-par-Claire")
    claire.page.keyboard.press("Enter")
    # …which appears in Paul's session without him doing anything (the reader pane polls).
    paul.wait_screen("Relue-par-Claire", since)
    mark = claire.mark()
    claire.keys("d")  # then triages it: done, it leaves the « À traiter » view
    claire.wait_screen("2 à traiter", mark)

    with Workspace.open(root, read_only=True) as ws:  # what was written, and by whom
        first = ws.store.get(1)
    assert first is not None and first.status is Status.DONE
    assert len(first.themes) == 1
    assert {h.who for h in first.history if h.what != "import"} == {"claire"}
    assert [n.author for n in first.notes] == ["claire"]

    # An export made in the browser is downloaded by the browser.
    since = claire.mark()
    claire.keys("s")
    claire.wait_screen("# Synthèse", since)
    since = claire.mark()
    claire.keys("F5")
    claire.wait_screen("Chiffres", since)
    with claire.page.expect_download(timeout=45_000) as delivered:
        claire.keys("m")
    download = delivered.value
    saved = tmp_path / "recu" / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == "synthese.md"
    assert saved.read_text(encoding="utf-8").strip()

    # Logout ends the session on the server: the page says so, and / asks for a login again.
    claire.page.bring_to_front()
    claire.page.get_by_role("button", name="Se déconnecter").first.click()
    claire.page.wait_for_url(re.compile(r"/login\?fin"))
    assert "Vous êtes déconnecté" in claire.page.get_by_role("alert").inner_text()
    claire.page.goto(base + "/")
    assert urlsplit(claire.page.url).path == "/login"

    # Paul quits the app (q): the page says, in French, that the session ended.
    paul.keys("q")
    sync_api.expect(paul.page.get_by_text("Session terminée.")).to_be_visible(timeout=30_000)
    sync_api.expect(paul.page.get_by_role("button", name="Rouvrir l'application")).to_be_visible()

    events = [(e.get("who"), e.get("what")) for e in _audit(root)]
    assert ("claire", "web.login") in events and ("paul", "web.login") in events
    assert ("claire", "web.logout") in events

    # Nothing was requested from another host, and the policy was never violated.
    for desk in (claire, paul):
        foreign = [u for u in desk.requests if not u.startswith((base + "/", "ws://127.0.0.1"))]
        assert foreign == [], foreign
        assert not [c for c in desk.console if "Content Security Policy" in c], desk.console
        desk.context.close()


def _audit(root: Path) -> list[dict]:
    import json

    lines = (root / "store" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
