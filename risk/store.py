"""Write the risk tables into the warehouse, replacing the previous run's."""

from __future__ import annotations

import duckdb
import pandas as pd

from risk.scores import RiskTables

RISK_SCORES_SQL = """
CREATE OR REPLACE TABLE risk_scores AS
SELECT month, area_level, CAST(resolution AS INTEGER) AS resolution, area_id, force_code,
       crime_group, score, harm, near_repeat, network, forecast,
       CAST(incidents AS INTEGER) AS incidents, CAST(networks AS INTEGER) AS networks,
       network_available, model
FROM frame
"""
HOTSPOTS_SQL = """
CREATE OR REPLACE TABLE hotspots AS
SELECT month, area_level, CAST(resolution AS INTEGER) AS resolution, area_id, crime_group,
       gi_z, p_value, q_value, value, basis
FROM frame
"""
FORECASTS_SQL = """
CREATE OR REPLACE TABLE forecasts AS
SELECT month, CAST(resolution AS INTEGER) AS resolution, cell, crime_group, expected, model
FROM frame
"""


def _write(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, sql: str) -> None:
    con.register("frame", frame)
    try:
        con.execute(sql)
    finally:
        con.unregister("frame")


def write(con: duckdb.DuckDBPyConnection, tables: RiskTables) -> dict[str, int]:
    """Replace risk_scores, hotspots and forecasts; returns their row counts."""
    _write(con, tables.risk_scores, RISK_SCORES_SQL)
    _write(con, tables.hotspots, HOTSPOTS_SQL)
    _write(con, tables.forecasts, FORECASTS_SQL)
    return {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        for name in ("risk_scores", "hotspots", "forecasts")
    }
