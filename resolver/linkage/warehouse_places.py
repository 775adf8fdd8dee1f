"""Resolve the places in the warehouse: every home address and incident location gets a place.

Writes ``places`` (one canonical place: representative address, postcode, UPRN, point,
H3 cell, LSOA), ``place_links`` (record → place) and the trained model in
``linkage_models``. Place ids (``L…``) are kept against the previous run as person ids are.
The graph loader turns places into ``(:Location {location_id: place_id, kind: 'address'})``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import h3
import pyarrow as pa

from core import warehouse
from core.settings import SourceFiles
from resolver.linkage import model_store, places, postcode_points, stable_ids

# A place's representative form: its most complete address, most often recorded.
_REPRESENTATIVE = """
SELECT r.member_key,
       arg_max(p.address, len(p.numbers) * 1000000 + a.n) AS address,
       mode(p.postcode) AS postcode, mode(p.uprn) AS uprn,
       avg(p.latitude) AS latitude, avg(p.longitude) AS longitude
FROM places_resolved r JOIN places_prepared p USING (unique_id)
LEFT JOIN (SELECT address, count(*) AS n FROM places_prepared GROUP BY address) a
       ON a.address = p.address
GROUP BY r.member_key ORDER BY r.member_key
"""


@dataclass
class PlacesRun:
    version: int
    records: int
    places: int
    merged: int
    split: int
    located: int  # places with a point (own coordinates or the postcode's)


def resolve_warehouse_places(
    con: duckdb.DuckDBPyConnection, sources: SourceFiles, *, id_key: bytes
) -> PlacesRun:
    """Resolve every person address and incident location; ids stable against the last run,
    new ones keyed under ``id_key`` (``settings.id_secret``)."""
    warehouse.ensure_tables(con, *places.TABLES)
    records = con.sql(places.PLACE_RECORDS).to_arrow_table()
    if records.num_rows == 0:
        raise ValueError("no addresses or incident locations in the warehouse: ingest first")
    logging.getLogger("splink").setLevel(logging.WARNING)
    work = duckdb.connect()
    try:
        work.register("records", records)
        work.execute("CREATE TABLE place_input AS SELECT * FROM records")
        places.prepare_places(work)
        result = places.resolve_places(work)
        rows = work.execute(
            "SELECT record_kind, source_system, record_id, member_key, match_probability "
            "FROM places_resolved ORDER BY unique_id"
        ).fetchall()
        representative = work.execute(_REPRESENTATIVE).fetchall()
    finally:
        work.close()
    members: dict[str, list[tuple[str, str]]] = {}
    for kind, system, record_id, key, _p in rows:
        members.setdefault(key, []).append((f"{kind}:{system}", record_id))
    keys = [r[0] for r in representative]
    previous = {
        (f"{k}:{s}", r): pid
        for s, r, k, pid in con.execute(
            "SELECT source_system, record_id, record_kind, place_id FROM place_links"
        ).fetchall()
    }
    ids, lineage = stable_ids.assign([members[k] for k in keys], previous, id_key, prefix="L")
    table = _places_table(representative, ids, sources.lsoa_boundaries)
    id_of = dict(zip(keys, ids, strict=True))
    links = pa.table(
        {
            "source_system": [r[1] for r in rows],
            "record_id": [r[2] for r in rows],
            "record_kind": [r[0] for r in rows],
            "place_id": [id_of[r[3]] for r in rows],
            "match_probability": [float(r[4]) for r in rows],
        }
    )
    version = model_store.next_version(con, places.MODEL_NAME)
    con.execute("BEGIN TRANSACTION")
    try:
        model_store.store_model(
            con, places.MODEL_NAME, version, records=len(rows), entities=len(keys),
            settings=result.model,
        )  # fmt: skip
        con.execute("DELETE FROM places")
        con.execute("DELETE FROM place_links")
        con.register("incoming_places", table)
        con.execute("INSERT INTO places BY NAME SELECT * FROM incoming_places")
        con.unregister("incoming_places")
        con.register("incoming_links", links)
        con.execute("INSERT INTO place_links BY NAME SELECT * FROM incoming_links")
        con.unregister("incoming_links")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return PlacesRun(
        version=version,
        records=len(rows),
        places=len(keys),
        merged=sum(e.kind == "merged" for e in lineage),
        split=sum(e.kind == "split" for e in lineage),
        located=sum(v is not None for v in table.column("latitude").to_pylist()),
    )


def _places_table(representative: list[tuple], ids: list[str], lsoa_boundaries: Path) -> pa.Table:
    """Places with a point: their records' own coordinates, else their postcode's."""
    points = postcode_points.locate({r[2] for r in representative if r[2] and r[4] is None})
    lat, lon, cells = [], [], []
    for _key, _address, postcode, _uprn, latitude, longitude in representative:
        if latitude is None and postcode in points:
            latitude, longitude = points[postcode].latitude, points[postcode].longitude
        lat.append(latitude)
        lon.append(longitude)
        cells.append(
            h3.latlng_to_cell(latitude, longitude, postcode_points.H3_RESOLUTION)
            if latitude is not None
            else None
        )
    located = [i for i, a in enumerate(lat) if a is not None]
    lsoa: list[str | None] = [None] * len(lat)
    found = postcode_points.lsoa_of_points(lsoa_boundaries, [(lat[i], lon[i]) for i in located])
    for i, code in zip(located, found, strict=True):
        lsoa[i] = code
    return pa.table(
        {
            "place_id": ids,
            "address": [r[1] for r in representative],
            "postcode": [r[2] for r in representative],
            "uprn": [r[3] for r in representative],
            "latitude": pa.array(lat, pa.float64()),
            "longitude": pa.array(lon, pa.float64()),
            "h3_cell": cells,
            "lsoa_code": lsoa,
        }
    )
