"""The app process of one browser session: ``python -m assises_tui.web.session_app``.

The server starts it with the logged-in account in its environment (``ASSISES_WEB_USER``,
``ASSISES_WEB_ROLE``) and the workspace in ``ASSISES_WEB_WORKSPACE``: the reviewer name in
the history, notes and audit is that account, never something typed in the page. With a
TinyDB workspace the first session takes the writer lock; the others open read-only with the
usual banner and follow the writer's changes.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from assises_tui.errors import AssisesError

ENV_WORKSPACE = "ASSISES_WEB_WORKSPACE"
ENV_USER = "ASSISES_WEB_USER"
ENV_ROLE = "ASSISES_WEB_ROLE"


def _die_with_the_server() -> None:
    """End this process when the server that started it is gone (killed, crashed): the app
    would otherwise run on unseen, holding the writer lock. Exiting at any instant loses
    nothing — every change is already written durably."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


def main() -> int:
    from assises_tui.app import AssisesApp
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    _die_with_the_server()
    try:
        root = Path(os.environ[ENV_WORKSPACE])
        user = os.environ[ENV_USER]
        role = os.environ[ENV_ROLE]
    except KeyError as missing:
        print(
            f"assises : variable {missing} absente (processus lancé par assises serve).",
            file=sys.stderr,
        )
        return 2
    try:
        ws = Workspace.open(root, fallback_read_only=True)
    except AssisesError as exc:
        print(f"assises : {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        ws.reviewer = user
        ws.role = role
        AssisesApp(Services(ws)).run()
    finally:
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
