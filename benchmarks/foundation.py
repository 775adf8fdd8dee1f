"""Foundation benchmark: provisioning, start, ingest and load of the Welsh 2025 year.

Writes var/bench/foundation.json. Each measured path runs beside a baseline in the
same run on the same machine:
- ingest (parse + validate + quarantine + warehouse) beside DuckDB's bare read_csv
  of the same files (no validation, no provenance): the floor for reading them;
- the batched UNWIND/MERGE load beside a naive one-row-per-transaction load of a sample.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.report import write_figures
from core import warehouse
from core.settings import load_settings
from crimegraph import pipeline
from graph import connection, neo4j_server
from graph.cypher import statement
from graph.load import graph_counts, load_graph
from graph.load_steps import STEPS, prepare_views
from testkit.instances import instance_settings

NAIVE_SAMPLE = 2_000


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def naive_incident_load(con: duckdb.DuckDBPyConnection, driver) -> tuple[int, int, float]:
    """The baseline: a sample of incidents written one per transaction, the way a first
    attempt often looks, with the statement the batched load uses for changed rows. The
    sample (incidents no person record points at, so deleting them loses nothing the
    statement does not write back) is deleted first and then created again exactly as the
    batched load wrote it. Returns (rows, relationships created, seconds)."""
    step = next(s for s in STEPS if s.name == "incidents")
    prepare_views(con)
    rows = (
        con.sql(
            f"SELECT md5(to_json(t)::VARCHAR) AS load_hash, * FROM ({step.sql(con)}) t "
            f"USING SAMPLE {NAIVE_SAMPLE} ROWS (reservoir, 7)"
        )
        .to_arrow_table()
        .to_pylist()
    )
    linked, _, _ = driver.execute_query(
        "MATCH (i:Incident)<-[:PARTY_TO|RECORDED_IN]-() WHERE i.incident_id IN $ids "
        "RETURN DISTINCT i.incident_id AS id",
        ids=[r["key"] for r in rows],
    )
    keep_out = {x["id"] for x in linked}
    rows = [r for r in rows if r["key"] not in keep_out]
    cypher = statement("load/incidents/update")
    driver.execute_query("MATCH (i:Incident) WHERE i.incident_id IN $ids DETACH DELETE i",
                         ids=[r["key"] for r in rows])  # fmt: skip
    started = time.perf_counter()
    relationships = 0
    for row in rows:
        _, summary, _ = driver.execute_query(cypher, rows=[row])
        relationships += summary.counters.relationships_created
    return len(rows), relationships, time.perf_counter() - started


def main() -> None:
    base = load_settings()
    work = Path(tempfile.mkdtemp(prefix="crimegraph-bench-"))
    settings = instance_settings(
        work / "data", base.model_copy(update={"cache_dir": work / "cache"})
    )
    figures: dict[str, object] = {"machine_cores": __import__("os").cpu_count()}
    assembly = neo4j_server.assembly_for(settings)
    m2 = Path.home() / ".m2" / "repository" / "org" / "neo4j" / "neo4j" / assembly.neo4j_version
    figures["maven_local_repository_warm"] = m2.exists()
    log = lambda message: print(f"  {message}")  # noqa: E731
    try:
        print("provisioning into an empty cache ...")
        _, figures["provision_seconds"] = _timed(neo4j_server.provision, settings, log=log)
        print("first start (new database) ...")
        _, figures["first_start_seconds"] = _timed(neo4j_server.start, settings, log=log)
        neo4j_server.stop(settings, log=log)
        print("cached start ...")
        _, figures["cached_start_seconds"] = _timed(neo4j_server.start, settings, log=log)

        pattern = pipeline.default_police_uk_glob(settings)
        print("baseline: DuckDB read_csv of the same files ...")
        with duckdb.connect() as con:
            (raw_rows,), figures["baseline_duckdb_read_csv_seconds"] = _timed(
                lambda: con.sql(
                    f"SELECT count(*) FROM read_csv('{pattern}', header=true, all_varchar=true)"
                ).fetchall()[0]
            )
        print("ingest ...")
        (report, counts), figures["ingest_seconds"] = _timed(
            pipeline.ingest_police_uk, settings, [pattern]
        )
        figures.update(
            rows_in=report.rows_in,
            rows_loaded=report.rows_loaded,
            rows_quarantined=report.rows_quarantined,
            baseline_rows_read=raw_rows,
            canonical_counts=counts,
            ingest_rows_per_second=round(report.rows_in / figures["ingest_seconds"]),
        )
        print("load ...")
        with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
            _, figures["load_seconds"] = _timed(load_graph, con, drv)
            graph = graph_counts(drv)
            nodes = sum(v for k, v in graph.items() if k.startswith("node:"))
            rels = sum(v for k, v in graph.items() if k.startswith("relationship:"))
            figures.update(
                graph_counts=graph,
                nodes=nodes,
                relationships=rels,
                load_nodes_per_second=round(nodes / figures["load_seconds"]),
                load_relationships_per_second=round(rels / figures["load_seconds"]),
            )
            print("second load (idempotent) ...")
            _, figures["reload_seconds"] = _timed(load_graph, con, drv)
            figures["reload_unchanged"] = graph_counts(drv) == graph
            print(f"baseline: naive one-row-per-transaction load of {NAIVE_SAMPLE} incidents ...")
            sample, _, seconds = naive_incident_load(con, drv)
            figures["baseline_naive_incidents_per_second"] = round(sample / seconds)
            figures["batched_incidents_per_second"] = round(
                counts["incidents"] / figures["load_seconds"]
            )
    finally:
        neo4j_server.stop(settings, log=lambda _m: None)
        shutil.rmtree(work, ignore_errors=True)
    write_figures("foundation", figures)


if __name__ == "__main__":
    main()
