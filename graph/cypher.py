"""Named Cypher statements from ``cypher/`` (the code never builds Cypher from strings),
and the one way reads of them are run. Tests and benchmarks keep their own statements in
their own trees (``tests/cypher``, ``benchmarks/cypher``), read through the same guard."""

from __future__ import annotations

import asyncio
import time
from functools import cache
from pathlib import Path
from typing import Any

import neo4j

from core import metrics
from core.settings import CYPHER_DIR


class CypherFiles:
    """The named statements under one directory; a name cannot reach outside it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @cache  # noqa: B019 - a handful of long-lived instances; statements never change
    def statement(self, name: str) -> str:
        """The statement in ``<root>/<name>.cypher`` (e.g. ``"queries/forces"``)."""
        path = (self.root / f"{name}.cypher").resolve()
        if self.root not in path.parents:
            raise ValueError(f"not a statement under {self.root}: {name}")
        return path.read_text()

    def statements(self, name: str) -> list[str]:
        """A file of several statements, split on the ``;`` that ends each."""
        text = self.statement(name)
        lines = [ln for ln in text.splitlines() if not ln.strip().startswith("//")]
        return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


PRODUCTION = CypherFiles(CYPHER_DIR)
statement = PRODUCTION.statement
statements = PRODUCTION.statements


READ_ATTEMPTS = 3


async def read(driver: neo4j.AsyncDriver, name: str, /, **params: Any) -> list[neo4j.Record]:
    """The records of the read-only statement ``name`` run with ``params``, as an
    auto-commit query.

    ``driver.execute_query`` runs each query in a managed transaction: BEGIN, RUN and PULL
    go out together, then COMMIT is a second round trip. A read has nothing to commit, so
    RUN and PULL alone answer it with half the waits; in a busy API each wait is a turn of
    an event loop full of other requests (measured: linked cases' p95 under the mixed load
    fell by about a fifth). Writes keep managed transactions.

    What managed transactions did that is kept: a read failing with an error the driver
    calls retryable (a pooled connection the server closed, e.g. after a restart; a
    transient server error) is run again, up to ``READ_ATTEMPTS`` times in all.
    """
    for attempt in range(1, READ_ATTEMPTS):
        try:
            return await _run_read(driver, name, params)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            if not exc.is_retryable():
                raise
            await asyncio.sleep(0.05 * (attempt - 1))  # a dead connection: at once
    return await _run_read(driver, name, params)


async def read_data(driver: neo4j.AsyncDriver, name: str, /, **params: Any) -> list[dict]:
    """The records of ``read(driver, name, **params)`` as plain dicts."""
    return [record.data() for record in await read(driver, name, **params)]


async def _run_read(driver: neo4j.AsyncDriver, name: str, params: dict) -> list[neo4j.Record]:
    started, outcome = time.perf_counter(), "error"
    metrics.NEO4J_READS_IN_FLIGHT.inc()
    try:
        async with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
            result = await session.run(statement(name), params)
            records = [record async for record in result]
        outcome = "ok"
        return records
    finally:
        metrics.NEO4J_READS_IN_FLIGHT.dec()
        metrics.NEO4J_READ_SECONDS.labels(outcome).observe(time.perf_counter() - started)
