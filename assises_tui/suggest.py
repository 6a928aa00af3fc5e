"""Theme suggestions for stored contributions: learned from the reviewers, never applied.

The model lives in ``analysis/`` (features, keyword prior, calibrated per-theme logistic
regressions); this module feeds it from the store:

* the labelled contributions are those carrying at least one theme; a theme they do not
  carry counts as "not this theme". Sub-themes ("service/accueil") are labels of their
  own, and count for their main theme. The codebook's renames and merges rewrite the keys
  on the records, so the next training sees the new keys; retired sub-themes are no longer
  suggested;
* the feature space (IDF weights, latent space) is fitted on the whole inbox, refitted when
  the inbox has grown by a quarter;
* :meth:`Suggester.retrain` builds a new model when the labels changed and swaps it in
  whole: readers keep using the previous one meanwhile. The app calls it from a worker
  thread after a tag (``mark_stale``) and every few seconds; the command line before it
  answers.

Feature rows of the labelled contributions are kept (their texts never change), so a
retrain after a tag only featurises the new ones. Beyond ``MAX_TRAIN`` labelled
contributions, the model learns from the latest decisions plus a fixed sample of the
others: the learning curve is flat long before, and time and memory stay bounded.

numpy, scipy and scikit-learn are imported on first training, not with this module: the
interface imports it at start-up, and a key press must not wait for them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assises_tui.analysis.keywords import MAX_TEXT_CHARS, KeywordPrior
from assises_tui.analysis.model_info import KEYWORDS_THRESHOLD
from assises_tui.store.texts import attachment_texts, body_text

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

    from assises_tui.analysis.features import FeatureSpace
    from assises_tui.analysis.model import ThemeModel
    from assises_tui.config import Theme
    from assises_tui.store.protocol import Store

CHUNK = 256  # texts featurised at once when scoring many
FIT_SAMPLE = 3_000  # inbox texts read to fit the feature space (a seeded sample beyond)
REFIT_GROWTH = 1.25  # refit the feature space when the inbox grew by this factor
SCAN_SECONDS = 10.0  # without a notification, look for changed labels this often
MAX_TRAIN = 4_000  # labelled contributions learned from (memory and time; see docs)
PRIORITY_POOL = 1_000  # untagged contributions ranked by the priority view (a sample beyond)
BECAUSE = 5


@dataclass(frozen=True)
class Suggestion:
    theme: str
    confidence: float  # 0..1, calibrated once enough contributions are tagged
    because: list[str] = field(default_factory=list)  # words of the text that weighed most

    def to_dict(self) -> dict[str, object]:
        return {
            "theme": self.theme,
            "confidence": round(self.confidence, 3),
            "because": list(self.because),
        }


def main_themes(keys: Iterable[str]) -> set[str]:
    return {k.split("/", 1)[0] for k in keys}


def label_set(themes: Iterable[str]) -> set[str]:
    """The labels a record teaches: its keys and the main themes of its sub-themes."""
    keys = set(themes)
    return keys | main_themes(keys)


class ActiveThemes(Protocol):
    """What the suggester reads of the codebook (``services.codebook.Codebook``)."""

    def active_keys(self) -> Iterable[str]: ...


class Suggester:
    def __init__(
        self,
        store: Store,
        themes: Sequence[Theme],
        codebook: ActiveThemes,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.main_keys = [t.key for t in themes]
        self.codebook = codebook
        self.prior = KeywordPrior(themes)
        self._clock = clock
        self.model: ThemeModel | None = None
        self.trained_at: float | None = None  # seconds the last training took
        self._signature: tuple | None = None
        self._features: FeatureSpace | None = None
        self._rows: dict[int, tuple[sparse.csr_matrix, np.ndarray]] = {}  # id -> row, prior
        self._themes_seen: dict[int, tuple[str, ...]] = {}
        self._recent: dict[int, None] = {}  # ids whose themes changed lately, oldest first
        self._stale = True
        self._last_scan = -float("inf")
        self._train_lock = threading.Lock()
        self._stopping = threading.Event()

    # -- texts -----------------------------------------------------------------
    def text_of(self, cid: int) -> str:
        item = self.store.get(cid)
        if item is None:
            return ""
        parts = [item.subject, body_text(self.store, item)]
        size = sum(len(p) for p in parts)
        for _name, text in attachment_texts(self.store, item):
            if size >= MAX_TEXT_CHARS:
                break
            parts.append(text)
            size += len(text)
        return "\n".join(parts)[:MAX_TEXT_CHARS]

    def _prior_vector(self, text: str, keys: Sequence[str]) -> np.ndarray:
        import numpy as np

        found = self.prior.score(text)
        return np.array([found[k][0] if k in found else 0.0 for k in keys])

    # -- training ----------------------------------------------------------------
    def stop(self) -> None:
        """Make a training or a ranking under way give up soon (the app is closing: Python
        waits for worker threads before it exits)."""
        self._stopping.set()

    def resume(self) -> None:
        self._stopping.clear()

    def mark_stale(self) -> None:
        """The labels changed (a tag, an undo): the next :meth:`retrain` looks at once."""
        self._stale = True

    @property
    def needs_retrain(self) -> bool:
        return self.model is None or self._stale or self._clock() - self._last_scan > SCAN_SECONDS

    def refresh(self, force: bool = False) -> bool:
        """Retrain now if the labels changed (``force``: look even without a notice)."""
        if force:
            self._stale = True
        return self.retrain()

    def retrain(self) -> bool:
        """Build a new model if the labels changed since the last one; True if it did.

        Safe to call from any thread; concurrent calls wait for the one running.
        """
        import numpy as np

        from assises_tui.analysis.model import TrainingStopped, train

        with self._train_lock:
            if self._stopping.is_set() or not self.needs_retrain:
                return False
            self._stale = False
            self._last_scan = self._clock()
            records = self.store.all()
            labelled = [(c.id, c.themes) for c in records if c.themes]
            keys = self._label_keys(labelled)  # a retired sub-theme changes them, not records
            signature = (len(records), tuple(labelled), tuple(keys))
            if self.model is not None and signature == self._signature:
                return False
            started = time.perf_counter()
            chosen = self._training_set(labelled)
            ids = [cid for cid, _themes in chosen]
            try:
                features = self._feature_space([c.id for c in records])
                rows, priors = self._labelled_rows(features, ids)
                prior_full = np.zeros((len(ids), len(keys)))
                prior_full[:, : len(self.main_keys)] = priors  # main themes come first
                self.model = train(
                    features,
                    rows,
                    [label_set(themes) for _cid, themes in chosen],
                    keys,
                    prior_full,
                    [k in self.main_keys for k in keys],
                    self.main_keys,
                    should_stop=self._stopping.is_set,
                )
            except TrainingStopped:
                return False
            self._signature = signature
            self.trained_at = time.perf_counter() - started
            return True

    def _training_set(
        self, labelled: list[tuple[int, tuple[str, ...]]]
    ) -> list[tuple[int, tuple[str, ...]]]:
        """All the labelled contributions, up to ``MAX_TRAIN``; beyond, the latest decisions
        and a fixed pseudo-random share of the others (fixed, so their cached rows serve
        from one training to the next)."""
        seen = self._themes_seen
        for cid, themes in labelled:
            if seen.get(cid) != themes:
                seen[cid] = themes
                self._recent.pop(cid, None)
                self._recent[cid] = None  # most recent last
        while len(self._recent) > MAX_TRAIN // 2:
            del self._recent[next(iter(self._recent))]
        if len(labelled) <= MAX_TRAIN:
            return labelled
        recent = {cid for cid in self._recent}
        rest = sorted(
            (pair for pair in labelled if pair[0] not in recent),
            key=lambda pair: (pair[0] * 2654435761) % 2**32,  # Knuth's multiplicative hash
        )
        chosen = [pair for pair in labelled if pair[0] in recent]
        chosen += rest[: MAX_TRAIN - len(chosen)]
        return sorted(chosen)

    def current_model(self) -> ThemeModel:
        """The model in use; trains one first if there is none yet (worker threads only)."""
        model = self.model
        if model is None:
            self.retrain()
            model = self.model
        assert model is not None
        return model

    def _label_keys(self, labelled: list[tuple[int, tuple[str, ...]]]) -> list[str]:
        active = set(self.codebook.active_keys())
        subs = sorted({k for _cid, themes in labelled for k in themes if "/" in k} & active)
        return self.main_keys + subs

    def _feature_space(self, all_ids: list[int]) -> FeatureSpace:
        from assises_tui.analysis.features import FeatureSpace

        features = self._features
        if features is not None and len(all_ids) <= features.fitted_on * REFIT_GROWTH:
            return features
        sample = all_ids  # FeatureSpace would sample too, but only after reading every text
        if len(sample) > FIT_SAMPLE:
            sample = random.Random(0).sample(all_ids, FIT_SAMPLE)
        texts = []
        for cid in sample:
            if self._stopping.is_set():
                from assises_tui.analysis.model import TrainingStopped

                raise TrainingStopped
            texts.append(self.text_of(cid))
        features = FeatureSpace().fit(texts)
        features.fitted_on = max(len(all_ids), 1)
        self._features = features
        self._rows.clear()  # rows of the old space mean nothing in the new one
        return features

    def _labelled_rows(
        self, features: FeatureSpace, ids: list[int]
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        import numpy as np
        from scipy import sparse

        from assises_tui.analysis.model import TrainingStopped

        missing = [cid for cid in ids if cid not in self._rows]
        for start in range(0, len(missing), CHUNK):
            if self._stopping.is_set():
                raise TrainingStopped
            chunk = missing[start : start + CHUNK]
            texts = [self.text_of(cid) for cid in chunk]
            rows = features.transform(texts)
            for i, (cid, text) in enumerate(zip(chunk, texts, strict=True)):
                self._rows[cid] = (rows[i], self._prior_vector(text, self.main_keys))
        for cid in set(self._rows) - set(ids):  # untagged or purged since
            del self._rows[cid]
        if not ids:
            return sparse.csr_matrix((0, features.n_features), dtype=np.float32), np.zeros(
                (0, len(self.main_keys))
            )
        rows = sparse.vstack([self._rows[cid][0] for cid in ids], format="csr")
        priors = np.vstack([self._rows[cid][1] for cid in ids])
        return rows, priors

    # -- suggesting ----------------------------------------------------------------
    def _score(
        self, model: ThemeModel, texts: list[str]
    ) -> tuple[sparse.csr_matrix, np.ndarray, list[dict[str, tuple[float, list[str]]]]]:
        import numpy as np

        rows = model.features.transform(texts)
        found = [self.prior.score(t) for t in texts]
        prior = np.array([[f[k][0] if k in f else 0.0 for k in model.keys] for f in found]).reshape(
            len(texts), len(model.keys)
        )
        return rows, model.scores(rows, prior), found

    def suggest(
        self, cid: int, *, exclude_tagged: bool = True, train: bool = True
    ) -> list[Suggestion]:
        """Suggested themes and sub-themes for ``cid``, surest first.

        ``train=False`` (on the event loop): before the first model is ready, the keywords
        alone answer instead of training one.
        """
        if not train and self.model is None:
            return self._keyword_suggestions(cid, exclude_tagged)
        return self.suggest_many([cid], exclude_tagged=exclude_tagged).get(cid, [])

    def _keyword_suggestions(self, cid: int, exclude_tagged: bool) -> list[Suggestion]:
        item = self.store.get(cid)
        if item is None:
            return []
        skip = set(item.themes) if exclude_tagged else set()
        found = self.prior.score(self.text_of(cid))
        made = [
            Suggestion(key, round(conf, 4), words[:BECAUSE])
            for key, (conf, words) in found.items()
            if key not in skip and conf >= KEYWORDS_THRESHOLD
        ]
        return sorted(made, key=lambda s: -s.confidence)

    def suggest_many(
        self, ids: Sequence[int], *, exclude_tagged: bool = True
    ) -> dict[int, list[Suggestion]]:
        """Suggestions for each of ``ids`` (trains a first model if there is none)."""
        model = self.current_model()
        thresholds = model.thresholds()
        out: dict[int, list[Suggestion]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = [cid for cid in ids[start : start + CHUNK] if self.store.get(cid) is not None]
            texts = [self.text_of(cid) for cid in chunk]
            rows, scores, found = self._score(model, texts)
            for i, cid in enumerate(chunk):
                item = self.store.get(cid)
                skip = set(item.themes) if exclude_tagged and item is not None else set()
                made = []
                for j, key in enumerate(model.keys):
                    if key in skip or scores[i, j] < thresholds[j]:
                        continue
                    because = self._because(model, key, texts[i], rows[i], found[i])
                    made.append(Suggestion(key, round(float(scores[i, j]), 4), because))
                made.sort(key=lambda s: -s.confidence)
                out[cid] = made
        return out

    def _because(
        self,
        model: ThemeModel,
        key: str,
        text: str,
        row: sparse.csr_matrix,
        found: dict[str, tuple[float, list[str]]],
    ) -> list[str]:
        coef, weight = model.weights(key)
        learned = model.features.explain(text, row, coef, BECAUSE) if coef is not None else []
        keywords = found.get(key, (0.0, []))[1]
        ordered = learned + keywords if weight >= 0.5 else keywords + learned
        out: list[str] = []
        seen: set[str] = set()
        for word in ordered:
            folded = word.casefold()
            if folded not in seen:
                seen.add(folded)
                out.append(word)
            if len(out) == BECAUSE:
                break
        return out

    # -- how good -----------------------------------------------------------------------
    def report(self) -> dict[str, object]:
        """The model's figures, as ``assises suggest --report --json`` prints them."""
        import math

        model = self.current_model()

        def number(value: float | None) -> float | None:
            return None if value is None or math.isnan(value) else round(value, 3)

        return {
            "labelled": model.n_labelled,
            "micro_f1": number(model.cv_micro_f1),
            "macro_f1": number(model.cv_macro_f1),
            "labels": [
                {
                    "theme": s.key,
                    "positives": s.positives,
                    "negatives": s.negatives,
                    "learned": s.learned,
                    "calibrated": s.calibrated,
                    "keyword_weight": round(1.0 - s.model_weight, 3),
                    "threshold": s.threshold,
                    "precision": number(s.precision),
                    "recall": number(s.recall),
                    "f1": number(s.f1),
                }
                for s in model.stats
            ],
            "reliability": [
                {
                    "low": b.low,
                    "high": round(b.high, 3),
                    "count": b.count,
                    "correct": b.correct,
                    "precision": number(b.precision),
                    "mean_confidence": number(b.mean_confidence),
                }
                for b in model.reliability
            ],
        }

    def quality(self) -> str:
        """One French phrase for the status line: how good the suggestions are now."""
        model = self.model
        if model is None:
            return ""
        if model.cv_micro_f1 is None or not any(s.learned for s in model.stats):
            return "suggestions : mots-clés"
        return "suggestions F1 " + f"{model.cv_micro_f1:.2f}".replace(".", ",")

    # -- what to tag next -------------------------------------------------------------
    def priority(self, candidates: Sequence[int], limit: int | None = None) -> list[int]:
        """``candidates`` (untagged ids) ordered by how much a label would teach the model.

        Beyond ``PRIORITY_POOL`` a seeded sample is ranked and the others follow in their
        given order.
        """
        import numpy as np

        from assises_tui.analysis.priority import priority_order

        model = self.current_model()
        pool = list(candidates)
        if len(pool) > PRIORITY_POOL:
            chosen = set(random.Random(len(pool)).sample(pool, PRIORITY_POOL))
            pool = [cid for cid in candidates if cid in chosen]
        scores_parts, latent_parts = [], []
        for start in range(0, len(pool), CHUNK):
            if self._stopping.is_set():
                return list(candidates)
            texts = [self.text_of(cid) for cid in pool[start : start + CHUNK]]
            rows, scores, _found = self._score(model, texts)
            scores_parts.append(scores[:, : len(model.main_keys)])
            latent_parts.append(model.features.latent(rows))
        if not pool:
            return []
        order = priority_order(
            np.vstack(scores_parts),
            model.thresholds()[: len(model.main_keys)],
            np.vstack(latent_parts),
        )
        ranked = [pool[i] for i in order]
        seen = set(ranked)
        ranked += [cid for cid in candidates if cid not in seen]
        return ranked[:limit] if limit is not None else ranked
