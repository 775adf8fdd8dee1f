"""The network-exposure component: offender networks active at a place, from the
``location_network_exposure`` table that ``crimegraph analyse`` writes (location_id,
networks, exposure). When the table is absent the component is 0 and the scores say so
(``network_available`` false), rather than pretending a place has no networks."""

from __future__ import annotations

import duckdb
import pandas as pd

from core import warehouse

TABLE = "location_network_exposure"
QUERY = f"""
SELECT n.location_id, n.networks, n.exposure, l.latitude, l.longitude, l.lsoa_code
FROM {TABLE} n JOIN locations l USING (location_id)
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
"""


def available(con: duckdb.DuckDBPyConnection) -> bool:
    return warehouse.table_exists(con, TABLE)


def exposure_by_location(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Exposure per located street location, or None when the table does not exist."""
    if not available(con):
        return None
    return con.sql(QUERY).to_arrow_table().to_pandas()
