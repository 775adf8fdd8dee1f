"""The intake journal: every accepted record, durably, before it is acknowledged.

SQLite in WAL mode with ``synchronous=FULL``: a commit has reached the disk when
``append`` returns, so an acknowledged record survives a crash of the API process or of
Neo4j. The idempotency key is UNIQUE, so delivering a record twice stores it once. The
applier reads entries not yet applied in ``seq`` order and marks them applied after the
graph has them; on restart everything unmarked is replayed (the graph writes are
idempotent, so an entry applied just before a crash is harmless to apply again).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resolver.adapters.base import StandardRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    accepted_at REAL NOT NULL,
    applied_at  REAL,
    outcome     TEXT
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries (seq) WHERE applied_at IS NULL;
CREATE TABLE IF NOT EXISTS numbers (
    key  TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta VALUES ('id', lower(hex(randomblob(8))));
"""


@dataclass(frozen=True)
class Entry:
    """One journalled record: the standardised payload the applier writes."""

    seq: int
    key: str
    source: str
    record_id: str
    kind: str
    payload: dict[str, Any]
    accepted_at: float
    applied_at: float | None = None


class Journal:
    """One SQLite file shared by the request handlers and the applier (thread-safe)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._con = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.executescript(_SCHEMA)
        # Names this journal's entries in the warehouse (live/warehouse_rows.py): a journal
        # made afresh (``crimegraph live reset``) numbers its entries from 1 again.
        (self.id,) = self._con.execute("SELECT value FROM meta WHERE name = 'id'").fetchone()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def append(self, entries: Iterable[StandardRecord]) -> list[bool]:
        """Store the entries in one committed transaction; per entry, True if it was new
        (False: its key was already journalled, so it is a duplicate delivery)."""
        now = time.time()
        stored: list[bool] = []
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                for e in entries:
                    cursor = self._con.execute(
                        "INSERT OR IGNORE INTO entries "
                        "(key, source, record_id, kind, payload, accepted_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (e.key, e.source, e.record_id, e.kind, json.dumps(e.payload), now),
                    )
                    stored.append(cursor.rowcount == 1)
                    if cursor.rowcount == 1 and e.number_by is not None and e.numbered:
                        self._number(e, cursor.lastrowid)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return stored

    def reuses_key(self, entry: StandardRecord) -> bool:
        """Whether ``entry``'s key is journalled for a different record (another source,
        record id or content): a reused idempotency key, not a redelivery. Entries that are
        numbered on arrival (their stored payload gains the number) compare by source and
        record id only."""
        with self._lock:
            row = self._con.execute(
                "SELECT source, record_id, payload FROM entries WHERE key = ?", (entry.key,)
            ).fetchone()
        if row is None:
            return False
        source, record_id, payload = row
        if (source, record_id) != (entry.source, entry.record_id):
            return True
        return entry.number_by is None and json.loads(payload) != entry.payload

    def _number(self, entry: StandardRecord, seq: int) -> None:
        """Give a just-inserted entry the next number of its ``number_by`` (inside the
        caller's transaction, so a number is taken only with the entry it went to)."""
        (number,) = self._con.execute(
            "INSERT INTO numbers (key, next) VALUES (?, 1) "
            "ON CONFLICT (key) DO UPDATE SET next = next + 1 RETURNING next - 1",
            (entry.number_by,),
        ).fetchone()
        payload = entry.numbered(entry.payload, number)
        self._con.execute(
            "UPDATE entries SET payload = ? WHERE seq = ?", (json.dumps(payload), seq)
        )

    def pending(self, limit: int = 500) -> list[Entry]:
        """The oldest entries not yet applied, in the order they were accepted."""
        with self._lock:
            rows = self._con.execute(
                "SELECT seq, key, source, record_id, kind, payload, accepted_at FROM entries "
                "WHERE applied_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [_entry(r) for r in rows]

    def mark_applied(self, outcomes: dict[int, str]) -> None:
        """Record that these entries (seq → outcome) are in the graph."""
        now = time.time()
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                self._con.executemany(
                    "UPDATE entries SET applied_at = ?, outcome = ? WHERE seq = ?",
                    [(now, outcome, seq) for seq, outcome in outcomes.items()],
                )
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise

    def applied(self, outcome: str, kind: str, after: int = 0, limit: int = -1) -> list[Entry]:
        """Applied entries with this outcome and ``seq`` above ``after``, in order (e.g. the
        new incidents: to rebuild the map's live overlay after a restart, and for every
        API process to follow what the one applier wrote). A single applier marks entries
        in ``seq`` order, so a reader that keeps the last ``seq`` it saw misses none."""
        with self._lock:
            rows = self._con.execute(
                "SELECT seq, key, source, record_id, kind, payload, accepted_at, applied_at "
                "FROM entries WHERE applied_at IS NOT NULL AND outcome = ? AND kind = ? "
                "AND seq > ? ORDER BY seq LIMIT ?",
                (outcome, kind, after, limit),
            ).fetchall()
        return [_entry(r) for r in rows]

    def outcomes(self, kind: str, after: int = 0, limit: int = -1) -> list[tuple[Entry, str]]:
        """Applied entries of one kind with ``seq`` above ``after`` and what applying each
        gave, in order (person records: which person, and any review pair)."""
        with self._lock:
            rows = self._con.execute(
                "SELECT seq, key, source, record_id, kind, payload, accepted_at, applied_at, "
                "outcome FROM entries WHERE applied_at IS NOT NULL AND kind = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (kind, after, limit),
            ).fetchall()
        return [(_entry(r[:-1]), r[-1]) for r in rows]

    def settled(self, after: int = 0, limit: int = -1) -> list[tuple[Entry, str]]:
        """Applied entries above ``after`` and below the first one still pending, with
        their outcomes, in order: the journal's settled prefix, which only grows at its
        end (one applier marks entries in ``seq`` order), so a reader that keeps the last
        ``seq`` it took takes each entry once."""
        with self._lock:
            rows = self._con.execute(
                "SELECT seq, key, source, record_id, kind, payload, accepted_at, applied_at, "
                "outcome FROM entries WHERE applied_at IS NOT NULL AND seq > ? AND seq < "
                "coalesce((SELECT min(seq) FROM entries WHERE applied_at IS NULL), 1 << 62) "
                "ORDER BY seq LIMIT ?",
                (after, limit),
            ).fetchall()
        return [(_entry(r[:-1]), r[-1]) for r in rows]

    def last_seq(self) -> int:
        """The highest ``seq`` this journal has given (0: none), forgotten entries included."""
        with self._lock:
            row = self._con.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'entries'"
            ).fetchone()
        return int(row[0]) if row else 0

    def forget(self, seqs: Iterable[int]) -> int:
        """Delete these entries (records the retention policy removed); how many went.
        The idempotency keys go with them: the same record sent again is new."""
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._con.executemany(
                    "DELETE FROM entries WHERE seq = ?", [(seq,) for seq in seqs]
                )
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return cursor.rowcount

    def counts(self) -> dict[str, int]:
        with self._lock:
            total, pending = self._con.execute(
                "SELECT count(*), count(*) FILTER (WHERE applied_at IS NULL) FROM entries"
            ).fetchone()
        return {"entries": total, "pending": pending}

    def oldest_pending(self) -> float | None:
        """When the oldest entry not yet applied was accepted (None: nothing waits)."""
        with self._lock:
            (accepted_at,) = self._con.execute(
                "SELECT min(accepted_at) FROM entries WHERE applied_at IS NULL"
            ).fetchone()
        return accepted_at


def _entry(row: tuple) -> Entry:
    seq, key, source, record_id, kind, payload, accepted_at, *applied_at = row
    return Entry(seq, key, source, record_id, kind, json.loads(payload), accepted_at, *applied_at)
