"""How good are the theme suggestions? Against an independent hand-labelled set.

The set: ``tests/fixtures/suggest_eval/labelled.jsonl`` — 460 real citizen contributions
(Grand Débat National 2019, Etalab open licence) labelled with the Allier consultation's four
themes by the rules in ``tests/fixtures/suggest_eval/README.md``.

Protocol (written up in docs/suggestions.md), everything in this one process:

* a split gives half the texts to "the reviewers" (their labels are what the model learns
  from) and scores the other half; the whole set, without labels, is the inbox on which
  the feature space (IDF, latent space) is fitted, as in the app;
* compared on the same splits: **ours** (``assises_tui.analysis``: word and character
  n-grams, latent space, keyword prior, class-balanced logistic regression per theme,
  calibrated, thresholds by cross-validation on the training half only), the same
  **recipe without the latent space and the keyword prior**, a **plain
  TF-IDF + logistic regression** (scikit-learn defaults, one per theme, threshold 0.5)
  and the **keywords alone** (threshold 0.30);
* the fixed split (seed 2020), then the mean and spread over ``SPLITS`` random splits;
* a learning curve: 25, 50, 100, 200 labels drawn from the training half;
* calibration: on the scored halves of every split, the share of correct suggestions per
  confidence band (held-out contributions only).

Run: ``python benchmarks/eval_suggest.py`` (about two minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from assises_tui.analysis.features import FeatureSpace  # noqa: E402
from assises_tui.analysis.keywords import KeywordPrior  # noqa: E402
from assises_tui.analysis.model import BANDS, KEYWORDS_THRESHOLD, train  # noqa: E402
from assises_tui.config import load_consultation  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "suggest_eval" / "labelled.jsonl"
CONFIG = ROOT / "data" / "allier" / "consultation.toml"
FIXED_SEED = 2020
SPLITS = 10
CURVE = (25, 50, 100, 200)


class Data:
    def __init__(self) -> None:
        rows = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines() if line]
        themes = load_consultation(CONFIG).themes
        self.keys = [t.key for t in themes]
        self.texts = [r["text"] for r in rows]
        self.sets = [set(r["themes"]) for r in rows]
        self.truth = np.array([[k in s for k in self.keys] for s in self.sets], dtype=int)
        prior = KeywordPrior(themes)
        found = [prior.score(t) for t in self.texts]
        self.prior = np.array([[f[k][0] for k in self.keys] for f in found])
        start = time.perf_counter()
        self.features = FeatureSpace().fit(self.texts)  # the inbox: every text, no label
        self.rows = self.features.transform(self.texts)
        self.featurise_seconds = time.perf_counter() - start
        self.ngrams = FeatureSpace(lsa_weight=0).fit(self.texts)  # the recipe: no latent space
        self.ngram_rows = self.ngrams.transform(self.texts)


def ours(data: Data, fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(decisions, confidences) on ``held`` after learning from ``fit``."""
    model = train(
        data.features,
        data.rows[fit],
        [data.sets[i] for i in fit],
        data.keys,
        data.prior[fit],
        [True] * len(data.keys),
        data.keys,
    )
    confidence = model.scores(data.rows[held], data.prior[held])
    return (confidence >= model.thresholds()).astype(int), confidence


