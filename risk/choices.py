"""Which forecaster each crime group uses: the backtest's choice, kept in the warehouse
table ``forecast_model_choice`` by ``crimegraph backtest``; until one has run, the choice
the Welsh 2025 backtest made (tuning forces South Wales and North Wales)."""

from __future__ import annotations

import duckdb
import pandas as pd

from risk.backtest import ModelChoice
from risk.grid import ALL_CRIME
from risk.models import BlendParams

TABLE = "forecast_model_choice"

# From `crimegraph backtest` on the Welsh 2025 data (see docs/risk.md); groups not listed
# use the all-crime choice.
_CHOSEN = {
    ALL_CRIME: (6.0, 2.0, 0.2),
    "anti-social behaviour": (6.0, 0.5, 0.2),
    "burglary": (12.0, 2.0, 0.5),
    "damage": (12.0, 2.0, 0.5),
    "drugs": (12.0, 2.0, 0.5),
    "other": (12.0, 8.0, 0.0),
    "public order": (6.0, 32.0, 0.5),
    "robbery": (6.0, 8.0, 0.5),
    "theft": (6.0, 0.5, 0.0),
    "violence": (6.0, 0.5, 0.2),
    "weapons": (3.0, 32.0, 0.0),
}
DEFAULT_CHOICES = {
    group: ModelChoice(group, "blend", BlendParams(*params)) for group, params in _CHOSEN.items()
} | {"vehicle": ModelChoice("vehicle", "gbm")}


def for_group(choices: dict[str, ModelChoice], group: str) -> ModelChoice:
    return choices.get(group) or choices.get(ALL_CRIME) or DEFAULT_CHOICES[ALL_CRIME]


def save(con: duckdb.DuckDBPyConnection, choices: list[ModelChoice]) -> None:
    frame = pd.DataFrame(
        {
            "crime_group": [c.crime_group for c in choices],
            "model": [c.model for c in choices],
            "half_life": [c.blend.half_life for c in choices],
            "prior": [c.blend.prior for c in choices],
            "neighbours": [c.blend.neighbours for c in choices],
        }
    )
    con.register("choice_rows", frame)
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM choice_rows")
    con.unregister("choice_rows")


def load(con: duckdb.DuckDBPyConnection) -> dict[str, ModelChoice]:
    """The stored choices, or the defaults when no backtest has stored any."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]
    ).fetchall()[0][0]
    if not exists:
        return dict(DEFAULT_CHOICES)
    rows = con.execute(
        f"SELECT crime_group, model, half_life, prior, neighbours FROM {TABLE}"
    ).fetchall()
    return {
        group: ModelChoice(group, model, BlendParams(half_life, prior, neighbours))
        for group, model, half_life, prior, neighbours in rows
    }
