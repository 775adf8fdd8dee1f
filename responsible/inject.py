"""Simulated interventions with a known effect, injected into real counts: how the impact
estimators are tested (tests/test_impact.py) and benchmarked (benchmarks/responsible.py).

The treated area is a contiguous patch (a busy cell and its nearest cells with crime, as
a patrol or CCTV scheme would cover); a known fraction of its post-period crimes is
removed (binomial thinning), optionally with part of them moved to the ring around it.
The truth is what was actually removed or added, relative to the untouched counts."""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np

from responsible.counts import Counts
from responsible.impact import RING


@dataclass(frozen=True)
class Injected:
    counts: Counts
    cells: list[str]
    true_effect: float  # relative change in the area's post-period crimes
    true_ring_effect: float  # relative change in the ring's post-period crimes


def patch(counts: Counts, centre: str, size: int) -> list[str]:
    """``size`` cells with crime nearest to ``centre``, ring by ring."""
    index = counts.index()
    chosen: list[str] = []
    for k in range(20):
        ring = [centre] if k == 0 else sorted(h3.grid_ring(centre, k))
        chosen.extend(c for c in ring if c in index)
        if len(chosen) >= size:
            return chosen[:size]
    return chosen


def busy_centres(counts: Counts, months: list[str], minimum: float, rng: np.random.Generator):
    """Cells with at least ``minimum`` crimes a month on average in ``months``, shuffled."""
    columns = [counts.months.index(m) for m in months]
    busy = np.flatnonzero(counts.values[:, columns].mean(axis=1) >= minimum)
    return [str(counts.cells[i]) for i in rng.permutation(busy)]


def inject(
    counts: Counts,
    cells: list[str],
    start: str,
    end: str,
    reduction: float,
    displaced: float = 0.0,
    seed: int = 0,
) -> Injected:
    """Remove ``reduction`` of the area's crimes in start..end (each crime independently);
    move ``displaced`` of the removed ones to random cells 1..RING steps away."""
    rng = np.random.default_rng(seed)
    index = counts.index()
    area = np.array(sorted({index[c] for c in cells if c in index}), dtype=int)
    post = np.array([i for i, m in enumerate(counts.months) if start <= m <= end], dtype=int)
    values = counts.values.copy()
    block = values[np.ix_(area, post)]
    removed = rng.binomial(block.astype(int), reduction)
    values[np.ix_(area, post)] = block - removed
    true_effect = -removed.sum() / block.sum() if block.sum() else 0.0
    true_ring = 0.0
    near = {index[c] for cell in cells for k in range(1, RING + 1) for c in h3.grid_ring(cell, k)
            if c in index}  # fmt: skip
    ring = sorted(near - set(area.tolist()))
    if displaced > 0 and ring:
        moved = rng.binomial(removed, displaced)  # per area cell and month
        ring_post = values[np.ix_(ring, post)].sum()
        for column, n in zip(post, moved.sum(axis=0), strict=True):
            targets = rng.choice(ring, size=int(n))
            np.add.at(values[:, column], targets, 1)
        true_ring = moved.sum() / ring_post if ring_post else 0.0
    return Injected(counts.with_values(values), cells, float(true_effect), float(true_ring))
