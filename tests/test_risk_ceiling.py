"""The clairvoyant references: what they see, and that the backtest never chooses one."""

import h3
import numpy as np
import pandas as pd

from risk import backtest
from risk.ceiling import GRID, Clairvoyant, clairvoyant, is_reference
from risk.grid import ring_matrix
from risk.models import Series

CELLS = np.array(sorted(h3.grid_disk(h3.latlng_to_cell(51.48, -3.18, 9), 1)))  # 7 cells


def _series(group: np.ndarray) -> Series:
    return Series(group, group.copy(), ring_matrix(CELLS, 1), ring_matrix(CELLS, 2))


def test_a_reference_sees_later_months_but_never_the_target_month() -> None:
    group = np.zeros((len(CELLS), 6))
    group[2, 4:] = 5  # a cell that turns hot only after month 3
    group[4, 3] = 50  # the target month's own crimes, which no ranking may see
    scores = clairvoyant(_series(group), 3, Clairvoyant(window=1, prior=0.0, neighbours=0.0))
    assert scores[2] == 2.5  # the mean of months 2 and 4
    assert scores[4] == 0
    everything = clairvoyant(_series(group), 3, Clairvoyant(window=None, prior=0.0, neighbours=0))
    assert everything[2] == 10 / 5  # months 0-2 and 4-5


def test_the_backtest_never_chooses_a_reference() -> None:
    rows = []
    for force in backtest.TUNING_FORCES:
        for model, pai in (("blend(h=3,prior=0,nb=0)", 2.0), ("gbm", 1.5), (GRID[0].name(), 9.0)):
            rows.append(("2025-07", "burglary", force, model, 0.05, 0.1, pai, 0.5, 10.0, 100))
    results = pd.DataFrame(rows, columns=["month", "crime_group", "force", "model", "share",
                                          "hit_rate", "pai", "pei", "crimes", "cells"])  # fmt: skip
    for name, pai in (
        ("baseline_last3", 1.0),
        ("baseline_halving", 1.6),
        ("baseline_all_crime", 1),
    ):
        for force in backtest.TUNING_FORCES:
            results.loc[len(results)] = ("2025-07", "burglary", force, name, 0.05, 0.1, pai, 0.5,
                                         10.0, 100)  # fmt: skip
    [choice] = backtest.choose(results)
    assert choice.name == "blend(h=3,prior=0,nb=0)" and not is_reference(choice.name)
    summary = backtest.summarise(results, [choice]).iloc[0]
    assert summary["ratio_to_best"] == 2.0 / 1.6
    assert summary["clairvoyant"] == GRID[0].name()
    assert summary["clairvoyant_ratio_to_best"] == 9.0 / 1.6
