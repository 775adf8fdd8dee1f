"""Offender networks on a small hand-made POLE graph, cross-checked against networkx, and the
linked-case queries an investigator runs on it."""

import asyncio
import itertools

import networkx as nx
import pytest

from graph import investigator_reads
from graph.analyse import analyse
from graph.connection import async_driver, gds_client
from graph.load import apply_schema

pytestmark = pytest.mark.neo4j

# Two gangs of four (every pair offends together once) bridged by one pair, a lone pair,
# and people who only ever appear alone. Month "2025-12" is the as-of month.
GANG_A = ["A1", "A2", "A3", "A4"]
GANG_B = ["B1", "B2", "B3", "B4"]
PAIRS = [
    *itertools.combinations(GANG_A, 2),
    *itertools.combinations(GANG_B, 2),
    ("A4", "B1"),
    ("C1", "C2"),
]
LOCATIONS = ["L1", "L2", "L3"]


def _incidents() -> list[dict]:
    rows = []
    for n, (a, b) in enumerate(PAIRS):
        month = "2025-06" if (a, b) == ("A1", "A2") else "2025-12"  # one older incident
        place = "L1" if a.startswith("A") else ("L2" if a.startswith("B") else "L3")
        rows.append({"id": f"I{n}", "month": month, "suspects": [a, b], "place": place})
    rows.append({"id": "I-solo", "month": "2025-12", "suspects": ["D1"], "place": "L3"})
    rows.append({"id": "I-victim", "month": "2025-12", "suspects": ["A1"], "victims": ["V1"],
                 "place": "L1"})  # fmt: skip
    return rows


@pytest.fixture()
def small_graph(neo4j_settings, neo4j_driver):
    apply_schema(neo4j_driver)
    people = sorted({p for r in _incidents() for p in r["suspects"] + r.get("victims", [])})
    neo4j_driver.execute_query(
        "UNWIND $people AS id CREATE (:Person {person_id: id, name: 'Person ' + id})",
        people=people,
    )
    neo4j_driver.execute_query(
        "UNWIND $ids AS id CREATE (:Location {location_id: id, kind: 'street', name: id})",
        ids=LOCATIONS,
    )
    neo4j_driver.execute_query(
        "UNWIND $rows AS row "
        "CREATE (i:Incident {incident_id: row.id, month: row.month, crime_type: 'Robbery'}) "
        "WITH i, row MATCH (l:Location {location_id: row.place}) CREATE (i)-[:OCCURRED_AT]->(l) "
        "WITH i, row UNWIND row.suspects AS s MATCH (p:Person {person_id: s}) "
        "CREATE (p)-[:PARTY_TO {role: 'suspect', sources: ['police_a'], records: []}]->(i)",
        rows=_incidents(),
    )
    neo4j_driver.execute_query(
        "MATCH (i:Incident {incident_id: 'I-victim'}), (v:Person {person_id: 'V1'}) "
        "CREATE (v)-[:PARTY_TO {role: 'victim', sources: ['police_a'], records: []}]->(i)"
    )
    gds = gds_client(neo4j_settings)
    gds.set_show_progress(False)
    try:
        report = analyse(neo4j_driver, gds, as_of="2025-12")
    finally:
        gds.close()
    return report


def _people(driver) -> dict[str, dict]:
    records, _, _ = driver.execute_query("MATCH (p:Person) RETURN p.person_id AS id, p {.*} AS p")
    return {r["id"]: r["p"] for r in records}


def _reference() -> nx.Graph:
    graph = nx.Graph()
    for a, b in PAIRS:
        graph.add_edge(a, b, weight=0.5 if (a, b) == ("A1", "A2") else 1.0)
    return graph


def test_co_offending_weights_recent_incidents_more(small_graph, neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (a:Person)-[r:CO_OFFENDED_WITH]->(b:Person) "
        "RETURN a.person_id AS a, b.person_id AS b, r.weight AS w, r.incidents AS n"
    )
    links = {tuple(sorted((r["a"], r["b"]))): (r["w"], r["n"]) for r in records}
    assert set(links) == {tuple(sorted(p)) for p in PAIRS}  # victims and loners: no link
    assert links[("A1", "A2")] == (pytest.approx(0.5), 1)  # six months old: half weight
    assert links[("B1", "B2")] == (pytest.approx(1.0), 1)
    assert small_graph.co_offending_relationships == len(PAIRS)


def test_networks_match_networkx_components(small_graph, neo4j_driver) -> None:
    people = _people(neo4j_driver)
    ours: dict[int, set[str]] = {}
    for pid, p in people.items():
        if p.get("network_id") is not None:
            ours.setdefault(p["network_id"], set()).add(pid)
    expected = [set(c) for c in nx.connected_components(_reference())]
    assert sorted(map(sorted, ours.values())) == sorted(map(sorted, expected))
    assert people["D1"].get("network_id") is None and people["V1"].get("network_id") is None
    assert people["A1"]["network_size"] == 8 and small_graph.networks == 2


