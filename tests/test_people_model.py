"""The people model's hand-written comparison levels, evaluated as the SQL Splink runs."""

from __future__ import annotations

import duckdb
import pytest
from splink.internals.dialects import SplinkDialect

from resolver.linkage import people_model
from resolver.linkage.levels import jaro_winkler

JW = jaro_winkler("duckdb")


def _level_sql(comparison, label: str) -> str:
    for level in comparison.create_comparison_levels():
        if level.create_label_for_charts() == label:
            return level.create_sql(SplinkDialect.from_string("duckdb"))
    raise AssertionError(f"no level {label!r}")


def _holds(sql: str, **values: str | None) -> bool:
    columns = ", ".join(f"?::VARCHAR AS {name}" for name in values)
    with duckdb.connect() as con:
        (result,) = con.execute(
            f"SELECT coalesce(({sql}), false) FROM (SELECT {columns})", list(values.values())
        ).fetchone()
    return bool(result)


@pytest.mark.parametrize(
    ("forename_l", "surname_l", "forename_r", "surname_r", "swapped"),
    [
        ("MELISSA", "REDMOND", "REDMOND", "MELISSA", True),
        ("MELISSA", "REDNOND", "REDMEIND", "MELISSA", True),  # and a slip in one of them
        ("WVITE", "ISABELLA", "ISABELLA", "WHITE", True),
        ("MELISSA", "REDMOND", "MELISSA", "REDMOND", False),
        ("JENNA", "RODARO", "DANIEL", "REES", False),
        ("MELISSA", "REDNOND", "REDMEIND", "NELISSO", False),  # slips in both: not enough
    ],
)
def test_names_in_each_others_fields(forename_l, surname_l, forename_r, surname_r, swapped):
    sql = _level_sql(people_model._surname(JW, None), "forename and surname swapped")
    values = dict(forename_l=forename_l, surname_l=surname_l)
    values |= dict(forename_r=forename_r, surname_r=surname_r)
    assert _holds(sql, **values) is swapped


@pytest.mark.parametrize(
    ("postcode_l", "postcode_r", "address_l", "address_r", "label"),
    [
        ("CF10 1AF", "CF10 1FA", "12 CHURCH ROAD BARRY", "12 CHURCH RD BARRY",
         "similar address, postcode one slip apart"),
        ("3189", "3198", "12 BALLUMBIR STREET HARBORD", "12 BALLUMBIRXTREET HARBORD",
         "similar address, postcode one slip apart"),
        ("CF10 1AF", "CF10 1AG", "12 CHURCH ROAD BARRY", "7 HEOL LAS CARDIFF",
         "postcode one slip apart"),
    ],
)  # fmt: skip
def test_a_postcode_one_slip_apart(postcode_l, postcode_r, address_l, address_r, label):
    home = people_model._home(JW)
    values = dict(postcode_l=postcode_l, postcode_r=postcode_r)
    values |= dict(address_l=address_l, address_r=address_r)
    assert _holds(_level_sql(home, label), **values)


def test_two_slips_in_a_postcode_are_not_one():
    sql = _level_sql(people_model._home(JW), "postcode one slip apart")
    assert not _holds(sql, postcode_l="CF10 1AF", postcode_r="CF10 2AG")
