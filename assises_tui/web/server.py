"""The web server of ``assises serve`` (aiohttp), built around textual-serve's app service.

textual-serve's own ``Server`` has no login and its page links a web font from another host,
so it is replaced here; its ``AppService`` (one app process per websocket), its download
manager and its terminal script are reused.

Routes (everything else is 404):

- ``GET /login``, ``POST /login`` (form fields ``user``, ``password``), ``POST /logout``;
- ``GET /``: the app page, or 303 to ``/login`` without a session;
- ``GET /ws``: the app's websocket — 401 without a session, 403 from another origin;
- ``GET /download/{key}``: a file the session's own app delivered — 401 without a session,
  404 for a key that session's app did not announce;
- ``GET /static/<name>``: a fixed list of files (script, styles, fonts, background).

Every response carries the security headers of ``request_checks.py`` (a strict
Content-Security-Policy, ``nosniff``, ``frame-ancestors 'none'``, no referrer to other
sites). A POST whose ``Origin`` (or ``Sec-Fetch-Site``) says it comes from another site is
refused (403), as is a websocket whose ``Origin`` is not this server. The apps themselves,
one process per open tab, run in ``app_sockets.py``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from textual_serve.download_manager import DownloadManager

from assises_tui.clock import now_iso
from assises_tui.store.layout import Layout
from assises_tui.store.meta import AuditLog
from assises_tui.text.safe import one_line
from assises_tui.web import pages
from assises_tui.web.accounts import ROLE_LABELS, Account, Accounts, dummy_hash
from assises_tui.web.app_sockets import AppSockets
from assises_tui.web.request_checks import RequestChecks, content_security_policy
from assises_tui.web.sessions import LoginThrottle, Session, SessionStore

log = logging.getLogger("assises.web")

BAD_LOGIN = "Identifiant ou mot de passe incorrect."
TEXTUAL_STATIC = Path(__import__("textual_serve").__file__).parent / "static"
OWN_STATIC = Path(__file__).parent / "static"
STATIC_FILES = {
    "textual.js": (TEXTUAL_STATIC / "js" / "textual.js", "text/javascript"),
    "xterm.css": (TEXTUAL_STATIC / "css" / "xterm.css", "text/css"),
    "background.png": (TEXTUAL_STATIC / "images" / "background.png", "image/png"),
    "fonts/RobotoMono-VariableFont_wght.ttf": (
        TEXTUAL_STATIC / "fonts" / "RobotoMono-VariableFont_wght.ttf",
        "font/ttf",
    ),
    "fonts/RobotoMono-Italic-VariableFont_wght.ttf": (
        TEXTUAL_STATIC / "fonts" / "RobotoMono-Italic-VariableFont_wght.ttf",
        "font/ttf",
    ),
    "assises.js": (OWN_STATIC / "assises.js", "text/javascript"),
    "assises.css": (OWN_STATIC / "assises.css", "text/css"),
}


@dataclass
class ServeSettings:
    workspace_root: Path
    consultation_title: str
    tls: bool = False
    #: Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
    forwarded_allow: frozenset[str] = frozenset()
    idle_timeout: float = 30 * 60
    session_lifetime: float = 12 * 3600
    max_apps: int = 40
    app_command: Sequence[str] | None = None
    font_size: int = 16


class AssisesWebServer:
    def __init__(
        self,
        settings: ServeSettings,
        accounts: Accounts | None = None,
        sessions: SessionStore | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.settings = settings
        if accounts is None:
            accounts = Accounts(settings.workspace_root)
        if sessions is None:
            sessions = SessionStore(settings.idle_timeout, settings.session_lifetime)
        self.accounts = accounts
        self.sessions = sessions
        self.throttle = throttle if throttle is not None else LoginThrottle()
        self.audit_log = AuditLog(Layout(settings.workspace_root).audit)
        self.download_manager = DownloadManager()
        self.checks = RequestChecks(tls=settings.tls, forwarded_allow=settings.forwarded_allow)
        self.apps = AppSockets(
            settings.workspace_root,
            settings.app_command,
            self.download_manager,
            max_apps=settings.max_apps,
            still_open=lambda request: self.sessions.get(self.checks.token(request)) is not None,
        )
        self._sweeper: asyncio.Task[None] | None = None
        #: Password checks at once: a burst of logins (or a flood from many addresses) queues
        #: here instead of taking every core and 19 MiB per check.
        self._hashing = asyncio.Semaphore(2)

    # -- the application -------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024, middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/", self.index),
                web.get("/login", self.login_form),
                web.post("/login", self.login),
                web.post("/logout", self.logout),
                web.get("/ws", self.websocket),
                web.get("/download/{key}", self.download),
                web.get("/static/{name:.+}", self.static),
            ]
        )
        app.on_response_prepare.append(self.checks.add_headers)
        app.on_startup.append(self._start_sweeper)
        app.on_shutdown.append(self._shutdown)
        return app

    # -- request context ---------------------------------------------------------------
    def session(self, request: web.Request) -> Session | None:
        """The request's live session; an account removed or whose role changed meanwhile
        ends its sessions."""
        session = self.sessions.get(self.checks.token(request))
        if session is None:
            return None
        account = self.accounts.get(session.account.name)
        if account is None or account.role != session.account.role:
            self._end(self.checks.token(request), "web.session_revoked")
            return None
        return session

    # -- middleware and headers --------------------------------------------------------
    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if request.method not in ("GET", "HEAD", "POST"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        if request.method == "POST" and not self.checks.same_origin(request, required=False):
            log.warning("POST %s refusé : origine %r", request.path, request.headers.get("Origin"))
            return web.Response(status=403, text="Requête refusée : elle vient d'un autre site.")
        return await handler(request)

    # -- audit ---------------------------------------------------------------------------
    def audit(self, what: str, account: Account, client: str, **details: str) -> None:
        # The app processes write the trail too: each event is one O_APPEND write of a
        # whole line, so lines from different processes never interleave.
        entry = {"at": now_iso(), "who": account.name, "what": what, "client": client}
        entry.update(details)
        try:
            self.audit_log.append([entry])
        except OSError as exc:
            log.error("Journal d'audit : écriture impossible (%s)", exc)

    # -- pages -----------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        if session is None:
            if self.checks.token(request) is None:
                return _see_other("/login")
            # A cookie the server no longer knows: expired, logged out elsewhere, restarted.
            response = _see_other("/login?expiree")
            response.del_cookie(self.checks.cookie_name(request), path="/")
            return response
        nonce = secrets.token_urlsafe(16)
        scheme = "wss" if self.checks.secure(request) else "ws"
        html = pages.app_page(
            self.settings.consultation_title,
            session.account.name,
            ROLE_LABELS.get(session.account.role, session.account.role),
            f"{scheme}://{request.host}/ws",
            nonce,
            self.settings.font_size,
        )
        response = web.Response(text=html, content_type="text/html")
        response.headers["Content-Security-Policy"] = content_security_policy(nonce)
        return response

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        if self.session(request) is not None:
            raise web.HTTPSeeOther("/")
        message = ""
        if "fin" in request.query:
            message = "Vous êtes déconnecté. La session est terminée."
        elif "expiree" in request.query:
            message = "Votre session est terminée ou a expiré : reconnectez-vous."
        return self._login_page(message)

    def _login_page(self, message: str, status: int = 200, user: str = "") -> web.Response:
        html = pages.login_page(self.settings.consultation_title, message, user)
        return web.Response(text=html, content_type="text/html", status=status)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        user = str(form.get("user", ""))[:200].strip()
        password = str(form.get("password", ""))[:1024]
        client = self.checks.client(request)
        keys = (f"client:{client}", f"user:{user.casefold()}")
        wait = self.throttle.wait_for(*keys)
        if wait > 0:
            seconds = int(wait) + 1
            response = self._login_page(
                f"Trop de tentatives : réessayez dans {seconds} s.", status=429, user=""
            )
            response.headers["Retry-After"] = str(seconds)
            return response
        async with self._hashing:  # each check takes 19 MiB and ~0.1 s of one core
            account = await asyncio.get_running_loop().run_in_executor(
                None, self.accounts.verify, user, password
            )
        if account is None:
            self.throttle.failed(*keys)
            log.warning("Connexion refusée pour %r depuis %s", one_line(user, 80), client)
            return self._login_page(BAD_LOGIN, status=401)
        self.throttle.succeeded(keys[1])
        token = self.sessions.create(account, client)
        self.audit("web.login", account, client)
        response = _see_other("/")
        response.set_cookie(
            self.checks.cookie_name(request),
            token,
            httponly=True,
            samesite="Strict",
            secure=self.checks.secure(request),
            path="/",
        )
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        self._end(self.checks.token(request), "web.logout")
        response = _see_other("/login?fin")
        response.del_cookie(self.checks.cookie_name(request), path="/")
        return response

    def _end(self, token: str | None, what: str) -> None:
        session = self.sessions.end(token)
        if session is not None:
            self._closed(session, what)

    def _closed(self, session: Session, what: str) -> None:
        self.audit(what, session.account, session.client)
        self.apps.close_session(session)

    async def _start_sweeper(self, app: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(None, dummy_hash)

        async def sweep() -> None:
            while True:
                await asyncio.sleep(min(30.0, self.settings.idle_timeout / 2))
                for session in self.sessions.expired():
                    self._closed(session, "web.session_expired")

        self._sweeper = asyncio.create_task(sweep())

    async def _shutdown(self, app: web.Application) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self.apps.stop_all()

    # -- static files --------------------------------------------------------------------
    async def static(self, request: web.Request) -> web.StreamResponse:
        entry = STATIC_FILES.get(request.match_info["name"])
        if entry is None:
            raise web.HTTPNotFound()
        path, content_type = entry
        response = web.FileResponse(path, headers={"Content-Type": content_type})
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    # -- the app's websocket ----------------------------------------------------------------
    async def websocket(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        if session is None:
            return web.Response(status=401, text="Session absente ou expirée.")
        if not self.checks.same_origin(request, required=True):
            log.warning("Websocket refusé : origine %r", request.headers.get("Origin"))
            return web.Response(status=403, text="Connexion refusée : autre origine.")
        return await self.apps.serve(request, session)

    # -- downloads ---------------------------------------------------------------------------
    async def download(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        if session is None:
            return web.Response(status=401, text="Session absente ou expirée.")
        key = request.match_info["key"]
        if key not in session.deliveries:
            raise web.HTTPNotFound(text="Téléchargement introuvable.")
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="Téléchargement introuvable.") from None
        session.deliveries.discard(key)
        response = web.StreamResponse()
        content_type = meta.mime_type or "application/octet-stream"
        if meta.encoding:
            content_type += f"; charset={meta.encoding}"
        response.headers["Content-Type"] = content_type
        name = Path(meta.file_name).name or "export"
        ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
        )
        await response.prepare(request)
        async for chunk in self.download_manager.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context
