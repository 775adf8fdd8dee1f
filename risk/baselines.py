"""The issue's strong simple baselines for next month's crime per cell.

Each takes cells x months counts and the target month's column ``t`` and uses only
months before it: (a) counts in the last 3 months, (b) all history with counts halving
every 3 months, (c) for a crime group, (b) computed on all crime types.
"""

from __future__ import annotations

import numpy as np


def decay_weights(t: int, half_life: float) -> np.ndarray:
    """Weight of months 0..t-1 when forecasting month t: the last month 1, halving every
    ``half_life`` months before it."""
    age = np.arange(t)[::-1]  # month t-1 has age 0
    return 0.5 ** (age / half_life)


def last_months(counts: np.ndarray, t: int, months: int = 3) -> np.ndarray:
    """Baseline (a): crimes in the ``months`` months before month t."""
    return counts[:, max(0, t - months) : t].sum(axis=1)


def halving(counts: np.ndarray, t: int, half_life: float = 3.0) -> np.ndarray:
    """Baseline (b): every month before t, counts halving every ``half_life`` months."""
    return counts[:, :t] @ decay_weights(t, half_life)


def baselines(group: np.ndarray, all_crime: np.ndarray, t: int) -> dict[str, np.ndarray]:
    """The three baselines for month t, keyed by the names the reports use."""
    return {
        "baseline_last3": last_months(group, t),
        "baseline_halving": halving(group, t),
        "baseline_all_crime": halving(all_crime, t),
    }
