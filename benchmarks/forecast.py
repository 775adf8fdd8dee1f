"""Forecast benchmark (issue 6): the chosen models against the three baselines in the same
run, on the same cells, over July-December 2025 with rolling origins.

Writes var/bench/forecast.json: per target group and per force (tuning forces apart from
the held-out ones), mean PAI at 5% of the model and of the best baseline, their ratio and
whether the issue's target (x1.02 for all crime, x1.10 for the groups) is met; for all
crime, the months in which the model fell below the best baseline at 1%; PEI* at 5%; the
best clairvoyant reference's ratio to the best baseline (risk/ceiling.py: a ranking
that sees the months after the target, so how far above the baselines the counts let any
ranking go); and the seconds `crimegraph risk` takes on a copy of the warehouse.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.report import write_figures
from core.settings import load_settings
from risk import backtest, events
from risk.grid import ALL_CRIME
from risk.run import compute_risk

TARGET_RATIO = {ALL_CRIME: 1.02}
GROUP_TARGET_RATIO = 1.10


def accuracy_figures(crimes) -> dict:
    started = time.perf_counter()
    results = backtest.evaluate(crimes, groups=backtest.TARGET_GROUPS)
    choices = backtest.choose(results)
    summary = backtest.summarise(results, choices)
    figures: dict = {"backtest_seconds": time.perf_counter() - started}
    figures["tuning_forces"] = ",".join(backtest.TUNING_FORCES)
    for choice in choices:
        figures[f"model.{choice.crime_group}"] = choice.name
    for row in summary.itertuples():
        key = f"{row.crime_group}.{row.force}"
        if row.share == 0.05:
            target = TARGET_RATIO.get(row.crime_group, GROUP_TARGET_RATIO)
            figures[f"pai5.{key}.model"] = row.pai
            figures[f"pai5.{key}.best_baseline"] = row.pai / row.ratio_to_best
            figures[f"pai5.{key}.best_baseline_name"] = row.best_baseline
            figures[f"pai5.{key}.ratio"] = row.ratio_to_best
            figures[f"pai5.{key}.target_met"] = bool(row.ratio_to_best >= target)
            figures[f"pei5.{key}.model"] = row.pei
            figures[f"pai5.{key}.clairvoyant_ratio"] = row.clairvoyant_ratio_to_best
            figures[f"pai5.{key}.clairvoyant"] = row.clairvoyant
            figures[f"hit_rate5.{key}.model"] = row.hit_rate
        if row.share == 0.01 and row.crime_group == ALL_CRIME:
            figures[f"pai1.{key}.ratio"] = row.ratio_to_best
            figures[f"pai1.{key}.months_below_best_baseline"] = row.months_below_best
    return figures


def risk_seconds(warehouse_path: Path) -> float:
    """Time `crimegraph risk`'s work on a copy, so the real warehouse is untouched."""
    work = Path(tempfile.mkdtemp(prefix="crimegraph-risk-bench-"))
    try:
        copy = work / "warehouse.duckdb"
        shutil.copy(warehouse_path, copy)
        with duckdb.connect(str(copy)) as con:
            started = time.perf_counter()
            compute_risk(con)
            return time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run() -> Path:
    settings = load_settings()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        crimes = events.from_warehouse(con)
    figures = accuracy_figures(crimes)
    figures["risk_command_seconds"] = risk_seconds(settings.warehouse_path)
    return write_figures("forecast", figures)


def main() -> None:
    run()


if __name__ == "__main__":
    main()
