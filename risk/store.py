"""Write the risk tables into the warehouse, replacing the previous run's.

The risk stage streams its frames in (one month, level and group at a time) into new
tables that replace the old ones in one transaction at the end, so a national run holds
one frame, not tens of millions of rows, and a failed run leaves the last good tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd
import pyarrow as pa

from risk.scores import TABLES

# Each table's columns, as written (the frames carry more, or other types).
SELECTS = {
    "risk_scores": """
SELECT month, area_level, CAST(resolution AS INTEGER) AS resolution, area_id, force_code,
       crime_group, score, harm, near_repeat, network, forecast,
       CAST(incidents AS INTEGER) AS incidents, CAST(networks AS INTEGER) AS networks,
       network_available, model
FROM frame""",
    "hotspots": """
SELECT month, area_level, CAST(resolution AS INTEGER) AS resolution, area_id, crime_group,
       gi_z, p_value, q_value, value, basis
FROM frame""",
    "forecasts": """
SELECT month, CAST(resolution AS INTEGER) AS resolution, cell, crime_group, expected, model
FROM frame""",
}
# Frames are gathered to about this many rows an insert: one insert a frame (hundreds of
# small commits) costs several times the rows' own writing.
INSERT_ROWS = 1_000_000
DDL = {
    "risk_scores": """(month VARCHAR, area_level VARCHAR, resolution INTEGER, area_id VARCHAR,
        force_code VARCHAR, crime_group VARCHAR, score DOUBLE, harm DOUBLE,
        near_repeat DOUBLE, network DOUBLE, forecast DOUBLE, incidents INTEGER,
        networks INTEGER, network_available BOOLEAN, model VARCHAR)""",
    "hotspots": """(month VARCHAR, area_level VARCHAR, resolution INTEGER, area_id VARCHAR,
        crime_group VARCHAR, gi_z DOUBLE, p_value DOUBLE, q_value DOUBLE, value DOUBLE,
        basis VARCHAR)""",
    "forecasts": """(month VARCHAR, resolution INTEGER, cell VARCHAR, crime_group VARCHAR,
        expected DOUBLE, model VARCHAR)""",
}


def write_frames(
    con: duckdb.DuckDBPyConnection, frames: Iterable[tuple[str, pd.DataFrame]]
) -> dict[str, int]:
    """Replace risk_scores, hotspots and forecasts with the frames' rows, appended as they
    come; returns the tables' row counts."""
    for name in TABLES:
        con.execute(f"CREATE OR REPLACE TABLE {name}__next {DDL[name]}")
    swapping = False
    pending: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
    try:
        for name, frame in frames:
            pending[name].append(pa.Table.from_pandas(frame, preserve_index=False))
            if sum(t.num_rows for t in pending[name]) >= INSERT_ROWS:
                _insert(con, name, pending[name])
                pending[name] = []
        for name, tables in pending.items():
            if tables:
                _insert(con, name, tables)
        con.execute("BEGIN TRANSACTION")
        swapping = True
        for name in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
            con.execute(f"ALTER TABLE {name}__next RENAME TO {name}")
        con.execute("COMMIT")
    except BaseException:
        if swapping:
            con.execute("ROLLBACK")
        for name in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {name}__next")
        raise
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in TABLES}


def _insert(con: duckdb.DuckDBPyConnection, name: str, tables: list[pa.Table]) -> None:
    """One insert of gathered frames; rows may land in any order (no reader relies on a
    table's order), which lets DuckDB insert on every core."""
    con.register("frame", pa.concat_tables(tables, promote_options="permissive"))
    ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(f"INSERT INTO {name}__next {SELECTS[name]}")
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if ordered else 'false'}")
        con.unregister("frame")
