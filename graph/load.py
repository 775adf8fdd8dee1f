"""Load the warehouse into Neo4j: incremental, idempotent and resumable.

Each step (see ``graph/load_steps.py``) turns warehouse rows into nodes or relationships.
Every row carries a key and a hash of its content; the graph keeps both on what it wrote.
A load compares the two sides and writes only the difference:

* rows whose key the graph lacks are created in bulk (``create.cypher``: CREATE, fast);
* rows whose hash changed are rewritten (``update.cypher``: MERGE, SET, re-link);
* keys the warehouse no longer has are removed (``delete.cypher``), after every step ran,
  in reverse order so nothing points at a deleted node meanwhile.

A batch is one transaction that writes the rows together with their hashes, so a load
killed at any point leaves only whole batches behind, and the next load finishes the
rest: the graph it leaves is exactly the graph a clean load gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from neo4j import Driver

from graph import schema_version
from graph.cypher import statement, statements
from graph.load_steps import STEPS, LoadStep, prepare_views

BATCH_SIZE = 10_000
# Concurrent write transactions: the client packs one batch while the server writes another.
WRITERS = 2
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class StepReport:
    """What one step wrote: rows created, updated and deleted, and relationships made."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    relationships_created: int = 0
    nodes_created: int = 0
    diff_seconds: float = 0.0  # comparing the warehouse with the graph
    write_seconds: float = 0.0  # creating and updating (deletes are timed apart)


@dataclass
class LoadReport:
    steps: dict[str, StepReport] = field(default_factory=dict)
    # A first load through the bulk importer (graph/bulk_load.py): seconds per phase.
    bulk_phases: dict[str, float] = field(default_factory=dict)

    @property
    def relationships_created(self) -> int:
        return sum(s.relationships_created for s in self.steps.values())

    @property
    def nodes_created(self) -> int:
        return sum(s.nodes_created for s in self.steps.values())

    @property
    def rows_written(self) -> int:
        return sum(s.created + s.updated + s.deleted for s in self.steps.values())


def apply_schema(driver: Driver) -> None:
    """The graph migrated to this crimegraph's schema version (``graph.schema_version``),
    with its constraints and indexes; safe to run on every load."""
    schema_version.migrate(driver)
    for text in statements("schema/constraints"):
        driver.execute_query(text)
    driver.execute_query("CALL db.awaitIndexes(300)")


def load_graph(
    con: duckdb.DuckDBPyConnection,
    driver: Driver,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
    steps: list[LoadStep] | None = None,
    writers: int = WRITERS,
) -> LoadReport:
    """Bring the graph in line with the warehouse, writing only what differs.

    ``on_progress(step, done, total)`` is called after each batch. Within a step, up to
    ``writers`` batches are written at once (their rows are independent; a deadlock
    between them is a transient error the driver retries); steps run one after another.
    """
    apply_schema(driver)
    prepare_views(con)
    report = LoadReport()
    pending_deletes: list[tuple[LoadStep, list[str]]] = []
    for step in steps or STEPS:
        sql = step.sql(con)
        if sql is None:  # the step's source tables do not exist in this warehouse
            continue
        step_report = report.steps.setdefault(step.name, StepReport())
        started = time.perf_counter()
        new, changed, gone, unchanged = _diff(con, driver, step, sql)
        step_report.unchanged = unchanged
        step_report.diff_seconds = time.perf_counter() - started
        started = time.perf_counter()
        total = new.num_rows + changed.num_rows
        done = 0
        for kind, table in (("create", new), ("update", changed)):
            cypher = statement(f"load/{step.name}/{kind}")
            for rows, counters in write_batches(driver, cypher, table, batch_size, writers):
                step_report.relationships_created += counters.relationships_created
                step_report.nodes_created += counters.nodes_created
                done += rows
                if on_progress:
                    on_progress(step.name, done, total)
            setattr(step_report, "created" if kind == "create" else "updated", table.num_rows)
        step_report.write_seconds = time.perf_counter() - started
        if on_progress and total == 0:
            on_progress(step.name, 0, 0)
        if gone and step.deletes:
            pending_deletes.append((step, gone))
    for step, keys in reversed(pending_deletes):
        cypher = statement(f"load/{step.name}/delete")
        for start in range(0, len(keys), batch_size):
            _write(driver, cypher, [{"key": k} for k in keys[start : start + batch_size]])
        report.steps[step.name].deleted = len(keys)
    return report


def hashed_rows(sql: str) -> str:
    """The step's rows with the hash of their content first (``load_hash``): the graph keeps
    it, so the next load rewrites only rows whose hash changed."""
    return f"SELECT md5(to_json(t)::VARCHAR) AS load_hash, * FROM ({sql}) t"


def _diff(
    con: duckdb.DuckDBPyConnection, driver: Driver, step: LoadStep, sql: str
) -> tuple[pa.Table, pa.Table, list[str], int]:
    """(rows to create, rows to update, keys to delete, unchanged count) for one step."""
    records, _, _ = driver.execute_query(statement(f"load/{step.name}/existing"))
    existing = pa.table(
        {
            "key": pa.array([r["key"] for r in records], pa.string()),
            "load_hash": pa.array([r["load_hash"] for r in records], pa.string()),
            # Nodes the live path wrote that no batch has held yet: not the loader's to delete.
            "live": pa.array([bool(r.get("live")) for r in records], pa.bool_()),
        }
    )
    con.register("graph_existing", existing)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE load_rows AS {hashed_rows(sql)}")
        new = con.sql(
            "SELECT r.* FROM load_rows r ANTI JOIN graph_existing g USING (key) "
            f"ORDER BY {step.order_by}"
        ).to_arrow_table()
        changed = con.sql(
            "SELECT r.* FROM load_rows r JOIN graph_existing g USING (key) "
            f"WHERE g.load_hash IS DISTINCT FROM r.load_hash ORDER BY {step.order_by}"
        ).to_arrow_table()
        gone = [
            k for (k,) in con.sql(
                "SELECT key FROM graph_existing ANTI JOIN load_rows USING (key) "
                "WHERE NOT live ORDER BY key"
            ).fetchall()
        ]  # fmt: skip
        total = con.execute("SELECT count(*) FROM load_rows").fetchall()[0][0]
    finally:
        con.unregister("graph_existing")
        con.execute("DROP TABLE IF EXISTS load_rows")
    return new, changed, gone, total - new.num_rows - changed.num_rows


def write_batches(
    driver: Driver, cypher: str, table: pa.Table, batch_size: int, writers: int
) -> Iterator[tuple[int, object]]:
    """Write a table's batches, up to ``writers`` at a time; yield (rows, counters) as each
    commits. At most ``writers`` batches wait in memory beyond those being written."""
    with ThreadPoolExecutor(max_workers=max(1, writers)) as pool:
        running: set[Future] = set()
        for batch in table.to_batches(batch_size):
            if len(running) >= 2 * max(1, writers):
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in finished)
            running.add(pool.submit(_write_counted, driver, cypher, batch))
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in finished)


def _write_counted(driver: Driver, cypher: str, batch: pa.RecordBatch) -> tuple[int, object]:
    return batch.num_rows, _write(driver, cypher, batch.to_pylist())


def _write(driver: Driver, cypher: str, rows: list[dict]):
    with driver.session() as session:
        return session.execute_write(_run_batch, cypher, rows)


def _run_batch(tx, cypher: str, rows: list[dict]):
    return tx.run(cypher, rows=rows).consume().counters


def graph_counts(driver: Driver) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    records, _, _ = driver.execute_query(statement("queries/graph_counts"))
    return {record["key"]: record["count"] for record in records}
