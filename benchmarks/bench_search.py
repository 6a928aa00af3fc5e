"""Search benchmark: index build, index load, per-keystroke search time, memory.

    python -m benchmarks.bench_search                 # 10,000 and 100,000 contributions
    python -m benchmarks.bench_search --sizes 10000   # one size
    python -m benchmarks.bench_search --workdir DIR   # keep (and reuse) generated workspaces

Each query below is typed one character at a time; every prefix is searched as the inbox
search field does (last word matched as a prefix). Results are printed as Markdown for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from assises_tui.search import SearchIndex
from assises_tui.services.session import Services
from assises_tui.workspace import Workspace
from benchmarks.generate import fill_store

QUERIES = [
    "securite police",
    "cambriolage nuit village",
    '"voisins vigilants"',
    "status:new theme:lien vill",
    "-plainte gendarmerie",
    "from:martin",
    "vidéoprotection -status:done",
    "zorglub",
]


def rss_mb() -> float:
    """Resident memory of this process (Linux), in MB."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # pragma: no cover - not Linux
        return float("nan")


def workspace(root: Path, n: int) -> Path:
    path = root / f"ws-{n}"
    if not (path / "consultation.toml").exists():
        t0 = time.perf_counter()
        with Workspace.init(path) as ws:
            fill_store(ws.store, n)
        print(f"  (generated {n} contributions in {time.perf_counter() - t0:.1f} s)")
    return path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(root: Path, n: int) -> dict[str, float | int | str]:
    path = workspace(root, n)
    index_file = path / "index" / "words.bin"
    if index_file.exists():
        index_file.unlink()
    out: dict[str, float | int | str] = {"n": n}
    with Workspace.open(path) as ws:
        services = Services(ws)
        services.store.all()  # records in memory first: the app has them before any search
        gc.collect()
        out["rss_records_mb"] = rss_mb()
        t0 = time.perf_counter()
        indexed = SearchIndex(services.store, services.config, services.reviewer).refresh()
        out["build_s"] = time.perf_counter() - t0
        assert indexed == n, (indexed, n)
        out["file_mb"] = index_file.stat().st_size / 1e6

        out["rss_after_build_mb"] = rss_mb()
        tracemalloc.start()
        traced = SearchIndex(services.store, services.config, services.reviewer)
        traced._loaded()
        out["index_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
        del traced
        gc.collect()
        index = SearchIndex(services.store, services.config, services.reviewer)
        t0 = time.perf_counter()
        index._loaded()
        out["load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        assert index.refresh() == 0
        out["check_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        index.warm()
        out["warm_s"] = time.perf_counter() - t0
        times: list[float] = []
        cpu: list[float] = []
        worst = ("", 0.0)
        for query in QUERIES:
            for i in range(1, len(query) + 1):
                typed = query[:i]
                t0, c0 = time.perf_counter(), time.process_time()
                index.search(typed)
                dt = time.perf_counter() - t0
                cpu.append(time.process_time() - c0)
                times.append(dt)
                if dt > worst[1]:
                    worst = (typed, dt)
        out["keys"] = len(times)
        out["median_ms"] = statistics.median(times) * 1000
        out["p95_ms"] = pct(times, 0.95) * 1000
        out["cpu_median_ms"] = statistics.median(cpu) * 1000
        out["cpu_p95_ms"] = pct(cpu, 0.95) * 1000
        out["max_ms"] = worst[1] * 1000
        out["worst"] = worst[0]
        t0 = time.perf_counter()
        hits = index.search(index.parse('"voisins vigilants"', prefix_last=False), exhaustive=True)
        out["phrase_exhaustive_s"] = time.perf_counter() - t0
        out["phrase_hits"] = len(hits)
        out["rss_total_mb"] = rss_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        rows = []
        for n in args.sizes:
            print(f"{n} contributions…", flush=True)
            rows.append(bench(root, n))
            print(rows[-1], flush=True)
    print()
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    print(
        "| contributions | index build | index file | index load | refresh check | warm "
        "| keystroke median / p95 (CPU) | worst (query) | phrase, exhaustive | index memory "
        "| RSS: records / after build / end |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']:,} | {r['build_s']:.1f} s | {r['file_mb']:.0f} MB | "
            f"{r['load_s'] * 1000:.0f} ms | {r['check_s'] * 1000:.0f} ms | "
            f"{r['warm_s'] * 1000:.0f} ms | "
            f"{r['median_ms']:.1f} / {r['p95_ms']:.1f} ms "
            f"({r['cpu_median_ms']:.1f} / {r['cpu_p95_ms']:.1f}) | "
            f"{r['max_ms']:.0f} ms (`{r['worst']}`) | {r['phrase_exhaustive_s']:.2f} s "
            f"({r['phrase_hits']:,} hits) | {r['index_mb']:.0f} MB | {r['rss_records_mb']:.0f} / "
            f"{r['rss_after_build_mb']:.0f} / {r['rss_total_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
