"""Store timings at scale: ``python -m benchmarks.bench_store [--n 10000 100000]``.

For each size: generate the contributions (bodies and attachments in blobs), then, in a
fresh process each time (``--repeat`` passes, median kept), measure opening the store,
reading every record, the process's memory then, one durable status change (median and
p95 over 50), a 50-record bulk change across shards (journaled), a backup, and the file
sizes.
Targets: open < 1 s, one durable change < 10 ms. ``--dir`` keeps the generated
workspaces for the next run (generating 100,000 takes about two minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assises_tui.domain.models import Status
from assises_tui.store.layout import Layout
from assises_tui.store.tinydb_store import TinyDBStore
from assises_tui.workspace import Workspace
from benchmarks.generate import fill_store


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rss_bytes() -> int:
    """Resident memory of this process now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} Mo"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def generate(n: int, root: Path, seed: int = 0) -> float:
    """Create workspace ``root`` with ``n`` contributions; returns the seconds it took."""
    ws = Workspace.init(root)
    t = time.perf_counter()
    fill_store(ws.store, n, seed=seed)
    elapsed = time.perf_counter() - t
    ws.close()
    return elapsed


def measure(root: Path, seed: int = 0) -> dict[str, float]:
    """One measuring pass over an existing workspace (run in a fresh process)."""
    # Wall time, and CPU time: on a shared machine the wall time also counts waiting for
    # a core, the CPU time is what the work itself costs.
    t, c = time.perf_counter(), time.process_time()
    store = TinyDBStore.open(root, daily_backup=False)
    out = {"open": time.perf_counter() - t, "open_cpu": time.process_time() - c}
    t, c = time.perf_counter(), time.process_time()
    items = store.all()
    out["all1"] = time.perf_counter() - t
    out["all1_cpu"] = time.process_time() - c
    t = time.perf_counter()
    store.all()
    out["all2"] = time.perf_counter() - t
    out["rss"] = _rss_bytes()  # the interpreter, the modules and every record
    n = len(items)
    rng = random.Random(seed)
    times = []
    for _ in range(50):
        item = store.get(rng.randint(1, n))
        new = replace(item, status=rng.choice([s for s in Status if s != item.status]))
        t = time.perf_counter()
        store.save(new)
        times.append(time.perf_counter() - t)
    times.sort()
    out["change_median"] = statistics.median(times)
    out["change_p95"] = times[int(len(times) * 0.95) - 1]
    bulk_ids = rng.sample(range(1, n + 1), 50)
    t = time.perf_counter()
    store.save_many([replace(store.get(i), assignee="bench") for i in bulk_ids])
    out["bulk"] = time.perf_counter() - t
    t = time.perf_counter()
    out["backup_size"] = _size(store.backup("bench"))
    out["backup"] = time.perf_counter() - t
    store.close()
    return out


def _measure_in_subprocess(root: Path, seed: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_store",
            "--measure",
            str(root),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench(n: int, folder: Path, repeat: int) -> dict[str, str]:
    root = folder / f"ws-{n}"
    fill_s = None
    if not root.exists():
        fill_s = generate(n, root)
    runs = [_measure_in_subprocess(root, seed) for seed in range(repeat)]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    layout = Layout(root)
    shards = sorted(layout.contributions.glob("*.json"))
    return {
        "n": f"{n:,}".replace(",", " "),
        "generate+import": f"{fill_s:.0f} s" if fill_s is not None else "(reused)",
        "open": _ms(med("open")),
        "open CPU": _ms(med("open_cpu")),
        "all() 1st": _ms(med("all1")),
        "all() 1st CPU": _ms(med("all1_cpu")),
        "all() again": _ms(med("all2")),
        "memory after open": _mb(int(med("rss"))),
        "change median": _ms(med("change_median")),
        "change p95": _ms(med("change_p95")),
        "bulk 50 (journal)": _ms(med("bulk")),
        "backup": _ms(med("backup")),
        "store/": _mb(_size(layout.store) - _size(layout.store / "journal.json")),
        "shard": _mb(max(_size(p) for p in shards)),
        "blobs/": _mb(_size(layout.blobs)),
        "backup file": _mb(int(med("backup_size"))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", type=Path, help="keep generated workspaces here and reuse them")
    parser.add_argument("--repeat", type=int, default=3, help="measuring passes (median kept)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.seed)))
        return 0
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}, load {os.getloadavg()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in args.n:
            rows.append(bench(n, folder, args.repeat))
            print(rows[-1], flush=True)
    print(f"load after: {os.getloadavg()}")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(row[k] for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
