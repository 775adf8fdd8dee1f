"""The graph benchmark's server-side reference writes what the loader's incidents step
writes, and leaves nothing behind."""

import pytest

from benchmarks.server_reference import server_side_incidents
from core import warehouse
from graph.load import graph_counts, load_graph
from tests.test_graph_load import people_warehouse  # noqa: F401 (fixture)
from tests.test_linkage_places_incidents import (  # noqa: F401 (fixtures)
    incident_warehouse,
    resolved,
    world,
)

pytestmark = pytest.mark.neo4j


def test_the_reference_mirrors_the_incidents_step_and_cleans_up(
    people_warehouse,  # noqa: F811
    neo4j_driver,
    neo4j_settings,
) -> None:
    with warehouse.connect(people_warehouse) as con:
        loaded = load_graph(con, neo4j_driver).steps["incidents"]
        before = graph_counts(neo4j_driver)
        reference = server_side_incidents(con, neo4j_driver, neo4j_settings)
    assert loaded.created > 0
    assert reference["rows"] == reference["nodes_created"] == loaded.created
    assert reference["relationships_created"] == loaded.relationships_created
    assert graph_counts(neo4j_driver) == before
    schema, _, _ = neo4j_driver.execute_query(
        "SHOW INDEXES YIELD name WHERE name STARTS WITH 'reference' RETURN name"
    )
    assert schema == []
    assert not (neo4j_settings.neo4j_instance_dir / "import" / "reference").exists()
