"""The graph's schema version, and the migrations that bring an older graph up to date.

The version is a single ``(:CrimegraphSchema {name: 'graph'})`` node. A graph with data
but no such node was made before versions were kept: version 1. Migrations are Cypher
files (``cypher/schema/migrations/<version>.cypher``), each idempotent, run in order by
the loader before it writes; a graph newer than this crimegraph knows is refused.
"""

from __future__ import annotations

from neo4j import AsyncDriver, Driver

from core.warehouse_versions import SchemaVersionError, crimegraph_version
from graph.cypher import read, statement, statements

# This crimegraph's graph schema. Version 1: every graph made before versions were kept.
VERSION = 2
MIGRATIONS = (2,)
assert MIGRATIONS[-1] == VERSION, "every version has its migration"


def _found(version: int | None, has_data: bool) -> int | None:
    if version is not None:
        return int(version)
    return 1 if has_data else None


def version_of(driver: Driver) -> int | None:
    """The graph's schema version; None for an empty graph."""
    records, _, _ = driver.execute_query(statement("schema/version"))
    return _found(records[0]["version"], records[0]["has_data"])


async def version_of_async(driver: AsyncDriver) -> int | None:
    """:func:`version_of` for the API's driver."""
    records = await read(driver, "schema/version")
    return _found(records[0]["version"], records[0]["has_data"])


def refuse_newer(found: int | None) -> None:
    if found is not None and found > VERSION:
        raise SchemaVersionError(
            f"the graph's schema version {found} is newer than this crimegraph knows "
            f"({VERSION}); use the crimegraph that made it, or a newer one"
        )


def migrate(driver: Driver) -> list[int]:
    """Bring the graph to :data:`VERSION` (an empty one is made at it); returns the
    versions migrated through (empty when current or new)."""
    found = version_of(driver)
    refuse_newer(found)
    if found == VERSION:
        return []
    steps = [v for v in MIGRATIONS if found is not None and v > found]
    for version in steps or MIGRATIONS:  # a new graph gets every migration's schema too
        for text in statements(f"schema/migrations/{version}"):
            driver.execute_query(text)
    driver.execute_query(
        statement("schema/set_version"), version=VERSION, crimegraph=crimegraph_version()
    )
    return steps
