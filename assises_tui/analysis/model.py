"""The theme model: learned from the reviewers' tags, calibrated, with per-theme thresholds.

For each label (main theme or sub-theme) with a few tagged examples on each side:

1. a class-balanced logistic regression (one against the rest, scikit-learn's liblinear)
   on the features of ``features.py``;
2. blended with the keyword prior of ``consultation.toml`` (main themes only), whose weight
   fades as examples accumulate: model weight = k / (k + PRIOR_HALF), k being the smaller of
   the numbers of examples with and without the label;
3. calibrated: the blended scores of out-of-fold predictions (stratified cross-validation on
   the tagged contributions only) are mapped to the observed share of correct suggestions
   by a sigmoid (Platt scaling), so that « 72 % » means about 72 % of such suggestions are
   right;
4. a decision threshold per label, the one that maximises F1 on those out-of-fold
   predictions (minority themes get a threshold of their own instead of 50 %).

The out-of-fold predictions also give the figures shown to the reviewers: F1 per label,
micro and macro F1 over the main themes, and the reliability table (share of correct
suggestions per confidence band). They are slightly optimistic: the thresholds and the
calibration were chosen on the same predictions.

Labels with too few examples: a main theme runs on its keywords alone (uncalibrated, shown
from ``KEYWORDS_THRESHOLD``), a sub-theme is not suggested.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from assises_tui.analysis.features import FeatureSpace
from assises_tui.analysis.model_info import KEYWORDS_THRESHOLD

MIN_EXAMPLES = 3  # with and without the label, to learn it at all
CALIBRATION_MIN = 5  # with and without, to fit the calibration
PRIOR_HALF = 10
FOLDS = 5
QUICK_FROM = 500  # labelled contributions from which a retrain may skip the validation
REVALIDATE_GROWTH = 0.05  # ... until the labels have grown by this share since the last one
LARGE = 2_000  # labelled contributions beyond which FOLDS_LARGE folds are enough
FOLDS_LARGE = 3
REGULARISATION_C = 10.0
MAX_ITER = 300
BANDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


class TrainingStopped(Exception):
    """``should_stop`` said so (the application is closing): no model is built."""


@dataclass(frozen=True)
class LabelStats:
    key: str
    positives: int
    negatives: int
    learned: bool  # False: keywords only (or nothing, for a sub-theme)
    calibrated: bool
    model_weight: float  # share of the learned part in the blend (the rest: keywords)
    threshold: float
    # Out-of-fold decisions at the threshold, on the tagged contributions.
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def f1(self) -> float | None:
        """None until a tagged contribution carries the label."""
        if not self.positives:
            return None
        tp = self.true_positives
        return 2 * tp / (2 * tp + self.false_positives + self.false_negatives)

    @property
    def precision(self) -> float | None:
        made = self.true_positives + self.false_positives
        return self.true_positives / made if made else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.positives if self.positives else None


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    count: int  # suggestions whose confidence falls in [low, high)
    correct: int
    mean_confidence: float

    @property
    def precision(self) -> float | None:
        return self.correct / self.count if self.count else None


@dataclass
class _Label:
    key: str
    coef: np.ndarray | None
    intercept: float
    has_prior: bool
    model_weight: float
    platt: tuple[float, float] | None
    threshold: float
    stats: LabelStats


class ThemeModel:
    """One trained snapshot; immutable once built (a retrain builds a new one)."""

    def __init__(
        self,
        features: FeatureSpace,
        labels: list[_Label],
        main_keys: Sequence[str],
        n_labelled: int,
        reliability: list[Band],
        requested_keys: Sequence[str] = (),
        validated_on: int | None = None,
    ) -> None:
        self.features = features
        self.requested_keys = list(requested_keys) or [lab.key for lab in labels]
        #: Labelled contributions of the last cross-validation (thresholds, calibration,
        #: figures); later quick retrains refit the coefficients only.
        self.validated_on = n_labelled if validated_on is None else validated_on
        self._labels = labels
        self.keys = [lab.key for lab in labels]
        self.main_keys = [k for k in main_keys if k in self.keys]
        self.n_labelled = n_labelled
        self.reliability = reliability
        self.stats = [lab.stats for lab in labels]
        main = [lab.stats for lab in labels if lab.key in self.main_keys]
        learned = [s for s in main if s.f1 is not None]
        self.cv_macro_f1 = float(np.mean([s.f1 for s in learned])) if learned else None
        self.cv_micro_f1 = _micro(learned)

    def scores(self, rows: sparse.csr_matrix, prior: np.ndarray) -> np.ndarray:
        """Calibrated confidences, shape (len(rows), len(keys)); ``prior`` in ``keys`` order."""
        out = np.zeros((rows.shape[0], len(self._labels)), dtype=np.float64)
        for j, lab in enumerate(self._labels):
            learned = None
            if lab.coef is not None:
                learned = _sigmoid(rows @ lab.coef + lab.intercept)
            out[:, j] = _confidence(lab, learned, prior[:, j])
        return out

    def thresholds(self) -> np.ndarray:
        return np.array([lab.threshold for lab in self._labels])

    def label(self, key: str) -> _Label | None:
        return self._labels[self.keys.index(key)] if key in self.keys else None

    def start_point(self, key: str) -> tuple[np.ndarray, float] | None:
        """Where a new fit of ``key`` may start: this model's coefficients, if it learned it."""
        if key not in self.keys:
            return None
        lab = self._labels[self.keys.index(key)]
        return None if lab.coef is None else (lab.coef, lab.intercept)

    def weights(self, key: str) -> tuple[np.ndarray | None, float]:
        """(coefficients of the learned part or None, its weight in the blend)."""
        lab = self._labels[self.keys.index(key)]
        return lab.coef, lab.model_weight


