"""Live records into the warehouse, where batch resolution, risk and retention see them.

Applied journal entries become rows of the batch's own source tables (``police_uk_records``;
``person_records``, ``incident_records`` and ``involvements``; field-level ``quarantine``
rows for values a check dropped), with ``source_file`` = ``live:<journal id>`` and
``row_number`` = the entry's ``seq``, so every row says where it came from. Each entry is
taken once: the ``live_records`` ledger names every entry taken (its source, kind and
idempotency key) in the same transaction as its rows, and the journal's settled prefix
(``Journal.settled``) is read from the last entry the ledger holds.

The API's applier does this within seconds of applying (``Applier``), whenever no batch
stage holds the warehouse; every batch stage that reads source records does it first
(``crimegraph.pipeline.take_in_live``), so it never works without the records applied so
far.

A record the batch also holds (the same incident in a police.uk file, the same person
record in a source's extract) is kept once: ``settle`` removes the live row, since the
file is the source of record (incident counts then agree with police.uk's own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from core import warehouse
from core.errors import CrimegraphError
from core.warehouse_schema import LIVE_PREFIX
from live.journal import Entry, Journal
from resolver import police_uk
from resolver.adapters.base import INCIDENT, PERSON
from resolver.registered_ingest import INCIDENT_COLUMNS, INVOLVEMENT_COLUMNS, PERSON_COLUMNS

STORED, DUPLICATE = "stored", "duplicate"
BATCH = 5000
TABLES = ("live_records", "police_uk_records", "person_records", "incident_records",
          "involvements", "quarantine")  # fmt: skip
_POLICE_UK_COLUMNS = [*police_uk.RECORD_COLUMNS, "record_ref"]
_LEDGER_COLUMNS = ["journal_id", "seq", "source", "kind", "idempotency_key", "accepted_at",
                   "applied_at", "stored_at", "outcome"]  # fmt: skip


class JournalMismatch(CrimegraphError):
    """The warehouse has taken entries this journal never had (a journal older than it)."""


def source_file(journal_id: str) -> str:
    return f"{LIVE_PREFIX}{journal_id}"


@dataclass
class Taken:
    """What one ``take`` wrote: entries by outcome, rows per table."""

    journal_id: str = ""
    entries: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    through_seq: int = 0

    @property
    def total(self) -> int:
        return sum(self.entries.values())


def _stored_outcome(entry: Entry, outcome: str | None) -> bool:
    """Whether applying the entry gave the graph a record it did not hold."""
    if entry.kind == INCIDENT:
        return outcome in ("new", "added")
    decision = json.loads(outcome).get("decision") if outcome else None
    return decision not in ("seen", "duplicate")


@dataclass
class _Rows:
    """The warehouse rows of a batch of entries, column by column."""

    journal_id: str
    police: dict[str, list] = field(default_factory=lambda: {c: [] for c in _POLICE_UK_COLUMNS})
    people: dict[str, list] = field(default_factory=lambda: {c: [] for c in PERSON_COLUMNS})
    incidents: dict[str, list] = field(default_factory=lambda: {c: [] for c in INCIDENT_COLUMNS})
    links: dict[str, list] = field(default_factory=lambda: {c: [] for c in INVOLVEMENT_COLUMNS})
    # (source, source_file, row_number, field, reason, raw, severity)
    quarantine: list[tuple] = field(default_factory=list)
    ledger: dict[str, list] = field(default_factory=lambda: {c: [] for c in _LEDGER_COLUMNS})

    @staticmethod
    def _append(table: dict[str, list], values: dict[str, Any]) -> None:
        for column, column_values in table.items():
            column_values.append(values.get(column))

    def add(self, entry: Entry, outcome: str | None, now: datetime) -> str:
        where = {"source_file": source_file(self.journal_id), "row_number": entry.seq}
        p = entry.payload
        kept = _stored_outcome(entry, outcome)
        if kept and entry.kind == INCIDENT:
            self._append(self.police, {**p, **where})
        elif kept and entry.kind == PERSON:
            where["source_system"] = p["system"]
            self._append(self.people, {**p, **where, "person_record_id": p["record_id"]})
            incident = p.get("incident")
            if incident is not None:
                self._append(self.incidents, {**incident, **where})
            self._append(self.links, {**where, "record_id": p.get("record_ref"),
                                      "person_record_id": p["record_id"],
                                      "incident_record_id": p.get("incident_record_id"),
                                      "role": p.get("role")})  # fmt: skip
            dropped = p.get("dropped", [])
            fields = p.get("dropped_fields") or [column for column, _ in dropped]
            self.quarantine += [
                (entry.source, where["source_file"], entry.seq, f, reason, None, "field")
                for f, (_column, reason) in zip(fields, dropped, strict=True)
            ]
        verdict = STORED if kept else DUPLICATE
        self._append(self.ledger, {
            "journal_id": self.journal_id, "seq": entry.seq, "source": entry.source,
            "kind": entry.kind, "idempotency_key": entry.key,
            "accepted_at": _when(entry.accepted_at), "applied_at": _when(entry.applied_at),
            "stored_at": now, "outcome": verdict,
        })  # fmt: skip
        return verdict


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, conflict: str) -> int:
    """Insert ``rows`` by column name; rows whose key the table holds are left out."""
    if rows.num_rows == 0:
        return 0
    con.register("incoming_live", rows)
    try:
        columns = ", ".join(rows.column_names)
        found = con.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_live "
            f"ON CONFLICT {conflict} DO NOTHING RETURNING 1"
        ).fetchall()
    finally:
        con.unregister("incoming_live")
    return len(found)


_ARROW = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}  # fmt: skip


def _typed(values: list, arrow_type: pa.DataType) -> pa.Array:
    if arrow_type == pa.date32():  # dates travel through the journal as ISO text
        values = [date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    return pa.array(values, arrow_type)


def _table(con: duckdb.DuckDBPyConnection, target: str, columns: dict[str, list]) -> pa.Table:
    """The columns typed as the warehouse table ``target`` has them."""
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? AND table_schema = 'main'",
            [target],
        ).fetchall()
    )
    return pa.table(
        {name: _typed(values, _ARROW.get(types[name], pa.string()))
         for name, values in columns.items()}
    )  # fmt: skip


def _write(con: duckdb.DuckDBPyConnection, rows: _Rows) -> dict[str, int]:
    targets = [
        ("police_uk_records", rows.police, "(source_file, row_number)"),
        ("person_records", rows.people, "(source_system, source_file, person_record_id)"),
        ("incident_records", rows.incidents, "(source_system, source_file, incident_record_id)"),
        ("involvements", rows.links, "(source_system, source_file, row_number)"),
    ]
    written = {
        target: _insert(con, target, _table(con, target, columns), conflict)
        for target, columns, conflict in targets
    }
    if rows.quarantine:
        con.register("incoming_live", pa.table(
            list(zip(*rows.quarantine, strict=True)), schema=warehouse.QUARANTINE_SCHEMA
        ))  # fmt: skip
        try:
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_live")
        finally:
            con.unregister("incoming_live")
        written["quarantine"] = len(rows.quarantine)
    _insert(con, "live_records", _table(con, "live_records", rows.ledger), "(journal_id, seq)")
    return written


def taken_through(con: duckdb.DuckDBPyConnection, journal_id: str) -> int:
    """The last ``seq`` of this journal the warehouse has taken (0: none)."""
    if not warehouse.table_exists(con, "live_records"):
        return 0
    (through,) = con.execute(
        "SELECT coalesce(max(seq), 0) FROM live_records WHERE journal_id = ?", [journal_id]
    ).fetchone()
    return int(through)


def take(con: duckdb.DuckDBPyConnection, journal: Journal, *, batch: int = BATCH) -> Taken:
    """Write every settled journal entry the warehouse has not taken, once, in batches of
    one transaction each (rows and ledger together)."""
    warehouse.ensure_tables(con, *TABLES)
    taken = Taken(journal.id)
    through = taken_through(con, journal.id)
    if through > journal.last_seq():
        raise JournalMismatch(
            f"{journal.path}: the warehouse has taken live entries up to {through} from "
            f"journal {journal.id}, which has given only {journal.last_seq()} (restored from "
            "an older backup than the warehouse?); `crimegraph live reset` starts afresh"
        )
    taken.through_seq = through
    while entries := journal.settled(through, batch):
        rows = _Rows(journal.id)
        now = datetime.now(UTC).replace(tzinfo=None)
        for entry, outcome in entries:
            verdict = rows.add(entry, outcome, now)
            taken.entries[verdict] = taken.entries.get(verdict, 0) + 1
        con.execute("BEGIN TRANSACTION")
        try:
            for table, count in _write(con, rows).items():
                taken.rows[table] = taken.rows.get(table, 0) + count
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        through = taken.through_seq = entries[-1][0].seq
    return taken


# Live rows the batch holds too, by what names the record in each table.
_TWINS = {
    "police_uk_records": ("incident_id",),
    "person_records": ("source_system", "person_record_id"),
    "incident_records": ("source_system", "incident_record_id"),
    "involvements": ("source_system", "person_record_id", "incident_record_id", "role"),
}


def settle(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Remove live rows whose record a source file holds too (set-wise; rows per table).
    A live row's field-level quarantine entries go with it."""
    removed: dict[str, int] = {}
    for table, key in _TWINS.items():
        if not warehouse.table_exists(con, table):
            continue
        same = " AND ".join(f"f.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
        source = "'police.uk'" if table == "police_uk_records" else "t.source_system"
        gone = con.execute(
            f"DELETE FROM {table} t WHERE starts_with(t.source_file, $live) AND EXISTS "
            f"(SELECT 1 FROM {table} f WHERE NOT starts_with(f.source_file, $live) AND {same}) "
            f"RETURNING {source}, t.source_file, t.row_number",
            {"live": LIVE_PREFIX},
        ).fetchall()
        removed[table] = len(gone)
        if gone and warehouse.table_exists(con, "quarantine"):
            con.execute(
                "DELETE FROM quarantine WHERE (source, source_file, row_number) IN "
                "(SELECT r.s, r.f, r.n FROM (SELECT unnest($rows) AS r))",
                {"rows": [{"s": s, "f": f, "n": n} for s, f, n in gone]},
            )
    return removed


def mark(con: duckdb.DuckDBPyConnection, stage: str, taken: Taken) -> None:
    """Record that ``stage``'s output counts the live entries up to ``taken.through_seq``
    (the API's live overlay then adds only the later ones)."""
    warehouse.ensure_tables(con, "live_watermarks")
    con.execute(
        "INSERT OR REPLACE INTO live_watermarks VALUES (?, ?, ?, ?)",
        [stage, taken.journal_id, taken.through_seq, datetime.now(UTC).replace(tzinfo=None)],
    )


def take_path(warehouse_path: Path, journal: Journal, *, wait_s: float) -> Taken:
    """``take`` and ``settle`` on the warehouse at ``warehouse_path`` (``WarehouseBusy``
    when another process holds it longer than ``wait_s``)."""
    with warehouse.connect(warehouse_path, wait_s=wait_s) as con:
        taken = take(con, journal)
        if taken.total:
            settle(con)
        return taken


def forget(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Remove every live row, the ledger and the watermarks (``crimegraph live reset``);
    rows per table."""
    removed: dict[str, int] = {}
    for table in (*TABLES, "live_watermarks"):
        if warehouse.table_exists(con, table):
            live = table in ("live_records", "live_watermarks")
            test = "true" if live else "starts_with(source_file, $live)"
            removed[table] = len(
                con.execute(
                    f"DELETE FROM {table} WHERE {test} RETURNING 1",
                    {} if live else {"live": LIVE_PREFIX},
                ).fetchall()
            )
    return removed
