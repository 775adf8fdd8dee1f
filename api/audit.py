"""The append-only audit log of person-level reads, as (:AuditEntry) nodes in Neo4j.

Entries are only ever created (cypher/audit/append.cypher); nothing updates or
deletes one. Each says who read what, when, for which purpose, and how many records.
A read is answered only once its entry is committed. Entries are group-committed: those
that arrive while a write is in flight go together in the next transaction, so an idle
API writes each at once and a busy one commits a few times a second, not once per read.
"""

from __future__ import annotations

import asyncio
import json
import uuid
import weakref
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncDriver

from api.auth import Principal
from core import metrics
from core.logs import REQUEST_ID
from graph.cypher import read, statement


async def record(
    driver: AsyncDriver,
    who: Principal,
    what: str,
    purpose: str,
    records: int,
    arguments: dict[str, Any],
) -> str:
    """Append one entry; returns its id. Called once per person-level read."""
    entry = {
        "entry_id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "who": who.subject,
        "role": who.role,
        "what": what,
        "purpose": purpose,
        "records": records,
        "arguments": json.dumps(arguments, sort_keys=True, default=str),
        "request_id": REQUEST_ID.get(),  # the access log's line for this read
    }
    writer = _writers.get(driver)
    if writer is None:
        writer = _writers[driver] = _GroupCommit(driver)
    await writer.append(entry)
    return entry["entry_id"]


MAX_GROUP = 500


class _GroupCommit:
    """One driver's audit writes: at most one transaction in flight; entries that come
    meanwhile wait for the next, which takes them all (up to MAX_GROUP)."""

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver
        self._waiting: list[tuple[dict[str, Any], asyncio.Future]] = []
        self._writing: asyncio.Task | None = None

    async def append(self, entry: dict[str, Any]) -> None:
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, committed))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_waiting())
        # Shielded: a read given up on (timeout) leaves its entry to be written anyway.
        await asyncio.shield(committed)

    async def _write_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
            try:
                await self._driver.execute_query(
                    statement("audit/append"), entries=[entry for entry, _ in group]
                )
            except Exception as exc:  # every read of the group fails: none is unaudited
                for _, committed in group:
                    if not committed.done():
                        committed.set_exception(exc)
            else:
                metrics.AUDIT_ENTRIES.inc(len(group))
                for _, committed in group:
                    if not committed.done():
                        committed.set_result(None)


_writers: weakref.WeakKeyDictionary[AsyncDriver, _GroupCommit] = weakref.WeakKeyDictionary()


async def page(
    driver: AsyncDriver, limit: int, after: tuple[str, str] | None
) -> tuple[list[dict[str, Any]], int]:
    """Entries newest first after the cursor ``(at, entry_id)``, and the total count."""
    after_at, after_id = after or (None, None)
    records, totals = await asyncio.gather(
        read(driver, "audit/page", after_at=after_at, after_id=after_id, limit=limit),
        read(driver, "audit/count"),
    )
    return [r["entry"] for r in records], totals[0]["total"]
