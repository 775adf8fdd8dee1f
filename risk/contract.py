"""``crimegraph forecast``: next month's crime per H3 cell from an analyst's own
data.police.uk street files, as ``cell,score`` (higher: more crime expected)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.errors import InvalidInput
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from risk.choices import ModelChoice, for_group
from risk.grid import ALL_CRIME, build_panel, ring_matrix
from risk.models import Series

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ForecastInputError(InvalidInput):
    """Bad arguments or unusable input; the message says which."""


def parse_crime_types(text: str | None) -> list[str]:
    """'Burglary,Robbery' → the listed police.uk categories (empty: all types)."""
    if not text:
        return []
    types = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in types if t not in POLICE_UK_CRIME_TYPES]
    if unknown:
        raise ForecastInputError(
            f"--crime-types: unknown crime type(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(POLICE_UK_CRIME_TYPES)}"
        )
    return types


def choice_for(types: list[str], choices: dict[str, ModelChoice]) -> ModelChoice:
    """The chosen model of the types' group when they are all of one group, else all crime's."""
    groups = {POLICE_UK_CRIME_TYPES[t] for t in types}
    return for_group(choices, groups.pop() if len(groups) == 1 else ALL_CRIME)


def forecast(
    events: pd.DataFrame,
    month: str,
    resolution: int,
    crime_types: list[str],
    choice: ModelChoice,
) -> pd.DataFrame:
    """``cell,score`` for every cell with a crime (any type) before ``month``, best first."""
    if not MONTH.match(month):
        raise ForecastInputError(f"--month: not a YYYY-MM month: {month!r}")
    if not 0 <= resolution <= 15:
        raise ForecastInputError(f"--res: H3 resolutions run 0 to 15, not {resolution}")
    history = events[events["month"] < month]
    if history.empty:
        raise ForecastInputError(f"--history: no crimes before {month} in the files given")
    panel = build_panel(history, resolution, last_month=month)
    counts = panel.counts(panel.types_mask(crime_types))
    series = Series(
        counts, panel.counts(), ring_matrix(panel.cells, 1), ring_matrix(panel.cells, 2)
    )
    t = panel.month_index(month)
    study = series.all_crime[:, :t].sum(axis=1) > 0
    scores = choice.forecast(series, t, study)
    out = pd.DataFrame({"cell": panel.cells[study], "score": np.round(scores, 6)})
    return out.sort_values(["score", "cell"], ascending=[False, True], ignore_index=True)
