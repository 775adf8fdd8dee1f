"""What the loader writes: one step per node or relationship kind, in dependency order.

Each step names a folder ``cypher/load/<name>/`` (``existing``, ``create``, ``update``,
``delete``) and gives the warehouse SQL for its rows: a ``key`` column plus the
properties. Steps whose source tables a warehouse lacks (no people resolved yet, no place
model) are skipped, so the same loader serves a police.uk-only warehouse and a full one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from core.warehouse import has_tables

SqlBuilder = Callable[[duckdb.DuckDBPyConnection], str | None]


@dataclass(frozen=True)
class LoadStep:
    name: str
    sql: SqlBuilder
    # Rows are written in this order, so relationships to the same node arrive together.
    order_by: str = "key"
    # Whether keys the warehouse no longer has are removed (decisions are never removed).
    deletes: bool = True


def _when(*tables: str, sql: str) -> SqlBuilder:
    return lambda con: sql if has_tables(con, *tables) else None


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """Helpers the step SQL uses.

    ``most_common(list)``: the most frequent non-null value, ties broken alphabetically.
    ``graph_incident_records``: which Incident each source incident record belongs to.

    The incident model's links when it has run; otherwise the police reference a record
    quotes; otherwise the record is an incident of its own.
    """
    con.execute(
        "CREATE OR REPLACE TEMP MACRO most_common(xs) AS "
        "(list_sort(list_transform(map_entries(list_histogram(list_filter(xs, lambda x: "
        "x IS NOT NULL))), lambda e: struct_pack(n := -CAST(e.value AS BIGINT), k := e.key)"
        "))[1]).k"
    )
    if not has_tables(con, "incident_records", "incidents"):
        return
    if has_tables(con, "incident_links"):
        con.execute(
            "CREATE OR REPLACE TEMP VIEW graph_incident_records AS "
            "SELECT source_system, incident_record_id, incident_id, match_probability "
            "FROM incident_links"
        )
        return
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW graph_incident_records AS
        SELECT r.source_system, r.incident_record_id,
               coalesce(any_value(i.incident_id),
                        'rec:' || r.source_system || ':' || r.incident_record_id) AS incident_id,
               1.0 AS match_probability
        FROM incident_records r LEFT JOIN incidents i ON i.crime_id = r.police_reference
        GROUP BY r.source_system, r.incident_record_id
        """
    )


_FORCES = """
SELECT force_code AS key, name, pfa_code,
       CASE WHEN pfa_code IS NULL THEN ['police.uk'] ELSE ['ons.pfa'] END AS sources
FROM forces
"""
_AREAS = """
SELECT lsoa_code AS key, name, latitude, longitude, force_code,
       ['police.uk', 'ons.lsoa'] AS sources
FROM areas
"""
_LOCATIONS = """
SELECT location_id AS key, 'street' AS kind, latitude, longitude, h3_cell AS h3, name,
       lsoa_code AS lsoa, ['police.uk'] AS sources
FROM locations
"""


def _extra_incidents(con: duckdb.DuckDBPyConnection) -> str:
    """Events only the other systems hold (council ASB cases, social-care concerns)."""
    if has_tables(con, "extra_incidents"):
        return """
        SELECT incident_id AS key, NULL::VARCHAR AS crime_id, month, NULL::VARCHAR AS last_month,
               crime_type, crime_group, NULL::VARCHAR AS last_outcome, force_code,
               place_id AS location_id, 1::BIGINT AS record_count,
               []::VARCHAR[] AS source_records
        FROM extra_incidents
        """
    return """
    SELECT g.incident_id AS key, NULL::VARCHAR AS crime_id,
           strftime(min(r.incident_date), '%Y-%m') AS month, NULL::VARCHAR AS last_month,
           any_value(r.crime_type) AS crime_type, any_value(r.crime_group) AS crime_group,
           NULL::VARCHAR AS last_outcome, NULL::VARCHAR AS force_code,
           NULL::VARCHAR AS location_id, count(*)::BIGINT AS record_count,
           []::VARCHAR[] AS source_records
    FROM graph_incident_records g
    JOIN incident_records r USING (source_system, incident_record_id)
    WHERE g.incident_id NOT IN (SELECT incident_id FROM incidents)
    GROUP BY g.incident_id
    """


