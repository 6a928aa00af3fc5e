"""The apps a web server runs: one app process per open tab, relayed over its websocket.

``AppSockets.serve(request, session)`` starts the session's app at the browser's size and
relays the terminal both ways until the tab closes, the session ends or the server stops;
at most ``max_apps`` run at once. Ending a session closes its tabs' websockets; stopping an
app asks it to quit, then kills the process after a grace period (nothing is lost: every
change is already written).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from assises_tui.web.app_process import SessionAppService
from assises_tui.web.sessions import Session

log = logging.getLogger("assises.web")


@dataclass
class _Live:
    """What runs for a session: its app services (one per open tab) and their websockets."""

    sockets: dict[web.WebSocketResponse, SessionAppService] = field(default_factory=dict)


class AppSockets:
    def __init__(
        self,
        workspace_root: Path,
        app_command: Sequence[str] | None,
        download_manager: DownloadManager,
        *,
        max_apps: int,
        still_open: Callable[[web.Request], bool],
    ) -> None:
        self.workspace_root = workspace_root
        self.app_command = app_command
        self.download_manager = download_manager
        self.max_apps = max_apps
        self.still_open = still_open  # the request's session is still live (not logged out)
        self.live: dict[int, _Live] = {}  # id(Session) -> what runs for it

    def running_apps(self) -> int:
        return sum(len(live.sockets) for live in self.live.values())

    async def serve(self, request: web.Request, session: Session) -> web.StreamResponse:
        if self.running_apps() >= self.max_apps:
            return web.Response(status=503, text="Trop de sessions ouvertes sur ce serveur.")
        width = _clamp(request.query.get("width"), 80, 20, 400)
        height = _clamp(request.query.get("height"), 24, 8, 200)
        socket = web.WebSocketResponse(heartbeat=15, max_msg_size=256 * 1024)
        await socket.prepare(request)
        service = SessionAppService(
            session,
            self.workspace_root,
            self.app_command,
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
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if not self.still_open(request):  # logged out or expired meanwhile
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

    def close_session(self, session: Session) -> None:
        """The session ended: its tabs' websockets close (their apps then stop)."""
        live = self.live.pop(id(session), None)
        if live is not None:
            for socket in list(live.sockets):
                asyncio.ensure_future(socket.close())

    async def stop_all(self) -> None:
        services = [s for live in self.live.values() for s in live.sockets.values()]
        await asyncio.gather(*(_stop(service) for service in services))
        for live in list(self.live.values()):
            for socket in list(live.sockets):
                await socket.close()


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
