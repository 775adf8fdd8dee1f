"""Resolve the people in the warehouse: every ingested person record gets a stable person id.

Each run stores its trained model as versioned JSON (``linkage_models``), the current
record → person links (``person_links``) and, against the previous run, the lineage of
ids that split or merged (``person_lineage``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from core import warehouse
from resolver.linkage import model_store, review_queue, stable_ids
from resolver.linkage.people import resolve
from resolver.linkage.prepare import prepare

MODEL_NAME = "people"

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("linkage_models", "person_links", "person_lineage")

# One row per person record, in the contract's columns; partial dates keep their precision.
CONTRACT_RECORDS = """
SELECT source_system,
       person_record_id AS source_record_id,
       concat_ws(' ', forename, middle_names) AS forename,
       surname,
       CASE dob_precision WHEN 'day' THEN strftime(date_of_birth, '%d/%m/%Y')
                          WHEN 'month' THEN strftime(date_of_birth, '%m/%Y')
                          WHEN 'year' THEN strftime(date_of_birth, '%Y') END AS date_of_birth,
       sex, address, postcode
FROM (SELECT DISTINCT ON (source_system, person_record_id) *
      FROM person_records ORDER BY source_system, person_record_id, source_file, row_number)
ORDER BY source_system, source_record_id
"""


@dataclass
class PeopleRun:
    version: int
    records: int
    persons: int
    merged: int
    split: int
    queued: int = 0
    decisions_applied: int = 0


def resolve_warehouse_people(con: duckdb.DuckDBPyConnection, *, id_key: bytes) -> PeopleRun:
    """Resolve every person record in the warehouse; ids stable against the last run, new
    ones keyed under ``id_key`` (``settings.id_secret``)."""
    warehouse.ensure_tables(con, *TABLES)
    records = con.sql(CONTRACT_RECORDS).to_arrow_table()
    if records.num_rows == 0:
        raise ValueError("no person records in the warehouse: ingest some sources first")
    steward = review_queue.decisions(con)
    work = duckdb.connect()
    try:
        work.register("records", records)
        work.execute("CREATE TABLE raw_input AS SELECT * FROM records")
        prepare(work)
        uid = {
            (s, r): u
            for u, s, r in work.execute(
                "SELECT unique_id, source_system, source_record_id FROM people_prepared"
            ).fetchall()
        }
        pairs = {"match": [], "not_a_match": []}
        for ls, lr, rs, rr, decision in steward:
            if decision in pairs and (ls, lr) in uid and (rs, rr) in uid:
                pairs[decision].append((uid[(ls, lr)], uid[(rs, rr)]))
        result = resolve(
            work,
            must_link=pairs["match"],
            cannot_link=pairs["not_a_match"],
            review_band=review_queue.REVIEW_BAND,
        )
        rows = work.execute(
            "SELECT source_system, source_record_id, member_key, match_probability "
            "FROM people_resolved ORDER BY unique_id"
        ).fetchall()
        candidates = work.execute(
            "SELECT l.source_system, l.source_record_id, r.source_system, r.source_record_id, "
            "c.match_probability, c.match_weight, c.evidence::VARCHAR FROM review_candidates c "
            "JOIN people_prepared l ON l.unique_id = c.unique_id_l "
            "JOIN people_prepared r ON r.unique_id = c.unique_id_r"
        ).fetchall()
    finally:
        work.close()
    members: dict[str, list[tuple[str, str]]] = {}
    for system, record_id, key, _p in rows:
        members.setdefault(key, []).append((system, record_id))
    keys = sorted(members)
    previous = {
        (s, r): pid
        for s, r, pid in con.execute(
            "SELECT source_system, person_record_id, person_id FROM person_links"
        ).fetchall()
    }
    ids, lineage = stable_ids.assign([members[k] for k in keys], previous, id_key)
    id_of = dict(zip(keys, ids, strict=True))
    version = model_store.next_version(con, MODEL_NAME)
    links = pa.table(
        {
            "source_system": [r[0] for r in rows],
            "person_record_id": [r[1] for r in rows],
            "person_id": [id_of[r[2]] for r in rows],
            "match_probability": [float(r[3]) for r in rows],
            "model_version": [version] * len(rows),
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        model_store.store_model(
            con, MODEL_NAME, version, records=len(rows), entities=len(keys),
            settings=result.model,
        )  # fmt: skip
        con.execute("DELETE FROM person_links")
        con.register("incoming_links", links)
        con.execute("INSERT INTO person_links BY NAME SELECT * FROM incoming_links")
        con.unregister("incoming_links")
        queued = review_queue.requeue(
            con, [((a, b), (c, d), p, w, e) for a, b, c, d, p, w, e in candidates], version
        )
        if lineage:
            con.executemany(
                "INSERT INTO person_lineage VALUES (?, ?, ?, ?, ?)",
                [(version, e.kind, e.from_person_id, e.to_person_id, e.records) for e in lineage],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return PeopleRun(
        version=version,
        records=len(rows),
        persons=len(keys),
        merged=sum(e.kind == "merged" for e in lineage),
        split=sum(e.kind == "split" for e in lineage),
        queued=queued,
        decisions_applied=len(pairs["match"]) + len(pairs["not_a_match"]),
    )
