"""Resolve the incidents in the warehouse: each incident record joins the event it records.

Writes ``incident_links`` (record → incident id: the police.uk ``incidents.incident_id``
when the record is that event, else a stable ``I…`` id for an event police.uk does not
hold), ``extra_incidents`` (those events: month, crime type, place, force) and the trained
model in ``linkage_models``. Needs people and places resolved first for the best evidence
(shared parties, one place); without them it links on time, type and street alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from core import warehouse
from resolver.linkage import incidents, model_store, places, stable_ids, warehouse_people

MODEL_NAME = "incidents"

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("incident_links", "extra_incidents")

_EXTRA = """
SELECT x.incident_id, strftime(min(p.incident_date), '%Y-%m') AS month,
       mode(p.crime_type) AS crime_type, mode(p.crime_group) AS crime_group,
       avg(coalesce(p.latitude, pl.latitude)) AS latitude,
       avg(coalesce(p.longitude, pl.longitude)) AS longitude,
       mode(p.place_id) AS place_id, mode(a.force_code) AS force_code
FROM new_incident_ids x
JOIN incidents_resolved r ON r.cluster_key = x.cluster_key
JOIN incidents_prepared p USING (unique_id)
LEFT JOIN places pl ON pl.place_id = p.place_id
LEFT JOIN areas a ON a.lsoa_code = pl.lsoa_code
GROUP BY x.incident_id
"""


@dataclass
class IncidentsRun:
    version: int
    records: int
    police_uk: int  # records that are a police.uk incident
    extra: int  # events police.uk does not hold


def resolve_warehouse_incidents(con: duckdb.DuckDBPyConnection, *, id_key: bytes) -> IncidentsRun:
    """Link every incident record to its event; ids of new events stable against the last
    run, new ones keyed under ``id_key`` (``settings.id_secret``)."""
    warehouse.ensure_tables(con, *warehouse_people.TABLES, *places.TABLES, *TABLES)
    records = con.sql(incidents.INCIDENT_RECORDS).to_arrow_table()
    if records.num_rows == 0:
        raise ValueError("no incident records in the warehouse: ingest some sources first")
    police = con.sql(
        "SELECT incident_id, crime_id, month, crime_type, location_id FROM incidents"
    ).to_arrow_table()
    place_rows = con.sql(
        "SELECT place_id, latitude, longitude, lsoa_code FROM places"
    ).to_arrow_table()
    area_rows = con.sql("SELECT lsoa_code, force_code FROM areas").to_arrow_table()
    logging.getLogger("splink").setLevel(logging.WARNING)
    work = duckdb.connect()
    try:
        for name, table in (("incidents_prepared", records), ("police_incidents", police),
                            ("places", place_rows), ("areas", area_rows)):  # fmt: skip
            work.register(f"{name}_arrow", table)
            work.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
            work.unregister(f"{name}_arrow")
        result = incidents.resolve_incidents(work)
        rows = work.execute(
            "SELECT p.source_system, p.incident_record_id, r.cluster_key, r.police_incident_id, "
            "r.match_probability FROM incidents_resolved r JOIN incidents_prepared p "
            "USING (unique_id) ORDER BY p.unique_id"
        ).fetchall()
        new_keys = sorted({r[2] for r in rows if r[3] is None})
        members: dict[int, list[tuple[str, str]]] = {}
        for system, record_id, key, _police, _p in rows:
            members.setdefault(key, []).append((system, record_id))
        previous = {
            (s, r): i
            for s, r, i in con.execute(
                "SELECT l.source_system, l.incident_record_id, l.incident_id FROM incident_links l "
                "JOIN extra_incidents e USING (incident_id)"
            ).fetchall()
        }
        ids, _lineage = stable_ids.assign(
            [members[k] for k in new_keys], previous, id_key, prefix="I"
        )
        id_of = dict(zip(new_keys, ids, strict=True))
        work.execute("CREATE TABLE new_incident_ids (cluster_key BIGINT, incident_id VARCHAR)")
        work.executemany("INSERT INTO new_incident_ids VALUES (?, ?)", list(id_of.items()))
        extra = work.sql(_EXTRA).to_arrow_table()
    finally:
        work.close()
    links = [
        (system, record_id, police_id or id_of[key], float(p))
        for system, record_id, key, police_id, p in rows
    ]
    version = model_store.next_version(con, MODEL_NAME)
    con.execute("BEGIN TRANSACTION")
    try:
        model_store.store_model(
            con, MODEL_NAME, version, records=len(rows), entities=result.clusters,
            settings=result.model,
        )  # fmt: skip
        con.execute("DELETE FROM incident_links")
        con.execute("DELETE FROM extra_incidents")
        con.executemany("INSERT INTO incident_links VALUES (?, ?, ?, ?)", links)
        con.register("incoming_extra", extra)
        con.execute("INSERT INTO extra_incidents BY NAME SELECT * FROM incoming_extra")
        con.unregister("incoming_extra")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return IncidentsRun(
        version=version,
        records=len(rows),
        police_uk=sum(r[3] is not None for r in rows),
        extra=len(id_of),
    )
