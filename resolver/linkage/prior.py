"""The people model's prior: the chance that two records picked at random are one person.

Splink needs it before scoring; it is first guessed from the pairs agreeing on every
strong identifier (taken to be 70% of the matches), then refined once the model has
scored the pairs: the share of the model's expected matches that agree on those
identifiers is measured, not assumed (about 30% in FEBRL3, 18% in the historical
figures, 50% in the simulated extracts). The scored pairs are then re-weighted by the
difference, which is what Splink would have given with the refined prior from the start.
"""

from __future__ import annotations

import math

import duckdb

from resolver.linkage import blocking, people_model

DETERMINISTIC_RECALL = 0.7  # the first guess's share of matches agreeing on all of them
MAX_SHIFT = 3.0  # bits the refined prior may move the match weights, either way


def agreeing_pairs(con: duckdb.DuckDBPyConnection, have: set[str]) -> int:
    """Pairs of people_prepared agreeing on every strong identifier the input has."""
    return blocking.pair_count(con, people_model.deterministic_columns(have), "people_prepared")


def first_guess(agreeing: int, records: int) -> float:
    """From the ``agreeing`` pairs, assumed 70% of the matches; with none (a tiny or very
    dirty extract) one match per record."""
    total = _all_pairs(records)
    if agreeing == 0:
        return min(0.5, max(1.0 / total, records / total))
    return min(0.5, agreeing / DETERMINISTIC_RECALL / total)


def refined(
    con: duckdb.DuckDBPyConnection,
    have: set[str],
    agreeing: int,
    records: int,
    guess: float,
    scored: str,
) -> float:
    """The prior with the strong identifiers' recall measured in ``scored`` (pairs with
    ``match_probability`` under ``guess``), bounded to ``MAX_SHIFT`` bits from ``guess``;
    ``agreeing``: ``agreeing_pairs``."""
    columns = people_model.deterministic_columns(have)
    agree = " AND ".join(f"l.{c} = r.{c}" for c in columns)
    ((expected, expected_agreeing),) = con.execute(
        f"SELECT sum(s.match_probability), sum(s.match_probability) FILTER (WHERE {agree}) "
        f"FROM {scored} s JOIN people_prepared l ON l.unique_id = s.unique_id_l "
        "JOIN people_prepared r ON r.unique_id = s.unique_id_r"
    ).fetchall()  # all: a result left open would block the connection's next query
    if not expected or not expected_agreeing or not agreeing:
        return guess
    measured = min(0.5, agreeing * expected / expected_agreeing / _all_pairs(records))
    bound = 2.0**MAX_SHIFT
    odds = min(max(_odds(measured), _odds(guess) / bound), _odds(guess) * bound)
    return odds / (1 + odds)


def rescored_sql(scored: str, guess: float, prior: float) -> str:
    """``scored`` with match weights and probabilities as under ``prior``."""
    shift = math.log2(_odds(prior) / _odds(guess))
    return (
        f"SELECT * REPLACE (match_weight + {shift!r} AS match_weight, "
        f"1 / (1 + pow(2, -(match_weight + {shift!r}))) AS match_probability) FROM {scored}"
    )


def _all_pairs(records: int) -> int:
    return max(1, records * (records - 1) // 2)


def _odds(p: float) -> float:
    return p / (1 - p)
