"""Contract rows written as the resolver's input and prepared as it prepares them."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from resolver.linkage.prepare import CONTRACT_COLUMNS, load_contract_csv, prepare


def prepared(tmp_path: Path, rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A connection holding ``people_prepared`` for ``rows`` (contract column order)."""
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTRACT_COLUMNS)
        writer.writerows(rows)
    con = duckdb.connect()
    load_contract_csv(con, path)
    prepare(con)
    return con
