"""Responsible-use benchmark (issue 10): headline figures for the closing note.

Writes var/bench/responsible.json:
- impact: simulated interventions injected into the demo warehouse's real crimes (a busy
  cell's 19 nearest cells with crime, July-December 2025): a 30% cut, no effect, and a
  40% cut with all of it displaced to the ring. Mean injected and estimated effects, the
  share of intervals covering the truth (DiD with placebo and with bootstrap intervals,
  synthetic control, ring), and the same run's baseline, a plain before/after comparison
  of the area with no comparison cells (its mean absolute error beside DiD's).
- fairness and feedback loop: the audit's figures for the last month with data, as
  recorded beside police-discovered crime at weight 0.5 (`crimegraph audit fairness`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import numpy as np

from benchmarks.report import write_figures
from core.settings import load_settings
from responsible import deprivation, fairness, impact
from responsible.counts import group_counts
from responsible.inject import busy_centres, inject, patch
from risk import events

START, END = "2025-07", "2025-12"
AREA_CELLS = 19
SCENARIOS = {  # name: (reduction, displaced, runs)
    "cut30": (0.3, 0.0, 20),
    "null": (0.0, 0.0, 10),
    "displaced": (0.4, 1.0, 10),
}


def _before_after(counts, cells: list[str]) -> float:
    """The baseline: the area's change from before to during, with nothing to compare."""
    index = counts.index()
    rows = [index[c] for c in cells if c in index]
    pre = [i for i, m in enumerate(counts.months) if m < START]
    post = [i for i, m in enumerate(counts.months) if START <= m <= END]
    before = counts.values[np.ix_(rows, pre)].sum() / len(pre)
    during = counts.values[np.ix_(rows, post)].sum() / len(post)
    return float(during / before - 1)


def impact_figures(crimes, runs_scale: float = 1.0) -> dict:
    counts = group_counts(crimes)
    rng = np.random.default_rng(2025)
    centres = busy_centres(counts, counts.months[:6], 5.0, rng)
    figures: dict = {"impact.busy_centres": len(centres), "impact.area_cells": AREA_CELLS}
    used = 0
    started = time.perf_counter()
    for name, (reduction, displaced, runs) in SCENARIOS.items():
        runs = max(2, int(runs * runs_scale))
        rows = []
        for k in range(runs):
            cells = patch(counts, centres[used], AREA_CELLS)
            used += 1
            injected = inject(counts, cells, START, END, reduction, displaced, seed=k)
            result = impact.estimate(injected.counts, cells, START, END, seed=k)
            truth = injected.true_effect
            rows.append(
                (
                    truth,
                    result.did.estimate,
                    result.did.covers(truth),
                    result.did_bootstrap.covers(truth),
                    result.synthetic.covers(truth),
                    result.synthetic.estimate,
                    injected.true_ring_effect,
                    result.ring.estimate,
                    result.ring.covers(injected.true_ring_effect),
                    _before_after(injected.counts, cells),
                    result.did.high - result.did.low,
                )
            )
        a = np.array(rows, dtype=float)
        key = f"impact.{name}"
        figures[f"{key}.runs"] = runs
        figures[f"{key}.injected_mean"] = float(a[:, 0].mean())
        figures[f"{key}.did_estimate_mean"] = float(a[:, 1].mean())
        figures[f"{key}.did_coverage"] = float(a[:, 2].mean())
        figures[f"{key}.did_bootstrap_coverage"] = float(a[:, 3].mean())
        figures[f"{key}.synthetic_coverage"] = float(a[:, 4].mean())
        figures[f"{key}.synthetic_estimate_mean"] = float(a[:, 5].mean())
        figures[f"{key}.did_interval_width_mean"] = float(a[:, 10].mean())
        figures[f"{key}.did_abs_error_mean"] = float(np.abs(a[:, 1] - a[:, 0]).mean())
        figures[f"{key}.baseline_before_after_abs_error_mean"] = float(
            np.abs(a[:, 9] - a[:, 0]).mean()
        )
        figures[f"{key}.ring_injected_mean"] = float(a[:, 6].mean())
        figures[f"{key}.ring_estimate_mean"] = float(a[:, 7].mean())
        figures[f"{key}.ring_coverage"] = float(a[:, 8].mean())
    figures["impact.seconds_per_estimate"] = (time.perf_counter() - started) / used
    return figures


def fairness_figures(con, crimes) -> dict:
    areas = deprivation.load(load_settings().sources.deprivation_dir)
    started = time.perf_counter()
    audit = fairness.audit(con, crimes, areas, crimes["month"].max())
    figures = {f"fairness.{k}": v for k, v in audit.figures.items()}
    figures["fairness.seconds"] = time.perf_counter() - started
    return figures


def run(runs_scale: float = 1.0) -> Path:
    settings = load_settings()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        crimes = events.from_warehouse(con)
        figures = fairness_figures(con, crimes)
    figures.update(impact_figures(crimes, runs_scale))
    return write_figures("responsible", figures)


def main(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    run(float(args[0]) if args else 1.0)


if __name__ == "__main__":
    main()