def train(
    features: FeatureSpace,
    rows: sparse.csr_matrix,
    label_sets: Sequence[set[str]],
    keys: Sequence[str],
    prior: np.ndarray,
    has_prior: Sequence[bool],
    main_keys: Sequence[str],
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] = lambda: False,
    previous: ThemeModel | None = None,
) -> ThemeModel:
    """Learn every label of ``keys`` from the tagged ``rows`` (one per label set).

    ``prior``: keyword confidences of those rows, one column per key (zeros where
    ``has_prior`` is False). Labels with no prior and too few examples are left out.
    ``previous``: the model in use, on the same feature space; its coefficients are where
    each fit starts (warm start): one tag more barely moves them, so the optimiser has
    little left to do.
    """
    n = rows.shape[0]
    truths = [np.fromiter((key in s for s in label_sets), dtype=np.int8, count=n) for key in keys]
    if previous is not None and _quick_retrain_will_do(previous, keys, truths):
        return _refit(previous, rows, truths, should_stop)
    labels: list[_Label] = []
    oof_scores: list[np.ndarray] = []
    oof_truth: list[np.ndarray] = []
    with threadpool_limits(1):  # the machine's other cores belong to the interface
        for j, key in enumerate(keys):
            if should_stop():
                raise TrainingStopped
            y = truths[j]
            start = previous.start_point(key) if previous is not None else None
            lab, oof = _train_label(rows, y, key, prior[:, j], has_prior[j], seed, start)
            if lab is None:
                continue
            labels.append(lab)
            if lab.stats.learned and key in main_keys:
                oof_scores.append(oof)
                oof_truth.append(y)
    reliability = _reliability(oof_scores, oof_truth, [lab.threshold for lab in labels])
    return ThemeModel(features, labels, main_keys, n, reliability, keys)


def _quick_retrain_will_do(
    previous: ThemeModel, keys: Sequence[str], truths: list[np.ndarray]
) -> bool:
    """Whether refitting the coefficients alone is enough: many labels, few new since the
    last validation, the same labels learnable (and calibrated) as then."""
    n = len(truths[0]) if truths else 0
    if n < QUICK_FROM or n > previous.validated_on * (1 + REVALIDATE_GROWTH):
        return False
    if list(keys) != previous.requested_keys:
        return False
    for key, y in zip(keys, truths, strict=True):
        k = min(int(y.sum()), n - int(y.sum()))
        lab = previous.label(key)
        learned = lab is not None and lab.coef is not None
        if learned != (k >= MIN_EXAMPLES):
            return False
        if learned and (lab.platt is not None) != (k >= CALIBRATION_MIN):
            return False
    return True


