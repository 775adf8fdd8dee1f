"""The areas scores are reported on (H3 cells of a resolution, or LSOAs) and how the
resolution-9 grid the models run on maps onto them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
from scipy import sparse

from risk.grid import Panel, sorted_codes

BASE_RESOLUTION = 9


@dataclass(frozen=True)
class Level:
    area_level: str  # "h3" | "lsoa"
    resolution: int | None  # H3 resolution; None for LSOAs


@dataclass
class AreaMap:
    """One level's areas, which area each event falls in, and each base cell's share of
    its crimes in each area (1 for a parent cell; a split for a cell across LSOAs)."""

    level: Level
    ids: np.ndarray
    event_area: np.ndarray  # per event: index into ids, -1 where the event has none
    cell_share: sparse.csr_matrix  # base cells x areas
    force: np.ndarray  # per area: the force reporting most of its crimes

    @functools.cached_property
    def located(self) -> np.ndarray:
        """Per event: whether it falls in one of the areas."""
        return self.event_area >= 0


def _area_codes(panel: Panel, level: Level) -> np.ndarray:
    if level.area_level == "lsoa":
        return panel.events["lsoa_code"].to_numpy(dtype=object)
    cells = panel.cells
    if level.resolution != panel.resolution:
        cells = np.array([h3.cell_to_parent(c, level.resolution) for c in cells], dtype=object)
    return cells[panel.event_cell]


def area_map(panel: Panel, level: Level) -> AreaMap:
    """Map a resolution-9 panel onto ``level``'s areas."""
    codes = pd.Series(_area_codes(panel, level))
    known = codes.notna().to_numpy()
    ids, inverse = sorted_codes(codes[known].astype(str).to_numpy())
    event_area = np.full(len(codes), -1)
    event_area[known] = inverse
    pairs = sparse.coo_matrix(
        (np.ones(known.sum()), (panel.event_cell[known], inverse)),
        shape=(len(panel.cells), len(ids)),
    ).tocsr()
    totals = np.asarray(pairs.sum(axis=1)).ravel()
    share = sparse.diags(np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0))
    forces = most_common_per(inverse, panel.events["force_code"].to_numpy()[known])
    return AreaMap(level, ids, event_area, (share @ pairs).tocsr(), forces.to_numpy())


def most_common_per(keys: np.ndarray, values: np.ndarray) -> pd.Series:
    """Each key's most frequent value (ties to the smallest value, so runs agree)."""
    return (
        pd.DataFrame({"key": keys, "value": values})
        .groupby(["key", "value"])
        .size()
        .reset_index(name="n")
        .sort_values(["key", "n", "value"], ascending=[True, False, True])
        .drop_duplicates("key")
        .set_index("key")["value"]
    )


def sum_by_area(
    area_map: AreaMap, mask: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Per area, the sum of ``weights`` (default: 1, a count) over the events in ``mask``."""
    chosen = mask & area_map.located
    return np.bincount(
        area_map.event_area[chosen],
        weights=None if weights is None else weights[chosen],
        minlength=len(area_map.ids),
    ).astype(float)
