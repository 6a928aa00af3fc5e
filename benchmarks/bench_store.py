"""Store timings at scale: ``python -m benchmarks.bench_store [--n 10000 100000]``.

For each size: generate the contributions (bodies and attachments in blobs), then measure
opening the workspace, reading every record, one durable status change (median and p95
over 50), a 50-record bulk change across shards, a backup, and the file sizes.
Targets: open < 1 s, one durable change < 10 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assises_tui.domain.models import Status
from assises_tui.store.tinydb_store import TinyDBStore
from assises_tui.workspace import Workspace
from benchmarks.generate import fill_store


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} Mo"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench(n: int, folder: Path, seed: int = 0) -> dict[str, str]:
    root = folder / f"ws-{n}"
    ws = Workspace.init(root)
    t = time.perf_counter()
    fill_store(ws.store, n, seed=seed)
    fill_s = time.perf_counter() - t
    ws.close()

    t = time.perf_counter()
    store = TinyDBStore.open(root, daily_backup=False)
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    items = store.all()
    all_s = time.perf_counter() - t
    t = time.perf_counter()
    store.all()
    all2_s = time.perf_counter() - t
    assert len(items) == n

    rng = random.Random(seed)
    statuses = list(Status)
    times = []
    for _ in range(50):
        item = store.get(rng.randint(1, n))
        new = replace(item, status=rng.choice([s for s in statuses if s != item.status]))
        t = time.perf_counter()
        store.save(new)
        times.append(time.perf_counter() - t)
    times.sort()
    bulk_ids = rng.sample(range(1, n + 1), 50)
    t = time.perf_counter()
    store.save_many([replace(store.get(i), assignee="bench") for i in bulk_ids])
    bulk_s = time.perf_counter() - t
    t = time.perf_counter()
    backup = store.backup("bench")
    backup_s = time.perf_counter() - t
    store.close()

    layout = store.layout
    shards = sorted(layout.contributions.glob("*.json"))
    return {
        "n": f"{n:,}".replace(",", " "),
        "generate+import": f"{fill_s:.1f} s",
        "open": _ms(open_s),
        "all() 1st": _ms(all_s),
        "all() again": _ms(all2_s),
        "change median": _ms(statistics.median(times)),
        "change p95": _ms(times[int(len(times) * 0.95) - 1]),
        "bulk 50 (journal)": _ms(bulk_s),
        "backup": _ms(backup_s),
        "store/": _mb(_size(layout.store)),
        "shard": _mb(max(_size(p) for p in shards)),
        "blobs/": _mb(_size(layout.blobs)),
        "backup file": _mb(_size(backup)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}")
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in args.n:
            rows.append(bench(n, Path(tmp)))
            print(rows[-1], flush=True)
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(row[k] for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
