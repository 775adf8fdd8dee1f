"""PAI, PEI* and hit rate on rankings small enough to check by hand."""

import math

import numpy as np
import pytest

from risk.metrics import accuracy, captured


def test_pai_is_share_of_crimes_over_share_of_area() -> None:
    scores = np.array([5.0, 4, 3, 2, 1, 0, 0, 0, 0, 0])
    actual = np.array([3.0, 0, 1, 0, 0, 0, 0, 0, 0, 6])
    result = accuracy(scores, actual, 0.10)  # one cell of ten flagged: 3 of 10 crimes
    assert result.hit_rate == pytest.approx(0.3)
    assert result.pai == pytest.approx(3.0)
    assert result.pei == pytest.approx(0.5)  # the perfect cell would hold 6


def test_a_perfect_ranking_has_pei_one() -> None:
    actual = np.array([0.0, 2, 9, 4, 1])
    assert accuracy(actual, actual, 0.4).pei == pytest.approx(1.0)


def test_ties_at_the_cutoff_count_fractionally() -> None:
    scores = np.array([1.0, 1, 1, 1])
    actual = np.array([4.0, 0, 0, 0])
    assert captured(scores, actual, 2) == pytest.approx(2.0)  # half the tied crimes


def test_a_month_without_crimes_has_no_pai() -> None:
    assert math.isnan(accuracy(np.ones(5), np.zeros(5), 0.05).pai)
