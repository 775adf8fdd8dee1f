"""GDS on the real local server agrees with networkx on the same small graph."""

import networkx as nx
import pytest

from graph.connection import gds_client

pytestmark = pytest.mark.neo4j

# A small directed graph with two weakly connected components and uneven in-degrees.
EDGES = [
    (0, 1), (1, 2), (2, 0), (3, 0), (4, 0), (4, 1), (5, 4), (6, 5), (6, 0),
    (10, 11), (11, 12), (12, 10), (13, 12),
]  # fmt: skip
NODES = sorted({n for edge in EDGES for n in edge} | {20})  # 20 is isolated


@pytest.fixture()
def gds(neo4j_settings, neo4j_driver):
    neo4j_driver.execute_query("UNWIND $nodes AS id CREATE (:Node {id: id})", nodes=NODES)
    neo4j_driver.execute_query(
        "UNWIND $edges AS e MATCH (a:Node {id: e[0]}), (b:Node {id: e[1]}) "
        "CREATE (a)-[:LINKS]->(b)",
        edges=[list(e) for e in EDGES],
    )
    client = gds_client(neo4j_settings)
    client.set_show_progress(False)
    graph = client.graph.project.native("test-graph", "Node", "LINKS", overwrite=True).graph
    yield client, graph
    client.graph.drop(graph)
    client.close()


def _ids(client, frame) -> list[int]:
    """Our node ids for the GDS node ids in a stream result."""
    return [node["id"] for node in client.util.as_nodes([int(n) for n in frame["nodeId"]])]


def test_pagerank_matches_networkx(gds) -> None:
    client, graph = gds
    frame = client.page_rank.stream(graph, damping_factor=0.85, max_iterations=100, tolerance=1e-10)
    gds_scores = dict(zip(_ids(client, frame), frame["score"], strict=True))
    reference = nx.DiGraph()
    reference.add_nodes_from(NODES)
    reference.add_edges_from(EDGES)
    nx_scores = nx.pagerank(reference, alpha=0.85, tol=1e-12, max_iter=1000)
    # GDS scores are unnormalised (sum to n); networkx's sum to 1: compare shapes.
    total = sum(gds_scores.values())
    for node in NODES:
        assert gds_scores[node] / total == pytest.approx(nx_scores[node], abs=2e-3), node
    assert (
        sorted(NODES, key=lambda n: (-gds_scores[n], n))[:3]
        == sorted(NODES, key=lambda n: (-nx_scores[n], n))[:3]
    )


def test_wcc_matches_networkx(gds) -> None:
    client, graph = gds
    frame = client.wcc.stream(graph)
    components: dict[int, set[int]] = {}
    for node, component in zip(_ids(client, frame), frame["componentId"], strict=True):
        components.setdefault(component, set()).add(node)
    reference = nx.DiGraph()
    reference.add_nodes_from(NODES)
    reference.add_edges_from(EDGES)
    expected = {frozenset(c) for c in nx.weakly_connected_components(reference)}
    assert {frozenset(c) for c in components.values()} == expected
    assert len(expected) == 3


def test_gds_version_answers(neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN gds.version() AS version")
    assert records[0]["version"].startswith("2.")
