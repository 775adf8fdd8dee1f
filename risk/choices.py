"""Which forecaster each crime group uses: the backtest's choice, kept in the warehouse
table ``forecast_model_choice`` by ``crimegraph backtest``; until one has run, the default
forecasters of ``risk/parameters.yaml`` (the Welsh 2025 backtest's choice)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from core import warehouse
from risk import forecasters
from risk.forecasters import Forecaster
from risk.grid import ALL_CRIME
from risk.models import Series
from risk.parameters import PARAMETERS

TABLE = "forecast_model_choice"
_STORED_PARAMS = ("half_life", "prior", "neighbours")  # the table's parameter columns


@dataclass(frozen=True)
class ModelChoice:
    """The forecaster a crime group uses."""

    crime_group: str
    forecaster: Forecaster

    @property
    def name(self) -> str:
        return self.forecaster.name

    def forecast(self, series: Series, t: int, rows: np.ndarray) -> np.ndarray:
        return forecasters.forecast(self.forecaster, series, t, rows)


DEFAULT_CHOICES = {
    group: ModelChoice(group, forecasters.from_spec(spec))
    for group, spec in PARAMETERS.default_forecasters.items()
}


def for_group(choices: dict[str, ModelChoice], group: str) -> ModelChoice:
    """The group's choice, else all crime's (a group the backtest did not see)."""
    return choices.get(group) or choices.get(ALL_CRIME) or DEFAULT_CHOICES[ALL_CRIME]


def save(con: duckdb.DuckDBPyConnection, choices: list[ModelChoice]) -> None:
    frame = pd.DataFrame(
        {
            "crime_group": [c.crime_group for c in choices],
            "model": [c.forecaster.kind for c in choices],
            **{name: [c.forecaster.params.get(name) for c in choices] for name in _STORED_PARAMS},
        }
    ).astype({name: "float64" for name in _STORED_PARAMS})
    con.register("choice_rows", frame)
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM choice_rows")
    con.unregister("choice_rows")


def load(con: duckdb.DuckDBPyConnection) -> dict[str, ModelChoice]:
    """The stored choices, or the defaults when no backtest has stored any."""
    if not warehouse.table_exists(con, TABLE):
        return dict(DEFAULT_CHOICES)
    rows = con.execute(
        f"SELECT crime_group, model, {', '.join(_STORED_PARAMS)} FROM {TABLE}"
    ).fetchall()
    out = {}
    for group, kind, *values in rows:
        params = {
            name: value
            for name, value in zip(_STORED_PARAMS, values, strict=True)
            if value is not None and not math.isnan(value)
        }
        out[group] = ModelChoice(group, forecasters.forecaster(kind, **params))
    return out