def recipe(data: Data, fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The off-the-shelf recipe alone: same n-grams, thresholds and calibration, without the
    latent space and the keyword prior (what those two add)."""
    no_prior = np.zeros_like(data.prior)
    model = train(
        data.ngrams,
        data.ngram_rows[fit],
        [data.sets[i] for i in fit],
        data.keys,
        no_prior[fit],
        [False] * len(data.keys),
        data.keys,
    )
    learned = model.scores(data.ngram_rows[held], no_prior[held][:, : len(model.keys)])
    # Without keywords, a theme with fewer than three examples is not suggested at all.
    confidence = np.zeros((len(held), len(data.keys)))
    thresholds = np.ones(len(data.keys))
    for j, key in enumerate(model.keys):
        confidence[:, data.keys.index(key)] = learned[:, j]
        thresholds[data.keys.index(key)] = model.thresholds()[j]
    return (confidence >= thresholds).astype(int), confidence


def plain(data: Data, fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vectorizer = TfidfVectorizer()
    x_fit = vectorizer.fit_transform([data.texts[i] for i in fit])
    x_held = vectorizer.transform([data.texts[i] for i in held])
    confidence = np.zeros((len(held), len(data.keys)))
    for j in range(len(data.keys)):
        y = data.truth[fit, j]
        if 0 < y.sum() < len(y):
            confidence[:, j] = LogisticRegression().fit(x_fit, y).predict_proba(x_held)[:, 1]
    return (confidence >= 0.5).astype(int), confidence


def keywords(data: Data, _fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    confidence = data.prior[held]
    return (confidence >= KEYWORDS_THRESHOLD).astype(int), confidence


METHODS = (("ours", ours), ("recipe", recipe), ("plain", plain), ("keywords", keywords))
NAMES = {
    "ours": "Assises (ce module)",
    "recipe": "n-grammes seuls (sans espace latent ni mots-clés)",
    "plain": "TF-IDF + régression logistique simple",
    "keywords": "Mots-clés seuls",
}


def scores(truth: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """micro F1, macro F1, then F1 per theme."""
    per = f1_score(truth, decided, average=None, zero_division=0)
    micro = f1_score(truth, decided, average="micro", zero_division=0)
    return np.concatenate([[micro, per.mean()], per])


def split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.RandomState(seed).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


def table(keys: list[str], results: dict[str, list[np.ndarray]], spread: bool) -> str:
    head = ["Méthode", "F1 micro", "F1 macro", *keys]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for name, values in results.items():
        a = np.array(values)
        if spread:
            cells = [f"{m:.2f} ± {s:.2f}" for m, s in zip(a.mean(0), a.std(0), strict=True)]
        else:
            cells = [f"{v:.2f}" for v in a[0]]
        lines.append(f"| {NAMES[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=SPLITS)
    args = parser.parse_args()
    started = time.perf_counter()
    data = Data()
    n = len(data.texts)
    print(
        f"Jeu étiqueté : {n} contributions ; "
        + ", ".join(f"{k} {int(data.truth[:, j].sum())}" for j, k in enumerate(data.keys))
        + f" ; sans thème {int((data.truth.sum(1) == 0).sum())}.\n"
    )

    fit, held = split(n, FIXED_SEED)
    fixed = {name: [scores(data.truth[held], fn(data, fit, held)[0])] for name, fn in METHODS}
    print(f"### Partage fixe (graine {FIXED_SEED}) : {len(fit)} étiquetées, {len(held)} évaluées\n")
    print(table(data.keys, fixed, spread=False) + "\n")

    many: dict[str, list[np.ndarray]] = {name: [] for name, _fn in METHODS}
    bands: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"ours": [], "plain": []}
    curve: dict[str, dict[int, list[np.ndarray]]] = {
        name: {size: [] for size in CURVE} for name, _fn in METHODS
    }
    train_seconds = []
    for seed in range(args.splits):
        fit, held = split(n, seed)
        for name, fn in METHODS:
            t0 = time.perf_counter()
            decided, confidence = fn(data, fit, held)
            if name == "ours":
                train_seconds.append(time.perf_counter() - t0)
            many[name].append(scores(data.truth[held], decided))
            if name in bands:
                bands[name].append((confidence, data.truth[held]))
            rng = np.random.RandomState(1000 + seed)
            for size in CURVE:
                subset = np.sort(rng.permutation(fit)[:size])
                decided, _c = fn(data, subset, held)
                curve[name][size].append(scores(data.truth[held], decided))
    print(f"### {args.splits} partages aléatoires moitié / moitié : moyenne ± écart-type\n")
    print(table(data.keys, many, spread=True) + "\n")

    print("### Courbe d'apprentissage (F1 micro / macro sur la moitié évaluée, moyenne)\n")
    print("| Étiquettes | " + " | ".join(NAMES[name] for name, _fn in METHODS) + " |")
    print("|---:" + "|---" * len(METHODS) + "|")
    for size in CURVE:
        cells = []
        for name, _fn in METHODS:
            a = np.array(curve[name][size])
            cells.append(f"{a[:, 0].mean():.2f} / {a[:, 1].mean():.2f}")
        print(f"| {size} | " + " | ".join(cells) + " |")
    print()

    print("### Calibration : part de suggestions justes par tranche de confiance\n")
    print("(moitiés évaluées des partages aléatoires, les quatre thèmes ensemble)\n")
    print("| Confiance | " + " | ".join(f"{NAMES[k]} : nombre, justes" for k in bands) + " |")
    print("|---" + "|---:" * len(bands) + "|")
    for low, high in zip(BANDS[:-1], BANDS[1:], strict=True):
        cells = []
        for name in bands:
            c = np.concatenate([conf.ravel() for conf, _t in bands[name]])
            t = np.concatenate([truth.ravel() for _c, truth in bands[name]])
            inside = (c >= low) & (c < high)
            count = int(inside.sum())
            share = f"{t[inside].mean() * 100:.0f} %" if count else "—"
            cells.append(f"{count}, {share}")
        label = f"{low * 100:.0f}–{min(high, 1) * 100:.0f} %"
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    print(
        f"Caractéristiques de {n} textes : {data.featurise_seconds:.1f} s ; "
        f"apprentissage sur {n // 2} étiquettes (validation croisée comprise) : "
        f"{np.mean(train_seconds):.1f} s en moyenne ; "
        f"durée totale : {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
