"""Live records in the warehouse, end to end: records sent to the API reach the warehouse
within seconds (the applier's leader writes them), and a retention policy removes the
expired ones as it removes batch rows: from the warehouse, the live journal and the
graph, with the rest kept."""

from __future__ import annotations

import time
from datetime import date

import pytest

from core import warehouse
from crimegraph import pipeline
from graph.connection import driver as sync_driver
from live.intake import journal_path
from live.journal import Journal
from testkit.cypher import TESTS
from tests.api_world import AGENCY, people_world
from tests.test_live import crime, incident

pytestmark = pytest.mark.neo4j

INGEST = """mutation Ingest($source: String!, $records: [JSON!]!) {
  ingestRecords(source: $source, records: $records) { accepted rejected }
}"""
# police.uk crimes go five years after their month; the agency's people at 90 (the batch's
# are younger), its incidents stay.
POLICY = f"""
version: test-live
rules:
  - {{system: police.uk, record_type: incident, group: five years, period: 5 years,
     from: incident_date}}
  - {{system: {AGENCY}, record_type: person, group: to 90, period: 90 years,
     from: date_of_birth}}
  - {{system: {AGENCY}, record_type: incident, group: kept, period: indefinite}}
"""
OLD_PERSON = {
    "Nominal Ref": "LIVE-OLD", "Surname": "Quixote-Zebedee", "Forename(s)": "Ignatius",
    "DOB": "29/02/1932", "Sex": "M", "Home Address": "1 Nowhere Lane, Bangor",
    "Home Postcode": "LL57 2AB", "Occurrence Ref": "OCC-LIVE-OLD", "Involvement": "victim",
}  # fmt: skip


@pytest.fixture(scope="module")
def w(neo4j_settings, tmp_path_factory):
    with people_world(neo4j_settings, tmp_path_factory.mktemp("live-retention")) as world:
        yield world


def _sent(world, source: str, records: list) -> None:
    body = world.gql(INGEST, {"source": source, "records": records}, role="ingest")
    assert body["data"]["ingestRecords"]["accepted"] == len(records), body


def _live_rows(settings) -> dict[str, set[str]]:
    """The live rows the warehouse holds: police.uk crime ids, person record ids."""
    with warehouse.connect_read_only(settings.warehouse_path) as con:
        if not warehouse.table_exists(con, "live_records"):
            return {"police.uk": set(), AGENCY: set()}
        crimes = con.execute(
            "SELECT crime_id FROM police_uk_records WHERE starts_with(source_file, 'live:')"
        ).fetchall()
        people = con.execute(
            "SELECT person_record_id FROM person_records WHERE starts_with(source_file, 'live:')"
        ).fetchall()
    return {"police.uk": {c for (c,) in crimes}, AGENCY: {p for (p,) in people}}


def _journal_entries(settings) -> int:
    journal = Journal(journal_path(settings.data_dir))
    try:
        return len(journal.settled())
    finally:
        journal.close()


def _record(world, key: str) -> list:
    with sync_driver(world.neo4j) as drv:
        found, _, _ = drv.execute_query(TESTS.statement("live_person_record"), key=key)
    return found


def test_live_records_reach_the_warehouse_and_retention_removes_the_expired(w, tmp_path) -> None:
    settings = w.neo4j.with_data_dir(w.data_dir)
    _sent(w, "police.uk", [crime("live-old", month="2019-01"), crime("live-new")])
    _sent(w, AGENCY, [OLD_PERSON])
    want = {"police.uk": {"live-old", "live-new"}, AGENCY: {"LIVE-OLD"}}
    deadline = time.monotonic() + 60
    while (held := _live_rows(settings)) != want:  # the applier stores every 5 s
        assert time.monotonic() < deadline, f"the warehouse holds only {held}"
        time.sleep(0.5)
    assert incident(w.neo4j, "live-old") is not None and _record(w, f"{AGENCY}:LIVE-OLD")

    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    plan = pipeline.retention_plan(settings, date(2026, 12, 1), policy)
    expired = {(v.candidate.system, v.candidate.record_id) for v in plan.expired}
    assert ("police.uk", "live-old") in expired and (AGENCY, "LIVE-OLD") in expired
    assert ("police.uk", "live-new") not in expired

    before = _journal_entries(settings)
    report = pipeline.retention_apply(settings, date(2026, 12, 1), policy)

    assert _live_rows(settings) == {"police.uk": {"live-new"}, AGENCY: set()}
    assert _journal_entries(settings) == before - 2  # the two entries they came from
    assert incident(w.neo4j, "live-old") is None  # the live-only nodes went too
    assert incident(w.neo4j, "live-new") is not None
    assert _record(w, f"{AGENCY}:LIVE-OLD") == []
    live = report.graph["live"]
    assert (live["incidents"], live["records"]) == (1, 1), live
    with warehouse.connect_read_only(settings.warehouse_path) as con:
        outcomes = con.execute(
            "SELECT outcome, count(*) FROM live_records GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert dict(outcomes).get("expired") == 2  # the ledger keeps no key of what went
