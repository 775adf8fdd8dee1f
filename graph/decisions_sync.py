"""Steward decisions made through the API (``MatchDecision`` nodes in Neo4j) copied into
the warehouse's ``match_decisions``, so the next resolution run honours them exactly as it
honours decisions made with ``crimegraph review decide``."""

from __future__ import annotations

import duckdb
from neo4j import Driver

from graph.cypher import statement
from resolver.linkage import review_queue


def _split_key(key: str) -> tuple[str, str]:
    system, _, record_id = key.partition(":")
    return system, record_id


def pull_api_decisions(driver: Driver, con: duckdb.DuckDBPyConnection) -> int:
    """Copy API decisions not yet in the warehouse; a later decision on a pair replaces an
    earlier one. Returns how many were copied."""
    review_queue.ensure_schema(con)  # with decision_id and origin (core/warehouse_schema.py)
    known = {d for (d,) in con.execute("SELECT decision_id FROM match_decisions").fetchall()}
    records, _, _ = driver.execute_query(statement("queries/api_decisions"))
    copied = 0
    for r in records:
        if r["decision_id"] in known or not r["left_key"] or not r["right_key"]:
            continue
        if r["decision"] not in review_queue.DECISIONS:
            continue
        left, right = _split_key(r["left_key"]), _split_key(r["right_key"])
        con.execute(
            "INSERT OR REPLACE INTO match_decisions (pair_id, left_system, left_record_id, "
            "right_system, right_record_id, decision, decided_by, decided_at, reason, "
            "decision_id, origin) VALUES ($pair, $ls, $lr, $rs, $rr, $decision, $who, "
            "CAST($at AS TIMESTAMPTZ)::TIMESTAMP, $reason, $id, 'api')",
            {
                "pair": review_queue.pair_id(left, right), "ls": left[0], "lr": left[1],
                "rs": right[0], "rr": right[1], "decision": r["decision"],
                "who": r["decided_by"] or "", "at": r["decided_at"], "reason": r["reason"],
                "id": r["decision_id"],
            },
        )  # fmt: skip
        copied += 1
    return copied