def _incidents(con: duckdb.DuckDBPyConnection) -> str | None:
    if not has_tables(con, "incidents"):
        return None
    police = (
        "SELECT incident_id AS key, crime_id, month, last_month, crime_type, crime_group, "
        "last_outcome, force_code, location_id, record_count, source_records FROM incidents"
    )
    if not has_tables(con, "incident_records"):
        return f"SELECT *, ['police.uk'] AS sources FROM ({police})"
    return f"""
    WITH events AS ({police} UNION ALL {_extra_incidents(con)}),
    systems AS (
        SELECT incident_id AS key, list_sort(list_distinct(list(source_system))) AS systems
        FROM graph_incident_records GROUP BY incident_id
    )
    SELECT e.*,
           list_sort(list_distinct(
               CASE WHEN e.crime_id IS NOT NULL OR e.key IN (SELECT incident_id FROM incidents)
                    THEN ['police.uk'] ELSE [] END || coalesce(s.systems, []))) AS sources
    FROM events e LEFT JOIN systems s USING (key)
    """


_PEOPLE_TABLES = ("person_records", "person_links")

# Display fields: each field's most common value, ties broken alphabetically, so the same
# records always give the same person (a reload must change nothing).
_PERSONS = """
SELECT l.person_id AS key,
       nullif(trim(concat_ws(' ', most_common(list(r.forename)), most_common(list(r.surname)))),
              '') AS name,
       most_common(list(CAST(r.date_of_birth AS VARCHAR))
                   FILTER (WHERE r.dob_precision = 'day')) AS date_of_birth,
       most_common(list(r.sex)) AS sex,
       count(*)::BIGINT AS record_count,
       max(l.model_version) AS model_version,
       list_sort(list_distinct(list(r.source_system))) AS sources
FROM person_links l
JOIN person_records r ON r.source_system = l.source_system
                     AND r.person_record_id = l.person_record_id
GROUP BY l.person_id
"""


def _source_records(con: duckdb.DuckDBPyConnection) -> str | None:
    if not has_tables(con, *_PEOPLE_TABLES):
        return None
    involvements = "SELECT NULL::VARCHAR AS source_system, NULL::VARCHAR AS person_record_id, "
    involvements += "[]::STRUCT(incident_id VARCHAR, role VARCHAR, record_id VARCHAR)[] AS inv "
    involvements += "WHERE false"
    if has_tables(con, "involvements", "incident_records"):
        involvements = """
        SELECT v.source_system, v.person_record_id,
               list(struct_pack(incident_id := g.incident_id, role := v.role,
                                record_id := v.record_id) ORDER BY v.record_id) AS inv
        FROM involvements v
        JOIN graph_incident_records g ON g.source_system = v.source_system
                                     AND g.incident_record_id = v.incident_record_id
        GROUP BY ALL
        """
    return f"""
    WITH inv AS ({involvements})
    SELECT r.source_system || ':' || r.person_record_id AS key,
           r.source_system AS system, r.person_record_id AS record_id, 'person' AS kind,
           r.source_file, r.row_number, r.forename, r.middle_names, r.surname,
           CAST(r.date_of_birth AS VARCHAR) AS date_of_birth, r.dob_precision, r.sex,
           r.address, r.postcode, l.person_id, l.match_probability, l.model_version,
           coalesce(inv.inv, []) AS involvements, [r.source_system] AS sources
    FROM person_records r
    JOIN person_links l ON l.source_system = r.source_system
                       AND l.person_record_id = r.person_record_id
    LEFT JOIN inv ON inv.source_system = r.source_system
                 AND inv.person_record_id = r.person_record_id
    """


_PARTY_TO = """
SELECT l.person_id || '|' || g.incident_id || '|' || v.role AS key,
       l.person_id, g.incident_id, v.role,
       list_sort(list_distinct(list(v.source_system))) AS sources,
       list_sort(list(v.source_system || ':' || v.record_id)) AS records
FROM involvements v
JOIN person_links l ON l.source_system = v.source_system
                   AND l.person_record_id = v.person_record_id
JOIN graph_incident_records g ON g.source_system = v.source_system
                             AND g.incident_record_id = v.incident_record_id
GROUP BY l.person_id, g.incident_id, v.role
"""

_PLACES = """
SELECT p.place_id AS key, 'address' AS kind, p.address AS name, p.postcode, p.uprn,
       p.latitude, p.longitude, p.h3_cell AS h3, p.lsoa_code AS lsoa,
       coalesce((SELECT list_sort(list_distinct(list(k.source_system)))
                 FROM place_links k WHERE k.place_id = p.place_id), []) AS sources
FROM places p
"""

