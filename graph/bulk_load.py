"""A first load of a large graph through Neo4j's offline bulk importer.

Cypher writes (``graph/load.py``) reach about 10,000 rows a second on two cores: Bolt and
the per-row Cypher work are the limit, not the disk. ``neo4j-admin database import`` writes
the store files directly, hundreds of thousands of relationships a second, but only into a
stopped database, which it replaces. So it serves one case: the first load of an empty
graph on the local server crimegraph manages, with enough rows to pay for restarting the
server (``BULK_MIN_ROWS``). Each imported node and relationship carries the same
``load_hash`` a Cypher load gives it, so every later load is incremental, through Cypher.

CSV cannot say "empty list" (the importer reads an empty array as no property) and a list
element holding the array delimiter would split; the few rows with either are written again
after the import by the step's own ``update.cypher``.

A marker file is written before the server stops and removed once the imported graph is up
with its schema; a load that finds it (a killed import) imports again from the start.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from neo4j import Driver

from core.settings import Settings
from graph import connection, neo4j_server
from graph.bulk_files import BULK_STEPS, NodeFile, RelationshipFile
from graph.cypher import statement
from graph.load import (
    BATCH_SIZE,
    WRITERS,
    LoadReport,
    StepReport,
    apply_schema,
    hashed_rows,
    write_batches,
)
from graph.load_steps import STEPS, prepare_views

BULK_MIN_ROWS = 250_000
ARRAY_DELIMITER = "\x1f"  # a control character no name, address or id holds
_SCALAR_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "long",
    "INTEGER": "long",
    "SMALLINT": "long",
    "TINYINT": "long",
    "UINTEGER": "long",
    "USMALLINT": "long",
    "UTINYINT": "long",
    "DOUBLE": "double",
    "FLOAT": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
}
Log = Callable[[str], None]


class BulkLoadUnsupported(ValueError):
    """A column the importer's CSV cannot carry exactly; load through Cypher instead."""


def marker(settings: Settings) -> Path:
    return settings.neo4j_instance_dir / "bulk-import.pending"


