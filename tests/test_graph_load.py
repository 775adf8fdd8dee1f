"""The POLE load from a resolved warehouse: provenance, incremental reloads, kill and rerun."""

import os
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from core import warehouse
from crimegraph import pipeline
from graph import bulk_load, neo4j_server
from graph.connection import driver
from graph.cypher import statement
from graph.decisions_sync import pull_api_decisions
from graph.load import graph_counts, load_graph
from resolver.linkage import review_queue
from resolver.linkage.warehouse_people import resolve_warehouse_people
from testkit import ID_KEY
from testkit.instances import empty_graph, instance_settings
from tests.test_linkage_places_incidents import (  # noqa: F401 (fixtures)
    incident_warehouse,
    resolved,
    world,
)
from tests.test_load_idempotent import graph_checksum

pytestmark = pytest.mark.neo4j


@pytest.fixture()
def people_warehouse(resolved, tmp_path):  # noqa: F811
    """A private copy of the resolved warehouse (people, places, incidents)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(resolved[0], path)
    return path


def test_reload_writes_nothing_and_every_record_keeps_its_provenance(
    people_warehouse, neo4j_driver
) -> None:
    with warehouse.connect(people_warehouse) as con:
        first = load_graph(con, neo4j_driver, batch_size=700)
        checksum = graph_checksum(neo4j_driver)
        again = load_graph(con, neo4j_driver, batch_size=300)
        links = con.execute("SELECT count(*) FROM person_links").fetchall()[0][0]
        persons = con.execute("SELECT count(DISTINCT person_id) FROM person_links").fetchall()
    assert first.rows_written > 0 and again.rows_written == 0
    assert graph_checksum(neo4j_driver) == checksum
    counts = graph_counts(neo4j_driver)
    assert counts["node:SourceRecord"] == counts["relationship:RESOLVED_TO"] == links
    assert counts["node:Person"] == persons[0][0]
    assert counts["relationship:PARTY_TO"] > 0 and counts["relationship:LIVES_AT"] > 0
    orphans, _, _ = neo4j_driver.execute_query(
        "MATCH (s:SourceRecord) WHERE NOT (s)-[:RESOLVED_TO]->(:Person) RETURN count(s) AS n"
    )
    assert orphans[0]["n"] == 0
    # A person's facts name the systems and records they came from.
    rows, _, _ = neo4j_driver.execute_query(
        "MATCH (p:Person)-[r:PARTY_TO]->(i:Incident) "
        "RETURN p.sources AS person_sources, r.sources AS sources, r.records AS records LIMIT 50"
    )
    for row in rows:
        assert row["records"] and set(row["sources"]) <= set(row["person_sources"])


def test_load_command_reports_each_step_and_the_graph(
    people_warehouse, neo4j_settings, neo4j_driver
) -> None:
    """`crimegraph load` as a user runs it: a table of what each step wrote, then the
    graph's counts, which match the graph."""
    empty_graph(neo4j_driver)
    env = {
        **os.environ,
        "CRIMEGRAPH_DATA_DIR": str(people_warehouse.parent),
        "NEO4J_URI": neo4j_settings.neo4j.uri,
        "NEO4J_USER": neo4j_settings.neo4j.user,
        "NEO4J_PASSWORD": neo4j_settings.neo4j.password,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "crimegraph.cli", "load"], env=env, capture_output=True, text=True
    )
    output = done.stdout + done.stderr  # the CLI's console writes to stderr
    assert done.returncode == 0, output
    assert "seconds" in output and "incidents" in output
    incidents = graph_counts(neo4j_driver)["node:Incident"]
    assert f"node:Incident {incidents:>10,}".split() == next(
        line.split() for line in output.splitlines() if "node:Incident" in line
    )


