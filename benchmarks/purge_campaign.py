"""Purge campaign: SIGKILL an RGPD purge at random instants, then purge again.

    python -m benchmarks.purge_campaign --trials 50 [--messages 200] [--seed 1]

Each trial copies a workspace holding an imported mbox, runs ``Privacy.purge`` in a child
process and kills it at a random instant (start-up, during the purge, just after). A
second purge must then finish the job: no sender identity or raw e-mail left before the
cut-off, nothing newer touched, no orphan file in ``blobs/``, ``verify()`` clean.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.crash_campaign import REPO, SHARD_SIZE, TZ, write_mbox

PURGE_CUTOFF = "2019-12-20"


def purge_child(root: Path) -> None:
    from datetime import date

    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    ws = Workspace.open(root)
    print(json.dumps({"ev": "purge-start"}), flush=True)
    Services(ws).purge.run(date.fromisoformat(PURGE_CUTOFF))
    print(json.dumps({"ev": "purge-done"}), flush=True)
    ws.close()


def check_purged(ws) -> list[str]:
    """After a (resumed) purge: nothing personal left before the cut-off, no orphan file."""
    from datetime import date, time

    from assises_tui.domain.models import blob_refs
    from assises_tui.services.purge_report import is_purged

    problems = [f"verify : {p}" for p in ws.store.verify()]
    cutoff = datetime.combine(date.fromisoformat(PURGE_CUTOFF), time.min, tzinfo=TZ)
    used: set[str] = set()
    for item in ws.store.all():
        used |= blob_refs(item)
        old = item.received_at is not None and item.received_at < cutoff
        if old and (item.sender_name or item.sender_email or item.raw_blob or not is_purged(item)):
            problems.append(f"n° {item.id} pas purgée")
        if not old and is_purged(item):
            problems.append(f"n° {item.id} purgée à tort")
    # Other owners of blobs: quarantined mails and the importer's campaign signatures.
    used |= {q.raw_blob for q in ws.store.quarantine() if q.raw_blob}
    used |= set(ws.store.get_doc("ingest-campaigns").get("chunks", []))
    on_disk = {p.parent.name + p.name for p in (ws.root / "blobs").glob("??/*")}
    orphans = on_disk - used
    if orphans:
        problems.append(f"{len(orphans)} fichier(s) orphelin(s) dans blobs/")
    return problems


def purge_campaign(trials: int, messages: int, seed: int, base: Path) -> dict[str, Any]:
    """Kill a purge at random instants; a second purge must finish the job cleanly."""
    import shutil
    from datetime import date

    from assises_tui.services.importer import import_sources
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    rng = random.Random(seed)
    base.mkdir(parents=True, exist_ok=True)
    mbox = base / "purge.mbox"
    write_mbox(mbox, messages, seed)
    template = base / "purge-template"
    with Workspace.init(template, shard_size=SHARD_SIZE) as ws:
        import_sources(ws, [mbox])
    results: list[dict[str, Any]] = []
    window = 1.0
    for number in range(trials):
        root = base / f"purge-{number}"
        shutil.copytree(template, root)
        (root / "lock").unlink(missing_ok=True)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.purge_campaign", "--child", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
            text=True,
        )
        started = time.monotonic()
        time.sleep(rng.uniform(0.0, window))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        out, _err = proc.communicate()
        if "purge-done" in out:  # finished before the kill: aim earlier next time
            window = max(0.2, min(window, time.monotonic() - started))
        phase = (
            "après la purge"
            if "purge-done" in out
            else "pendant la purge"
            if "purge-start" in out
            else "démarrage"
        )
        with Workspace.open(root) as ws:
            problems = [f"verify : {p}" for p in ws.store.verify()]
            Services(ws).purge.run(date.fromisoformat(PURGE_CUTOFF))
            problems += check_purged(ws)
        results.append({"trial": number, "phase": phase, "losses": problems})
        shutil.rmtree(root, ignore_errors=True)
    points: dict[str, int] = {}
    for r in results:
        points[r["phase"]] = points.get(r["phase"], 0) + 1
    return {"trials": trials, "kill_points": points, "losses": [r for r in results if r["losses"]]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        purge_child(Path(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="assises-purge-") as tmp:
        summary = purge_campaign(args.trials, args.messages, args.seed, Path(tmp))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 1 if summary["losses"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
