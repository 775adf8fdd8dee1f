"""The people model's prior: refined from the scored pairs, and the pairs re-weighted."""

from __future__ import annotations

import math

import duckdb
import pytest

from resolver.linkage import prior

HAVE = {"forename", "surname", "dob_year"}  # strong identifiers: forename, surname, birth date


def _con(scored: list[tuple[int, int, float]]) -> duckdb.DuckDBPyConnection:
    """Ten records; 0-1 and 2-3 agree on every strong identifier."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE people_prepared AS SELECT i AS unique_id, "
        "CASE WHEN i < 4 THEN 'ANN' || (i // 2) ELSE 'X' || i END AS forename, "
        "'JONES' AS surname, DATE '1990-01-01' AS date_of_birth FROM range(10) t(i)"
    )
    con.execute("CREATE TABLE scored (unique_id_l INT, unique_id_r INT, match_probability DOUBLE)")
    if scored:
        con.executemany("INSERT INTO scored VALUES (?, ?, ?)", scored)
    return con


def test_the_first_guess_takes_agreeing_pairs_as_seventy_percent_of_matches() -> None:
    agreeing = prior.agreeing_pairs(_con([]), HAVE)
    assert agreeing == 2
    assert prior.first_guess(agreeing, 10) == pytest.approx(2 / 0.7 / 45)


def test_refined_from_the_share_of_expected_matches_that_agree() -> None:
    # Four near-certain matches, two of them agreeing on everything: recall 0.5, not 0.7.
    con = _con([(0, 1, 1.0), (2, 3, 1.0), (4, 5, 1.0), (6, 7, 1.0)])
    guess = prior.first_guess(2, 10)
    assert prior.refined(con, HAVE, 2, 10, guess, "scored") == pytest.approx(4 / 45)


def test_refined_moves_at_most_max_shift_bits() -> None:
    con = _con([(0, 1, 1.0)] + [(i, i + 1, 1.0) for i in range(4, 9)])
    guess = 1e-6
    odds = prior.refined(con, HAVE, 2, 10, guess, "scored")
    odds /= 1 - odds
    assert math.log2(odds / (guess / (1 - guess))) == pytest.approx(prior.MAX_SHIFT)


def test_rescored_pairs_are_what_the_refined_prior_gives() -> None:
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE scored AS "
            "SELECT 0.0::DOUBLE AS match_weight, 0.5::DOUBLE AS match_probability"
        )
        weight, probability = con.execute(prior.rescored_sql("scored", 0.01, 0.02)).fetchone()
    shift = math.log2((0.02 / 0.98) / (0.01 / 0.99))
    assert weight == pytest.approx(shift)
    assert probability == pytest.approx(1 / (1 + 2**-shift))
