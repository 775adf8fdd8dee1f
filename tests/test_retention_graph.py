"""`retention apply` end to end on a small simulated world: warehouse, re-resolution, the real
Neo4j graph and the log; a second apply on the same day changes nothing."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from core import warehouse
from crimegraph import pipeline
from graph.load import load_graph
from tests.test_linkage_places_incidents import (  # noqa: F401 (fixtures)
    incident_warehouse,
    resolved,
    world,
)
from tests.test_load_idempotent import graph_checksum

pytestmark = pytest.mark.neo4j

# A test policy: the council's ASB records go 30 days after the event; the rest stay.
POLICY = """
version: test-short-asb
rules:
  - {system: council_asb, record_type: incident, group: short ASB, period: 30 days,
     from: incident_date}
  - {system: council_asb, record_type: person, group: short ASB, period: 30 days,
     from: last_involvement}
  - {system: [police_a, police_b, social_care, police.uk], record_type: incident,
     group: kept, period: indefinite}
  - {system: [police_a, police_b, social_care], record_type: person, group: kept,
     period: indefinite}
"""


def _keys(driver, cypher: str) -> set[str]:
    records, _, _ = driver.execute_query(cypher)
    return {r["key"] for r in records}


def test_apply_removes_expired_records_from_warehouse_and_graph(
    resolved,  # noqa: F811
    neo4j_settings,
    neo4j_driver,
    tmp_path,
) -> None:
    shutil.copy(resolved[0], tmp_path / "warehouse.duckdb")
    settings = neo4j_settings.with_data_dir(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    with warehouse.connect(settings.warehouse_path) as con:
        load_graph(con, neo4j_driver)
        dates = sorted(
            d
            for (d,) in con.execute(
                "SELECT incident_date FROM incident_records WHERE source_system = 'council_asb' "
                "AND incident_date IS NOT NULL"
            ).fetchall()
        )
    as_of = dates[len(dates) // 2] + timedelta(days=30)  # about half the ASB records expire

    plan = pipeline.retention_plan(settings, as_of, policy)
    gone_people = {
        f"{v.candidate.system}:{v.candidate.record_id}"
        for v in plan.expired
        if v.candidate.record_type == "person"
    }
    assert gone_people and {v.candidate.system for v in plan.expired} == {"council_asb"}
    before = _keys(neo4j_driver, "MATCH (s:SourceRecord) RETURN s.key AS key")
    assert gone_people <= before

    report = pipeline.retention_apply(settings, as_of, policy)

    assert report.removal.records == len(plan.expired)
    after = _keys(neo4j_driver, "MATCH (s:SourceRecord) RETURN s.key AS key")
    assert not after & gone_people  # the expired records are gone from the graph
    assert after == before - gone_people  # and every other record is still there
    orphans, _, _ = neo4j_driver.execute_query(
        "MATCH (p:Person) WHERE NOT (:SourceRecord)-[:RESOLVED_TO]->(p) RETURN count(p) AS n"
    )
    assert orphans[0]["n"] == 0  # nobody is left whose only records went
    with warehouse.connect(settings.warehouse_path) as con:
        remaining = {
            f"{s}:{r}"
            for s, r in con.execute(
                "SELECT source_system, person_record_id FROM person_links"
            ).fetchall()
        }
        incident_records = set(
            con.execute("SELECT source_system, incident_record_id FROM incident_records").fetchall()
        )
        persons = {p for (p,) in con.execute("SELECT person_id FROM person_links").fetchall()}
    gone_incidents = {
        (v.candidate.system, v.candidate.record_id)
        for v in plan.expired
        if v.candidate.record_type == "incident"
    }
    assert remaining == after and gone_incidents and not gone_incidents & incident_records
    assert _keys(neo4j_driver, "MATCH (p:Person) RETURN p.person_id AS key") == persons

    log = [json.loads(line) for line in settings.retention_log_path.read_text().splitlines()]
    assert len(log) == 1 and log[0]["status"] == "ok" and log[0]["as_of"] == as_of.isoformat()
    assert log[0]["policy"]["version"] == "test-short-asb"
    assert sum(r["count"] for r in log[0]["removed"]) == len(plan.expired)
    assert sum(len(r["record_hashes"]) for r in log[0]["removed"]) == len(plan.expired)
    text = settings.retention_log_path.read_text()
    assert not any(f'"{v.candidate.record_id}"' in text for v in plan.expired)

    # The same day again: nothing expires, nothing is re-resolved, the graph is untouched.
    checksum = graph_checksum(neo4j_driver)
    again = pipeline.retention_apply(settings, as_of, policy)
    assert again.removal.records == 0 and again.resolution == {} and again.graph == {}
    assert graph_checksum(neo4j_driver) == checksum
    log = settings.retention_log_path.read_text().splitlines()
    assert len(log) == 2 and json.loads(log[1])["removed"] == []
