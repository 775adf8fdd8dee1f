"""Crimes on an H3 grid: a panel of cells by months, each cell's force, and neighbours.

The study area is the cells with at least one crime (of any type) in the history, as
the issue defines it; a cell's force is the force that reported most of its crimes.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
from scipy import sparse

ALL_CRIME = "All crime"


def add_months(month: str, k: int) -> str:
    """'2025-12' + 1 → '2026-01'."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive."""
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


def cells_of(latitude: np.ndarray, longitude: np.ndarray, resolution: int) -> np.ndarray:
    """The H3 cell of each point (each distinct point converted once)."""
    points = pd.DataFrame({"lat": latitude, "lon": longitude})
    unique = points.drop_duplicates()
    cells = [
        h3.latlng_to_cell(a, b, resolution) for a, b in zip(unique.lat, unique.lon, strict=True)
    ]
    lookup = unique.assign(cell=cells)
    return points.merge(lookup, on=["lat", "lon"], how="left")["cell"].to_numpy()


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for strings, by hashing: sorting millions
    of Python strings is most of a national panel's cost, sorting the distinct ones is not."""
    inverse, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=object), inverse


@dataclass
class Panel:
    """Events placed on cells (rows) and months (columns) of one resolution."""

    resolution: int
    cells: np.ndarray
    months: list[str]
    force: np.ndarray  # per cell
    event_cell: np.ndarray  # per event: row in ``cells``
    event_month: np.ndarray  # per event: column in ``months``
    events: pd.DataFrame

    def counts(self, mask: np.ndarray | None = None, weights: np.ndarray | None = None):
        """Cells x months counts of the events in ``mask`` (optionally weighted)."""
        cell, month = self.event_cell, self.event_month
        values = np.ones(len(cell)) if weights is None else np.asarray(weights, dtype=float)
        if mask is not None:
            cell, month, values = cell[mask], month[mask], values[mask]
        out = np.zeros((len(self.cells), len(self.months)))
        np.add.at(out, (cell, month), values)
        return out

    def group_mask(self, group: str) -> np.ndarray | None:
        """Events of a crime group (None for all crime)."""
        if group == ALL_CRIME:
            return None
        return (self.events["crime_group"] == group).to_numpy()

    def types_mask(self, crime_types: list[str] | None) -> np.ndarray | None:
        if not crime_types:
            return None
        return self.events["crime_type"].isin(crime_types).to_numpy()

    def month_index(self, month: str) -> int:
        return self.months.index(month)


def build_panel(events: pd.DataFrame, resolution: int, last_month: str | None = None) -> Panel:
    """Place events on a grid; months run from the first event to ``last_month`` (default:
    the last event's), so a forecast month with no data yet still has a column."""
    if events.empty:
        raise ValueError("no located crimes to place on the grid")
    last = last_month or events["month"].max()
    months = month_range(events["month"].min(), last)
    events = events[events["month"] <= last].reset_index(drop=True)
    cell = cells_of(events["latitude"].to_numpy(), events["longitude"].to_numpy(), resolution)
    cells, event_cell = sorted_codes(cell)
    month_pos = {m: i for i, m in enumerate(months)}
    event_month = events["month"].map(month_pos).to_numpy()
    per_force = (
        pd.DataFrame({"cell": event_cell, "force": events["force_code"].to_numpy()})
        .groupby(["cell", "force"])
        .size()
        .reset_index(name="n")
        .sort_values(["cell", "n", "force"], ascending=[True, False, True])
    )
    majority = per_force.drop_duplicates("cell").set_index("cell")["force"]
    return Panel(
        resolution=resolution,
        cells=cells,
        months=months,
        force=majority.reindex(range(len(cells))).to_numpy(),
        event_cell=event_cell,
        event_month=event_month,
        events=events.assign(cell=cell),
    )


def ring_matrix(cells: np.ndarray, distance: int) -> sparse.csr_matrix:
    """1 where two cells of the set are exactly ``distance`` H3 steps apart (0: identity)."""
    n = len(cells)
    if distance == 0:
        return sparse.identity(n, format="csr")
    position = {c: i for i, c in enumerate(cells)}
    rows, cols = [], []
    for i, cell in enumerate(cells):
        for other in h3.grid_ring(cell, distance):
            j = position.get(other)
            if j is not None:
                rows.append(i)
                cols.append(j)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
