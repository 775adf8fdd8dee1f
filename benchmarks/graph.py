"""Graph benchmark (issue 5): the whole demo graph loaded into a fresh Neo4j, analysed, and
queried as investigators do. Writes var/bench/graph.json.

Needs the demo warehouse (`make demo` or `crimegraph demo --no-serve` first): the Welsh
2025 crimes, the simulated people, places and incidents, resolved. The warehouse is copied,
so the benchmark never changes it. The whole graph is loaded twice: through Cypher (batched
UNWIND, the path of every incremental load) and through Neo4j's bulk importer (the path a
large first load takes); the two graphs must have the same counts. Beside them runs, in the
same run, the baseline the issue names: a naive one-row-per-transaction load of a sample;
and a server-side reference (benchmarks/server_reference.py): the incidents step written by
Neo4j itself from a CSV on its own disk, no client at all, beside the Bolt load of that step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.foundation import NAIVE_SAMPLE, naive_incident_load
from benchmarks.report import write_figures
from benchmarks.server_reference import server_side_incidents
from core import warehouse
from core.settings import load_settings
from graph import connection, investigator_reads, neo4j_server
from graph.analyse import analyse
from graph.bulk_load import bulk_load
from graph.cypher import statement
from graph.load import LoadReport, graph_counts, load_graph
from testkit.instances import instance_settings

QUERY_PEOPLE = 1_000
HOT_QUERIES = (  # the investigators' reads the API serves (graph/investigator_reads.py)
    "person_profile", "linked_step", "network", "network_members", "place_profile",
    "place_people", "place_residents",
)  # fmt: skip


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


SCANS = ("NodeByLabelScan", "AllNodesScan", "DirectedAllRelationshipsScan")


def _scans(plan: dict) -> list[str]:
    operator = plan["operatorType"].split("@")[0]
    own = [operator] if operator in SCANS else []
    return own + [s for child in plan.get("children", []) for s in _scans(child)]


def _label_scans(driver) -> dict[str, list[str]]:
    """Operators that scan a whole label (or all nodes) in each hot query's plan."""
    params = {"person_id": "x", "person_ids": ["x"], "location_id": "x", "location_ids": ["x"],
              "limit": 10}  # fmt: skip
    found: dict[str, list[str]] = {}
    for name in HOT_QUERIES:
        _, summary, _ = driver.execute_query("EXPLAIN " + statement(f"investigate/{name}"), params)
        found[name] = _scans(summary.plan)
    return found


async def _linked_case_latencies(settings, people: list[str]) -> list[float]:
    driver = connection.async_driver(settings)
    try:
        for person_id in people[:50]:  # warm up the plan cache and page cache
            await investigator_reads.linked_cases(driver, person_id, depth=2)
        timings = []
        for person_id in people:
            started = time.perf_counter()
            await investigator_reads.linked_cases(driver, person_id, depth=2)
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        await driver.close()


def _steps(report: LoadReport) -> dict:
    return {
        name: {
            "rows": s.created + s.updated,
            "relationships": s.relationships_created,
            "diff_seconds": round(s.diff_seconds, 2),
            "write_seconds": round(s.write_seconds, 2),
        }
        for name, s in report.steps.items()
    }


def _cypher_load(con, drv) -> dict:
    """The batched UNWIND load every incremental load uses, here writing the whole graph."""
    print("clean load of the demo graph through Cypher (batched UNWIND) ...")
    started = time.perf_counter()
    report = load_graph(con, drv)
    seconds = time.perf_counter() - started
    figures = dict(
        cypher_load_seconds=seconds,
        cypher_load_nodes_per_second=round(report.nodes_created / seconds),
        cypher_load_relationships_per_second=round(report.relationships_created / seconds),
        cypher_load_steps=_steps(report),
        cypher_graph_counts=graph_counts(drv),
    )
    print("reload (nothing changed) ...")
    started = time.perf_counter()
    again = load_graph(con, drv)
    figures["reload_seconds"] = time.perf_counter() - started
    figures["reload_rows_written"] = again.rows_written
    return figures


