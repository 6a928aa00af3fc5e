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

Every response carries a strict Content-Security-Policy (no inline script or style except
with the page's nonce, nothing from another host), ``nosniff``, ``frame-ancestors 'none'``
and no referrer to other sites. A POST whose ``Origin`` (or ``Sec-Fetch-Site``) says it comes from another
site is refused (403), as is a websocket whose ``Origin`` is not this server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from assises_tui.clock import now_iso
from assises_tui.store.layout import Layout
from assises_tui.store.meta import AuditLog
from assises_tui.text.safe import one_line
from assises_tui.web import pages
from assises_tui.web.accounts import ROLE_LABELS, Account, Accounts, dummy_hash
from assises_tui.web.app_process import SessionAppService
from assises_tui.web.sessions import LoginThrottle, Session, SessionStore

log = logging.getLogger("assises.web")

COOKIE = "assises_session"
#: Under TLS the cookie takes the ``__Host-`` prefix: the browser then refuses it unless it
#: is Secure, for this exact host and path ``/`` (no sub-domain can plant or read it).
TLS_COOKIE = "__Host-assises_session"
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


@dataclass
class _Live:
    """What runs for a session: its app services (one per open tab) and their websockets."""

    sockets: dict[web.WebSocketResponse, SessionAppService] = field(default_factory=dict)


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
        self.live: dict[int, _Live] = {}  # id(Session) -> what runs for it
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
        app.on_response_prepare.append(self._headers)
        app.on_startup.append(self._start_sweeper)
        app.on_shutdown.append(self._shutdown)
        return app

    # -- request context ---------------------------------------------------------------
    def _from_proxy(self, request: web.Request) -> bool:
        return (
            bool(self.settings.forwarded_allow) and request.remote in self.settings.forwarded_allow
        )

    def client(self, request: web.Request) -> str:
        if self._from_proxy(request):
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.split(",")[-1].strip()  # the hop our proxy saw
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
        return request.remote or "?"

    def secure(self, request: web.Request) -> bool:
        if self.settings.tls:
            return True
        if self._from_proxy(request):
            return request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        return False

    def origin(self, request: web.Request) -> str:
        return f"{'https' if self.secure(request) else 'http'}://{request.host}"

    def cookie_name(self, request: web.Request) -> str:
        return TLS_COOKIE if self.secure(request) else COOKIE

    def token(self, request: web.Request) -> str | None:
        return request.cookies.get(self.cookie_name(request))

    def session(self, request: web.Request) -> Session | None:
        """The request's live session; an account removed or whose role changed meanwhile
        ends its sessions."""
        session = self.sessions.get(self.token(request))
        if session is None:
            return None
        account = self.accounts.get(session.account.name)
        if account is None or account.role != session.account.role:
            self._end(self.token(request), "web.session_revoked")
            return None
        return session

    # -- middleware and headers --------------------------------------------------------
    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if request.method not in ("GET", "HEAD", "POST"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        if request.method == "POST" and not self._same_origin(request, required=False):
            log.warning("POST %s refusé : origine %r", request.path, request.headers.get("Origin"))
            return web.Response(status=403, text="Requête refusée : elle vient d'un autre site.")
        return await handler(request)

    def _same_origin(self, request: web.Request, *, required: bool) -> bool:
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            if required or origin == "null":
                return False
            # No Origin (a client that is not a browser): a browser's Fetch Metadata still counts.
            return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
        return origin == self.origin(request)

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = (
            "same-origin"  # no-referrer would make form posts say Origin: null
        )
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        if self.secure(request):
            headers["Strict-Transport-Security"] = "max-age=31536000"

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
            if self.token(request) is None:
                return _see_other("/login")
            # A cookie the server no longer knows: expired, logged out elsewhere, restarted.
            response = _see_other("/login?expiree")
            response.del_cookie(self.cookie_name(request), path="/")
            return response
        nonce = secrets.token_urlsafe(16)
        scheme = "wss" if self.secure(request) else "ws"
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
        client = self.client(request)
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
            self.cookie_name(request),
            token,
            httponly=True,
            samesite="Strict",
            secure=self.secure(request),
            path="/",
        )
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        self._end(self.token(request), "web.logout")
        response = _see_other("/login?fin")
        response.del_cookie(self.cookie_name(request), path="/")
        return response

    def _end(self, token: str | None, what: str) -> None:
        session = self.sessions.end(token)
        if session is not None:
            self._closed(session, what)

    def _closed(self, session: Session, what: str) -> None:
        self.audit(what, session.account, session.client)
        live = self.live.pop(id(session), None)
        if live is not None:
            for socket in list(live.sockets):
                asyncio.ensure_future(socket.close())

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
        services = [s for live in self.live.values() for s in live.sockets.values()]
        await asyncio.gather(*(_stop(service) for service in services))
        for live in list(self.live.values()):
            for socket in list(live.sockets):
                await socket.close()

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
    def running_apps(self) -> int:
        return sum(len(live.sockets) for live in self.live.values())

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        if session is None:
            return web.Response(status=401, text="Session absente ou expirée.")
        if not self._same_origin(request, required=True):
            log.warning("Websocket refusé : origine %r", request.headers.get("Origin"))
            return web.Response(status=403, text="Connexion refusée : autre origine.")
        if self.running_apps() >= self.settings.max_apps:
            return web.Response(status=503, text="Trop de sessions ouvertes sur ce serveur.")
        width = _clamp(request.query.get("width"), 80, 20, 400)
        height = _clamp(request.query.get("height"), 24, 8, 200)
        socket = web.WebSocketResponse(heartbeat=15, max_msg_size=256 * 1024)
        await socket.prepare(request)
        service = SessionAppService(
            session,
            self.settings.workspace_root,
            self.settings.app_command,
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=socket.close,
            download_manager=self.download_manager,
        )
        live = self.live.setdefault(id(session), _Live())
        live.sockets[socket] = service
        try:
            await service.start(width, height)
            await self._relay(socket, service, request)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("Session de %s interrompue", session.account.name)
        finally:
            live.sockets.pop(socket, None)
            await _stop(service)
            if not socket.closed:
                await socket.close()
        return socket

    async def _relay(
        self, socket: web.WebSocketResponse, service: SessionAppService, request: web.Request
    ) -> None:
        token = self.token(request)
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if self.sessions.get(token) is None:  # logged out or expired meanwhile
                break
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    _clamp(data.get("width"), 80, 20, 400), _clamp(data.get("height"), 24, 8, 200)
                )
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

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


def content_security_policy(nonce: str = "") -> str:
    """Everything from this server only; scripts and ``<style>`` elements also need the
    page's nonce (no inline script or style otherwise, no eval)."""
    source = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (
        f"default-src 'none'; script-src {source}; style-src {source}; "
        "font-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _clamp(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


async def _stop(service: SessionAppService, grace: float = 10.0) -> None:
    """Ask the app to quit and wait for the process to end; kill it after ``grace`` seconds
    (nothing is lost: every change is already written)."""
    process = service._process
    try:
        await asyncio.wait_for(service.stop(), grace)
        if process is not None:
            await asyncio.wait_for(process.wait(), grace)
    except (TimeoutError, ProcessLookupError, RuntimeError, OSError):
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


def ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context
