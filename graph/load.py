"""Load the canonical warehouse tables into Neo4j with batched, parameterised UNWIND/MERGE.

Idempotent: nodes MERGE on their stable ids and relationships on their endpoints,
and properties are overwritten, never appended, so a second load changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
from neo4j import Driver

from graph.cypher import statement, statements

BATCH_SIZE = 10_000


@dataclass(frozen=True)
class LoadStep:
    """One node type: the warehouse query that feeds it and the Cypher that writes it."""

    name: str
    cypher: str
    sql: str


STEPS = [
    LoadStep(
        "forces",
        "load/forces",
        "SELECT force_code AS code, name, pfa_code, "
        "CASE WHEN pfa_code IS NULL THEN ['police.uk'] ELSE ['ons.pfa'] END AS sources "
        "FROM forces ORDER BY code",
    ),
    LoadStep(
        "areas",
        "load/areas",
        "SELECT lsoa_code AS lsoa, name, latitude, longitude, force_code, "
        "['police.uk', 'ons.lsoa'] AS sources FROM areas ORDER BY lsoa",
    ),
    LoadStep(
        "locations",
        "load/locations",
        "SELECT location_id, latitude, longitude, h3_cell AS h3, name, lsoa_code AS lsoa, "
        "['police.uk'] AS sources FROM locations ORDER BY location_id",
    ),
    LoadStep(
        "incidents",
        "load/incidents",
        "SELECT incident_id, crime_id, month, last_month, crime_type, crime_group, "
        "last_outcome, force_code, location_id, record_count, source_records, "
        "['police.uk'] AS sources FROM incidents ORDER BY incident_id",
    ),
]


def apply_schema(driver: Driver) -> None:
    """Constraints and indexes; safe to run on every load."""
    for text in statements("schema/constraints"):
        driver.execute_query(text)
    driver.execute_query("CALL db.awaitIndexes(300)")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]


def load_graph(
    con: duckdb.DuckDBPyConnection,
    driver: Driver,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Write every step's rows; returns rows written per step.

    ``on_progress(step, done, total)`` is called after each batch.
    """
    apply_schema(driver)
    written: dict[str, int] = {}
    for step in STEPS:
        total = _count(con, step.sql)
        cypher = statement(step.cypher)
        reader = con.sql(step.sql).to_arrow_reader(batch_size)
        done = 0
        for batch in reader:
            rows = batch.to_pylist()
            with driver.session() as session:
                session.execute_write(_write_batch, cypher, rows)
            done += len(rows)
            if on_progress:
                on_progress(step.name, done, total)
        written[step.name] = done
    return written


def _write_batch(tx, cypher: str, rows: list[dict]) -> None:
    tx.run(cypher, rows=rows).consume()


def graph_counts(driver: Driver) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    records, _, _ = driver.execute_query(statement("queries/graph_counts"))
    return {record["key"]: record["count"] for record in records}
