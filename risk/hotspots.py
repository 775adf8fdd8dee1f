"""Hotspots: Getis-Ord Gi* (Ord & Getis 1995) over H3 neighbourhoods.

Each cell's Gi* compares the sum over the cell and its neighbours (binary weights over
the cell itself and the cells ``k`` steps around it) with what the study area's mean and
spread would give; it is a z-score, so p-values come from the normal distribution.
With thousands of cells tested at once, q-values (Benjamini-Hochberg) are given too.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats


def gi_star(values: np.ndarray, weights: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(z, two-sided p) per cell; ``weights`` must include each cell itself (w_ii = 1)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 3:
        return np.zeros(n), np.ones(n)
    mean = x.mean()
    spread = np.sqrt((x**2).mean() - mean**2)
    w_sum = np.asarray(weights.sum(axis=1)).ravel()
    w_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    numerator = weights @ x - mean * w_sum
    denominator = spread * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    return z, 2 * stats.norm.sf(np.abs(z))


def q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values."""
    if len(p) == 0:
        return p
    return stats.false_discovery_control(p, method="bh")
