"""Precision and recall of the theme suggestions on the demo consultation.

Protocol (written up in docs/suggestions.md):

1. build a fresh demo workspace (the bundled mailbox, imported as ``assises demo`` does);
2. take the hand-labelled sample in ``benchmarks/demo_theme_labels.json`` (by Message-ID);
3. keyword prior alone: score every labelled contribution with an untrained engine;
4. learning: 5-fold cross-validation, seeded — the engine learns from four fifths of the
   labelled contributions (exactly as it learns from reviewers' tags) and is scored on the
   remaining fifth; each contribution is scored once, by an engine that never saw it;
5. a theme counts as suggested when its confidence reaches the threshold.

Run: ``python benchmarks/eval_suggest.py [--markdown]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assises_tui.cli.app_cmds import prepare_demo  # noqa: E402
from assises_tui.services.session import Services  # noqa: E402
from assises_tui.suggest import SuggestEngine  # noqa: E402
from assises_tui.text.stem import stems  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402

THRESHOLDS = (0.3, 0.5)
FOLDS = 5
SEED = 7


def load(root: Path) -> tuple[Services, list[tuple[int, str, set[str]]]]:
    prepare_demo(root)
    services = Services(Workspace.open(root, read_only=True))
    labels = json.loads((HERE / "demo_theme_labels.json").read_text(encoding="utf-8"))["labels"]
    rows = []
    for item in services.store.all():
        if item.message_id in labels:
            text = services.suggester.text_of(item.id)
            rows.append((item.id, text, set(labels[item.message_id])))
    return services, rows


def score(engine: SuggestEngine, text: str) -> dict[str, float]:
    return {s.theme: s.confidence for s in engine.score_text(text)}


def table(keys, predictions, rows, threshold) -> list[tuple[str, int, int, int, int]]:
    out = []
    for key in keys + ["(toutes)"]:
        tp = fp = fn = 0
        for (_cid, _text, gold), pred in zip(rows, predictions, strict=True):
            for k in keys if key == "(toutes)" else [key]:
                p = pred.get(k, 0.0) >= threshold
                g = k in gold
                tp += p and g
                fp += p and not g
                fn += g and not p
        support = sum(1 for _c, _t, g in rows if key in g) if key != "(toutes)" else tp + fn
        out.append((key, support, tp, fp, fn))
    return out


def fmt(rows) -> str:
    lines = ["| Thème | Exemples | Précision | Rappel | F1 |", "|---|---:|---:|---:|---:|"]
    for key, support, tp, fp, fn in rows:
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        f = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(f"| {key} | {support} | {p:.2f} | {r:.2f} | {f:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true")
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services, rows = load(Path(tmp) / "demo")
        themes = services.config.themes
        keys = [t.key for t in themes]
        stemmed = {cid: set(stems(text)) for cid, text, _g in rows}
        prior_engine = SuggestEngine(themes, min_confidence=0.0)
        prior = [score(prior_engine, text) for _cid, text, _g in rows]
        order = list(range(len(rows)))
        random.Random(SEED).shuffle(order)
        learned: list[dict[str, float]] = [{} for _ in rows]
        for fold in range(FOLDS):
            test = set(order[fold::FOLDS])
            engine = SuggestEngine(themes, min_confidence=0.0)
            for i, (cid, _text, gold) in enumerate(rows):
                if i not in test:
                    engine.learn(stemmed[cid], gold)
            for i in test:
                learned[i] = score(engine, rows[i][1])
        services.workspace.close()
    print(f"Contributions étiquetées : {len(rows)}\n")
    for threshold in THRESHOLDS:
        print(f"### Mots-clés seuls (sans apprentissage), seuil {threshold}\n")
        print(fmt(table(keys, prior, rows, threshold)) + "\n")
        print(f"### Avec apprentissage (validation croisée {FOLDS} plis), seuil {threshold}\n")
        print(fmt(table(keys, learned, rows, threshold)) + "\n")


if __name__ == "__main__":
    main()
