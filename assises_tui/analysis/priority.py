"""Which contribution to tag next: uncertainty, with diversity (active learning).

A contribution teaches the model most when its confidence for some theme sits near that
theme's decision threshold (the model cannot tell), and when it does not resemble the ones
already chosen (ten copies of one campaign letter teach what one does). The order is greedy
(maximal marginal relevance): each next pick maximises

    uncertainty − DIVERSITY × (highest cosine similarity to a contribution already picked)

in the latent space, over the ``HEAD`` most uncertain; the rest follow by uncertainty.
"""

from __future__ import annotations

import numpy as np

DIVERSITY = 0.5
HEAD = 200  # ranked with diversity; 200 picks over 600 candidates take ~10 ms


def uncertainty(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per row, in [0, 1]: 1 when a confidence equals its threshold, 0 when all are sure."""
    if scores.size == 0:
        return np.zeros(scores.shape[0])
    t = np.clip(thresholds, 1e-3, 1 - 1e-3)
    below = scores < t
    span = np.where(below, t, 1 - t)
    closeness = 1.0 - np.abs(scores - t) / span
    return np.clip(closeness, 0.0, 1.0).max(axis=1)


def priority_order(
    scores: np.ndarray, thresholds: np.ndarray, latent: np.ndarray, head: int = HEAD
) -> list[int]:
    """Row indices, the most useful to tag first."""
    u = uncertainty(scores, thresholds)
    by_uncertainty = list(np.argsort(-u, kind="stable"))
    candidates = by_uncertainty[: head * 3]
    picked: list[int] = []
    if len(candidates):
        vectors = latent[candidates]
        gain = u[candidates].astype(np.float64)
        nearest = np.zeros(len(candidates))
        free = np.ones(len(candidates), dtype=bool)
        for _ in range(min(head, len(candidates))):
            value = np.where(free, gain - DIVERSITY * nearest, -np.inf)
            best = int(np.argmax(value))
            picked.append(candidates[best])
            free[best] = False
            nearest = np.maximum(nearest, vectors @ vectors[best])
    chosen = set(picked)
    return [int(i) for i in picked] + [int(i) for i in by_uncertainty if i not in chosen]
