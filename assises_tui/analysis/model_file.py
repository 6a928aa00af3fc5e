"""The trained theme model on disk: opening a workspace does not train it again.

One ``.npz`` (no pickle): the feature space's IDF weights and latent basis, each label's
non-zero coefficients, calibration, threshold and figures, and a *signature* saying what
the model was learned from (the labels, the codebook's keys, the texts' fingerprints). A
model is loaded only if the signature the suggester computes now is the same; a file that
cannot be read is ignored (the model is trained again).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from assises_tui.analysis.features import FeatureSpace
from assises_tui.analysis.model import Band, LabelStats, ThemeModel, _Label
from assises_tui.analysis.text_cache import write_npz_atomic
from assises_tui.analysis.tokens import CHAR_FEATURES, WORD_FEATURES, Vocabulary

FORMAT = 1


def save_model(
    path: Path,
    model: ThemeModel,
    signature: str,
    sample: dict[int, bytes],
    recent: Sequence[int] = (),
) -> None:
    """``sample``: id -> text fingerprint of the contributions the feature space was
    fitted on (a changed one, e.g. purged, makes it stale); ``recent``: the latest
    decisions, oldest first (the suggester's choice of training rows)."""
    features = model.features
    meta = {
        "format": FORMAT,
        "signature": signature,
        "recent": [int(cid) for cid in recent],
        "main_keys": model.main_keys,
        "n_labelled": model.n_labelled,
        "requested_keys": model.requested_keys,
        "validated_on": model.validated_on,
        "fitted_on": features.fitted_on,
        "lsa_weight": features.lsa_weight,
        "reliability": [asdict(b) for b in model.reliability],
        "labels": [
            {
                "key": lab.key,
                "intercept": lab.intercept,
                "has_prior": lab.has_prior,
                "model_weight": lab.model_weight,
                "platt": list(lab.platt) if lab.platt else None,
                "threshold": lab.threshold,
                "learned": lab.coef is not None,
                "stats": asdict(lab.stats),
            }
            for lab in model._labels
        ],
    }
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "word_idf": features.word_idf,
        "char_idf": features.char_idf,
        "lsa_columns": features.lsa_columns,
        "sample_ids": np.array(sorted(sample), dtype=np.int64),
        "sample_fingerprints": np.frombuffer(
            b"".join(sample[cid] for cid in sorted(sample)), dtype=np.uint8
        ),
    }
    if features.lsa_basis is not None:
        arrays["lsa_basis"] = features.lsa_basis
    for j, lab in enumerate(model._labels):
        if lab.coef is not None:
            where = np.flatnonzero(lab.coef).astype(np.int32)
            arrays[f"coef_index_{j}"] = where
            arrays[f"coef_value_{j}"] = lab.coef[where].astype(np.float32)
    write_npz_atomic(path, arrays)


def load_features(path: Path, vocabulary: Vocabulary) -> tuple[FeatureSpace, dict[int, bytes]]:
    """The saved feature space and its fit sample (id -> fingerprint); raises on damage."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        if meta.get("format") != FORMAT:
            raise ValueError("format")
        features = FeatureSpace(lsa_weight=meta["lsa_weight"], vocabulary=vocabulary)
        features.word_idf = data["word_idf"]
        features.char_idf = data["char_idf"]
        features.lsa_columns = data["lsa_columns"]
        features.lsa_basis = data["lsa_basis"] if "lsa_basis" in data else None
        features.fitted_on = int(meta["fitted_on"])
        ids = data["sample_ids"].tolist()
        fps = bytes(data["sample_fingerprints"])
    if len(fps) != 16 * len(ids) or len(features.word_idf) != WORD_FEATURES:
        raise ValueError("shape")
    if len(features.char_idf) != CHAR_FEATURES:
        raise ValueError("shape")
    return features, {cid: fps[16 * i : 16 * i + 16] for i, cid in enumerate(ids)}


def saved_recent(path: Path) -> list[int]:
    """The ``recent`` ids saved with the model ([] if unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
        return [int(cid) for cid in meta.get("recent", [])]
    except (*_DAMAGE, json.JSONDecodeError):
        return []


def saved_features(
    path: Path, vocabulary: Vocabulary
) -> tuple[FeatureSpace, dict[int, bytes]] | None:
    try:
        return load_features(path, vocabulary)
    except _DAMAGE:
        return None


def load_model(path: Path, signature: str, features: FeatureSpace) -> ThemeModel | None:
    """The saved model if it was learned from what ``signature`` describes (on the feature
    space ``features``, read from the same file), else None."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != FORMAT or meta.get("signature") != signature:
                return None
            width = features.n_features
            labels = []
            for j, lab in enumerate(meta["labels"]):
                coef = None
                if lab["learned"]:
                    coef = np.zeros(width, dtype=np.float32)
                    coef[data[f"coef_index_{j}"]] = data[f"coef_value_{j}"]
                platt = tuple(lab["platt"]) if lab["platt"] else None
                labels.append(
                    _Label(
                        lab["key"],
                        coef,
                        float(lab["intercept"]),
                        bool(lab["has_prior"]),
                        float(lab["model_weight"]),
                        platt,
                        float(lab["threshold"]),
                        LabelStats(**lab["stats"]),
                    )  # fmt: skip
                )
            reliability = [Band(**b) for b in meta["reliability"]]
            return ThemeModel(
                features,
                labels,
                meta["main_keys"],
                int(meta["n_labelled"]),
                reliability,
                meta["requested_keys"],
                int(meta["validated_on"]),
            )
    except _DAMAGE:
        return None


_DAMAGE = (
    OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile
)  # fmt: skip
