"""Next-month forecasts per cell beyond the baselines, all from months before the target.

- ``blend``: the group's own decayed history, plus all-crime history scaled to the group's
  share as a prior (sparse types borrow the shape of all crime), plus the neighbours'
  decayed history (crime spills over to adjacent cells). Three parameters, tuned by the
  rolling-origin backtest.
- ``gbm``: LightGBM with a Poisson objective over lagged counts, decayed histories of the
  group and of all crime, neighbour sums (1 and 2 rings), the same month a year before
  when the history is that long, and the history's length; trained on earlier months as
  rolling origins (each origin's features from the months before it).
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy import sparse

from risk.baselines import halving

MAX_TRAIN_ORIGINS = 8
# Training rows (cells x origins) beyond this are sampled down, uniformly and seeded:
# Wales's ~110k rows (14k cells with crime, 8 origins) train whole, the nation's ~1.3M
# are sampled, so a national fit costs about what two Welsh ones do; a quarter of a
# million rows is still thousands per leaf.
MAX_TRAIN_ROWS = 250_000


@dataclass(frozen=True)
class BlendParams:
    half_life: float = 3.0
    prior: float = 0.5  # weight of all-crime history, scaled to the group's share
    neighbours: float = 0.1  # weight of the mean of the adjacent cells' history

    def name(self) -> str:
        return f"blend(h={self.half_life:g},prior={self.prior:g},nb={self.neighbours:g})"


BLEND_GRID = [
    BlendParams(h, p, n)
    for h in (2.0, 3.0, 6.0, 12.0)
    for p in (0.0, 0.5, 2.0, 8.0, 32.0)
    for n in (0.0, 0.2, 0.5)
]


@dataclass
class Series:
    """What every model reads: target-group and all-crime counts and the cells' rings."""

    group: np.ndarray  # cells x months
    all_crime: np.ndarray
    ring1: sparse.csr_matrix
    ring2: sparse.csr_matrix


def combined(
    own: np.ndarray,
    everything: np.ndarray,
    ring1: sparse.csr_matrix,
    prior: float,
    neighbours: float,
) -> np.ndarray:
    """The group's history per cell, plus all crime's scaled to the group's share
    (weighted ``prior``), plus the mean of the adjacent cells' (weighted ``neighbours``)."""
    share = own.sum() / everything.sum() if everything.sum() > 0 else 0.0
    spill = ring1 @ own / 6.0
    return own + prior * share * everything + neighbours * spill


def blend(series: Series, t: int, params: BlendParams) -> np.ndarray:
    """Expected crimes of the group in month t per cell."""
    raw = combined(
        halving(series.group, t, params.half_life),
        halving(series.all_crime, t, params.half_life),
        series.ring1,
        params.prior,
        params.neighbours,
    )
    # Scaled so the cells add up to the group's mean monthly total of the last 3 months:
    # the ranking is the blend's, the level an expected count.
    recent = series.group[:, max(0, t - 3) : t].sum() / min(3, t) if t else 0.0
    return raw * (recent / raw.sum()) if raw.sum() > 0 else raw


def features(series: Series, t: int) -> pd.DataFrame:
    """One row per cell: what is known before month t."""
    group, every = series.group, series.all_crime
    columns: dict[str, np.ndarray] = {}
    for lag in (1, 2, 3):
        columns[f"group_lag{lag}"] = group[:, t - lag] if t - lag >= 0 else np.zeros(len(group))
        columns[f"all_lag{lag}"] = every[:, t - lag] if t - lag >= 0 else np.zeros(len(group))
    columns["group_lag12"] = group[:, t - 12] if t >= 12 else np.full(len(group), np.nan)
    for half_life in (1.0, 3.0, 12.0):
        own = halving(group, t, half_life)
        columns[f"group_decay{half_life:g}"] = own
        columns[f"all_decay{half_life:g}"] = halving(every, t, half_life)
    own3, all3 = columns["group_decay3"], columns["all_decay3"]
    columns["group_ring1"] = series.ring1 @ own3
    columns["group_ring2"] = series.ring2 @ own3
    columns["all_ring1"] = series.ring1 @ all3
    columns["all_ring2"] = series.ring2 @ all3
    columns["group_share"] = np.divide(own3, all3, out=np.zeros(len(own3)), where=all3 > 0)
    columns["history_months"] = np.full(len(group), float(t))
    return pd.DataFrame(columns)


GBM_PARAMS = {
    "objective": "poisson",
    "n_estimators": 150,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 40,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "random_state": 7,
    "n_jobs": 1,  # OpenMP threads spin badly on a shared machine
    "verbose": -1,
}


def gbm_fit(series: Series, t: int, rows: np.ndarray) -> lgb.LGBMRegressor | None:
    """LightGBM trained for month t on the cells ``rows`` (a boolean mask), each earlier
    month an origin; None when the training months hold no crime of the group."""
    origins = range(max(1, t - MAX_TRAIN_ORIGINS), t)
    if len(origins) == 0 or series.group[rows, :t].sum() == 0:
        return None
    picks = _training_cells(rows, len(origins))
    x_train = pd.concat(
        [features(series, s)[pick] for s, pick in zip(origins, picks, strict=True)],
        ignore_index=True,
    )
    y_train = np.concatenate(
        [series.group[pick, s] for s, pick in zip(origins, picks, strict=True)]
    )
    if y_train.sum() == 0:
        return None  # the crimes lie before the training months (a gap in the data)
    model = lgb.LGBMRegressor(**GBM_PARAMS)
    model.fit(x_train, y_train)
    return model


def _training_cells(rows: np.ndarray, origins: int) -> list[np.ndarray]:
    """Per origin, the cells it trains on (a boolean mask): all of ``rows``, or an equal
    seeded sample of them when cells x origins exceed ``MAX_TRAIN_ROWS``."""
    cells = np.flatnonzero(rows)
    if len(cells) * origins <= MAX_TRAIN_ROWS:
        return [rows] * origins
    rng = np.random.default_rng(7)
    picks = []
    for _ in range(origins):
        pick = np.zeros(len(rows), dtype=bool)
        pick[rng.choice(cells, size=MAX_TRAIN_ROWS // origins, replace=False)] = True
        picks.append(pick)
    return picks


def gbm_predict(
    model: lgb.LGBMRegressor | None, series: Series, t: int, rows: np.ndarray
) -> np.ndarray:
    """Expected crimes of the group in month t for the cells ``rows``; the blend when the
    model could not be trained (no crime of the group to learn from)."""
    if model is None:
        return blend(series, t, BlendParams())[rows]
    return model.predict(features(series, t)[rows])


def gbm(series: Series, t: int, rows: np.ndarray) -> np.ndarray:
    """Expected crimes of the group in month t for the cells ``rows`` (a boolean mask)."""
    return gbm_predict(gbm_fit(series, t, rows), series, t, rows)
