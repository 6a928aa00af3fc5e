"""``assises serve`` over plain HTTP: what a client without a session, with a forged or
expired cookie, from another site, or flooding the login gets; what the server sends.

The server runs in-process (aiohttp's test server) with a fake clock. Where a websocket
must start an app, the app is a small script that records the environment it was given
and speaks just enough of textual's protocol to start and quit.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest
from aiohttp import DummyCookieJar, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer
from web_support import PASSWORDS

from assises_tui.web.accounts import Accounts
from assises_tui.web.server import BAD_LOGIN, AssisesWebServer, ServeSettings
from assises_tui.web.sessions import LoginThrottle, SessionStore

FAKE_APP = textwrap.dedent(
    """
    import json, os, sys
    with open(sys.argv[1], "w") as out:
        json.dump(dict(os.environ, FAKE_PID=str(os.getpid())), out)
    sys.stdout.write("__GANGLION__\\n")
    sys.stdout.flush()
    while True:  # until textual-serve's "quit" meta packet (or stdin closes)
        chunk = os.read(0, 65536)
        if not chunk or b"quit" in chunk:
            break
    """
)
EVIL = "http://evil.example"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def web(served_workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISES_TEST_SECRET", "ne-doit-pas-passer")
    monkeypatch.setenv("ASSISES_REVIEWER", "quelqu-un-d-autre")  # replaced, never inherited
    script = tmp_path / "fake_app.py"
    script.write_text(FAKE_APP)
    env_file = tmp_path / "app-env.json"
    clock = Clock()
    settings = ServeSettings(
        workspace_root=served_workspace,
        consultation_title="Consultation d'essai — Allier",
        idle_timeout=600,
        session_lifetime=3600,
        app_command=[sys.executable, str(script), str(env_file)],
    )
    server = AssisesWebServer(
        settings,
        Accounts(served_workspace),
        SessionStore(600, 3600, clock=clock),
        LoginThrottle(free_attempts=5, clock=clock),
    )
    client = TestClient(TestServer(server.make_app()), cookie_jar=DummyCookieJar())
    await client.start_server()
    client.clock = clock
    client.server_obj = server
    client.env_file = env_file
    client.origin = f"http://{client.host}:{client.port}"
    yield client
    await client.close()


async def login(client, user="claire", password=None, **headers):
    password = PASSWORDS.get(user, "x") if password is None else password
    return await client.post(
        "/login",
        data={"user": user, "password": password},
        allow_redirects=False,
        headers={"Origin": client.origin, **headers},
    )


def token_of(response) -> str:
    return response.cookies["assises_session"].value


async def test_every_route_without_a_session(web):
    response = await web.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert (await web.get("/ws")).status == 401
    assert (await web.get("/download/0123abcd")).status == 401
    response = await web.post("/logout", allow_redirects=False)
    assert response.status == 303  # nothing to end; harmless
    page = await web.get("/login")
    assert page.status == 200
    html = await page.text()
    assert '<html lang="fr">' in html
    assert '<label for="user">Identifiant</label>' in html
    assert '<label for="password">Mot de passe</label>' in html
    # Only the listed static files; nothing of the workspace is reachable.
    assert (await web.get("/static/textual.js")).status == 200
    for path in ("/accounts.json", "/static/../accounts.json", "/static/%2e%2e/accounts.json",
                 "/static/js/textual.js", "/store/audit.jsonl", "/static/"):  # fmt: skip
        assert (await web.get(path)).status == 404, path
    assert (await web.request("PUT", "/")).status == 405
    assert (await web.request("DELETE", "/login")).status == 405


async def test_login_sets_a_strict_session_cookie_and_the_page_names_the_account(web):
    response = await login(web)
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback: a Secure cookie would be dropped
    page = await web.get("/", cookies={"assises_session": token_of(response)})
    assert page.status == 200
    html = await page.text()
    assert "claire" in html and "coordinateur" in html and "Se déconnecter" in html
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert html.count(f'nonce="{nonce}"') == 2  # our script, then textual's
    assert "<script>" not in html and "<style" not in html and "style=" not in html
    events = json.loads("[" + ",".join(_audit_lines(web)) + "]")
    assert events[-1]["who"] == "claire" and events[-1]["what"] == "web.login"


async def test_a_wrong_login_gets_the_same_answer_whatever_was_wrong(web):
    answers = []
    for user, password in [("claire", "mauvais-mot-de-passe"), ("inconnu", PASSWORDS["claire"]),
                           ("", ""), ("claire", PASSWORDS["paul"])]:  # fmt: skip
        response = await login(web, user, password)
        assert response.status == 401
        assert "Set-Cookie" not in response.headers
        answers.append(await response.text())
    assert len(set(answers)) == 1 and BAD_LOGIN in answers[0]


async def test_forged_and_expired_cookies_are_refused(web):
    forged = {"assises_session": "A" * 43}
    response = await web.get("/", cookies=forged, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login?expiree"
    page = await web.get("/login?expiree")
    assert "Votre session est terminée ou a expiré" in await page.text()
    assert (await web.get("/ws", cookies=forged)).status == 401

    token = token_of(await login(web))
    cookies = {"assises_session": token}
    assert (await web.get("/", cookies=cookies)).status == 200
    web.clock.now += 601  # idle longer than the limit
    assert (await web.get("/", cookies=cookies, allow_redirects=False)).status == 303
    assert (await web.get("/ws", cookies=cookies)).status == 401

    token = token_of(await login(web))
    cookies = {"assises_session": token}
    for _ in range(7):  # active all along, but past the session's lifetime
        web.clock.now += 550
        await web.get("/", cookies=cookies, allow_redirects=False)
    assert (await web.get("/", cookies=cookies, allow_redirects=False)).status == 303


async def test_logout_ends_the_session_on_the_server(web):
    token = token_of(await login(web, "paul"))
    cookies = {"assises_session": token}
    response = await web.post(
        "/logout", cookies=cookies, allow_redirects=False, headers={"Origin": web.origin}
    )
    assert response.status == 303 and response.headers["Location"] == "/login?fin"
    assert 'assises_session=""' in response.headers["Set-Cookie"]
    # The old cookie, replayed, is worth nothing.
    assert (await web.get("/", cookies=cookies, allow_redirects=False)).status == 303
    assert [e["what"] for e in map(json.loads, _audit_lines(web))][-2:] == [
        "web.login",
        "web.logout",
    ]


async def test_a_login_flood_is_slowed_down(web):
    for _ in range(5):
        assert (await login(web, "claire", "devine-1234567")).status == 401
    flooded = await login(web, "claire", "devine-1234567")
    assert flooded.status == 429 and int(flooded.headers["Retry-After"]) >= 1
    assert "Trop de tentatives" in await flooded.text()
    # While slowed down, even the right password is not checked, and other names from the
    # same address wait too.
    assert (await login(web)).status == 429
    assert (await login(web, "paul")).status == 429
    web.clock.now += 2
    assert (await login(web)).status == 303
    for _ in range(3):  # the delay doubles with each further failure
        web.clock.now += 600
    web.clock.now += 1000  # the window is over: a clean slate
    assert (await login(web)).status == 303


async def test_cross_site_requests_are_refused(web):
    response = await login(web, Origin=EVIL)
    assert response.status == 403 and "Set-Cookie" not in response.headers
    response = await web.post(
        "/login",
        data={"user": "claire", "password": PASSWORDS["claire"]},
        allow_redirects=False,
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status == 403
    assert (await login(web, Origin="null")).status == 403
    token = token_of(await login(web))
    cookies = {"assises_session": token}
    response = await web.post(
        "/logout", cookies=cookies, allow_redirects=False, headers={"Origin": EVIL}
    )
    assert response.status == 403
    assert (await web.get("/", cookies=cookies)).status == 200  # still logged in
    # The websocket: another origin, or none, is refused even with a valid cookie.
    for headers in ({"Origin": EVIL}, {}):
        with pytest.raises(WSServerHandshakeError) as refused:
            await web.ws_connect("/ws", headers={**headers, "Cookie": f"assises_session={token}"})
        assert refused.value.status == 403
    assert not web.env_file.exists()  # no app was started


async def test_the_app_runs_as_the_logged_in_account_and_nothing_else(web):
    token = token_of(await login(web, "paul"))
    socket = await web.ws_connect(
        "/ws?width=100&height=30",
        headers={"Origin": web.origin, "Cookie": f"assises_session={token}"},
    )
    for _ in range(100):
        if web.env_file.exists() and web.env_file.stat().st_size:
            break
        await _sleep(0.05)
    await socket.send_str(json.dumps(["ping", "x"]))
    assert (await socket.receive_json(timeout=5)) == ["pong", "x"]
    await socket.close()
    env = json.loads(web.env_file.read_text())
    assert env["ASSISES_WEB_USER"] == "paul"
    assert env["ASSISES_WEB_ROLE"] == "reviewer"
    assert env["ASSISES_REVIEWER"] == "paul"
    assert env["ASSISES_WEB_WORKSPACE"] == str(web.server_obj.settings.workspace_root)
    assert env["TEXTUAL_DRIVER"].endswith("WebDriver")
    assert "ASSISES_TEST_SECRET" not in env  # the server's environment is not handed down
    # Closing the tab ended the app process.
    pid = int(env["FAKE_PID"])
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            break
        await _sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()


async def test_downloads_belong_to_the_session_whose_app_delivered_them(web):
    claire = token_of(await login(web, "claire"))
    paul = token_of(await login(web, "paul"))
    session = web.server_obj.sessions.get(claire)
    session.deliveries.add("cle-de-claire")
    response = await web.get("/download/cle-de-claire", cookies={"assises_session": paul})
    assert response.status == 404  # Paul's session did not deliver it
    response = await web.get("/download/autre-cle", cookies={"assises_session": claire})
    assert response.status == 404


async def test_forwarded_headers_count_only_from_the_named_proxy(served_workspace):
    async def cookie_for(forwarded_allow):
        server = AssisesWebServer(
            ServeSettings(served_workspace, "Essai", forwarded_allow=forwarded_allow)
        )
        client = TestClient(TestServer(server.make_app()), cookie_jar=DummyCookieJar())
        await client.start_server()
        try:
            response = await client.post(
                "/login",
                data={"user": "claire", "password": PASSWORDS["claire"]},
                allow_redirects=False,
                headers={
                    "Origin": f"https://{client.host}:{client.port}",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": "192.0.2.7",
                },
            )
            return response.status, response.headers.get("Set-Cookie", ""), response.headers
        finally:
            await client.close()

    status, cookie, headers = await cookie_for(frozenset({"127.0.0.1"}))
    assert status == 303
    assert cookie.startswith("__Host-assises_session=") and "Secure" in cookie
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    # From an address that is not the proxy, the same headers are ignored: the request is
    # plain HTTP, so an https Origin is another site.
    status, cookie, _ = await cookie_for(frozenset({"10.9.8.7"}))
    assert status == 403 and cookie == ""


async def test_a_removed_account_loses_its_open_session(web):
    token = token_of(await login(web, "paul"))
    Accounts(web.server_obj.settings.workspace_root).remove("paul")
    response = await web.get("/", cookies={"assises_session": token}, allow_redirects=False)
    assert response.status == 303
    assert json.loads(_audit_lines(web)[-1])["what"] == "web.session_revoked"


async def test_every_response_has_the_security_headers(web):
    token = token_of(await login(web))
    for path, cookies in [("/login", {}), ("/", {"assises_session": token}),
                          ("/static/assises.css", {}), ("/nulle-part", {}), ("/ws", {})]:  # fmt: skip
        response = await web.get(path, cookies=cookies, allow_redirects=False)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert not re.search(r"https?://|\*", csp), csp  # no other host, no wildcard
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def _audit_lines(web) -> list[str]:
    path = web.server_obj.settings.workspace_root / "store" / "audit.jsonl"
    return [line for line in path.read_text().splitlines() if line.strip()]


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
