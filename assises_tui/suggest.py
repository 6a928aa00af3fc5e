"""Theme suggestions for stored contributions: learned from the reviewers, never applied.

The model lives in ``analysis/`` (features, keyword prior, calibrated per-theme logistic
regressions); this module feeds it from the store:

* the labelled contributions are those carrying at least one theme; a theme they do not
  carry counts as "not this theme". Sub-themes ("service/accueil") are labels of their
  own, and count for their main theme. The codebook's renames and merges rewrite the keys
  on the records, so the next training sees the new keys; retired sub-themes are no longer
  suggested;
* what the model needs of each text (its word ids, its keyword prior) is computed once
  and kept in ``suggestions/texts.npz`` in the workspace, tied to the texts' fingerprints
  (``analysis/text_cache.py``); the trained model in ``suggestions/model.npz``, tied to
  the labels, the codebook's keys and those fingerprints (``analysis/model_file.py``):
  reopening a workspace whose labels did not change trains nothing;
* the feature space (IDF weights, latent space) is fitted on a sample of the inbox, refitted
  when the inbox has grown by a quarter or a text of the sample changed (a purge);
* :meth:`Suggester.retrain` builds a new model when the labels changed and swaps it in
  whole: readers keep using the previous one meanwhile. The app calls it from a worker
  thread after a tag (``mark_stale``) and every few seconds; the command line before it
  answers. A retrain counts the cached word ids of the labelled contributions (no text is
  read again) and redoes the per-label fits.

Beyond ``MAX_TRAIN`` labelled contributions, the model learns from the latest decisions
plus a fixed sample of the others: the learning curve is flat long before, and time and
memory stay bounded.

numpy, scipy and scikit-learn are imported on first training, not with this module: the
interface imports it at start-up, and a key press must not wait for them.
"""

from __future__ import annotations

import hashlib
import json
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
    from pathlib import Path

    import numpy as np
    from scipy import sparse

    from assises_tui.analysis.features import Evidence, FeatureSpace
    from assises_tui.analysis.model import ThemeModel
    from assises_tui.analysis.text_cache import Entry, TextCache
    from assises_tui.analysis.tokens import Vocabulary
    from assises_tui.config import Theme
    from assises_tui.domain.models import Contribution
    from assises_tui.store.protocol import Store

