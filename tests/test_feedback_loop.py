"""The feedback-loop simulation on a small synthetic city: uncorrected, the model runs
away (patrolled cells look ever riskier than they are, patrols stay put); with Ensign et
al.'s correction it does not. And the risk stage's down-weighting of discovered crime."""

from __future__ import annotations

import numpy as np
import pandas as pd

from responsible.feedback import LoopSettings, compare, gini
from risk.discovery import event_weights

SETTINGS = LoopSettings(rounds=30, share=0.1, uplift=4.0, seed=5)


def _city(n: int = 200, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cells with equal true rates, most of their crime found by police (drugs markets)."""
    rng = np.random.default_rng(seed)
    reported = rng.gamma(4.0, 0.25, n)  # about 1 a month
    discovered = np.full(n, 2.0)
    return reported, discovered


def test_uncorrected_loop_runs_away_and_corrected_does_not():
    reported, discovered = _city()
    runs = compare(reported, discovered, SETTINGS)
    loose, fixed = runs["uncorrected"], runs["corrected"]
    # Uncorrected: the patrolled cells' predicted rate climbs towards the uplift's
    # multiple of their truth, and patrols mostly stay in the cells first chosen.
    assert loose.final("inflation") > 2.0
    assert loose.inflation[-1] > loose.inflation[0]
    assert loose.final("lock_in") > 0.8
    # Corrected: predictions of patrolled cells stay near the truth and patrols move.
    assert fixed.final("inflation") < 1.3
    assert fixed.final("lock_in") < loose.final("lock_in") - 0.3
    assert fixed.gini < loose.gini
    assert fixed.final("distance") < loose.final("distance")


def test_without_discovered_crime_the_correction_changes_nothing():
    reported, discovered = _city()
    runs = compare(reported, np.zeros_like(discovered), SETTINGS)
    assert runs["uncorrected"].inflation == runs["corrected"].inflation
    assert runs["uncorrected"].final("inflation") < 1.3


def test_gini():
    assert gini(np.ones(10)) == 0.0
    assert gini(np.array([0, 0, 0, 10])) == 0.75
    assert gini(np.zeros(5)) == 0.0


def test_event_weights_down_weight_only_discovered_types():
    types = pd.Series(["Drugs", "Burglary", "Possession of weapons", "Shoplifting"])
    assert event_weights(types, 0.25).tolist() == [0.25, 1.0, 0.25, 1.0]
    assert event_weights(types, 1.0).tolist() == [1.0, 1.0, 1.0, 1.0]
    try:
        event_weights(types, 1.5)
    except ValueError as exc:
        assert "between 0 and 1" in str(exc)
    else:
        raise AssertionError("a weight above 1 is refused")
