"""Inbox speed at 10,000 and 100,000 contributions, headless.

    python -m benchmarks.bench_inbox [--n 10000 100000] [--keep DIR]

Measures: workspace open, app start until the list is drawn with its rows, a first key
right then, start until the process is idle (Pilot), per key: j (move),
pagedown (page), enter (open the reader, 80x24) + escape, one typed character of a search
(the search itself, on the event loop, then the redraw), a status change written durably;
peak memory (ru_maxrss). Each size runs in its own process so peak memory is per size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    """Current resident memory (Linux), to see which step adds what."""
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * resource.getpagesize() / 2**20, 1)
    except OSError:
        return 0.0


def _ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return {"median_ms": round(statistics.median(values) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def _both(walls: list[float], cpus: list[float]) -> dict[str, dict[str, float]]:
    """Wall time includes Pilot's idle detection (two sleeps of 20 ms at least per key);
    CPU time is the work the key caused (handling, redraw), what a user waits for."""
    return {"cpu": _ms(cpus), "wall_pilot": _ms(walls)}


def build(root: Path, n: int) -> None:
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace
    from benchmarks.generate import fill_store

    with Workspace.init(root) as ws:
        fill_store(ws.store, n, seed=0)
        services = Services(ws)
        services.search.refresh()  # the importer keeps the index up to date
        services.search.save()


async def _painted(screen) -> None:
    """Return once the screen has been refreshed (drawn) after what was just done."""
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()


async def _background_done(app) -> float:
    """Wait for every worker thread of the app to finish; returns the time it was."""
    await app.workers.wait_for_complete()
    return time.perf_counter()


async def _first_key(app, screen) -> float:
    """Seconds from a ``j`` key sent as the terminal would until the moved cursor is drawn."""
    from textual import events

    before = screen.list.cursor
    t = time.perf_counter()
    app.post_message(events.Key("j", "j"))
    while screen.list.cursor == before:
        await asyncio.sleep(0.001)
    await _painted(screen)
    return time.perf_counter() - t


async def _key_to_frame(app, screen, key: str, poll: float = 0.0) -> tuple[float, float]:
    """(wall, event-loop CPU) from ``key`` posted as the terminal driver posts it until
    the frame showing the moved cursor is drawn: what the reviewer waits for, without
    Pilot's idle detection (which alone costs ~7 ms of CPU and ~60 ms of wall per key).
    ``poll``: seconds between two looks at the cursor (a thread reading records in the
    background needs the event loop to leave it the interpreter meanwhile)."""
    from textual import events

    before = screen.list.cursor
    t, c = time.perf_counter(), time.thread_time()
    app.post_message(events.Key(key, None))
    while screen.list.cursor == before:
        await asyncio.sleep(poll)
    await _painted(screen)
    return time.perf_counter() - t, time.thread_time() - c


async def measure(root: Path) -> dict:
    from assises_tui.app import AssisesApp
    from assises_tui.domain.models import Status
    from assises_tui.screens.inbox import InboxScreen
    from assises_tui.services.session import Services
    from assises_tui.workspace import Workspace

    out: dict = {}
    rss: dict[str, float] = {"imports": _rss_mb()}
    out["rss_mb"] = rss
    t0, c0 = time.perf_counter(), time.process_time()
    ws = Workspace.open(root, background_load=True)  # as the app opens it
    out["open_workspace_s"] = round(time.perf_counter() - t0, 3)
    rss["open"] = _rss_mb()
    services = Services(ws)
    app = AssisesApp(services)
    t1 = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, InboxScreen) and app.screen.list.ids):
            await asyncio.sleep(0.002)
        screen = app.screen
        await _painted(screen)
        out["app_list_shown_s"] = round(time.perf_counter() - t1, 3)
        out["start_to_list_shown_s"] = round(time.perf_counter() - t0, 3)
        out["cpu_to_list_shown_s"] = round(time.process_time() - c0, 3)
        # A first key at once, while the inbox's background work (search index) runs.
        out["first_key_s"] = round(await _first_key(app, screen), 3)
        await pilot.pause()
        # Pilot's idle detection waits until the process's CPU is idle (at most 1 s at a
        # time): this also waits for the background work started after the first paint.
        out["app_idle_s"] = round(time.perf_counter() - t1, 3)
        out["start_to_idle_s"] = round(time.perf_counter() - t0, 3)
        rss["usable"] = _rss_mb()
        out["rows"] = len(screen.list.ids)
        # Per-key CPU is process time: let the start-up background work (search index
        # check and warm-up) finish first, and say how long it ran.
        out["start_to_background_done_s"] = round(await _background_done(app) - t0, 3)
        # A team database's records are read by a thread (not a worker): wait for it too,
        # then for the search index and suggestions it starts.
        while screen.reading:
            await asyncio.sleep(0.01)
        out["start_to_all_read_s"] = round(time.perf_counter() - t0, 3)
        rss["all_read"] = _rss_mb()
        out["start_to_background_done_s"] = round(await _background_done(app) - t0, 3)
        rss["background_done"] = _rss_mb()

        async def timed(key: str, times: int) -> dict:
            walls, cpus, loop_cpus = [], [], []
            for _ in range(times):
                t, c, lc = time.perf_counter(), time.process_time(), time.thread_time()
                await pilot.press(key)
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
                loop_cpus.append(time.thread_time() - lc)
            # The event loop's thread alone: what the key costs where keys are handled
            # (a team database's listener and pool threads are not counted there).
            return {**_both(walls, cpus), "cpu_event_loop": _ms(loop_cpus)}

        # An unbound key: what Pilot and the event loop cost by themselves per key.
        out["key_unbound_baseline"] = await timed("f12", 40)
        out["key_j"] = await timed("j", 60)
        out["key_pagedown"] = await timed("pagedown", 40)
        out["key_unbound_after"] = await timed("f12", 40)  # the baseline again, for drift
        for key, times in (("j", 60), ("pagedown", 40), ("k", 60), ("pageup", 40)):
            pairs = [await _key_to_frame(app, screen, key) for _ in range(times)]
            out[f"key_{key}_to_frame"] = {
                "wall": _ms([w for w, _c in pairs]),
                "cpu_event_loop": _ms([c for _w, c in pairs]),
            }
        await pilot.pause()
        opens, open_cpu = [], []
        for _ in range(10):
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            opens.append(time.perf_counter() - t)
            open_cpu.append(time.process_time() - c)
            await pilot.press("escape")
            await pilot.pause()
        out["key_enter_open_reader"] = _both(opens, open_cpu)
        rss["after_reader"] = _rss_mb()
        # The reader starts background work too (theme suggestions learn from every
        # tagged record the first time): finished before measuring the next keys.
        t = time.perf_counter()
        out["reader_background_s"] = round(await _background_done(app) - t, 3)
        rss["reader_background_done"] = _rss_mb()

        # Search: the index lookup per typed prefix, then the same with the list redraw.
        query = "gendarmerie patrouille"
        search_only, with_redraw, redraw_cpu = [], [], []
        for i in range(1, len(query) + 1):
            prefix = query[:i]
            t = time.perf_counter()
            services.search.search(prefix, screen.view_sorted)
            search_only.append(time.perf_counter() - t)
            t, c = time.perf_counter(), time.process_time()
            screen.search.text = prefix
            screen.search.run()
            await pilot.pause()
            with_redraw.append(time.perf_counter() - t)
            redraw_cpu.append(time.process_time() - c)
        out["search_per_char"] = _ms(search_only)
        out["search_per_char_with_redraw"] = _both(with_redraw, redraw_cpu)
        out["search_hits"] = len(screen.list.ids)
        rss["after_search"] = _rss_mb()
        screen.search.text = ""
        screen.search.run()
        await pilot.pause()

        direct, walls, cpus = [], [], []
        for _ in range(30):
            cid = screen.list.current
            t = time.perf_counter()
            services.triage.set_status([cid], Status.IN_PROGRESS)
            direct.append(time.perf_counter() - t)
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("d")
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            assert services.store.get(cid).status == Status.DONE
        out["status_change_service_durable"] = _ms(direct)
        out["status_key_d"] = _both(walls, cpus)
        rss["after_status"] = _rss_mb()
    ws.close()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def _child(*args: str) -> dict | None:
    cmd = [sys.executable, "-m", "benchmarks.bench_inbox", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        raise SystemExit(done.returncode)
    if done.stderr:
        print(done.stderr, end="", file=sys.stderr)
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="garder les espaces générés dans ce dossier")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Children: building and measuring run in separate processes, so that the memory
    # figures of a measure never include what generating the workspace left behind.
    if args.build:
        t = time.perf_counter()
        build(args.build, args.n[0])
        print(f"[{args.n[0]}] espace généré en {time.perf_counter() - t:.1f} s", file=sys.stderr)
        return 0
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return 0
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    try:
        for n in args.n:
            root = base / f"ws-{n}"
            if not root.exists():
                _child("--build", str(root), "--n", str(n))
            result = _child("--measure", str(root))
            print(json.dumps({**(result or {}), "n": n}, indent=2))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