def test_killed_load_run_again_gives_the_clean_graph(
    people_warehouse, neo4j_settings, neo4j_driver
) -> None:
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.neo4j.uri,
        "NEO4J_USER": neo4j_settings.neo4j.user,
        "NEO4J_PASSWORD": neo4j_settings.neo4j.password,
    }
    script = (
        "import sys; from pathlib import Path; from graph import connection; "
        "from graph.load import load_graph; "
        "from core import warehouse; from core.settings import load_settings\n"
        "with warehouse.connect(Path(sys.argv[1])) as con, "
        "connection.driver(load_settings()) as drv:\n"
        "    load_graph(con, drv, batch_size=50)\n"
    )
    loader = subprocess.Popen([sys.executable, "-c", script, str(people_warehouse)], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and loader.poll() is None:
            records, _, _ = neo4j_driver.execute_query("MATCH (i:Incident) RETURN count(i) AS n")
            if records[0]["n"] > 500:
                break
            time.sleep(0.05)
        assert loader.poll() is None, "the loader finished before it could be killed"
        loader.kill()
    finally:
        loader.wait()
    interrupted = graph_counts(neo4j_driver)
    with warehouse.connect(people_warehouse) as con:
        load_graph(con, neo4j_driver)
        resumed = (graph_counts(neo4j_driver), graph_checksum(neo4j_driver))
        empty_graph(neo4j_driver)
        load_graph(con, neo4j_driver)
        clean = (graph_counts(neo4j_driver), graph_checksum(neo4j_driver))
    assert interrupted != clean[0]
    assert resumed == clean


def test_split_person_moves_records_keeps_lineage_and_matches_a_clean_load(
    people_warehouse, neo4j_driver
) -> None:
    with warehouse.connect(people_warehouse) as con:
        load_graph(con, neo4j_driver)
        person_id, system, record_id = con.execute(
            "SELECT person_id, any_value(source_system), any_value(person_record_id) "
            "FROM person_links GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id "
            "LIMIT 1"
        ).fetchall()[0]
        members = [
            f"{s}:{r}"
            for s, r in con.execute(
                "SELECT source_system, person_record_id FROM person_links WHERE person_id = $p",
                {"p": person_id},
            ).fetchall()
        ]
        review_queue.unmerge(con, person_id, [(system, record_id)], who="steward", reason="test")
        resolve_warehouse_people(con, id_key=ID_KEY)
        report = load_graph(con, neo4j_driver)
        incremental = graph_checksum(neo4j_driver)
        empty_graph(neo4j_driver)
        load_graph(con, neo4j_driver)
        assert graph_checksum(neo4j_driver) == incremental
    assert report.steps["source_records"].updated >= 1
    assert report.rows_written < 2_000  # only what the split touched was written
    after, _, _ = neo4j_driver.execute_query(
        "MATCH (s:SourceRecord)-[:RESOLVED_TO]->(p:Person) WHERE s.key IN $keys "
        "RETURN s.key AS key, p.person_id AS id",
        keys=members,
    )
    ids = {r["key"]: r["id"] for r in after}
    split_off = ids[f"{system}:{record_id}"]
    assert all(ids[k] != split_off for k in members if k != f"{system}:{record_id}")
    new_ids = set(ids.values()) - {person_id}
    lineage, _, _ = neo4j_driver.execute_query(
        "MATCH (n:PersonLineage {kind: 'split', from_person_id: $id})-[:TO]->(p:Person) "
        "RETURN p.person_id AS target",
        id=person_id,
    )
    assert new_ids and new_ids <= {r["target"] for r in lineage}
    decisions, _, _ = neo4j_driver.execute_query(
        "MATCH (d:MatchDecision)-[:DECIDES]->(p:ReviewPair) RETURN count(d) AS n"
    )
    assert decisions[0]["n"] >= 1


def test_a_decision_made_in_the_api_binds_the_next_run(people_warehouse, neo4j_driver) -> None:
    with warehouse.connect(people_warehouse) as con:
        load_graph(con, neo4j_driver)
        (pair,) = con.execute(
            "SELECT pair_id FROM review_queue ORDER BY match_probability LIMIT 1"
        ).fetchall()[0]
        # What the API's decideMatch writes (graph/match_review.py uses this statement).
        neo4j_driver.execute_query(
            statement("review/decide_match"),
            pair_id=pair,
            decision={"decision_id": "api-1", "decision": "match", "decided_by": "steward",
                      "decided_at": "2026-11-23T11:00:00+00:00", "reason": "same person",
                      "origin": "api"},
        )  # fmt: skip
        assert pull_api_decisions(neo4j_driver, con) == 1
        assert pull_api_decisions(neo4j_driver, con) == 0
        resolve_warehouse_people(con, id_key=ID_KEY)
        ls, lr, rs, rr = con.execute(
            "SELECT left_system, left_record_id, right_system, right_record_id "
            "FROM match_decisions WHERE decision_id = 'api-1'"
        ).fetchall()[0]
        together = {
            con.execute(
                "SELECT person_id FROM person_links WHERE source_system = $s "
                "AND person_record_id = $r",
                {"s": system, "r": record},
            ).fetchall()[0][0]
            for system, record in ((ls, lr), (rs, rr))
        }
        load_graph(con, neo4j_driver)
    assert len(together) == 1
    decided, _, _ = neo4j_driver.execute_query(
        "MATCH (d:MatchDecision {decision_id: 'api-1'})-[:DECIDES]->(p:ReviewPair) "
        "RETURN p.status AS status, count(d) AS n"
    )
    assert [(r["status"], r["n"]) for r in decided] == [("decided", 1)]


DELIMITED_NAME = "Ty\x1fNewydd"  # holds the importer's array delimiter


def _add_awkward_values(path) -> None:
    """Values CSV carries badly: a list element with the array delimiter, a quote, a comma
    and a line break in a name, an empty string."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE places SET address = $name WHERE place_id = (SELECT min(place_id) FROM places)",
            {"name": DELIMITED_NAME},
        )
        con.execute(
            "UPDATE person_records SET forename = 'Siân \"Sid\", Jr\nline two', surname = '' "
            "WHERE person_record_id = (SELECT min(person_record_id) FROM person_records)"
        )
        con.execute(
            "UPDATE place_links SET source_system = $name WHERE place_id = "
            "(SELECT min(place_id) FROM place_links)",
            {"name": DELIMITED_NAME},
        )


def test_bulk_import_gives_the_cypher_graph_and_a_killed_import_is_redone(
    people_warehouse,
    neo4j_driver,
    tmp_path,
) -> None:
    _add_awkward_values(people_warehouse)
    with warehouse.connect(people_warehouse) as con:
        load_graph(con, neo4j_driver)
    cypher_graph = graph_counts(neo4j_driver), graph_checksum(neo4j_driver)

    settings = instance_settings(tmp_path / "bulk")
    settings.data_dir.mkdir()
    shutil.copy(people_warehouse, settings.warehouse_path)
    neo4j_server.start(settings, log=lambda _msg: None)
    try:
        report, counts = pipeline.load(settings, bulk=True, log=lambda _msg: None)
        assert set(report.bulk_phases) >= {"export", "stop", "import", "start", "schema"}
        # Rows with a list CSV cannot carry are written again through Cypher.
        assert report.steps["places"].updated >= 1
        assert report.relationships_created == sum(
            n for key, n in counts.items() if key.startswith("relationship:")
        )
        with driver(settings) as bulk_driver:
            assert (graph_counts(bulk_driver), graph_checksum(bulk_driver)) == cypher_graph
            with warehouse.connect(settings.warehouse_path) as con:
                assert load_graph(con, bulk_driver).rows_written == 0
        assert not bulk_load.marker(settings).exists()

        # A load killed mid-import leaves its marker and a stopped server: the next load,
        # even without asking for the importer, imports again.
        bulk_load.marker(settings).write_text("killed\n")
        neo4j_server.stop(settings, log=lambda _msg: None)
        again, _ = pipeline.load(settings, log=lambda _msg: None)
        assert again.bulk_phases
        with driver(settings) as bulk_driver:
            assert (graph_counts(bulk_driver), graph_checksum(bulk_driver)) == cypher_graph
    finally:
        neo4j_server.stop(settings, log=lambda _msg: None)


def test_a_small_first_load_goes_through_cypher(
    people_warehouse,
    neo4j_driver,
    neo4j_settings,
) -> None:
    with warehouse.connect(people_warehouse) as con:
        assert not bulk_load.should_bulk_load(con, neo4j_settings)


def test_the_bulk_importer_never_stops_a_server_crimegraph_does_not_manage(
    people_warehouse, neo4j_settings, tmp_path
) -> None:
    elsewhere = neo4j_settings.with_data_dir(tmp_path)  # no pid file of ours
    with (
        warehouse.connect(people_warehouse) as con,
        pytest.raises(bulk_load.BulkLoadUnsupported, match="not one crimegraph manages"),
    ):
        bulk_load.bulk_load(con, elsewhere, log=lambda _msg: None)
    assert neo4j_server.status(neo4j_settings).answering


def test_the_api_shows_the_records_behind_every_link_of_a_loaded_graph(
    people_warehouse, neo4j_driver, neo4j_settings
) -> None:
    """The investigators' reads on a graph the loader wrote (not a hand-made seed): each
    party to an incident, in linked cases, a person's profile and a place, names the
    source records that put them there."""
    import asyncio

    from graph import investigator_reads
    from graph.connection import async_driver

    with warehouse.connect(people_warehouse) as con:
        load_graph(con, neo4j_driver)
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (p:Person)-[:PARTY_TO]->(i:Incident)-[:OCCURRED_AT]->(l:Location) "
        "RETURN p.person_id AS person, l.location_id AS place ORDER BY person LIMIT 1"
    )
    person, place = records[0]["person"], records[0]["place"]

    async def reads():
        async with async_driver(neo4j_settings) as drv:
            return (
                await investigator_reads.linked_cases(drv, person, 2),
                await investigator_reads.person_profile(drv, person),
                await investigator_reads.people_at(drv, [place]),
            )

    linked, profile, at_place = asyncio.run(reads())
    parties = [party for incident in linked["incidents"] for party in incident["parties"]]
    assert parties and all(party["provenance"] for party in parties)
    assert profile["incidents"] and all(i["provenance"] for i in profile["incidents"])
    linked_here = [row for row in at_place if row.get("incident_id")]
    assert linked_here and all(row["provenance"] for row in linked_here)