CHUNK = 1_000  # texts counted and scored at once (memory: ~25 MB of rows per 1,000)
FIT_SAMPLE = 3_000  # inbox texts the feature space is fitted on (a seeded sample beyond)
REFIT_GROWTH = 1.25  # refit the feature space when the inbox grew by this factor
SCAN_SECONDS = 10.0  # without a notification, look for changed labels this often
MAX_TRAIN = 4_000  # labelled contributions learned from (memory and time; see docs)
PRIORITY_POOL = 1_000  # untagged contributions ranked by the priority view (a sample beyond)
BECAUSE = 5
CACHE_DIR = "suggestions"  # in the workspace
TEXTS_FILE = "texts.npz"
MODEL_FILE = "model.npz"
SAVE_EVERY = 500  # new text entries before the cache is written again (or at a purge)


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
    """``cache_dir``: where the text cache and the model are kept (None: nowhere, e.g. a
    read-only workspace keeps them in memory only)."""

    def __init__(
        self,
        store: Store,
        themes: Sequence[Theme],
        codebook: ActiveThemes,
        clock: Callable[[], float] = time.monotonic,
        cache_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.main_keys = [t.key for t in themes]
        self.codebook = codebook
        self.prior = KeywordPrior(themes)
        self._keywords_digest = _digest([[t.key, list(t.keywords), t.description] for t in themes])
        self._clock = clock
        self.cache_dir = cache_dir
        self.model: ThemeModel | None = None
        self.trained_at: float | None = None  # seconds the last training took
        self.loaded = False  # the model in use was read from the workspace, not trained
        self.learned_from: list[int] = []  # ids of the contributions the model learned from
        self._signature: str | None = None
        self._features: FeatureSpace | None = None
        self._features_sample: dict[int, bytes] = {}  # id -> fingerprint of the fit sample
        self._cache: TextCache | None = None
        self._unsaved = 0
        self._fingerprints: dict[int, tuple[tuple, bytes]] = {}  # id -> (text refs, digest)
        self._themes_seen: dict[int, tuple[str, ...]] = {}
        self._recent: dict[int, None] = {}  # ids whose themes changed lately, oldest first
        self._stale = True
        self._last_scan = -float("inf")
        self._train_lock = threading.Lock()
        self._stopping = threading.Event()

    # -- texts -----------------------------------------------------------------
    def text_of(self, cid: int) -> str:
        return self._text(self.store.get(cid))

    def _text(self, item: Contribution | None) -> str:
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
        return np.array([found[k][0] if k in found else 0.0 for k in keys], dtype=np.float32)

    def text_cache(self) -> TextCache:
        """The per-text cache, read from the workspace on first use."""
        from assises_tui.analysis.text_cache import TextCache

        if self._cache is None:
            path = self._path(TEXTS_FILE)
            self._cache = (
                TextCache.load(path, self._keywords_digest)
                if path is not None
                else TextCache(self._keywords_digest)
            )
        return self._cache

    def _path(self, name: str) -> Path | None:
        return self.cache_dir / name if self.cache_dir is not None else None

    def _entries(self, items: Sequence[Contribution]) -> tuple[Vocabulary, list[Entry]]:
        """The cache entries of ``items``, computing (and keeping) those missing, and the
        vocabulary their word ids belong to."""
        from assises_tui.analysis.model import TrainingStopped
        from assises_tui.analysis.text_cache import Entry

        cache = self.text_cache()
        vocabulary = cache.state.vocabulary
        entries = cache.state.entries
        out = []
        for item in items:
            fp = self._fingerprint(item)
            entry = entries.get(item.id)
            if entry is None or entry.fingerprint != fp:
                if self._stopping.is_set():
                    raise TrainingStopped
                text = self._text(item)
                entry = Entry(
                    fp, vocabulary.sequence(text), self._prior_vector(text, self.main_keys)
                )
                cache.put(item.id, entry, vocabulary)
                self._unsaved += 1
            out.append(entry)
        return vocabulary, out

    def _fingerprint(self, item: Contribution) -> bytes:
        """The digest of what the texts of ``item`` are made of (remembered per id: a
        retrain looks at every record)."""
        refs = (item.subject, item.body_blob, tuple(a.text_blob for a in item.attachments))
        known = self._fingerprints.get(item.id)
        if known is not None and known[0] == refs:
            return known[1]
        fp = _fingerprint(item)
        self._fingerprints[item.id] = (refs, fp)
        return fp

    def _rows(
        self, features: FeatureSpace, items: Sequence[Contribution]
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Feature rows and keyword priors (main themes) of ``items``."""
        import numpy as np

        vocabulary, entries = self._entries(items)
        rows = features.weigh(*vocabulary.counts([e.words for e in entries]))
        if not entries:
            return rows, np.zeros((0, len(self.main_keys)), dtype=np.float32)
        return rows, np.vstack([e.prior for e in entries])

    def save_cache(self, force: bool = False) -> None:
        """Write the text cache if it changed enough to be worth it: the first time (or
        in place of a damaged file), after ``SAVE_EVERY`` new texts, or when entries were dropped (their words must
        leave the file); ``force``: whenever anything changed."""
        cache = self._cache
        path = self._path(TEXTS_FILE)
        if cache is None or path is None or not cache.changed or self.store.read_only:
            return
        if force or self._unsaved >= SAVE_EVERY or cache.compaction_due or not cache.on_disk:
            cache.save(path)
            self._unsaved = 0

    def forget(self, ids: Iterable[int]) -> None:
        """Drop what is kept of these contributions' texts (a purge changed them), on disk
        too, and the saved model (learned from them)."""
        from assises_tui.durable import remove_durably

        with self._train_lock:
            self.text_cache().forget(ids)
            try:
                self.save_cache(force=True)
            except OSError:  # cannot rewrite it: then nothing of it stays
                texts = self._path(TEXTS_FILE)
                if texts is not None:
                    remove_durably(texts)
                self._cache = None
            self._features = None
            self.model = None
            self._signature = None
            self._stale = True
            path = self._path(MODEL_FILE)
            if path is not None:
                remove_durably(path)

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
        from assises_tui.analysis.model_file import load_model, save_model

        with self._train_lock:
            if self._stopping.is_set() or not self.needs_retrain:
                return False
            self._stale = False
            self._last_scan = self._clock()
            records = self.store.all()
            by_id = {c.id: c for c in records}
            fingerprints = {c.id: self._fingerprint(c) for c in records}
            cache = self.text_cache()
            cache.keep_only(fingerprints)  # gone, or texts changed (a purge)
            labelled = [(c.id, c.themes) for c in records if c.themes]
            if self.model is None and not self._recent:
                self._recent = dict.fromkeys(self._saved_recent())
            keys = self._label_keys(labelled)  # a retired sub-theme changes them, not records
            started = time.perf_counter()
            chosen = self._training_set(labelled)
            try:
                features = self._feature_space(by_id, fingerprints)
                signature = _digest(
                    [
                        [[cid, list(themes), fingerprints[cid].hex()] for cid, themes in chosen],
                        keys,
                        self.main_keys,
                        sorted((cid, fp.hex()) for cid, fp in self._features_sample.items()),
                    ]
                )
                if self.model is not None and signature == self._signature:
                    return False
                path = self._path(MODEL_FILE)
                if self.model is None and path is not None and path.exists():
                    saved = load_model(path, signature, features)
                    if saved is not None:
                        self.model, self._signature, self.loaded = saved, signature, True
                        self.learned_from = [cid for cid, _themes in chosen]
                        self.trained_at = time.perf_counter() - started
                        return True
                rows, priors = self._rows(features, [by_id[cid] for cid, _themes in chosen])
                prior_full = np.zeros((len(chosen), len(keys)))
                prior_full[:, : len(self.main_keys)] = priors  # main themes come first
                model = train(
                    features,
                    rows,
                    [label_set(themes) for _cid, themes in chosen],
                    keys,
                    prior_full,
                    [k in self.main_keys for k in keys],
                    self.main_keys,
                    should_stop=self._stopping.is_set,
                    previous=self.model
                    if self.model is not None and self.model.features is features
                    else None,
                )
            except TrainingStopped:
                return False
            self.model, self._signature, self.loaded = model, signature, False
            self.learned_from = [cid for cid, _themes in chosen]
            self.trained_at = time.perf_counter() - started
            if path is not None and not self.store.read_only:
                try:
                    save_model(path, model, signature, self._features_sample, list(self._recent))
                    self.save_cache()
                except OSError:
                    pass  # a full disk costs the next opening a training, nothing else
            return True

    def _training_set(
        self, labelled: list[tuple[int, tuple[str, ...]]]
    ) -> list[tuple[int, tuple[str, ...]]]:
        """All the labelled contributions, up to ``MAX_TRAIN``; beyond, the latest decisions
        and a fixed pseudo-random share of the others (fixed, so that one retrain after a
        tag learns from nearly the same rows as the last)."""
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

    def _feature_space(
        self, by_id: dict[int, Contribution], fingerprints: dict[int, bytes]
    ) -> FeatureSpace:
        """The feature space in use, or one fitted now on a sample of the inbox (the cached
        entries of the sample: their texts are read once)."""
        from assises_tui.analysis.features import FeatureSpace

        features = self._features
        if features is None and self.model is None:
            features = self._saved_features(fingerprints)
        sample = self._features_sample
        if (
            features is not None
            and len(by_id) <= features.fitted_on * REFIT_GROWTH
            and all(fingerprints.get(cid) == fp for cid, fp in sample.items())
        ):
            self._features = features
            return features
        ids = sorted(by_id)
        if len(ids) > FIT_SAMPLE:
            ids = sorted(random.Random(0).sample(ids, FIT_SAMPLE))
        vocabulary, entries = self._entries([by_id[cid] for cid in ids])
        features = FeatureSpace(vocabulary=vocabulary)
        if entries:
            features.fit_counts(*vocabulary.counts([e.words for e in entries]))
        features.fitted_on = max(len(by_id), 1)
        self._features = features
        self._features_sample = {cid: fingerprints[cid] for cid in ids}
        return features

    def _saved_recent(self) -> list[int]:
        """The latest decisions the saved model learned from (beyond ``MAX_TRAIN`` labels
        they choose the training set: the same choice lets the next session load it)."""
        from assises_tui.analysis.model_file import saved_recent

        path = self._path(MODEL_FILE)
        return saved_recent(path) if path is not None and path.exists() else []

    def _saved_features(self, fingerprints: dict[int, bytes]) -> FeatureSpace | None:
        """The feature space of the saved model, if its sample's texts did not change."""
        from assises_tui.analysis.model_file import saved_features

        path = self._path(MODEL_FILE)
        if path is None or not path.exists():
            return None
        found = saved_features(path, self.text_cache().state.vocabulary)
        if found is None:
            return None
        features, sample = found
        if any(fingerprints.get(cid) != fp for cid, fp in sample.items()):
            return None
        self._features_sample = sample
        return features

    # -- suggesting ----------------------------------------------------------------
    def _score(
        self, model: ThemeModel, items: Sequence[Contribution]
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Feature rows and calibrated confidences (``model.keys`` order) of ``items``."""
        import numpy as np

        rows, priors = self._rows(model.features, items)
        prior = np.zeros((len(items), len(model.keys)))
        main = [j for j, k in enumerate(model.keys) if k in self.main_keys]
        prior[:, main] = priors[:, [self.main_keys.index(model.keys[j]) for j in main]]
        return rows, model.scores(rows, prior)

    def score_all(self, ids: Sequence[int]) -> tuple[list[str], np.ndarray]:
        """(label keys, confidences of each of ``ids``): the whole inbox in batches."""
        import numpy as np

        model = self.current_model()
        parts = []
        for start in range(0, len(ids), CHUNK):
            items = [self.store.get(cid) for cid in ids[start : start + CHUNK]]
            scored = [item for item in items if item is not None]
            _rows, scores = self._score(model, scored)
            full = np.zeros((len(items), len(model.keys)))
            full[[i for i, item in enumerate(items) if item is not None]] = scores
            parts.append(full)
        self.save_cache()
        return model.keys, (np.vstack(parts) if parts else np.zeros((0, len(model.keys))))

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
            items = [self.store.get(cid) for cid in ids[start : start + CHUNK]]
            items = [item for item in items if item is not None]
            rows, scores = self._score(model, items)
            for i, item in enumerate(items):
                skip = set(item.themes) if exclude_tagged else set()
                shown = [
                    j
                    for j, key in enumerate(model.keys)
                    if key not in skip and scores[i, j] >= thresholds[j]
                ]
                made = []
                if shown:  # the text is read again only to name the words
                    text = self._text(item)
                    found = self.prior.score(text)
                    evidence = model.features.evidence(text, rows[i])
                    for j in shown:
                        key = model.keys[j]
                        because = self._because(model, key, evidence, found)
                        made.append(Suggestion(key, round(float(scores[i, j]), 4), because))
                made.sort(key=lambda s: -s.confidence)
                out[item.id] = made
        self.save_cache()
        return out

    def _because(
        self,
        model: ThemeModel,
        key: str,
        evidence: Evidence,
        found: dict[str, tuple[float, list[str]]],
    ) -> list[str]:
        coef, weight = model.weights(key)
        learned = evidence.words(coef, BECAUSE) if coef is not None else []
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
        pool = [cid for cid in pool if self.store.get(cid) is not None]
        scores_parts, latent_parts = [], []
        for start in range(0, len(pool), CHUNK):
            if self._stopping.is_set():
                return list(candidates)
            items = [self.store.get(cid) for cid in pool[start : start + CHUNK]]
            rows, scores = self._score(model, [item for item in items if item is not None])
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


def suggestions_dir(root: Path) -> Path:
    """Where the text cache and the model are kept in the workspace ``root``."""
    return root / CACHE_DIR


def _fingerprint(item: Contribution) -> bytes:
    """What a contribution's texts are made of: subject, body and attachment texts' blobs
    (named by their content)."""
    from assises_tui.analysis.text_cache import fingerprint

    blobs = [item.body_blob or ""] + [a.text_blob or "" for a in item.attachments]
    return fingerprint(item.subject, blobs)


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()
