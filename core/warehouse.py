"""The DuckDB warehouse: one file holding source records, quarantine and canonical tables."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from core import warehouse_schema, warehouse_versions


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse, migrated to this crimegraph's schema
    version (``core.warehouse_versions``), with the base tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")  # crimegraph shows its own progress
        warehouse_versions.migrate(con, path)
        ensure_tables(con, *warehouse_schema.BASE)
    except BaseException:
        con.close()
        raise
    return con


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for reading (others may read it at once), refusing one made by
    a newer crimegraph. An older one is read as it is: readers cope with missing tables."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        warehouse_versions.refuse_newer(warehouse_versions.version_of(con), path)
    except BaseException:
        con.close()
        raise
    return con


def ensure_tables(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Create these tables (``core.warehouse_schema``) if missing, with every column added
    since their first release."""
    for name in names:
        con.execute(warehouse_schema.TABLES[name])
        for column in warehouse_schema.ADDED_COLUMNS.get(name, ()):
            con.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column}")


QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_file", pa.string()),
        ("row_number", pa.int64()),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
        ("severity", pa.string()),
    ]
)


def quarantine_rows(
    source: str, source_file: str, problems: Sequence[tuple[int, str | None, str, str, str]]
) -> pa.Table:
    """Quarantine rows for one file from (row_number, field, reason, raw, severity)."""
    columns = list(zip(*problems, strict=True)) if problems else [[], [], [], [], []]
    return pa.table(
        [
            [source] * len(problems),
            [source_file] * len(problems),
            list(columns[0]),
            list(columns[1]),
            list(columns[2]),
            list(columns[3]),
            list(columns[4]),
        ],
        schema=QUARANTINE_SCHEMA,
    )


def has_tables(con: duckdb.DuckDBPyConnection, *names: str) -> bool:
    """Whether the warehouse holds every one of the tables (or views) ``names``."""
    found = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN "
            "(SELECT unnest($names))",
            {"names": list(names)},
        ).fetchall()
    }
    return found == set(names)


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse holds the table (or view) ``name``."""
    return has_tables(con, name)


def file_sha256(path: Path) -> str:
    """The file's SHA-256: an unchanged file is not ingested twice."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
