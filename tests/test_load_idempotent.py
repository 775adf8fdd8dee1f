"""Loading the same warehouse twice leaves the graph unchanged."""

import hashlib
import json

import pytest

from core import warehouse
from crimegraph import pipeline
from graph.load import graph_counts, load_graph
from tests.conftest import BROKEN_POLICE_UK

pytestmark = pytest.mark.neo4j


def graph_checksum(driver) -> str:
    """SHA-256 over every node's labels and properties and every relationship."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
        "properties(a) AS a, properties(b) AS b"
    )

    def canonical(value):
        return json.dumps(value, sort_keys=True, default=str)

    lines = sorted(canonical([r["labels"], r["props"]]) for r in nodes)
    lines += sorted(canonical([r["type"], r["props"], r["a"], r["b"]]) for r in rels)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_second_load_changes_nothing(warehouse_settings, neo4j_driver) -> None:
    pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        load_graph(con, neo4j_driver, batch_size=3)
        first_counts, first_sum = graph_counts(neo4j_driver), graph_checksum(neo4j_driver)
        load_graph(con, neo4j_driver, batch_size=5)
        assert graph_counts(neo4j_driver) == first_counts
        assert graph_checksum(neo4j_driver) == first_sum
    assert first_counts["node:Incident"] == 9
    assert first_counts["relationship:REPORTED_BY"] == 9
    assert first_counts["relationship:OCCURRED_AT"] == 8  # one crime has no location
    # A Crime ID published on two rows of the file: one Incident holding both rows.
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (i:Incident {crime_id: $id}) RETURN i.record_count AS n, i.source_records AS s",
        id="a" * 63 + "1",
    )
    assert [(r["n"], r["s"]) for r in records] == [
        (2, [f"{BROKEN_POLICE_UK.name}#2", f"{BROKEN_POLICE_UK.name}#17"])
    ]
    assert first_counts["node:Force"] == 43


def test_graph_ties_an_out_of_area_crime_to_both_forces(warehouse_settings, neo4j_driver) -> None:
    pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        load_graph(con, neo4j_driver)
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (rf:Force)<-[:REPORTED_BY]-(i:Incident)-[:OCCURRED_AT]->(:Location)"
        "-[:IN_AREA]->(a:Area {lsoa: 'E01034275'})-[:IN_FORCE]->(af:Force) "
        "RETURN rf.code AS reported, af.code AS area, a.name AS name"
    )
    assert [(r["reported"], r["area"], r["name"]) for r in records] == [
        ("south-wales", "dorset", "Bournemouth, Christchurch and Poole 037F")
    ]