def _refit(
    previous: ThemeModel,
    rows: sparse.csr_matrix,
    truths: list[np.ndarray],
    should_stop: Callable[[], bool],
) -> ThemeModel:
    """``previous`` with each learned label's coefficients fitted again on ``rows`` (warm
    start), its calibration, threshold and figures kept."""
    labels = []
    used = np.unique(rows.indices)
    with_bias = _with_bias(rows[:, used])
    with threadpool_limits(1):
        for key, y in zip(previous.requested_keys, truths, strict=True):
            lab = previous.label(key)
            if lab is None:
                continue
            if lab.coef is not None:
                if should_stop():
                    raise TrainingStopped
                weights, intercept = _fit(with_bias, y, (lab.coef[used], lab.intercept))
                coef = np.zeros(rows.shape[1], dtype=np.float32)
                coef[used] = weights
                lab = replace(lab, coef=coef, intercept=intercept)
            labels.append(lab)
    return ThemeModel(
        previous.features,
        labels,
        previous.main_keys,
        rows.shape[0],
        previous.reliability,
        previous.requested_keys,
        previous.validated_on,
    )


def _train_label(
    rows: sparse.csr_matrix,
    y: np.ndarray,
    key: str,
    prior: np.ndarray,
    has_prior: bool,
    seed: int,
    start: tuple[np.ndarray, float] | None = None,
) -> tuple[_Label | None, np.ndarray]:
    positives = int(y.sum())
    negatives = len(y) - positives
    if min(positives, negatives) < MIN_EXAMPLES:
        if not has_prior:
            return None, prior
        decided = prior >= KEYWORDS_THRESHOLD
        stats = LabelStats(
            key, positives, negatives, False, False, 0.0, KEYWORDS_THRESHOLD,
            *_counts(y, decided),
        )  # fmt: skip
        return _Label(key, None, 0.0, True, 0.0, None, KEYWORDS_THRESHOLD, stats), prior
    # liblinear's work grows with the number of columns: learn on those the tagged
    # contributions use (a few tens of thousands of the hashed space's half million).
    used = np.unique(rows.indices)
    full_width = rows.shape[1]
    rows = rows[:, used]
    init = None if start is None else (start[0][used], start[1])
    n_folds = min(FOLDS if len(y) <= LARGE else FOLDS_LARGE, positives, negatives)
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    rows = _with_bias(rows)
    weights, intercept = _fit(rows, y, init)
    # Each fold starts from the model on all the rows: close to its own optimum.
    learned_oof = np.zeros(len(y))
    for fit_idx, held_idx in folds.split(np.zeros(len(y)), y):
        fold = _fit(rows[fit_idx], y[fit_idx], (weights, intercept))
        learned_oof[held_idx] = _sigmoid(rows[held_idx, :-1] @ fold[0] + fold[1])
    weight = model_weight(positives, negatives) if has_prior else 1.0
    blended = weight * learned_oof + (1.0 - weight) * prior
    platt = None
    if min(positives, negatives) >= CALIBRATION_MIN:
        platt = _fit_platt(blended, y)
    confidence = _apply_platt(platt, blended)
    threshold = _best_threshold(confidence, y)
    stats = LabelStats(
        key, positives, negatives, True, platt is not None, weight, threshold,
        *_counts(y, confidence >= threshold),
    )  # fmt: skip
    coef = np.zeros(full_width, dtype=np.float32)
    coef[used] = weights
    lab = _Label(key, coef, intercept, has_prior, weight, platt, threshold, stats)
    return lab, confidence


def model_weight(positives: int, negatives: int) -> float:
    k = min(positives, negatives)
    return k / (k + PRIOR_HALF)


