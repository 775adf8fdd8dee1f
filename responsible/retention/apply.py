"""Remove expired source records from the warehouse, everywhere they reach, and log it.

In one transaction: the source rows (person and incident records, their involvements,
police.uk rows), the quarantine rows of those rows, their links (person, place and
incident links), open review pairs naming them, and the run's log entry. Steward
decisions naming a removed record are kept (who decided what, when and why stays
auditable) but the record's id in them is replaced by its keyed hash, so the decision no
longer points at the person. Re-resolution and the graph reload follow
(``crimegraph.pipeline.retention_apply``).

The log holds no record id in the clear: each is an HMAC-SHA256 under the installation's
retention key, so whoever holds the key can answer "was record X removed, and when?"
(a subject access request) and nobody else can enumerate ids against it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from core import keys, warehouse
from core.warehouse_schema import LIVE_PREFIX
from responsible.retention.plan import POLICE_UK, Plan

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("retention_runs", "retention_removed")


def retention_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The key record ids are hashed under: the configured one (``settings.retention.key``,
    from ``CRIMEGRAPH_RETENTION_KEY``), or one generated once and kept in
    ``<data dir>/retention/key`` (mode 600)."""
    return keys.kept_key(data_dir / "retention" / "key", configured)


def record_hash(key: bytes, system: str, record_type: str, record_id: str) -> str:
    message = f"{system}|{record_type}|{record_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


@dataclass
class Removal:
    """What one apply removed: records by (system, record type, rule group), and the rows
    of every table it reached."""

    run_id: str
    applied_at: datetime
    removed: list[dict] = field(default_factory=list)
    derived: dict[str, int] = field(default_factory=dict)
    hashes: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    # rows that arrived live, by journal id: the entries (seq) they came from
    live_entries: dict[str, list[int]] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(r["count"] for r in self.removed)

    @property
    def people_removed(self) -> bool:
        return any(r["record_type"] == "person" for r in self.removed)

    @property
    def police_uk_removed(self) -> bool:
        return any(r["system"] == POLICE_UK for r in self.removed)


def _register(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list]) -> None:
    con.register(name, pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}))


# The expired records, registered for the cascade's SQL: person, incident, police.uk.
_GONE = ("gone_people", "gone_incidents", "gone_police")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """Run a statement ending in RETURNING 1; how many rows it touched."""
    return len(con.execute(sql).fetchall())


def remove_expired(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    key: bytes,
    *,
    forget_live: Callable[[dict[str, list[int]]], None] | None = None,
) -> Removal:
    """Delete what the plan found expired, in one transaction with its log rows.

    ``forget_live`` is given the live journal entries the removed rows came from (journal
    id → seqs) before the transaction commits, to delete them from the journal: if it
    fails nothing is removed; if the commit then fails, the journal has let go of records
    the next run removes again (nothing expired outlives a run by being kept twice)."""
    warehouse.ensure_tables(con, *TABLES)
    removal = Removal(str(uuid.uuid4()), datetime.now(UTC).replace(tzinfo=None))
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    gone = {"person": ([], [], []), "incident": ([], [], []), "police": ([], [], [])}
    for verdict in plan.expired:
        c = verdict.candidate
        digest = record_hash(key, c.system, c.record_type, c.record_id)
        groups[(c.system, c.record_type, verdict.group)].append(digest)
        kind = "police" if c.system == POLICE_UK else c.record_type
        for column, value in zip(gone[kind], (c.system, c.record_id, digest), strict=True):
            column.append(value)
    removal.hashes = dict(groups)
    removal.removed = [
        {"system": s, "record_type": t, "group": g, "count": len(h)}
        for (s, t, g), h in sorted(groups.items())
    ]
    for name, (systems, ids, hashes) in zip(_GONE, gone.values(), strict=True):
        _register(con, name, {"source_system": systems, "record_id": ids, "record_hash": hashes})
    expired_rows = plan.quarantine_expired
    con.register(
        "gone_quarantine",
        pa.table(
            {
                "source": pa.array([r[0] for r in expired_rows], pa.string()),
                "source_file": pa.array([r[1] for r in expired_rows], pa.string()),
                "row_number": pa.array([r[2] for r in expired_rows], pa.int64()),
            }
        ),
    )
    con.execute("BEGIN TRANSACTION")
    try:
        removal.live_entries = _live_entries(con)
        removal.derived = _cascade(con)
        removal.derived["quarantine_rows_expired"] = _count(
            con,
            "DELETE FROM quarantine q USING gone_quarantine g WHERE q.source = g.source "
            "AND q.source_file = g.source_file AND q.row_number = g.row_number "
            "AND coalesce(q.severity, 'row') = 'row' RETURNING 1",
        ) if warehouse.table_exists(con, "quarantine") else 0  # fmt: skip
        con.execute(
            "INSERT INTO retention_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [removal.run_id, removal.applied_at, plan.as_of, str(plan.policy.path),
             plan.policy.version, plan.policy.sha256, json.dumps(removal.removed),
             json.dumps(removal.derived)],
        )  # fmt: skip
        rows = [
            (removal.run_id, s, t, g, h) for (s, t, g), hs in sorted(groups.items()) for h in hs
        ]
        if rows:
            con.executemany("INSERT INTO retention_removed VALUES (?, ?, ?, ?, ?)", rows)
        if removal.live_entries and forget_live is not None:
            forget_live(removal.live_entries)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in (*_GONE, "gone_quarantine"):
            con.unregister(name)
    return removal


