"""Time the theme suggestions (the budget: well under 50 ms per contribution).

Builds the demo workspace, tags the hand-labelled sample (so the learned part is active),
then times: the first refresh (learning from every tagged record), ``suggest`` on each
contribution, and ``suggest`` on a synthetic 20,000-character contribution (the text cap).

Run: ``python benchmarks/bench_suggest.py``
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assises_tui.cli.app_cmds import prepare_demo  # noqa: E402
from assises_tui.services.session import Services  # noqa: E402
from assises_tui.text.stem import stem_word  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        prepare_demo(root)
        ws = Workspace.open(root)
        services = Services(ws)
        labels = json.loads((HERE / "demo_theme_labels.json").read_text("utf-8"))["labels"]
        for item in services.store.all():
            if labels.get(item.message_id):
                services.tagging.update_themes([item.id], add=labels[item.message_id])
        ids = [c.id for c in services.store.all()]
        stem_word.cache_clear()
        t0 = time.perf_counter()
        services.suggester.refresh(force=True)
        learn = time.perf_counter() - t0
        times = []
        for cid in ids:
            services.suggester.mark_stale()  # count the refresh check in each call, worst case
            t0 = time.perf_counter()
            services.suggester.suggest(cid)
            times.append((time.perf_counter() - t0) * 1000)
        big = " ".join(services.suggester.text_of(cid) for cid in ids)[:20_000]
        t0 = time.perf_counter()
        for _ in range(10):
            services.suggester.engine.score_text(big)
        big_ms = (time.perf_counter() - t0) * 100
        ws.close()
    times.sort()
    print(f"contributions : {len(ids)}, étiquetées : {sum(1 for v in labels.values() if v)}")
    print(f"apprentissage initial (cache de racines vide) : {learn * 1000:.0f} ms")
    print(
        f"suggest par contribution : médiane {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.2f} ms"
    )
    print(f"texte de 20 000 caractères : {big_ms:.1f} ms")


if __name__ == "__main__":
    main()
