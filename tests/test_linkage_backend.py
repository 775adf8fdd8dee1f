"""The custom comparison levels are written once and come out in each backend's SQL:
nothing DuckDB-only reaches Spark, and DuckDB runs the text as written."""

from __future__ import annotations

import re

import pytest
import sqlglot

from resolver.linkage import incidents_model, people_model, places_model
from resolver.linkage.backend import DUCKDB, SparkBackend

ALL_COLUMNS = {c: 1.0 for c in ("forename", "surname", "dob_year", "postcode", "address", "sex")}
DUCKDB_ONLY = re.compile(r"\b(list_\w+|len|jaro_winkler_similarity|date_diff)\s*\(", re.I)


def _models(backend: str):
    yield people_model.people_settings(ALL_COLUMNS, [], backend)
    yield places_model.places_settings(places_model.blocking_rules())
    yield incidents_model.incidents_settings()


def _conditions(backend: str) -> list[str]:
    return [
        level["sql_condition"]
        for settings in _models(backend)
        for comparison in settings.get_settings(backend).as_dict()["comparisons"]
        for level in comparison["comparison_levels"]
    ]


@pytest.mark.parametrize("backend", [DUCKDB.name, SparkBackend(session=None).name])
def test_every_level_is_valid_sql_of_its_backend(backend: str) -> None:
    conditions = _conditions(backend)
    assert len(conditions) > 40
    for condition in conditions:
        if condition != "ELSE":
            sqlglot.parse_one(condition, read=backend)  # raises on text the dialect rejects


def test_nothing_duckdb_only_reaches_spark() -> None:
    spark = _conditions("spark")
    offending = [c for c in spark if DUCKDB_ONLY.search(c)]
    assert offending == []
    assert any("ARRAY_CONTAINS" in c for c in spark)
    assert any(re.search(r"jaro_winkler\(", c, re.I) for c in spark)


def test_duckdb_runs_the_levels_as_written() -> None:
    duckdb_text = _conditions("duckdb")
    assert "list_contains(forename_aliases_l, forename_r)" in duckdb_text
    assert any("jaro_winkler_similarity(address_l, address_r)" in c for c in duckdb_text)
