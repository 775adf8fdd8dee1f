"""Hotspot forecast accuracy: hit rate, PAI and PEI* at a share of the study area.

PAI (Chainey et al. 2008) = (share of the month's crimes in the flagged cells) / (share of
cells flagged). PEI* (Hunt 2016) = PAI / the PAI of the month's own perfect ranking. The
flagged cells are the top ``share`` of cells by score; cells tied at the cut-off are taken
fractionally (their crimes count in proportion), so a ranking with many ties is neither
flattered nor punished by an arbitrary tie order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Accuracy:
    hit_rate: float  # share of the month's crimes in the flagged cells
    pai: float
    pei: float  # PEI*: PAI over the perfect ranking's PAI


def flagged_count(n_cells: int, share: float) -> int:
    """How many cells ``share`` of the area is: at least one."""
    return max(1, round(share * n_cells))


def captured(scores: np.ndarray, actual: np.ndarray, n_flag: int) -> float:
    """Crimes in the top ``n_flag`` cells by score, ties at the cut-off taken fractionally."""
    order = np.argsort(-scores, kind="stable")
    cutoff = scores[order[n_flag - 1]]
    above = scores > cutoff
    tied = scores == cutoff
    still_needed = n_flag - int(above.sum())
    return float(actual[above].sum() + actual[tied].sum() * still_needed / int(tied.sum()))


def accuracy(scores: np.ndarray, actual: np.ndarray, share: float) -> Accuracy:
    """Hit rate, PAI and PEI* of ``scores`` against the month's ``actual`` counts.

    NaN throughout when the month has no crimes in the area (nothing to capture).
    """
    scores = np.asarray(scores, dtype=float)
    actual = np.asarray(actual, dtype=float)
    if scores.shape != actual.shape or scores.ndim != 1:
        raise ValueError("scores and actual must be 1-d arrays of one length")
    total = float(actual.sum())
    if total <= 0 or len(actual) == 0:
        return Accuracy(math.nan, math.nan, math.nan)
    n_flag = flagged_count(len(actual), share)
    area_share = n_flag / len(actual)
    hit_rate = captured(scores, actual, n_flag) / total
    best = float(np.sort(actual)[::-1][:n_flag].sum()) / total
    pai = hit_rate / area_share
    return Accuracy(hit_rate, pai, pai / (best / area_share))
