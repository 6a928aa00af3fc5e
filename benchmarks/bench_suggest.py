"""Theme suggestions at scale: training, reopening, retraining after a tag, scoring, memory.

Uses (or first builds) a workspace of N generated contributions (``benchmarks/generate.py``:
1-3 KB of French-looking text, an attachment one time in three; about three in ten carry
themes, as if reviewers had tagged them), then measures, with the suggester the app uses:

* the first training of a workspace never opened for suggestions (texts of the feature
  space's sample and of the labelled contributions read and analysed, cross-validation,
  calibration; the cache and the model written to ``suggestions/``);
* reopening: a new process-like suggester on the same workspace (model and cache read
  from disk, nothing trained);
* a retrain after one more tag (what the app's worker does after a key press that tags);
* the suggestions of one contribution (the reader's bar);
* scoring the whole inbox, cache cold then warm (every contribution's confidences, in
  batches: what the priority view and ``assises suggest`` build on), and ``suggest``
  with explanations on a sample;
* the « À étiqueter en priorité » ranking;
* the peak resident memory of the process.

Wall time, CPU time of the process and the load average are printed for each step: the
machine is shared.

Run: ``python benchmarks/bench_suggest.py [--n 100000] [--workspace DIR] [--fresh]``
(``--workspace``: kept between runs, generated if absent; ``--fresh``: its ``suggestions/``
folder is removed first, so the first training starts cold).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assises_tui.services.session import Services  # noqa: E402
from assises_tui.suggest import CACHE_DIR  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402
from benchmarks.generate import fill_store  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def step(name: str):
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    load = os.getloadavg()[0]
    print(
        f"{name} : {time.perf_counter() - wall:.1f} s (CPU {time.process_time() - cpu:.1f} s, "
        f"charge {load:.1f}, mémoire {rss_mb():.0f} Mo)",
        flush=True,
    )


def run(root: Path, args: argparse.Namespace) -> None:
    if args.fresh:
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    with Workspace.open(root) as ws:
        services = Services(ws)
        records = services.store.all()
        all_ids = [c.id for c in records]
        untagged = [c.id for c in records if not c.themes]
        print(
            f"{len(records)} contributions, {len(records) - len(untagged)} étiquetées ; "
            f"mémoire au départ {rss_mb():.0f} Mo",
            flush=True,
        )
        suggester = services.suggester
        with step("premier apprentissage" if args.fresh else "ouverture (modèle enregistré ?)"):
            suggester.retrain()
        print(
            f"  appris de {suggester.model.n_labelled} ; lu du disque : {suggester.loaded} ; "
            f"F1 validé {suggester.model.cv_micro_f1:.2f}",
            flush=True,
        )

    with Workspace.open(root) as ws:  # a new session on the same workspace
        services = Services(ws)
        suggester = services.suggester
        with step("réouverture : modèle et cache relus"):
            suggester.retrain()
        print(f"  lu du disque : {suggester.loaded}", flush=True)

        retrains = []
        for cid in untagged[:5]:
            services.tagging.add([cid], "lien")
            wall = time.perf_counter()
            with step("  réapprentissage après une étiquette"):
                assert suggester.retrain()
            retrains.append(time.perf_counter() - wall)
        print(f"réapprentissage après une étiquette : médiane {statistics.median(retrains):.1f} s")

        one = []
        for cid in untagged[10:60]:
            wall = time.perf_counter()
            suggester.suggest(cid)
            one.append((time.perf_counter() - wall) * 1000)
        one.sort()
        print(f"suggestions d'une contribution : médiane {statistics.median(one):.0f} ms, "
              f"max {one[-1]:.0f} ms")  # fmt: skip

        with step(f"score de toute la boîte ({len(all_ids)}), cache froid ou tiède"):
            suggester.score_all(all_ids)
        with step(f"score de toute la boîte ({len(all_ids)}), cache chaud"):
            suggester.score_all(all_ids)
        sample = untagged[: args.explain]
        with step(f"suggestions expliquées (« because ») de {len(sample)} contributions"):
            suggester.suggest_many(sample)
        with step(f"classement « À étiqueter en priorité » ({len(untagged)} sans thème)"):
            order = suggester.priority(untagged)
        assert sorted(order) == sorted(untagged)
        with step("écriture du cache"):
            suggester.save_cache(force=True)
        sizes = {p.name: p.stat().st_size / 1e6 for p in (root / CACHE_DIR).iterdir()}
        print("fichiers : " + ", ".join(f"{k} {v:.0f} Mo" for k, v in sorted(sizes.items())))
    print(f"mémoire maximale du processus : {peak_mb():.0f} Mo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--explain", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workspace or Path(tmp) / "ws"
        if not (root / "consultation.toml").exists():
            wall = time.perf_counter()
            with Workspace.init(root) as ws:
                fill_store(ws.store, args.n, seed=0)
            print(f"espace de {args.n} contributions généré en {time.perf_counter() - wall:.0f} s")
            args.fresh = True
        run(root, args)


if __name__ == "__main__":
    main()