def _bulk_load(con, settings) -> dict:
    """The first load `crimegraph load` makes of this graph: Neo4j's bulk importer, timed
    end to end (export, server stop, import, server start, schema, list rewrites)."""
    print("clean load of the demo graph through the bulk importer ...")
    started = time.perf_counter()
    report = bulk_load(con, settings, log=lambda _m: None)
    seconds = time.perf_counter() - started
    phases = {name: round(s, 2) for name, s in report.bulk_phases.items()}
    return dict(
        load_path="bulk importer (first load of an empty graph)",
        load_seconds=seconds,
        nodes_created=report.nodes_created,
        relationships_created=report.relationships_created,
        load_nodes_per_second=round(report.nodes_created / seconds),
        load_relationships_per_second=round(report.relationships_created / seconds),
        target_relationships_per_second=50_000,
        bulk_phases_seconds=phases,
        bulk_import_phase_relationships_per_second=round(
            report.relationships_created / report.bulk_phases["import"]
        ),
        bulk_without_server_restart_relationships_per_second=round(
            report.relationships_created
            / (seconds - report.bulk_phases["stop"] - report.bulk_phases["start"])
        ),
        load_steps=_steps(report),
    )


def main() -> None:
    base = load_settings()
    if not base.warehouse_path.exists():
        write_figures(
            "graph",
            {
                "error": f"no warehouse at {base.warehouse_path}: run "
                "`make demo` (or `crimegraph demo --no-serve`) first"
            },
        )
        return
    work = Path(tempfile.mkdtemp(prefix="crimegraph-bench-graph-"))
    shutil.copy(base.warehouse_path, work / "warehouse.duckdb")
    settings = instance_settings(work, base)
    figures: dict = {"warehouse": str(base.warehouse_path)}
    neo4j_server.start(settings, log=print)
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            with connection.driver(settings) as drv:
                figures.update(_cypher_load(con, drv))
                print("server-side reference: the incidents step through LOAD CSV ...")
                figures["server_side_incidents"] = server_side_incidents(con, drv, settings)
                step = figures["cypher_load_steps"]["incidents"]
                figures["cypher_load_incidents_relationships_per_second"] = round(
                    step["relationships"] / step["write_seconds"]
                )
            figures.update(_bulk_load(con, settings))
        with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
            counts = graph_counts(drv)
            figures["bulk_and_cypher_graph_counts_equal"] = counts == figures.pop(
                "cypher_graph_counts"
            )
            figures["graph_counts"] = counts
            print("reload after the bulk import (nothing changed) ...")
            started = time.perf_counter()
            again = load_graph(con, drv)
            figures["reload_after_bulk_seconds"] = time.perf_counter() - started
            figures["reload_after_bulk_rows_written"] = again.rows_written
            print(f"baseline: naive one-row-per-transaction load of {NAIVE_SAMPLE} incidents ...")
            rows, rels, naive_seconds = naive_incident_load(con, drv)
            figures.update(
                baseline_naive_rows_per_second=round(rows / naive_seconds),
                baseline_naive_relationships_per_second=round(rels / naive_seconds),
            )
            print("analytics ...")
            gds = connection.gds_client(settings)
            gds.set_show_progress(False)
            started = time.perf_counter()
            analysis = analyse(drv, gds, con)
            figures["analytics_seconds"] = time.perf_counter() - started
            figures["analytics_target_seconds"] = 120
            figures["analytics"] = dataclasses.asdict(analysis)
            gds.close()
            people = [
                r["id"] for r in drv.execute_query("MATCH (p:Person) RETURN p.person_id AS id")[0]
            ]
            figures["label_scans_on_hot_paths"] = _label_scans(drv)
        sample = random.Random(7).sample(people, min(QUERY_PEOPLE, len(people)))
        print(f"linked cases (depth 2) for {len(sample)} random people ...")
        timings = asyncio.run(_linked_case_latencies(settings, sample))
        figures.update(
            linked_cases_people=len(sample),
            linked_cases_p50_ms=_percentile(timings, 50),
            linked_cases_p95_ms=_percentile(timings, 95),
            linked_cases_target_p95_ms=50,
        )
    finally:
        neo4j_server.stop(settings, log=lambda _m: None)
        shutil.rmtree(work, ignore_errors=True)
    write_figures("graph", figures)


if __name__ == "__main__":
    main()
