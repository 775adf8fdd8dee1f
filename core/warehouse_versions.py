"""The warehouse's schema version, and the migrations that bring an older one up to date.

A warehouse records every migration it has had in ``schema_migrations`` (version, when,
by which crimegraph). Warehouses made before versions were kept have no such table and
are version 1. Opening one read-write (``core.warehouse.connect``) migrates it in one
transaction; a warehouse whose version is newer than this crimegraph knows is refused,
read-write or read-only, rather than read or written with the wrong idea of its tables.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from pathlib import Path

import duckdb

from core import warehouse_schema
from core.errors import CrimegraphError

# This crimegraph's warehouse schema. Version 1: every warehouse made before versions.
VERSION = 4
VERSIONS_TABLE = "schema_migrations"


def crimegraph_version() -> str:
    """The installed crimegraph's version, recorded beside each migration."""
    try:
        return importlib.metadata.version("crimegraph")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout not installed
        return "unknown"


class SchemaVersionError(CrimegraphError):
    """A warehouse or graph made by a newer crimegraph than this one."""


def _keep_versions(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: the version log itself."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (version INTEGER PRIMARY KEY, "
        "migrated_at TIMESTAMP NOT NULL, crimegraph VARCHAR NOT NULL)"
    )


def _every_column_everywhere(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3: every column added since a table's first release is on every table the
    warehouse has, not only on those a stage has opened since (a reader of an old table,
    such as the API or a backup, sees the columns the code expects)."""
    present = _tables(con)
    for name, columns in warehouse_schema.ADDED_COLUMNS.items():
        if name in present:
            for column in columns:
                con.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column}")


# The version each migration reaches, in order; each runs once, on an older warehouse.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    2: _keep_versions,
    3: _every_column_everywhere,
    # Version 4: live records are kept in the warehouse; a police.uk row carries the live
    # record's own id (record_ref). The new tables are made when live intake first writes.
    4: _every_column_everywhere,
}
assert max(MIGRATIONS) == VERSION, "every version has its migration"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()"
        ).fetchall()
    }


def version_of(con: duckdb.DuckDBPyConnection) -> int | None:
    """The warehouse's schema version; None for a new, empty warehouse."""
    tables = _tables(con)
    if VERSIONS_TABLE in tables:
        (found,) = con.execute(f"SELECT max(version) FROM {VERSIONS_TABLE}").fetchone()
        return int(found or 1)
    return 1 if tables else None


def refuse_newer(found: int | None, where: Path | str) -> None:
    """Raise unless this crimegraph knows the schema version ``found``."""
    if found is not None and found > VERSION:
        raise SchemaVersionError(
            f"{where}: warehouse schema version {found} is newer than this crimegraph "
            f"knows ({VERSION}); use the crimegraph that made it, or a newer one"
        )


def migrate(con: duckdb.DuckDBPyConnection, where: Path | str) -> list[int]:
    """Bring the warehouse to :data:`VERSION` (a new one is made at it); returns the
    versions migrated through, in order (empty when it was already current or new)."""
    found = version_of(con)
    refuse_newer(found, where)
    if found == VERSION:
        return []
    steps = [version for version in sorted(MIGRATIONS) if found is not None and version > found]
    con.execute("BEGIN TRANSACTION")
    try:
        for version in steps:
            MIGRATIONS[version](con)
        _keep_versions(con)
        for version in steps or [VERSION]:
            con.execute(
                f"INSERT INTO {VERSIONS_TABLE} VALUES (?, current_timestamp, ?)",
                [version, crimegraph_version()],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return steps
