"""Theme suggestions at scale: training, retraining after a tag, scoring, ranking, memory.

Builds a workspace of N generated contributions (``benchmarks/generate.py``: 1-3 KB of
French-looking text, an attachment one time in three; about three in ten carry themes, as
if reviewers had tagged them), then measures, in one process, with the suggester the app
uses:

* the first training (feature space fitted on a sample of the inbox, features of the
  labelled contributions, cross-validation, calibration);
* a retrain after one more tag (what the app's worker does after each key press that tags);
* suggestions for one contribution (the reader's bar);
* scoring ``--score`` contributions (``assises suggest`` over the inbox: the figure per
  thousand is the one to multiply);
* the « À étiqueter en priorité » ranking;
* the resident memory added by the model and its caches.

Run: ``python benchmarks/bench_suggest.py [--n 100000] [--score 5000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assises_tui.services.session import Services  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402
from benchmarks.generate import fill_store  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--score", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        t0 = time.perf_counter()
        with Workspace.init(root) as ws:
            fill_store(ws.store, args.n, seed=0)
        print(f"espace de {args.n} contributions généré en {time.perf_counter() - t0:.0f} s")
        with Workspace.open(root) as ws:
            services = Services(ws)
            records = services.store.all()
            tagged = sum(1 for c in records if c.themes)
            untagged = [c.id for c in records if not c.themes]
            base = rss_mb()
            suggester = services.suggester

            t0 = time.perf_counter()
            suggester.retrain()
            first = time.perf_counter() - t0
            model = suggester.model
            print(
                f"étiquetées : {tagged} ; apprises : {model.n_labelled} "
                f"(plafond) ; premier apprentissage : {first:.1f} s"
            )

            retrains = []
            for cid in untagged[:3]:
                services.tagging.add([cid], "lien")
                t0 = time.perf_counter()
                assert suggester.retrain()
                retrains.append(time.perf_counter() - t0)
            print(
                "réapprentissage après une étiquette : "
                + ", ".join(f"{r:.1f} s" for r in retrains)
                + f" (médiane {statistics.median(retrains):.1f} s)"
            )

            one = []
            for cid in untagged[10:60]:
                t0 = time.perf_counter()
                suggester.suggest(cid)
                one.append((time.perf_counter() - t0) * 1000)
            one.sort()
            print(
                f"suggestions d'une contribution : médiane {statistics.median(one):.0f} ms, "
                f"max {one[-1]:.0f} ms"
            )

            sample = [c.id for c in records[: args.score]]
            t0 = time.perf_counter()
            suggester.suggest_many(sample)
            scored = time.perf_counter() - t0
            per_thousand = scored / len(sample) * 1000
            print(
                f"score de {len(sample)} contributions : {scored:.0f} s, soit "
                f"{per_thousand:.1f} s pour 1 000 ; la boîte entière ({args.n}) : "
                f"~{per_thousand * args.n / 1000 / 60:.0f} min"
            )

            t0 = time.perf_counter()
            order = suggester.priority(untagged)
            print(
                f"classement « À étiqueter en priorité » ({len(untagged)} sans thème, "
                f"{min(len(untagged), 1000)} classées) : {time.perf_counter() - t0:.0f} s"
            )
            assert sorted(order) == sorted(untagged)
            print(f"mémoire ajoutée (modèle, caractéristiques en cache) : {rss_mb() - base:.0f} Mo")


if __name__ == "__main__":
    main()
