"""Offender networks with Graph Data Science: who offends together, who matters, and where.

Recomputed from scratch on each run (the inputs, the resolved graph, are what is kept):

* ``CO_OFFENDED_WITH {weight, incidents}`` between people suspected in the same incident,
  recent incidents weighing more (half-life ``HALF_LIFE_MONTHS``);
* on that projection: weakly connected components (``network_id``, the "networks"),
  Louvain communities (``community_id``), weighted PageRank and betweenness ("key actors");
* an offender-location projection (place → suspect) and node similarity between places
  that share offenders (``SHARES_OFFENDERS_WITH {similarity}``);
* per street location, the offender networks active there (``network_count``,
  ``network_exposure``), also written to the warehouse table
  ``location_network_exposure`` for the risk scores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from graphdatascience import GraphDataScience
from neo4j import Driver

from graph.cypher import statement

HALF_LIFE_MONTHS = 6.0
KEY_ACTORS_PER_NETWORK = 3
SIMILAR_PLACES_PER_PLACE = 5
SIMILARITY_CUTOFF = 0.1
CO_OFFENDING_GRAPH = "crimegraph-co-offending"
OFFENDER_LOCATION_GRAPH = "crimegraph-offender-location"


@dataclass
class AnalysisReport:
    co_offending_relationships: int = 0
    networks: int = 0
    people_in_networks: int = 0
    communities: int = 0
    similar_place_pairs: int = 0
    exposed_locations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon)


def analyse(
    driver: Driver,
    gds: GraphDataScience,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    as_of: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> AnalysisReport:
    """Run every analysis and write the results back; ``as_of`` is the month recency is
    measured from (default: the latest incident month in the graph)."""
    report = AnalysisReport()

    def step(name: str, work: Callable[[], None]) -> None:
        if on_step:
            on_step(name)
        started = time.perf_counter()
        work()
        report.seconds[name] = round(time.perf_counter() - started, 3)

    def clear() -> None:
        with driver.session() as session:
            for name in ("clear", "clear_properties", "clear_location_exposure"):
                session.run(statement(f"analyse/{name}")).consume()
        for name in (CO_OFFENDING_GRAPH, OFFENDER_LOCATION_GRAPH):
            gds.graph.drop(name, fail_if_missing=False)

    def co_offending() -> None:
        month = as_of
        if month is None:
            records, _, _ = driver.execute_query(statement("analyse/latest_month"))
            month = records[0]["month"]
        if month is None:
            return
        records, _, _ = driver.execute_query(
            statement("analyse/co_offending"),
            as_of_index=_month_index(month),
            half_life_months=HALF_LIFE_MONTHS,
        )
        report.co_offending_relationships = records[0]["relationships"]

    def networks() -> None:
        if not report.co_offending_relationships:  # nobody offended together: no networks
            return  # (GDS refuses to project a relationship type a graph never had)
        graph = gds.graph.project.native(
            CO_OFFENDING_GRAPH,
            "Person",
            {"CO_OFFENDED_WITH": {"orientation": "UNDIRECTED", "properties": "weight"}},
        ).graph
        try:
            gds.wcc.write(graph, write_property="network_id")
            gds.louvain.write(
                graph, write_property="community_id", relationship_weight_property="weight"
            )
            gds.page_rank.write(
                graph, write_property="pagerank", relationship_weight_property="weight"
            )
            gds.betweenness.write(graph, write_property="betweenness")
        finally:
            graph.drop()
        driver.execute_query(statement("analyse/network_sizes"))
        driver.execute_query(statement("analyse/key_actors"), per_network=KEY_ACTORS_PER_NETWORK)
        records, _, _ = driver.execute_query(
            "MATCH (p:Person) WHERE p.network_id IS NOT NULL "
            "RETURN count(DISTINCT p.network_id) AS networks, count(p) AS people, "
            "count(DISTINCT p.community_id) AS communities"
        )
        report.networks = records[0]["networks"]
        report.people_in_networks = records[0]["people"]
        report.communities = records[0]["communities"]

    def place_similarity() -> None:
        records, _, _ = driver.execute_query(
            statement("analyse/project_offender_location"), graph_name=OFFENDER_LOCATION_GRAPH
        )
        if not records or not records[0]["relationships"]:  # None: nothing to project
            gds.graph.drop(OFFENDER_LOCATION_GRAPH, fail_if_missing=False)
            return
        graph = gds.graph.get(OFFENDER_LOCATION_GRAPH)
        try:
            result = gds.node_similarity.write(
                graph,
                write_relationship_type="SHARES_OFFENDERS_WITH",
                write_property="similarity",
                top_k=SIMILAR_PLACES_PER_PLACE,
                similarity_cutoff=SIMILARITY_CUTOFF,
            )
            report.similar_place_pairs = int(result.relationships_written)
        finally:
            graph.drop()

    def exposure() -> None:
        records, _, _ = driver.execute_query(statement("analyse/location_exposure"))
        rows = [(r["location_id"], r["networks"], r["exposure"]) for r in records]
        report.exposed_locations = len(rows)
        if con is not None:
            write_location_exposure(con, rows)

    step("clear", clear)
    step("co-offending", co_offending)
    step("networks", networks)
    step("place similarity", place_similarity)
    step("network exposure", exposure)
    return report


def write_location_exposure(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[str, int, float]]
) -> None:
    """Replace ``location_network_exposure`` (read by the risk scores' network component)."""
    con.execute(
        "CREATE OR REPLACE TABLE location_network_exposure "
        "(location_id VARCHAR PRIMARY KEY, networks INTEGER, exposure DOUBLE)"
    )
    table = pa.table(
        {
            "location_id": pa.array([r[0] for r in rows], pa.string()),
            "networks": pa.array([r[1] for r in rows], pa.int32()),
            "exposure": pa.array([r[2] for r in rows], pa.float64()),
        }
    )
    con.register("exposure_rows", table)
    try:
        con.execute("INSERT INTO location_network_exposure SELECT * FROM exposure_rows")
    finally:
        con.unregister("exposure_rows")