def test_louvain_finds_the_two_gangs_as_networkx_does(small_graph, neo4j_driver) -> None:
    people = _people(neo4j_driver)
    ours = {frozenset(p for p in GANG_A + GANG_B if people[p]["community_id"] == c)
            for c in {people[p]["community_id"] for p in GANG_A + GANG_B}}  # fmt: skip
    reference = nx.community.louvain_communities(_reference(), weight="weight", seed=7)
    expected = {frozenset(c) for c in reference if c & set(GANG_A + GANG_B)}
    assert ours == expected == {frozenset(GANG_A), frozenset(GANG_B)}


def test_pagerank_and_betweenness_match_networkx(small_graph, neo4j_driver) -> None:
    people = _people(neo4j_driver)
    reference = _reference()
    component = sorted(nx.node_connected_component(reference, "A1"))
    nx_rank = nx.pagerank(reference.subgraph(component), alpha=0.85, weight="weight", tol=1e-10)
    ours_total = sum(people[p]["pagerank"] for p in component)
    for p in component:
        assert people[p]["pagerank"] / ours_total == pytest.approx(nx_rank[p], abs=0.01), p
    nx_between = nx.betweenness_centrality(reference, normalized=False)
    scale = people["A4"]["betweenness"] / nx_between["A4"]
    for p in component:
        assert people[p]["betweenness"] == pytest.approx(nx_between[p] * scale, abs=1e-6), p
    # The bridge-builders are their networks' key actors.
    assert people["A4"]["key_actor"] and people["B1"]["key_actor"]


def test_places_sharing_offenders_and_network_exposure(small_graph, neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (a:Location)-[s:SHARES_OFFENDERS_WITH]->(b:Location) "
        "RETURN a.location_id AS a, b.location_id AS b, s.similarity AS s"
    )
    offenders = {"L1": set(GANG_A), "L2": set(GANG_B), "L3": {"C1", "C2", "D1"}}
    offenders["L1"] |= {"B1"}  # (A4, B1) offended at L1
    for r in records:
        left, right = offenders[r["a"]], offenders[r["b"]]
        assert r["s"] == pytest.approx(len(left & right) / len(left | right))
    assert {(r["a"], r["b"]) for r in records} == {("L1", "L2"), ("L2", "L1")}
    exposure, _, _ = neo4j_driver.execute_query(
        "MATCH (l:Location) RETURN l.location_id AS id, l.network_count AS n"
    )
    assert {r["id"]: r["n"] for r in exposure} == {"L1": 1, "L2": 1, "L3": 1}


def test_linked_cases_reach_associates_hop_by_hop_with_their_network(
    small_graph, neo4j_settings
) -> None:
    async def run():
        async with async_driver(neo4j_settings) as driver:
            return (
                await investigator_reads.linked_cases(driver, "A4", depth=1),
                await investigator_reads.linked_cases(driver, "A4", depth=2),
                await investigator_reads.network(driver, "A4"),
                await investigator_reads.place_profile(driver, "L2", with_people=False),
                await investigator_reads.place_profile(driver, "L2", with_people=True),
                await investigator_reads.linked_cases(driver, "nobody", depth=2),
            )

    one, two, network, place, place_full, missing = asyncio.run(run())
    assert missing is None
    assert set(one["people"]) == {"A4", "A1", "A2", "A3", "B1"}
    second = set(two["people"]) - set(one["people"])
    assert second == {"B2", "B3", "B4", "V1"}  # V1 shares an incident with A1
    own = [p for i in one["incidents"] for p in i["parties"] if p["person_id"] == "A4"]
    assert own and all(p["role"] == "suspect" for p in own)
    assert len(network["members"]) == 8
    assert {m["person_id"] for m in network["members"] if m.get("key_actor")} >= {"A4"}
    assert place["incident_count"] == 6 and place["people"] is None
    assert {p["person_id"] for p in place_full["people"]} == set(GANG_B)


@pytest.mark.parametrize(
    "name",
    ["Person A1", "') RETURN 1 //", 'A1" OR *:*', "A1~ AND surname:[* TO *]", "\\\\ ( ) { }"],
)
def test_search_takes_any_text_without_injection(small_graph, neo4j_settings, name) -> None:
    async def run():
        async with async_driver(neo4j_settings) as driver:
            return await investigator_reads.search_people(
                driver, forename=name, surname=name, dob=None, postcode=name, limit=20
            )

    # No source records in this graph: any search finds nobody, and none of it errors.
    assert asyncio.run(run()) == []
