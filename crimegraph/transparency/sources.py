"""ATRS 2.4.3 (data specification) per source system, from the warehouse and the policy."""

from __future__ import annotations

from typing import Any

import duckdb

PERSONAL_FIELDS = ("forename", "middle_names", "surname", "date_of_birth", "sex", "address",
                   "postcode", "uprn", "email", "phone")  # fmt: skip
INCIDENT_FIELDS = ("incident_date", "crime_type", "description", "incident_address",
                   "incident_postcode", "latitude", "longitude", "police_reference")  # fmt: skip


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def sources(con: duckdb.DuckDBPyConnection | None, policy, owner: dict) -> list[dict]:
    """ATRS 2.4.3 per source system: what it holds, how much, how complete, how long kept."""
    systems: dict[str, dict] = {}
    present = tables(con) if con else set()
    if con and "ingest_runs" in present:
        for system, files, rows_in, loaded, quarantined in con.execute(
            "SELECT source, count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined) "
            "FROM ingest_runs GROUP BY source ORDER BY source"
        ).fetchall():
            systems[system] = {"files": files, "rows_in": int(rows_in), "rows_loaded": int(loaded),
                               "rows_quarantined": int(quarantined)}  # fmt: skip
    for system in policy.systems_seen:
        systems.setdefault(system, {})
    out = []
    for system, counts in sorted(systems.items()):
        entry: dict[str, Any] = {"source_data_name": system, "data_modality": "tabular",
                                 "data_quantities": counts}  # fmt: skip
        completeness: dict[str, float] = {}
        for table, fields in (("person_records", PERSONAL_FIELDS),
                              ("incident_records", INCIDENT_FIELDS)):  # fmt: skip
            if con is None or table not in present:
                continue
            row = con.execute(
                f"SELECT count(*), {', '.join(f'count({f})' for f in fields)} FROM {table} "
                "WHERE source_system = ?",
                [system],
            ).fetchall()[0]
            if row[0]:
                counts[table] = row[0]
                shares = zip(fields, row[1:], strict=True)
                completeness |= {f: round(n / row[0], 3) for f, n in shares if n}
        if system == "police.uk" and con and "police_uk_records" in present:
            counts["incidents"] = con.execute(
                "SELECT count(DISTINCT incident_id) FROM police_uk_records"
            ).fetchall()[0][0]
            completeness = {"month": 1.0, "crime_type": 1.0, "location (anonymised point)": 1.0,
                            "lsoa_code": 1.0, "last_outcome": 1.0}  # fmt: skip
        entry["fields"] = completeness
        entry["sensitive_attributes"] = [f for f in PERSONAL_FIELDS if f in completeness]
        known = (owner.get("sources") or {}).get(system, {})
        entry["data_collection"] = known.get("collection", "not recorded in owner.yaml")
        entry["data_sharing_agreements"] = known.get("sharing", "not recorded in owner.yaml")
        entry["source_data_url"] = known.get("url", "not public")
        entry["retention"] = [
            {"record_type": r.record_type, "group": r.label(), "period": str(r.period),
             "from": r.date_field or None,
             "filters": {k: sorted(v) for k, v in (("roles", r.roles),
                         ("crime_groups", r.crime_groups), ("crime_types", r.crime_types)) if v}}
            for r in policy.rules if system in r.systems
        ]  # fmt: skip
        out.append(entry)
    return out
