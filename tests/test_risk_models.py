"""Baselines, forecasters, near-repeat and Gi* on small grids whose answers are known."""

import h3
import numpy as np
import pytest

from risk.baselines import baselines, halving, last_months
from risk.grid import add_months, month_range, ring_matrix
from risk.hotspots import gi_star
from risk.models import BlendParams, Series, blend, gbm
from risk.near_repeat import near_repeat

CENTRE = h3.latlng_to_cell(51.48, -3.18, 9)
CELLS = np.array(sorted(h3.grid_disk(CENTRE, 3)))  # 37 cells


def _series(group: np.ndarray, all_crime: np.ndarray) -> Series:
    return Series(group, all_crime, ring_matrix(CELLS, 1), ring_matrix(CELLS, 2))


def test_months_roll_over_the_year() -> None:
    assert add_months("2025-12", 1) == "2026-01"
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_baselines_use_only_months_before_the_target() -> None:
    counts = np.array([[1.0, 2, 4, 8, 100]])
    assert last_months(counts, 4)[0] == 14
    assert halving(counts, 4, 3.0)[0] == pytest.approx(
        8 + 4 * 0.5 ** (1 / 3) + 2 * 0.5 ** (2 / 3) + 0.5
    )
    all_crime = np.array([[5.0, 5, 5, 5, 5]])
    assert set(baselines(counts, all_crime, 4)) == {
        "baseline_last3", "baseline_halving", "baseline_all_crime",
    }  # fmt: skip


def test_rings_link_neighbours_at_their_distance() -> None:
    ring1 = ring_matrix(CELLS, 1)
    centre = list(CELLS).index(CENTRE)
    assert ring1[centre].sum() == 6 and ring1[centre, centre] == 0
    assert ring_matrix(CELLS, 2)[centre].sum() == 12


def test_blend_borrows_all_crime_for_a_cell_with_no_group_history() -> None:
    months = 6
    group = np.zeros((len(CELLS), months))
    group[0, :] = 1
    all_crime = np.ones((len(CELLS), months))
    all_crime[5, :] = 20  # busy in general, no crime of the group yet
    with_prior = blend(_series(group, all_crime), months - 1, BlendParams(3.0, 2.0, 0.0))
    without = blend(_series(group, all_crime), months - 1, BlendParams(3.0, 0.0, 0.0))
    assert without[5] == 0 and with_prior[5] > with_prior[7] > 0


def test_gbm_learns_a_persistent_hotspot() -> None:
    rng = np.random.default_rng(3)
    months = 10
    rate = np.full(len(CELLS), 0.3)
    rate[list(CELLS).index(CENTRE)] = 12
    group = rng.poisson(rate[:, None], size=(len(CELLS), months)).astype(float)
    series = _series(group, group * 2)
    scores = gbm(series, months - 1, np.ones(len(CELLS), bool))
    assert np.argmax(scores) == list(CELLS).index(CENTRE)
    assert (scores > 0).all()


def test_near_repeat_decays_with_distance_and_time() -> None:
    counts = np.zeros((len(CELLS), 4))
    centre = list(CELLS).index(CENTRE)
    counts[centre, 2] = 1  # one incident, one month before the target
    rings = [ring_matrix(CELLS, k) for k in range(3)]
    exposure = near_repeat(counts, rings, 4)
    one_away = np.flatnonzero(rings[1][centre].toarray().ravel())[0]
    three_away = np.flatnonzero(ring_matrix(CELLS, 3)[centre].toarray().ravel())[0]
    assert exposure[centre] == pytest.approx(0.5)  # age 1 month, half-life 1 month
    assert exposure[one_away] == pytest.approx(0.25)
    assert exposure[three_away] == 0
    counts[centre, 3] = 1
    assert near_repeat(counts, rings, 4)[centre] == pytest.approx(1.5)


def test_gi_star_finds_the_cluster_and_not_the_background() -> None:
    values = np.ones(len(CELLS))
    centre = list(CELLS).index(CENTRE)
    cluster = [centre, *np.flatnonzero(ring_matrix(CELLS, 1)[centre].toarray().ravel())]
    values[cluster] = 10
    weights = ring_matrix(CELLS, 1) + ring_matrix(CELLS, 0)
    z, p = gi_star(values, weights)
    assert np.argmax(z) == centre and p[centre] < 0.001
    edge = np.flatnonzero(ring_matrix(CELLS, 3)[centre].toarray().ravel())[0]
    assert z[edge] < 0


def test_blend_is_an_expected_count_at_the_recent_monthly_level() -> None:
    group = np.zeros((len(CELLS), 5))
    group[:4, :] = [[1, 2, 3, 4, 0]] * 4  # 4 cells; last 3 months hold 36 crimes in all
    scores = blend(_series(group, group + 1), 4, BlendParams(3.0, 0.5, 0.2))
    assert scores.sum() == pytest.approx(12.0)
