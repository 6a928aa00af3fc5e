"""One app process per browser session, on textual-serve's ``AppService``.

textual-serve starts the app through a shell with the server's whole environment; here the
process is started without a shell (no quoting of the workspace path to get wrong), from a
minimal environment that names the session's account, and the deliveries it announces are
recorded on the session so that only that session may download them.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from textual_serve.app_service import AppService

from assises_tui.web.session_app import ENV_ROLE, ENV_USER, ENV_WORKSPACE
from assises_tui.web.sessions import Session

#: What the app process inherits from the server's environment (nothing else: no secrets),
#: plus textual's own variables and libpq's ``PG*`` (a team workspace's database access).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "PYTHONPATH")
INHERITED_PREFIXES = ("TEXTUAL", "TERM", "COLUMNS", "ROWS", "PG")


def session_command() -> list[str]:
    return [sys.executable, "-m", "assises_tui.web.session_app"]


class SessionAppService(AppService):
    def __init__(
        self,
        session: Session,
        workspace_root: Path,
        command: Sequence[str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(" ".join(command or session_command()), **kwargs)
        self.argv = list(command or session_command())
        self.session = session
        self.workspace_root = workspace_root

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        inherited = super()._build_environment(width=width, height=height)
        environment = {k: inherited[k] for k in INHERITED if k in inherited}
        environment.update({k: v for k, v in inherited.items() if k.startswith(INHERITED_PREFIXES)})
        environment[ENV_WORKSPACE] = str(self.workspace_root)
        environment[ENV_USER] = self.session.account.name
        # The same variable as the command line's --reviewer, for any code that reads it.
        environment["ASSISES_REVIEWER"] = self.session.account.name
        environment[ENV_ROLE] = self.session.account.role
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24):
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            cwd=str(self.workspace_root),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def on_meta(self, data: bytes) -> None:
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if meta.get("type") == "deliver_file_start" and "key" in meta:
            self.session.deliveries.add(str(meta["key"]))
        await super().on_meta(data)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def memory_of(pid: int) -> int:
    """Resident memory of a process in bytes (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
