"""Clairvoyant references: how far above the baselines monthly counts let a ranking go.

A reference is not a forecast. It ranks the cells for month t by the group's mean count
over the months around t, *before and after it* (the target month itself left out), with
the same all-crime prior and neighbour spill-over a blend uses. The backtest scores a small
grid of them and keeps, per crime group and area, the one that did best on the answer.

So the reference sees what no forecast can (later months) and is tuned on the month it is
scored on. If even it gains little over the best baseline, the month-to-month noise of the
counts, not the model, is what holds a forecast's PAI down; a target above it asks for
more than the data holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from risk.models import Series, combined

PREFIX = "clairvoyant"


@dataclass(frozen=True)
class Clairvoyant:
    window: int | None  # months either side of the target; None: every month of the panel
    prior: float  # weight of the all-crime mean, scaled to the group's share
    neighbours: float  # weight of the adjacent cells' mean

    def name(self) -> str:
        span = "all" if self.window is None else f"±{self.window}"
        return f"{PREFIX}({span},prior={self.prior:g},nb={self.neighbours:g})"


GRID = [
    Clairvoyant(window, prior, neighbours)
    for window in (1, 3, 6, None)
    for prior in (0.0, 2.0, 8.0)
    for neighbours in (0.0, 0.3)
]


def is_reference(model: str) -> bool:
    return model.startswith(PREFIX)


def _around(counts: np.ndarray, t: int, window: int | None) -> np.ndarray:
    """Each cell's mean count over the months within ``window`` of t, t itself left out."""
    months = counts.shape[1]
    if window is None:
        others = [m for m in range(months) if m != t]
    else:
        others = [m for m in range(max(0, t - window), min(months, t + window + 1)) if m != t]
    if not others:
        return np.zeros(len(counts))
    return counts[:, others].mean(axis=1)


def clairvoyant(series: Series, t: int, params: Clairvoyant) -> np.ndarray:
    """The reference ranking for month t (higher: more of the group's crime that month)."""
    return combined(
        _around(series.group, t, params.window),
        _around(series.all_crime, t, params.window),
        series.ring1,
        params.prior,
        params.neighbours,
    )
