"""The stewards' review loop: uncertain pairs with their evidence, and decisions that stick.

Each warehouse run queues the pairs it scored in the uncertain band with the match
weight each comparison contributed. A decision (match / not a match / unsure, who,
when, why) is kept for good and acts on every later run: "match" joins the two records,
"not a match" keeps them apart (splitting a person if they were in one), "unsure" only
takes the pair off the queue.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from core import warehouse

REVIEW_BAND = (0.3, 0.95)
DECISIONS = ("match", "not_a_match", "unsure")

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("review_queue", "match_decisions", "decided_evidence")
_DECISION_COLUMNS = (
    "(pair_id, left_system, left_record_id, right_system, right_record_id, decision, "
    "decided_by, decided_at, reason)"
)


class ReviewError(ValueError):
    """A review command that cannot be carried out (unknown pair, bad decision)."""


def pair_id(left: tuple[str, str], right: tuple[str, str]) -> str:
    a, b = sorted([f"{left[0]}|{left[1]}", f"{right[0]}|{right[1]}"])
    return hashlib.sha1(f"{a}||{b}".encode()).hexdigest()[:16]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    warehouse.ensure_tables(con, *TABLES)


def decisions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str]]:
    """(left_system, left_record, right_system, right_record, decision) for every decision."""
    ensure_schema(con)
    return con.execute(
        "SELECT left_system, left_record_id, right_system, right_record_id, decision "
        "FROM match_decisions"
    ).fetchall()


def _keep_evidence(con: duckdb.DuckDBPyConnection, where: str, params: list) -> None:
    """Snapshot the queued evidence of decided pairs (``where`` picks them) before they go."""
    con.execute(
        "INSERT OR REPLACE INTO decided_evidence SELECT pair_id, match_probability, "
        f"match_weight, evidence, model_version FROM review_queue WHERE {where}",
        params,
    )


def requeue(con: duckdb.DuckDBPyConnection, candidates: list[tuple], model_version: int) -> int:
    """Replace the open queue with this run's uncertain pairs not yet decided."""
    ensure_schema(con)
    _keep_evidence(con, "pair_id IN (SELECT pair_id FROM match_decisions)", [])
    decided = {r[0] for r in con.execute("SELECT pair_id FROM match_decisions").fetchall()}
    rows = []
    for left, right, probability, weight, evidence in candidates:
        pid = pair_id(left, right)
        if pid not in decided:
            rows.append((pid, *left, *right, probability, weight, evidence, model_version))
    con.execute("DELETE FROM review_queue")
    if rows:
        con.executemany(
            "INSERT OR REPLACE INTO review_queue VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return len(rows)


@dataclass
class QueueItem:
    pair_id: str
    left: tuple[str, str]
    right: tuple[str, str]
    match_probability: float
    match_weight: float | None
    evidence: dict


def list_queue(con: duckdb.DuckDBPyConnection, limit: int = 20, offset: int = 0) -> list[QueueItem]:
    """Open pairs, closest to the decision boundary first."""
    ensure_schema(con)
    rows = con.execute(
        "SELECT pair_id, left_system, left_record_id, right_system, right_record_id, "
        "match_probability, match_weight, evidence FROM review_queue "
        "ORDER BY abs(match_probability - 0.5), pair_id LIMIT ? OFFSET ?",
        [limit, offset],
    ).fetchall()
    return [_item(r) for r in rows]


def _item(row) -> QueueItem:
    return QueueItem(row[0], (row[1], row[2]), (row[3], row[4]), row[5], row[6],
                     json.loads(row[7]) if row[7] else {})  # fmt: skip


def show(con: duckdb.DuckDBPyConnection, pid: str) -> tuple[QueueItem, list[dict]]:
    """A queued pair with both records' details side by side."""
    ensure_schema(con)
    rows = con.execute(
        "SELECT pair_id, left_system, left_record_id, right_system, right_record_id, "
        "match_probability, match_weight, evidence FROM review_queue WHERE pair_id = ?",
        [pid],
    ).fetchall()
    if not rows:
        raise ReviewError(f"no open pair {pid!r} in the review queue")
    item = _item(rows[0])
    records = []
    for system, record_id in (item.left, item.right):
        found = con.execute(
            "SELECT source_system, person_record_id, forename, middle_names, surname, "
            "date_of_birth, dob_precision, sex, address, postcode FROM person_records "
            "WHERE source_system = ? AND person_record_id = ? LIMIT 1",
            [system, record_id],
        ).fetchall()
        columns = ["source_system", "person_record_id", "forename", "middle_names", "surname",
                   "date_of_birth", "dob_precision", "sex", "address", "postcode"]  # fmt: skip
        records.append(dict(zip(columns, found[0], strict=True)) if found else {})
    return item, records


def decide(
    con: duckdb.DuckDBPyConnection, pid: str, decision: str, *, who: str, reason: str | None
) -> None:
    """Record a steward's decision on a queued pair; it binds every later run."""
    ensure_schema(con)
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    if not who.strip():
        raise ReviewError("a decision needs the name of who made it")
    rows = con.execute(
        "SELECT left_system, left_record_id, right_system, right_record_id FROM review_queue "
        "WHERE pair_id = ?",
        [pid],
    ).fetchall()
    if not rows:
        raise ReviewError(f"no open pair {pid!r} in the review queue")
    con.execute(
        f"INSERT OR REPLACE INTO match_decisions {_DECISION_COLUMNS} "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [pid, *rows[0], decision, who, datetime.now(UTC).replace(tzinfo=None), reason],
    )
    _keep_evidence(con, "pair_id = ?", [pid])
    con.execute("DELETE FROM review_queue WHERE pair_id = ?", [pid])


def unmerge(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    record_keys: list[tuple[str, str]],
    *,
    who: str,
    reason: str | None,
) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Split records off a wrongly merged person: "not a match" between each of them and
    every other record of the person, kept in match_decisions so every later run honours it.

    Returns the (split-off record, remaining record) pairs decided.
    """
    ensure_schema(con)
    if not who.strip():
        raise ReviewError("an unmerge needs the name of who made it")
    members = {
        (s, r)
        for s, r in con.execute(
            "SELECT source_system, person_record_id FROM person_links WHERE person_id = ?",
            [person_id],
        ).fetchall()
    }
    if not members:
        raise ReviewError(f"no person {person_id!r} in person_links")
    split_off = list(dict.fromkeys(record_keys))
    strangers = [f"{s}:{r}" for s, r in split_off if (s, r) not in members]
    if strangers:
        raise ReviewError(f"not records of {person_id}: {', '.join(strangers)}")
    remaining = sorted(members - set(split_off))
    if not split_off or not remaining:
        raise ReviewError("name some, but not all, of the person's records to split off")
    now = datetime.now(UTC).replace(tzinfo=None)
    pairs = [(left, right) for left in split_off for right in remaining]
    con.executemany(
        f"INSERT OR REPLACE INTO match_decisions {_DECISION_COLUMNS} "
        "VALUES (?, ?, ?, ?, ?, 'not_a_match', ?, ?, ?)",
        [(pair_id(left, right), *left, *right, who, now, reason) for left, right in pairs],
    )
    decided = [[pair_id(left, right) for left, right in pairs]]
    _keep_evidence(con, "pair_id IN (SELECT unnest(?::VARCHAR[]))", decided)
    con.execute("DELETE FROM review_queue WHERE pair_id IN (SELECT unnest(?::VARCHAR[]))", decided)
    return pairs
