"""Choose blocking rules by the number of pairs they make, within a budget.

Small extracts can afford broad rules (same surname; same date of birth) that find
records with errors in every other field; national volumes cannot. Rules are taken from
cheapest to dearest while their pair counts fit the budget, so recall is as high as the
machine allows and the run stays bounded: at a million Welsh records "same forename and
surname" alone would make 34 million pairs, so its narrower forms are used instead.
"""

from __future__ import annotations

import duckdb
from splink import block_on

# Candidate rules. Column names are those of people_prepared; expressions allowed.
CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("forename", "surname"),
    ("forename", "surname", "dob_year"),
    ("forename", "surname", "postcode_district"),
    ("surname", "date_of_birth"),
    ("forename", "date_of_birth"),
    ("date_of_birth", "postcode"),
    ("surname", "postcode"),
    ("forename", "postcode"),
    ("surname", "dob_year", "dob_month"),
    ("substr(forename, 1, 2)", "substr(surname, 1, 2)", "dob_year"),
    ("forename", "postcode_district", "dob_year"),
    ("substr(surname, 1, 3)", "postcode_district"),
    ("forename", "address"),
    ("surname", "address"),
    ("date_of_birth",),
    ("surname",),
    ("dob_year", "dob_month", "address"),
    ("forename", "dob_year"),
    ("postcode",),
    ("forename",),
)
# The input column each expression needs filled.
NEEDS = {
    "date_of_birth": "dob_year", "dob_month": "dob_year", "postcode_district": "postcode",
    "substr(forename, 1, 2)": "forename", "substr(surname, 1, 2)": "surname",
    "substr(surname, 1, 3)": "surname",
}  # fmt: skip


def pair_count(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...], table: str) -> int:
    """Pairs a rule generates: sum over its groups of n(n-1)/2 (nulls never block)."""
    keys = ", ".join(columns)
    not_null = " AND ".join(f"({c}) IS NOT NULL" for c in columns)
    rows = con.execute(
        f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM "
        f"(SELECT count(*) AS n FROM {table} WHERE {not_null} GROUP BY {keys})"
    ).fetchall()
    return int(rows[0][0])


def choose_rules(
    con: duckdb.DuckDBPyConnection, have: set[str], budget: int, table: str = "people_prepared"
) -> tuple[list, list[tuple[tuple[str, ...], int]]]:
    """Rules (cheapest first) whose pairs fit the budget; also what each would cost."""
    costs = []
    for columns in CANDIDATES:
        if all(NEEDS.get(c, c) in have for c in columns):
            costs.append((columns, pair_count(con, columns, table)))
    chosen, spent = [], 0
    for columns, cost in sorted(costs, key=lambda item: item[1]):
        if spent + cost <= budget or not chosen:
            chosen.append(block_on(*columns))
            spent += cost
    return chosen, costs
