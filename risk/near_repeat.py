"""The near-repeat (prospective) component: risk that decays over distance and time from
recent incidents (Johnson & Bowers 2004: after a crime, the same and nearby places run a
raised risk for some weeks, fading with distance).

Each incident of the last ``window`` months adds 0.5^(age / time_half_life) x
0.5^(rings / ring_half_life) to every cell within ``max_rings`` H3 steps of it, where age
is in months before the target month (the last month has age 0) and rings are H3 grid
steps (at resolution 9 one step is about 350 m). Units: decayed incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class NearRepeatParams:
    window: int = 3  # months
    time_half_life: float = 1.0  # months
    ring_half_life: float = 1.0  # H3 steps
    max_rings: int = 2


def near_repeat(
    counts: np.ndarray,
    rings: list[sparse.csr_matrix],
    t: int,
    params: NearRepeatParams = NearRepeatParams(),
) -> np.ndarray:
    """Near-repeat exposure of every cell for month t; ``rings[k]`` links cells k steps
    apart (``rings[0]`` is the identity) and ``counts`` is cells x months."""
    first = max(0, t - params.window)
    age = t - 1 - np.arange(first, t)  # month t-1 has age 0
    recent = counts[:, first:t] @ (0.5 ** (age / params.time_half_life))
    exposure = np.zeros(counts.shape[0])
    for k in range(min(params.max_rings, len(rings) - 1) + 1):
        exposure += (0.5 ** (k / params.ring_half_life)) * (rings[k] @ recent)
    return exposure
