"""A decided pair keeps the evidence it left the review queue with, in the warehouse, so a
clean graph load shows it as incremental loads do."""

from __future__ import annotations

import json

import duckdb

from graph.load_steps import _review_pairs
from resolver.linkage import review_queue

LEFT, RIGHT, OTHER = ("police_a", "N1"), ("council", "C1"), ("police_b", "PB1")
EVIDENCE = json.dumps({"forename": 1.94, "home": 9.61})


def _queued(con: duckdb.DuckDBPyConnection) -> str:
    review_queue.requeue(con, [(LEFT, RIGHT, 0.72, 1.38, EVIDENCE)], model_version=3)
    return review_queue.pair_id(LEFT, RIGHT)


def _graph_row(con: duckdb.DuckDBPyConnection, pid: str) -> tuple:
    return con.execute(
        f"SELECT match_probability, match_weight, evidence, model_version, status "
        f"FROM ({_review_pairs(con)}) WHERE key = ?",
        [pid],
    ).fetchone()


def test_a_decision_keeps_the_evidence_it_was_made_on() -> None:
    con = duckdb.connect()
    pid = _queued(con)
    review_queue.decide(con, pid, "not_a_match", who="steward", reason="siblings")
    assert review_queue.list_queue(con) == []
    probability, weight, evidence, version, status = _graph_row(con, pid)
    assert (probability, weight, version, status) == (0.72, 1.38, 3, "decided")
    assert json.loads(evidence) == json.loads(EVIDENCE)
    review_queue.requeue(con, [], model_version=4)  # a later run: the evidence stays
    assert _graph_row(con, pid)[:2] == (0.72, 1.38)


def test_an_unmerge_keeps_the_evidence_of_queued_pairs_it_decides() -> None:
    con = duckdb.connect()
    pid = _queued(con)
    con.execute(
        "CREATE TABLE person_links AS SELECT * FROM (VALUES ('P1', 'police_a', 'N1'), "
        "('P1', 'council', 'C1'), ('P1', 'police_b', 'PB1')) "
        "t(person_id, source_system, person_record_id)"
    )
    review_queue.unmerge(con, "P1", [LEFT], who="steward", reason="two people")
    assert _graph_row(con, pid)[:2] == (0.72, 1.38)
    never_queued = review_queue.pair_id(LEFT, OTHER)
    assert _graph_row(con, never_queued) == (None, None, None, None, "decided")
