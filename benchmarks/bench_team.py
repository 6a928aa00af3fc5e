"""Team mode on PostgreSQL: the inbox at 100,000, changes seen by others, 10 reviewers at
once, and the start of a 1,000,000-contribution national roll-up.

    python -m benchmarks.bench_team [--n 100000] [--reviewers 10] [--seconds 20]
                                    [--rollup 1000000] [--keep DIR]

A private PostgreSQL 15 (Debian's package) is started in a temporary folder, durable
(fsync on, as a real server), on a Unix socket; each measure runs in a fresh process:

* **inbox**: ``bench_inbox.measure`` on the team workspace (start to list shown, keys,
  search per character, a durable status change, peak memory);
* **visible to another**: a second reviewer (another connection) changes the status of
  the row under the cursor; time until the open inbox, woken by LISTEN/NOTIFY, has
  redrawn without it (20 times);
* **reviewers**: N processes changing statuses of random contributions as fast as they
  can for S seconds: changes per second, p50/p99 latency of a save, conflicts;
* **roll-up**: 10 départements × (rollup / 10) records (no blobs: they do not take part in
  the start), then the start of the app and its peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _server(durable: bool = True):
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import start_server

    return start_server(durable=durable)


def _ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(len(values) * q))]  # noqa: E731
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(pick(0.95) * 1000, 2),
        "p99_ms": round(pick(0.99) * 1000, 2),
    }


# -- building ---------------------------------------------------------------------
def build(root: Path, url: str, n: int) -> None:
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace
    from benchmarks.generate import fill_store

    with Workspace.init(root, postgres_url=url) as ws:
        fill_store(ws.store, n, seed=0)
        services = Services(ws)
        services.search.refresh()
        services.search.save()


def build_rollup(root: Path, url: str, n: int, departments: int = 10) -> None:
    """``n`` records in ``departments`` départements, without blobs. Generating a record
    costs ~1-8 ms, so 2,000 generated ones are copied under new numbers."""
    from dataclasses import replace

    from assises_tui.workspace import Workspace
    from benchmarks.generate import make_contribution

    rng = random.Random(1)
    templates = [make_contribution(i + 1, rng)[0] for i in range(2_000)]
    with Workspace.init(root, postgres_url=url) as ws:
        store = ws.store
        per = n // departments
        for d in range(departments):
            ids = store.allocate_ids(per)
            name = f"Département {d + 1:02d}"
            for start in range(0, per, 20_000):
                chunk = ids[start : start + 20_000]
                items = [
                    replace(
                        templates[cid % len(templates)],
                        id=cid,
                        message_id=f"<{cid}@exemple.fr>",
                        raw_sha256="",
                        department=name,
                    )
                    for cid in chunk
                ]
                origin = {cid: cid - ids[0] + 1 for cid in chunk}
                store.insert(items, department=name, origin_ids=origin)
                store._objs.clear()  # the builder needs no copy in memory
            print(f"  {name} : {per} contributions", file=sys.stderr)


# -- measuring ----------------------------------------------------------------------
async def visibility(root: Path, rounds: int = 20) -> dict:
    from assises_tui.app import AssisesApp
    from assises_tui.domain.models import Status
    from assises_tui.screens.inbox import InboxScreen
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace
    from benchmarks.bench_inbox import _painted

    alice = Services(Workspace.open(root))
    bob_ws = Workspace.open(root)
    bob_ws.reviewer = "bob"
    bob = Services(bob_ws)
    app = AssisesApp(alice)
    seen: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, InboxScreen) and app.screen.list.ids):
            await asyncio.sleep(0.002)
        screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        cpu = time.process_time()  # both reviewers' processing (one process), server aside
        for _ in range(rounds):
            cid = screen.list.current
            bob.store.reload_if_changed()
            t = time.perf_counter()
            await asyncio.to_thread(bob.triage.set_status, [cid], Status.DONE)
            while cid in screen.list.ids and time.perf_counter() - t < 10:
                await asyncio.sleep(0.002)
            await _painted(screen)
            seen.append(time.perf_counter() - t)
            await asyncio.sleep(0.2)
        cpu = time.process_time() - cpu
    alice.workspace.close()
    bob_ws.close()
    return {
        "change_visible_to_another": _ms(seen),
        "rounds": rounds,
        "cpu_s_per_round": round(cpu / rounds, 3),
        "load_average": os.getloadavg(),
    }


def database_search(url: str) -> dict:
    """The alternative to the in-process word index: PostgreSQL's French full-text search
    with unaccent, over the same bodies, queried per typed prefix."""
    import psycopg

    query = "gendarmerie patrouille"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        conn.execute(
            "CREATE OR REPLACE FUNCTION fr_unaccent(text) RETURNS text AS "
            "$$ SELECT public.unaccent('public.unaccent', $1) $$ LANGUAGE sql IMMUTABLE"
        )
        t = time.perf_counter()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_fts AS SELECT c.id, to_tsvector('french', "
            "fr_unaccent(convert_from(b.data, 'UTF8'))) AS words FROM contributions c "
            "JOIN blobs b ON b.sha256 = c.record->>'body_blob'"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS bench_fts_words ON bench_fts USING gin (words)")
        built = time.perf_counter() - t
        per_char: list[float] = []
        hits = 0
        for i in range(1, len(query) + 1):
            words = [w for w in query[:i].split() if w]
            tsquery = " & ".join(f"{w}:*" for w in words)
            t = time.perf_counter()
            rows = conn.execute(
                "SELECT id FROM bench_fts WHERE words @@ to_tsquery('french', "
                "fr_unaccent(%s)) ORDER BY id",
                (tsquery,),
            ).fetchall()
            per_char.append(time.perf_counter() - t)
            hits = len(rows)
    return {"index_build_s": round(built, 1), "query_per_char": _ms(per_char), "hits": hits}


def reviewer_loop(root: Path, who: str, seconds: float, seed: int) -> dict:
    from assises_tui.errors import StoreConflictError
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    ws = Workspace.open(root)
    ws.reviewer = who
    services = Services(ws)
    ids = ws.store.ids()
    rng = random.Random(seed)
    latencies: list[float] = []
    conflicts = 0
    statuses = ["done", "in_progress", "new", "off_topic"]
    # every reviewer opens first (at 100,000 that takes a while), then all start together
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        ws.store.reload_if_changed()
        cid = rng.choice(ids)
        t = time.perf_counter()
        try:
            services.triage.set_status([cid], rng.choice(statuses))
        except StoreConflictError:
            conflicts += 1
            continue
        latencies.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    ws.close()
    return {"latencies": latencies, "conflicts": conflicts, "cpu_s": cpu}


def reviewers(root: Path, count: int, seconds: float) -> dict:
    """``count`` reviewer processes changing statuses at once for ``seconds``."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_team", "--loop", str(root), str(n)]
            + ["--seconds", str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        for n in range(count)
    ]
    for proc in procs:  # wait until every one has opened the workspace
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    load_before = os.getloadavg()
    t = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    results = [json.loads(p.communicate()[0].decode().strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - t
    latencies = [x for r in results for x in r["latencies"]]
    return {
        "reviewers": count,
        "seconds": seconds,
        "wall_s": round(wall, 1),
        "changes": len(latencies),
        "changes_per_s": round(len(latencies) / seconds, 1),
        "save_latency": _ms(latencies),
        "conflicts": sum(r["conflicts"] for r in results),
        "reviewers_cpu_s": round(sum(r["cpu_s"] for r in results), 1),
        "load_average": [load_before, os.getloadavg()],
    }


async def rollup_start(root: Path) -> dict:
    """The app on a national roll-up, as a reviewer starts it: first screen from the
    database, keys while the records are still being read, then the end of the reading."""
    from assises_tui.app import AssisesApp
    from assises_tui.screens.inbox import InboxScreen
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace
    from benchmarks.bench_inbox import _key_to_frame, _painted, _rss_mb

    load_before = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    ws = Workspace.open(root, background_load=True)
    opened = time.perf_counter() - t0
    app = AssisesApp(Services(ws))
    out: dict = {}
    async with app.run_test(size=(80, 24)):
        while not (isinstance(app.screen, InboxScreen) and app.screen.list.ids):
            await asyncio.sleep(0.005)
        screen = app.screen
        await _painted(screen)
        out["start_to_list_shown_s"] = round(time.perf_counter() - t0, 2)
        out["cpu_to_list_shown_s"] = round(time.process_time() - c0, 2)
        out["rows"] = len(screen.list.ids)
        progress = ws.store.loading_progress()
        out["read_when_shown"] = progress[0] if progress else "all"
        out["rss_when_shown_mb"] = _rss_mb()
        keys: dict[str, list[tuple[float, float]]] = {"j": [], "pagedown": []}
        for _ in range(10):
            for key, times in keys.items():
                if ws.store.loading:
                    times.append(await _key_to_frame(app, screen, key, poll=0.0005))
        out["keys_while_reading"] = {
            key: {
                "wall": _ms([w for w, _c in times]),
                "main_thread_cpu": _ms([c for _w, c in times]),
            }
            for key, times in keys.items()
            if times
        }
        out["status_line_while_reading"] = screen.query_one("#inbox-status").render().plain
        while screen.reading:
            await asyncio.sleep(0.05)
        out["start_to_all_read_s"] = round(time.perf_counter() - t0, 1)
        out["cpu_to_all_read_s"] = round(time.process_time() - c0, 1)
        out["rss_all_read_mb"] = _rss_mb()
    ws.close()
    return {
        "contributions": ws.store.count(),
        "open_workspace_s": round(opened, 3),
        **out,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [load_before, os.getloadavg()],
    }


def _child(*args: str) -> dict | None:
    cmd = [sys.executable, "-m", "benchmarks.bench_team", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.stderr:
        print(done.stderr, end="", file=sys.stderr)
    if done.returncode:
        raise SystemExit(done.returncode)
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rollup", type=int, default=0, help="taille du regroupement national")
    parser.add_argument("--keep", type=Path, help="garder espaces et serveur dans ce dossier")
    parser.add_argument("--step", nargs=2, metavar=("ÉTAPE", "DOSSIER"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--loop", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        default="inbox,visible,search,reviewers",
        help="mesures à faire à --n, séparées par des virgules",
    )
    args = parser.parse_args(argv)
    wanted = set(args.only.split(","))
    if args.loop:
        root, n = Path(args.loop[0]), int(args.loop[1])
        print(json.dumps(reviewer_loop(root, f"relecteur{n}", args.seconds, n)))
        return 0
    if args.step:
        step, folder = args.step[0], Path(args.step[1])
        if step == "build":
            build(folder, args.url, args.n)
        elif step == "build-rollup":
            build_rollup(folder, args.url, args.rollup)
        elif step == "inbox":
            from benchmarks.bench_inbox import measure

            print(json.dumps(asyncio.run(measure(folder))))
        elif step == "visible":
            print(json.dumps(asyncio.run(visibility(folder))))
        elif step == "reviewers":
            print(json.dumps(reviewers(folder, args.reviewers, args.seconds)))
        elif step == "rollup":
            print(json.dumps(asyncio.run(rollup_start(folder))))
        return 0

    server = _server()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-team-"))
    try:
        results: dict = {}
        if args.n:
            root = base / f"equipe-{args.n}"
            url = server.create_database(f"equipe_{args.n}")
            t = time.perf_counter()
            _child("--step", "build", str(root), "--url", url, "--n", str(args.n))
            results["build_s"] = round(time.perf_counter() - t, 1)
            if "inbox" in wanted:
                results["inbox"] = _child("--step", "inbox", str(root))
            if "visible" in wanted:
                results["visible"] = _child("--step", "visible", str(root))
            if "search" in wanted:
                results["database_search"] = database_search(url)
            if "reviewers" in wanted:
                results["reviewers"] = reviewers(root, args.reviewers, args.seconds)
            print(json.dumps({"n": args.n, **results}, indent=2), flush=True)
        if args.rollup:
            root = base / f"national-{args.rollup}"
            url = server.create_database(f"national_{args.rollup}")
            t = time.perf_counter()
            _child("--step", "build-rollup", str(root), "--url", url, "--rollup", str(args.rollup))
            built = round(time.perf_counter() - t, 1)
            start = _child("--step", "rollup", str(root))
            print(json.dumps({"rollup": args.rollup, "build_s": built, **(start or {})}, indent=2))
    finally:
        server.stop()
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