def _with_bias(rows: sparse.csr_matrix) -> sparse.csr_matrix:
    """``rows`` with a last column of ones, whose weight is the intercept."""
    ones = sparse.csr_matrix(np.ones((rows.shape[0], 1), dtype=rows.dtype))
    return sparse.hstack([rows, ones], format="csr")


def _fit(
    rows: sparse.csr_matrix, y: np.ndarray, init: tuple[np.ndarray, float] | None = None
) -> tuple[np.ndarray, float]:
    """(coefficients, intercept) of a class-balanced L2 logistic regression on ``rows``
    (made by :func:`_with_bias`), starting from ``init`` when given.

    The intercept is a penalised weight of the bias column, as in liblinear (the solver
    this model was tuned with), solved by L-BFGS, which can start from a previous
    solution: one tag more barely moves it.
    """
    model = LogisticRegression(
        C=REGULARISATION_C, class_weight="balanced", solver="lbfgs", max_iter=MAX_ITER,
        fit_intercept=False, warm_start=init is not None,
    )  # fmt: skip
    if init is not None:
        model.coef_ = np.append(np.asarray(init[0], dtype=np.float64), init[1]).reshape(1, -1)
    with warnings.catch_warnings():
        # Stopping at MAX_ITER is a bound on time; the thresholds are tuned on what it gives.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(rows, y)
    return model.coef_[0, :-1], float(model.coef_[0, -1])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=np.float64).ravel(), -30, 30)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model = LogisticRegression(C=100.0).fit(_logit(scores).reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _apply_platt(platt: tuple[float, float] | None, scores: np.ndarray) -> np.ndarray:
    if platt is None:
        return scores
    a, b = platt
    return _sigmoid(a * _logit(scores) + b)


def _confidence(lab: _Label, learned: np.ndarray | None, prior: np.ndarray) -> np.ndarray:
    if learned is None:
        return prior if lab.has_prior else np.zeros_like(prior)
    blended = lab.model_weight * learned + (1.0 - lab.model_weight) * prior
    return _apply_platt(lab.platt, blended)


def _best_threshold(confidence: np.ndarray, y: np.ndarray) -> float:
    """The grid threshold with the best F1 (all thresholds at once: sklearn's f1_score
    checks its inputs on every call, 90 calls per label cost more than the training)."""
    truth = y.astype(bool)
    decided = confidence[None, :] >= _GRID[:, None]
    tp = (decided & truth).sum(axis=1)
    wrong = (decided & ~truth).sum(axis=1) + (~decided & truth).sum(axis=1)
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + wrong, 1), 0.0)
    best = f1.max()
    # Ties go to the threshold nearest 0.5: fewer surprises than an extreme one.
    tied = np.flatnonzero(f1 >= best - 1e-9)
    return float(_GRID[tied[np.argmin(np.abs(_GRID[tied] - 0.5))]])


def _counts(y: np.ndarray, decided: np.ndarray) -> tuple[int, int, int]:
    truth = y.astype(bool)
    return (
        int((decided & truth).sum()),
        int((decided & ~truth).sum()),
        int((~decided & truth).sum()),
    )


def _micro(stats: list[LabelStats]) -> float | None:
    tp = sum(s.true_positives for s in stats)
    wrong = sum(s.false_positives + s.false_negatives for s in stats)
    return 2 * tp / (2 * tp + wrong) if tp + wrong else None


def _reliability(
    scores: list[np.ndarray], truth: list[np.ndarray], _thresholds: list[float]
) -> list[Band]:
    """Share of correct suggestions per confidence band, over out-of-fold predictions."""
    if not scores:
        return []
    s = np.concatenate(scores)
    t = np.concatenate(truth)
    out = []
    for low, high in zip(BANDS[:-1], BANDS[1:], strict=True):
        inside = (s >= low) & (s < high)
        count = int(inside.sum())
        mean = float(s[inside].mean()) if count else math.nan
        out.append(Band(low, min(high, 1.0), count, int(t[inside].sum()), mean))
    return out
