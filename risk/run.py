"""The risk stage against the warehouse, for the CLI and the pipeline: compute the
scores (``compute_risk``) and run the backtest (``run_backtest``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from risk import backtest, choices, events, harm, network, report, scores, store
from risk.areas import Level
from risk.choices import ModelChoice
from risk.grid import ALL_CRIME, add_months
from risk.parameters import PARAMETERS

RECENT_SCORE_MONTHS = PARAMETERS.recent_score_months  # risk/parameters.yaml


def default_months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The last few months with data and the month after them (the forecast)."""
    last = con.execute("SELECT max(month) FROM incidents").fetchall()[0][0]
    if last is None:
        raise ValueError("the warehouse has no incidents; run `crimegraph ingest` first")
    return [add_months(last, k) for k in range(1 - RECENT_SCORE_MONTHS, 2)]


def compute_risk(
    con: duckdb.DuckDBPyConnection,
    months: list[str] | None = None,
    levels: Iterable[Level] = scores.DEFAULT_LEVELS,
    harm_weights_file: Path = harm.DEFAULT_WEIGHTS_FILE,
    on_step: Callable[[str], None] | None = None,
    discovered_weight: float = 1.0,
) -> tuple[dict[str, int], bool]:
    """Write risk_scores, hotspots and forecasts; returns (row counts, network_available).
    ``discovered_weight``: the weight of police-discovered crimes (risk/discovery.py)."""
    months = months or default_months(con)
    crimes = events.from_warehouse(con)
    network_table = network.exposure_by_location(con)
    frames = scores.frames(
        crimes,
        months,
        choices.load(con),
        harm.load_harm_weights(harm_weights_file),
        network_table,
        levels,
        on_step,
        discovered_weight,
    )
    return store.write_frames(con, frames), network_table is not None


@dataclass
class BacktestRun:
    summary: pd.DataFrame
    choices: list[ModelChoice]
    paths: dict[str, Path]


def run_backtest(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    months: list[str] = backtest.BACKTEST_MONTHS,
    tuning_forces: Iterable[str] = backtest.TUNING_FORCES,
    groups: Iterable[str] | None = None,
    resolution: int = 9,
    on_step: Callable[[str, str], None] | None = None,
) -> BacktestRun:
    """Backtest every model, choose per group on the tuning forces, store the choice in
    the warehouse (``crimegraph risk`` uses it) and write the report into ``out``."""
    crimes = events.from_warehouse(con)
    groups = list(groups or [ALL_CRIME, *sorted(crimes["crime_group"].dropna().unique())])
    results = backtest.evaluate(crimes, months, groups, resolution, on_step)
    chosen = backtest.choose(results, tuning_forces)
    summary = backtest.summarise(results, chosen, tuning_forces)
    choices.save(con, chosen)
    return BacktestRun(summary, chosen, report.write(results, summary, chosen, out))