def should_bulk_load(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """An unfinished bulk import, or: the local managed server, an empty graph, and at least
    ``BULK_MIN_ROWS`` rows to write."""
    if marker(settings).exists():
        return True
    if neo4j_server.running_pid(settings) is None:
        return False  # a server crimegraph does not manage: never stop it
    with connection.driver(settings) as driver:
        records, _, _ = driver.execute_query(statement("queries/any_node"))
    if records:
        return False
    prepare_views(con)
    rows = 0
    for step in STEPS:
        sql = step.sql(con)
        if sql is not None:
            rows += con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    return rows >= BULK_MIN_ROWS


def bulk_load(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    on_progress: Callable[[str, int, int], None] | None = None,
    log: Log = print,
) -> LoadReport:
    """Replace the graph with the warehouse's, through the bulk importer (see module doc)."""
    unmanaged = neo4j_server.running_pid(settings) is None and not marker(settings).exists()
    if unmanaged and neo4j_server.status(settings).answering:
        raise BulkLoadUnsupported(
            f"the server at {settings.neo4j.uri} is not one crimegraph manages, and the "
            "bulk importer would have to stop it"
        )
    report = LoadReport()
    phases = report.bulk_phases
    folder = settings.neo4j_instance_dir / "import" / "bulk"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    prepare_views(con)
    tables = _stage_rows(con)
    nodes, relationships = [], []
    for name, table in tables.items():
        step_started = time.perf_counter()
        step_report = report.steps[name] = StepReport()
        files = _export_step(con, name, table, tables, folder, step_report)
        nodes += files[0]
        relationships += files[1]
        step_report.write_seconds = time.perf_counter() - step_started
        if on_progress:
            on_progress(name, step_report.created, step_report.created)
    phases["export"] = time.perf_counter() - started

    marker(settings).write_text("a bulk import started; the next load imports again\n")
    started = time.perf_counter()
    neo4j_server.stop(settings, log=log)
    phases["stop"] = time.perf_counter() - started
    started = time.perf_counter()
    log(f"bulk import of {len(nodes)} node and {len(relationships)} relationship files ...")
    bad = settings.neo4j_instance_dir / "logs" / "bulk-import-skipped.txt"
    bad.unlink(missing_ok=True)
    neo4j_server.import_full(
        settings, nodes, relationships, array_delimiter=ARRAY_DELIMITER, report_file=bad
    )
    phases["import"] = time.perf_counter() - started
    skipped = _count_lines(bad)
    if skipped:
        log(f"{skipped} relationships skipped (end node missing): see {bad}")
    started = time.perf_counter()
    neo4j_server.start(settings, log=log)
    phases["start"] = time.perf_counter() - started
    with connection.driver(settings) as driver:
        started = time.perf_counter()
        apply_schema(driver)
        phases["schema"] = time.perf_counter() - started
        started = time.perf_counter()
        for name, table in tables.items():
            report.steps[name].updated = _rewrite_lists(con, driver, name, table)
        phases["rewrite"] = time.perf_counter() - started
    marker(settings).unlink()
    for table in tables.values():
        con.execute(f"DROP TABLE IF EXISTS {table}")
    shutil.rmtree(folder, ignore_errors=True)  # the files hold personal data
    return report


def _stage_rows(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each step's rows, hashed as a Cypher load hashes them, in a temp table."""
    tables = {}
    for step in STEPS:
        sql = step.sql(con)
        if sql is None:
            continue
        if step.name not in BULK_STEPS:
            raise BulkLoadUnsupported(f"load step {step.name} has no bulk import files")
        tables[step.name] = f"bulk_rows_{step.name}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {tables[step.name]} AS {hashed_rows(sql)}")
    return tables


def _export_step(
    con: duckdb.DuckDBPyConnection,
    name: str,
    table: str,
    tables: dict[str, str],
    folder: Path,
    report: StepReport,
) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """Write the step's node and relationship CSV files; count what they hold."""
    spec = BULK_STEPS[name]
    nodes, relationships = [], []
    report.created = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if spec.nodes:
        path = folder / f"{name}.nodes.csv"
        report.nodes_created = _copy(con, _node_select(con, spec.nodes, table), path)
        nodes.append((spec.nodes.label, path))
    for index, rel in enumerate(spec.relationships):
        path = folder / f"{name}.{index}.{rel.type}.csv"
        select = _relationship_select(con, rel, table, tables)
        report.relationships_created += _copy(con, select, path)
        relationships.append((rel.type, path))
    return nodes, relationships


def _node_select(con: duckdb.DuckDBPyConnection, spec: NodeFile, table: str) -> str:
    relation = con.sql(f"SELECT * FROM {table} LIMIT 0")
    kinds = dict(zip(relation.columns, relation.types, strict=True))
    columns = [f'key AS "{spec.id_property}:ID({spec.label})"']
    for column in spec.properties(relation.columns):
        columns.append(_typed(f'"{column}"', column, str(kinds[column]), where=table))
    if spec.point:
        columns.append(
            "CASE WHEN latitude IS NULL OR longitude IS NULL THEN NULL ELSE "
            "'{latitude:' || CAST(latitude AS DOUBLE) || ',longitude:' || "
            "CAST(longitude AS DOUBLE) || '}' END AS \"point:point{crs:WGS-84}\""
        )
    return f"SELECT {', '.join(columns)} FROM {table}"


def _relationship_select(
    con: duckdb.DuckDBPyConnection, rel: RelationshipFile, table: str, tables: dict[str, str]
) -> str:
    """One row per relationship whose two end nodes are imported too (a Cypher load's MATCH
    finds no node otherwise, and makes no relationship)."""
    source = rel.source.format(rows=table)
    columns = [
        f'{rel.start} AS ":START_ID({rel.start_label})"',
        f'{rel.end} AS ":END_ID({rel.end_label})"',
    ]
    if rel.properties:
        expressions = ", ".join(f'{expr} AS "{prop}"' for prop, expr in rel.properties)
        kinds = con.sql(f"SELECT {expressions} FROM {source} AS r LIMIT 0").types
        for (prop, expr), kind in zip(rel.properties, kinds, strict=True):
            columns.append(_typed(expr, prop, str(kind), where=f"{table} ({rel.type})"))
    return (
        f"SELECT {', '.join(columns)} FROM {source} AS r "
        f"WHERE {rel.start} IN ({_keys(rel.start_label, tables)}) "
        f"AND {rel.end} IN ({_keys(rel.end_label, tables)})"
    )


def _keys(label: str, tables: dict[str, str]) -> str:
    """The keys of every imported node with this label (one label may come from two steps)."""
    selects = [
        f"SELECT key FROM {tables[name]}"
        for name, spec in BULK_STEPS.items()
        if spec.nodes and spec.nodes.label == label and name in tables
    ]
    return " UNION ALL ".join(selects) or "SELECT NULL::VARCHAR AS key WHERE false"


def _typed(expr: str, prop: str, kind: str, *, where: str) -> str:
    """``expr AS "prop:type"`` in the importer's header syntax; lists joined by the array
    delimiter; 32-bit floats widened as the driver widens them."""
    is_list = kind.endswith("[]")
    scalar = kind[:-2] if is_list else kind
    if scalar not in _SCALAR_TYPES:
        raise BulkLoadUnsupported(f"{where}: {prop} is {kind}, which the bulk importer lacks")
    value = f"CAST({expr} AS DOUBLE{'[]' if is_list else ''})" if scalar == "FLOAT" else expr
    if is_list:
        value = f"array_to_string({value}, chr({ord(ARRAY_DELIMITER)}))"
    return f'{value} AS "{prop}:{_SCALAR_TYPES[scalar]}{"[]" if is_list else ""}"'


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> int:
    """COPY a query to a CSV file with a header; the number of rows written."""
    target = str(path).replace("'", "''")
    return con.execute(
        f"COPY ({select}) TO '{target}' (HEADER, QUOTE '\"', ESCAPE '\"')"
    ).fetchall()[0][0]


def _rewrite_lists(con: duckdb.DuckDBPyConnection, driver: Driver, name: str, table: str) -> int:
    """Write again, through the step's update statement, the rows holding a list CSV could
    not carry: empty, or with an element containing the array delimiter."""
    spec = BULK_STEPS[name]
    properties = {expr for rel in spec.relationships if rel.source == "{rows}"
                  for _, expr in rel.properties}  # fmt: skip
    relation = con.sql(f"SELECT * FROM {table} LIMIT 0")
    if spec.nodes:
        properties |= set(spec.nodes.properties(relation.columns))
    lists = [
        column
        for column, kind in zip(relation.columns, relation.types, strict=True)
        if column in properties and str(kind).endswith("[]")
    ]
    if not lists:
        return 0
    delimiter = f"chr({ord(ARRAY_DELIMITER)})"
    unrepresentable = " OR ".join(
        f'len("{c}") = 0 OR len(list_filter("{c}", '
        f"lambda x: contains(CAST(x AS VARCHAR), {delimiter}))) > 0"
        for c in lists
    )
    order = next(step.order_by for step in STEPS if step.name == name)
    rows = con.sql(
        f"SELECT * FROM {table} WHERE {unrepresentable} ORDER BY {order}"
    ).to_arrow_table()
    if rows.num_rows:
        cypher = statement(f"load/{name}/update")
        for _ in write_batches(driver, cypher, rows, BATCH_SIZE, WRITERS):
            pass
    return rows.num_rows


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open() as handle:
        return sum(1 for line in handle if line.strip())