_PERSON = "(source_system, person_record_id) IN (SELECT source_system, record_id FROM gone_people)"
_INCIDENT = (
    "(source_system, incident_record_id) IN (SELECT source_system, record_id FROM gone_incidents)"
)
_LIVE_ROWS = {  # where each source table's expired rows are
    "involvements": f"{_PERSON} OR {_INCIDENT}",
    "person_records": _PERSON,
    "incident_records": _INCIDENT,
    "police_uk_records": "incident_id IN (SELECT record_id FROM gone_police)",
}


def _live_entries(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """The live journal entries (journal id → seqs) the expired rows came from; their
    entries in the warehouse's ledger lose the idempotency key (it names the record)."""
    selects = [
        f"SELECT source_file, row_number FROM {table} "
        f"WHERE starts_with(source_file, '{LIVE_PREFIX}') AND ({where})"
        for table, where in _LIVE_ROWS.items()
        if warehouse.table_exists(con, table)
    ]
    if not selects:
        return {}
    found = con.execute(
        f"SELECT source_file[{len(LIVE_PREFIX) + 1}:] AS journal_id, list(DISTINCT row_number "
        f"ORDER BY row_number) FROM ({' UNION '.join(selects)}) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    entries = {journal_id: seqs for journal_id, seqs in found}
    if entries and warehouse.table_exists(con, "live_records"):
        con.execute(
            "UPDATE live_records SET idempotency_key = 'expired', outcome = 'expired' "
            "WHERE (journal_id, seq) IN (SELECT e.j, unnest(e.s) FROM "
            "(SELECT unnest($entries) AS e))",
            {"entries": [{"j": j, "s": s} for j, s in entries.items()]},
        )
    return entries


def _cascade(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete the expired records and everything derived from them; rows per table."""
    out: dict[str, int] = {}
    person, incident = _PERSON, _INCIDENT
    if warehouse.table_exists(con, "involvements"):
        # The source rows going: their field-level quarantine entries go with them.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE gone_rows AS "
            f"SELECT source_system, source_file, row_number FROM involvements "
            f"WHERE {person} OR {incident} "
            f"UNION SELECT source_system, source_file, row_number FROM person_records "
            f"WHERE {person} "
            f"UNION SELECT source_system, source_file, row_number FROM incident_records "
            f"WHERE {incident}"
        )
        if warehouse.table_exists(con, "quarantine"):
            out["quarantine_rows_of_records"] = _count(
                con,
                "DELETE FROM quarantine q USING gone_rows g WHERE q.source = g.source_system "
                "AND q.source_file = g.source_file AND q.row_number = g.row_number RETURNING 1",
            )
        out["involvements"] = _count(
            con, f"DELETE FROM involvements WHERE {person} OR {incident} RETURNING 1"
        )
        con.execute("DROP TABLE gone_rows")
    if warehouse.table_exists(con, "person_records"):
        out["person_records"] = _count(
            con, f"DELETE FROM person_records WHERE {person} RETURNING 1"
        )
    if warehouse.table_exists(con, "incident_records"):
        out["incident_records"] = _count(
            con, f"DELETE FROM incident_records WHERE {incident} RETURNING 1"
        )
    if warehouse.table_exists(con, "person_links"):
        out["person_links"] = _count(con, f"DELETE FROM person_links WHERE {person} RETURNING 1")
    if warehouse.table_exists(con, "incident_links"):
        out["incident_links"] = _count(
            con, f"DELETE FROM incident_links WHERE {incident} RETURNING 1"
        )
    if warehouse.table_exists(con, "place_links"):
        out["place_links"] = _count(
            con,
            "DELETE FROM place_links WHERE (record_kind = 'person' AND (source_system, record_id) "
            "IN (SELECT source_system, record_id FROM gone_people)) OR (record_kind = 'incident' "
            "AND (source_system, record_id) IN (SELECT source_system, record_id FROM "
            "gone_incidents)) RETURNING 1",
        )
    if warehouse.table_exists(con, "review_queue"):
        out["review_pairs"] = _count(
            con,
            "DELETE FROM review_queue WHERE (left_system, left_record_id) IN "
            "(SELECT source_system, record_id FROM gone_people) OR (right_system, right_record_id) "
            "IN (SELECT source_system, record_id FROM gone_people) RETURNING 1",
        )
    if warehouse.table_exists(con, "match_decisions"):
        redacted = 0
        for side in ("left", "right"):
            redacted += _count(
                con,
                f"UPDATE match_decisions m SET {side}_record_id = 'expired:' || g.record_hash "
                f"FROM gone_people g WHERE m.{side}_system = g.source_system "
                f"AND m.{side}_record_id = g.record_id RETURNING 1",
            )
        out["decisions_redacted"] = redacted
    if warehouse.table_exists(con, "police_uk_records"):
        out["police_uk_rows"] = _count(
            con,
            "DELETE FROM police_uk_records WHERE incident_id IN "
            "(SELECT record_id FROM gone_police) RETURNING 1",
        )
    return out


def write_log_line(path: Path, entry: dict) -> None:
    """Append one JSON line (the file is only ever appended to)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
