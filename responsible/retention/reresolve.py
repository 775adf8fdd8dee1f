"""After records are removed: rebuild what was derived from them by resolving again.

The same resolution runs that follow an ingest, so the warehouse ends as if the removed
records had never arrived, except that ids stay stable (``stable_ids``): a person who
lost records keeps their id, one whose every record went disappears, and splits and
merges the removal caused are written to ``person_lineage``. A merge whose only evidence
was a removed record comes apart, which a targeted patch of the old clusters would miss.
"""

from __future__ import annotations

import duckdb

from core import warehouse
from core.settings import SourceFiles
from resolver import canonical
from resolver.linkage.warehouse_incidents import resolve_warehouse_incidents
from resolver.linkage.warehouse_people import resolve_warehouse_people
from resolver.linkage.warehouse_places import resolve_warehouse_places
from responsible.retention.apply import Removal


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _summary(run: object, *names: str) -> dict:
    return {name: getattr(run, name) for name in names}


def reresolve(
    con: duckdb.DuckDBPyConnection, removal: Removal, sources: SourceFiles, id_key: bytes
) -> dict[str, dict]:
    """Re-run each resolution the warehouse has run before; what each produced."""
    out: dict[str, dict] = {}
    if removal.records == 0:
        return out
    if removal.police_uk_removed:
        out["canonical"] = canonical.build(con, canonical.GeographyFiles.from_settings(sources))
    if warehouse.table_exists(con, "person_links"):
        if _rows(con, "person_records"):
            run = resolve_warehouse_people(con, id_key=id_key)
            out["people"] = _summary(run, "version", "records", "persons", "merged", "split")
        else:
            con.execute("DELETE FROM person_links")
            con.execute("DELETE FROM review_queue")
            out["people"] = {"records": 0, "persons": 0}
    if warehouse.table_exists(con, "place_links"):
        try:
            run = resolve_warehouse_places(con, sources, id_key=id_key)
            out["places"] = _summary(run, "version", "records", "places", "merged", "split")
        except ValueError:  # no address or incident location left at all
            con.execute("DELETE FROM place_links")
            con.execute("DELETE FROM places")
            out["places"] = {"records": 0, "places": 0}
    if warehouse.table_exists(con, "incident_links"):
        if _rows(con, "incident_records"):
            run = resolve_warehouse_incidents(con, id_key=id_key)
            out["incidents"] = _summary(run, "version", "records", "police_uk", "extra")
        else:
            con.execute("DELETE FROM incident_links")
            con.execute("DELETE FROM extra_incidents")
            out["incidents"] = {"records": 0}
    return out
