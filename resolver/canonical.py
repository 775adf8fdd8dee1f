"""Canonical POLE tables (incidents, locations, areas, forces) built from source records.

Rebuilt in full from the source-record tables after every ingest, so they are a pure
function of what was ingested and any stage can be re-run alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from core.settings import SourceFiles
from resolver import geography
from resolver.crime_types import POLICE_UK_CRIME_TYPES


@dataclass(frozen=True)
class GeographyFiles:
    force_areas: Path
    lsoa_centroids: Path

    @classmethod
    def from_settings(cls, sources: SourceFiles) -> GeographyFiles:
        return cls(sources.force_areas, sources.lsoa_centroids)


def _crime_groups_table() -> pa.Table:
    return pa.table(
        {
            "crime_type": list(POLICE_UK_CRIME_TYPES),
            "crime_group": list(POLICE_UK_CRIME_TYPES.values()),
        }
    )


def build(con: duckdb.DuckDBPyConnection, geo: GeographyFiles) -> dict[str, int]:
    """(Re)build the canonical tables; returns their row counts."""
    force_areas = geography.read_force_areas(geo.force_areas)
    centroids = geography.read_lsoa_centroids(geo.lsoa_centroids)
    con.register("crime_groups", _crime_groups_table())

    # Nearly every incident is one row: only those with several (a crime republished in a
    # later month, or published as several offences) are aggregated, so the national
    # build never holds millions of aggregate states. Their fields are the first row's
    # (by month, file and line), the outcome the last one's. A row that arrived live is
    # named by the source's own id for it (record_ref), as the live path named it.
    con.execute(
        """
        CREATE OR REPLACE TABLE incidents AS
        WITH several AS (
            SELECT incident_id FROM police_uk_records GROUP BY incident_id HAVING count(*) > 1
        )
        SELECT r.incident_id, r.crime_id, r.month, r.month AS last_month, r.crime_type,
               g.crime_group, r.last_outcome, r.force_code, r.location_id,
               1::BIGINT AS record_count,
               [coalesce(r.record_ref, r.source_file || '#' || r.row_number)] AS source_records
        FROM police_uk_records r JOIN crime_groups g USING (crime_type)
        ANTI JOIN several s USING (incident_id)
        UNION ALL
        SELECT r.incident_id,
               arg_min(r.crime_id, r.first_seen)     AS crime_id,
               min(r.month)                          AS month,
               max(r.month)                          AS last_month,
               arg_min(r.crime_type, r.first_seen)   AS crime_type,
               arg_min(g.crime_group, r.first_seen)  AS crime_group,
               arg_max(r.last_outcome, r.first_seen) AS last_outcome,
               arg_min(r.force_code, r.first_seen)   AS force_code,
               arg_min(r.location_id, r.first_seen)  AS location_id,
               count(*)                              AS record_count,
               list(coalesce(r.record_ref, r.source_file || '#' || r.row_number)
                    ORDER BY r.first_seen)
                                                     AS source_records
        FROM (SELECT *, (month, source_file, row_number) AS first_seen
              FROM police_uk_records SEMI JOIN several USING (incident_id)) r
        JOIN crime_groups g USING (crime_type)
        GROUP BY r.incident_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE locations AS
        SELECT location_id,
               any_value(latitude)  AS latitude,
               any_value(longitude) AS longitude,
               any_value(h3_cell)   AS h3_cell,
               mode(location)       AS name,
               mode(lsoa_code)      AS lsoa_code
        FROM police_uk_records
        WHERE location_id IS NOT NULL
        GROUP BY location_id
        """
    )
    areas = con.execute(
        """
        SELECT lsoa_code, mode(lsoa_name) AS name, avg(latitude) AS lat, avg(longitude) AS lon
        FROM police_uk_records WHERE lsoa_code IS NOT NULL GROUP BY lsoa_code ORDER BY lsoa_code
        """
    ).fetchall()
    points = [centroids.get(code, (lat, lon)) for code, _name, lat, lon in areas]
    area_forces = geography.force_of_points(force_areas, points)
    con.register(
        "area_rows",
        pa.table(
            {
                "lsoa_code": [a[0] for a in areas],
                "name": [a[1] for a in areas],
                "latitude": [p[0] for p in points],
                "longitude": [p[1] for p in points],
                "force_code": area_forces,
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE areas AS SELECT * FROM area_rows")

    reporting = con.execute(
        "SELECT force_code, any_value(reported_by) FROM police_uk_records GROUP BY force_code"
    ).fetchall()
    known = {area.code for area in force_areas}
    force_rows = [(a.code, a.name, a.pfa_code) for a in force_areas]
    force_rows += [(code, name, None) for code, name in reporting if code not in known]
    con.register(
        "force_rows",
        pa.table(
            {
                "force_code": [f[0] for f in force_rows],
                "name": [f[1] for f in force_rows],
                "pfa_code": pa.array([f[2] for f in force_rows], pa.string()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE forces AS SELECT * FROM force_rows ORDER BY force_code")
    for name in ("crime_groups", "area_rows", "force_rows"):
        con.unregister(name)
    return {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        for table in ("incidents", "locations", "areas", "forces")
    }
