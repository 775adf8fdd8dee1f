"""The append-only audit log of person-level reads, as (:AuditEntry) nodes in Neo4j.

Entries are only ever created (cypher/api/audit_append.cypher); nothing updates or
deletes one. Each says who read what, when, for which purpose, and how many records.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncDriver

from api.auth import Principal
from graph.cypher import statement


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
    }
    await driver.execute_query(statement("api/audit_append"), entry=entry)
    return entry["entry_id"]


async def page(
    driver: AsyncDriver, limit: int, after: tuple[str, str] | None
) -> tuple[list[dict[str, Any]], int]:
    """Entries newest first after the cursor ``(at, entry_id)``, and the total count."""
    after_at, after_id = after or (None, None)
    records, _, _ = await driver.execute_query(
        statement("api/audit_page"),
        after_at=after_at,
        after_id=after_id,
        limit=limit,
        routing_="r",
    )
    totals, _, _ = await driver.execute_query(statement("api/audit_count"), routing_="r")
    return [r["entry"] for r in records], totals[0]["total"]
