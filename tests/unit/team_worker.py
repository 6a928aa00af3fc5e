"""One reviewer working on a team workspace, run as its own process by the team tests.

    python team_worker.py app|api|batch WORKSPACE REVIEWER SECONDS LOG [SEED]

* ``app``: the real application, headless (``App.run_test``), driven by key presses
  (move, statuses, theme keys) on the « Toutes » view;
* ``api``: the services a screen calls (statuses, themes, notes), as fast as it can;
* ``batch``: bulk notes over every contribution, one all-or-nothing write each (the
  writer killed mid-batch by the crash test).

Every change the store acknowledged is appended to LOG (one JSON line, flushed and
fsync'd before the next change starts) as ``{"who", "cid", "after"}``; every refused one
as ``{"who", "conflict": message}``. The tests compare these lines with the histories.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

from assises_tui.errors import StoreConflictError
from assises_tui.services.changes import Changes, ChangeSet, _plain
from assises_tui.workspace import Workspace


class Log:
    def __init__(self, path: Path, who: str) -> None:
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - for the whole run
        self.who = who

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps({"who": self.who, **record}, sort_keys=True) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def changeset(self, changeset: ChangeSet) -> None:
        for cid, after in changeset.after.items():
            self.write({"cid": cid, "after": _plain(after)})


def logged(log: Log) -> None:
    """Make every ``Changes.apply`` of this process report to ``log``."""
    apply = Changes.apply

    def apply_and_log(self, ids, what, change):  # noqa: ANN001, ANN202
        try:
            changeset = apply(self, ids, what, change)
        except StoreConflictError as exc:
            log.write({"conflict": str(exc)})
            raise
        log.changeset(changeset)
        return changeset

    Changes.apply = apply_and_log


def run_api(root: Path, who: str, seconds: float, log: Log, rng: random.Random) -> None:
    from assises_tui.services.session import Services

    ws = Workspace.open(root)
    ws.reviewer = who
    services = Services(ws)
    ids = ws.store.ids()
    themes = list(ws.config.theme_keys)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        if rng.random() < 0.05:  # rarely: others' changes must meet stale copies
            ws.store.reload_if_changed()
        cid = rng.choice(ids)
        action = rng.random()
        try:
            if action < 0.45:
                services.triage.set_status(
                    [cid], rng.choice(["done", "in_progress", "new", "off_topic"])
                )
            elif action < 0.85:
                services.triage.toggle_theme([cid], rng.choice(themes))
            else:
                n += 1
                services.triage.add_note(cid, f"{who} note {n}")
        except StoreConflictError:
            pass  # logged; the reviewer would see the message and carry on
        time.sleep(rng.uniform(0.0, 0.02))
    ws.close()


def run_batch(root: Path, who: str, seconds: float, log: Log, rng: random.Random) -> None:
    from assises_tui.services.session import Services

    ws = Workspace.open(root)
    ws.reviewer = who
    services = Services(ws)
    ids = ws.store.ids()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        text = f"{who} lot {n} {rng.random()}"
        log.write({"batch_started": text})
        services.changes.apply(
            ids,
            "note",
            lambda item, text=text: {"notes": item.notes + (_note(who, text),)},
        )
    ws.close()


def _note(who: str, text: str):  # noqa: ANN202
    from assises_tui.domain.models import Note

    return Note(who, "2020-01-20T10:00:00+01:00", text)


async def _drive_app(root: Path, who: str, seconds: float, rng: random.Random) -> None:
    from assises_tui.app import AssisesApp
    from assises_tui.services.session import Services

    ws = Workspace.open(root)
    ws.reviewer = who
    app = AssisesApp(Services(ws))
    keys = ["j", "j", "k", "d", "c", "n", "1", "2", "3", "4", "home", "end"]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")  # « Toutes »: rows never leave the view
        await pilot.pause()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await pilot.press(rng.choice(keys))
            await pilot.pause()
            await asyncio.sleep(rng.uniform(0.0, 0.05))
    ws.close()


def without_merge() -> None:
    """Sabotage for the test that shows the check can fail: a save whose record changed
    meanwhile overwrites it with this process's copy instead of merging field by field."""
    import assises_tui.store.postgres.store as postgres_store

    postgres_store.merge = lambda _base, mine, _theirs: mine


def main(argv: list[str]) -> int:
    mode, root, who, seconds, log_path = argv[:5]
    if os.environ.get("TEAM_WORKER_NO_MERGE") == "1":
        without_merge()
    rng = random.Random(int(argv[5]) if len(argv) > 5 else None)
    log = Log(Path(log_path), who)
    logged(log)
    log.write({"started": mode})
    if mode == "app":
        asyncio.run(_drive_app(Path(root), who, float(seconds), rng))
    elif mode == "api":
        run_api(Path(root), who, float(seconds), log, rng)
    else:
        run_batch(Path(root), who, float(seconds), log, rng)
    log.write({"finished": mode})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