_LIVES_AT = """
SELECT l.person_id || '|' || k.place_id AS key, l.person_id, k.place_id,
       list_sort(list_distinct(list(k.source_system))) AS sources,
       max(k.match_probability) AS match_probability
FROM place_links k
JOIN person_links l ON l.source_system = k.source_system AND l.person_record_id = k.record_id
WHERE k.record_kind = 'person'
GROUP BY l.person_id, k.place_id
"""

_LINEAGE = """
SELECT model_version || '|' || kind || '|' || from_person_id || '|' || to_person_id AS key,
       model_version, kind, from_person_id, to_person_id, records
FROM person_lineage
"""

_REVIEW_PAIRS = """
WITH queued AS (
    SELECT pair_id, left_system, left_record_id, right_system, right_record_id,
           match_probability, match_weight, CAST(evidence AS VARCHAR) AS evidence,
           model_version, 'open' AS status
    FROM review_queue
),
decided AS (
    SELECT pair_id, left_system, left_record_id, right_system, right_record_id,
           {decided_evidence}, 'decided'
    FROM match_decisions {evidence_join} WHERE pair_id NOT IN (SELECT pair_id FROM queued)
)
SELECT pair_id AS key, left_system || ':' || left_record_id AS left_key,
       right_system || ':' || right_record_id AS right_key,
       match_probability, match_weight, evidence, model_version,
       CASE WHEN pair_id IN (SELECT pair_id FROM match_decisions) THEN 'decided'
            ELSE status END AS status
FROM (SELECT * FROM queued UNION ALL SELECT * FROM decided)
"""


def _review_pairs(con: duckdb.DuckDBPyConnection) -> str | None:
    """Queued pairs, and decided ones with the evidence they left the queue with (a
    warehouse from before that was kept has none)."""
    if not has_tables(con, "review_queue", "match_decisions"):
        return None
    if has_tables(con, "decided_evidence"):
        return _REVIEW_PAIRS.format(
            decided_evidence="e.match_probability, e.match_weight, "
            "CAST(e.evidence AS VARCHAR), e.model_version",
            evidence_join="LEFT JOIN decided_evidence e USING (pair_id)",
        )
    return _REVIEW_PAIRS.format(
        decided_evidence="NULL::DOUBLE, NULL::DOUBLE, NULL::VARCHAR, NULL::INTEGER",
        evidence_join="",
    )


def _decisions(con: duckdb.DuckDBPyConnection) -> str | None:
    if not has_tables(con, "match_decisions"):
        return None
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'match_decisions'"
        ).fetchall()
    }
    decision_id = "decision_id" if "decision_id" in columns else "NULL::VARCHAR"
    origin = "origin" if "origin" in columns else "NULL::VARCHAR"
    return f"""
    SELECT coalesce({decision_id},
                    'cli:' || pair_id || '@' || strftime(decided_at, '%Y-%m-%dT%H:%M:%S.%f'))
               AS key,
           pair_id, decision, decided_by,
           strftime(decided_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS decided_at, reason,
           coalesce({origin}, 'cli') AS origin
    FROM match_decisions
    """


STEPS: list[LoadStep] = [
    LoadStep("forces", _when("forces", sql=_FORCES)),
    LoadStep("areas", _when("areas", sql=_AREAS), order_by="force_code, key"),
    LoadStep("locations", _when("locations", sql=_LOCATIONS), order_by="lsoa, key"),
    LoadStep("places", _when("places", "place_links", sql=_PLACES), order_by="lsoa, key"),
    LoadStep("incidents", _incidents, order_by="location_id, key"),
    LoadStep("persons", _when(*_PEOPLE_TABLES, sql=_PERSONS)),
    LoadStep("source_records", _source_records, order_by="person_id, key"),
    LoadStep(
        "party_to",
        _when(*_PEOPLE_TABLES, "involvements", "incident_records", sql=_PARTY_TO),
        order_by="incident_id, key",
    ),
    LoadStep(
        "lives_at",
        _when("person_links", "place_links", sql=_LIVES_AT),
        order_by="place_id, key",
    ),
    LoadStep("lineage", _when("person_lineage", sql=_LINEAGE)),
    LoadStep("review_pairs", _review_pairs),
    LoadStep("decisions", _decisions, deletes=False),
]
