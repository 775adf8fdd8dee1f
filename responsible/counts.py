"""Monthly crime counts per resolution-9 H3 cell for chosen crime groups: what the impact
estimators read, built once from the risk stage's events so cells match the map's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from risk.areas import BASE_RESOLUTION
from risk.grid import ALL_CRIME, build_panel


@dataclass(frozen=True)
class Counts:
    """Cells (rows) by months (columns): crimes of the chosen groups, and for each cell
    its force and whether it had any crime at all before a month (the study area)."""

    cells: np.ndarray
    months: list[str]
    values: np.ndarray  # cells x months, crimes of the chosen groups
    any_crime: np.ndarray  # cells x months, crimes of every type
    force: np.ndarray

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.cells)}

    def with_values(self, values: np.ndarray) -> Counts:
        """The same cells and months with other counts (an injected effect)."""
        return replace(self, values=values)


def group_counts(events: pd.DataFrame, groups: Iterable[str] = (ALL_CRIME,)) -> Counts:
    """Counts of ``groups`` (crime groups, or 'All crime') per cell and month."""
    groups = list(groups) or [ALL_CRIME]
    panel = build_panel(events, BASE_RESOLUTION)
    mask = None
    if ALL_CRIME not in groups:
        mask = panel.events["crime_group"].isin(groups).to_numpy()
    return Counts(
        cells=panel.cells,
        months=panel.months,
        values=panel.counts(mask),
        any_crime=panel.counts(),
        force=panel.force,
    )
