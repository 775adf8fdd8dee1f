"""The server-side reference of the graph benchmark: how fast Neo4j itself writes the
incidents step, with no client at all.

The incident rows (the load step's own, hashed as a load hashes them) go to a CSV in the
server's import directory; one ``LOAD CSV`` statement (``benchmarks/cypher``) makes the same
nodes and relationships ``load/incidents/create.cypher`` makes, under a label of its own
with the same constraint and indexes, in transactions of the loader's batch size, one
after another. Set beside the Bolt load of the same step (which writes two batches at
once), it says how much of the load's time is the client and how much is the server's
own transactional writing, which no loader through Cypher goes far below.
The reference's nodes, schema and file are removed afterwards.
"""

from __future__ import annotations

import shutil
import time

import duckdb
from neo4j import Driver

from core.settings import Settings
from graph.bulk_load import ARRAY_DELIMITER
from graph.load import hashed_rows
from graph.load_steps import STEPS, prepare_views
from testkit.cypher import BENCHMARKS

# The bulk importer's list delimiter; reference_incidents.cypher splits on it.
LIST_DELIMITER = ord(ARRAY_DELIMITER)


def _export(con: duckdb.DuckDBPyConnection, target: str) -> int:
    prepare_views(con)
    step = next(s for s in STEPS if s.name == "incidents")
    rows = hashed_rows(step.sql(con))
    select = (
        "SELECT key, crime_id, month, last_month, crime_type, crime_group, last_outcome, "
        "force_code, location_id, record_count, load_hash, "
        f"array_to_string(source_records, chr({LIST_DELIMITER})) AS source_records, "
        f"array_to_string(sources, chr({LIST_DELIMITER})) AS sources "
        f"FROM ({rows}) ORDER BY {step.order_by}"
    )
    quoted = target.replace("'", "''")
    return con.execute(f"COPY ({select}) TO '{quoted}' (HEADER)").fetchall()[0][0]


def server_side_incidents(con: duckdb.DuckDBPyConnection, driver: Driver, settings: Settings):
    """Figures of the reference: rows, nodes, relationships, seconds and rates."""
    folder = settings.neo4j_instance_dir / "import" / "reference"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        rows = _export(con, str(folder / "incidents.csv"))
        for text in BENCHMARKS.statements("reference_schema"):
            driver.execute_query(text)
        driver.execute_query("CALL db.awaitIndexes(300)")
        with driver.session() as session:
            started = time.perf_counter()
            counters = (
                session.run(
                    BENCHMARKS.statement("reference_incidents"),
                    url="file:///reference/incidents.csv",
                )
                .consume()
                .counters
            )
            seconds = time.perf_counter() - started
    finally:
        with driver.session() as session:
            session.run(BENCHMARKS.statement("reference_clear")).consume()
        for text in BENCHMARKS.statements("reference_drop_schema"):
            driver.execute_query(text)
        shutil.rmtree(folder, ignore_errors=True)  # the file holds the warehouse's rows
    return {
        "rows": rows,
        "nodes_created": counters.nodes_created,
        "relationships_created": counters.relationships_created,
        "seconds": round(seconds, 2),
        "nodes_per_second": round(counters.nodes_created / seconds),
        "relationships_per_second": round(counters.relationships_created / seconds),
    }
