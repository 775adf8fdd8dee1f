"""The audit log, for auditors: newest first, as a Relay connection."""

from __future__ import annotations

import json

from strawberry.types import Info

from api import audit
from api.context import driver
from api.errors import BadInput
from api.limits import check_page
from api.resolvers.review import decode_cursor, encode_cursor
from api.types.audit import AuditEntry, AuditEntryConnection, AuditEntryEdge
from api.types.review import PageInfo


async def audit_log(info: Info, first: int = 50, after: str | None = None) -> AuditEntryConnection:
    limit = check_page("auditLog", first)
    position = None
    if after is not None:
        try:
            at, entry_id = json.loads(decode_cursor("audit", after))
        except (ValueError, TypeError) as exc:
            raise BadInput("after", "after is not a cursor this API issued") from exc
        position = (str(at), str(entry_id))
    rows, total = await audit.page(driver(info), limit + 1, position)
    more = len(rows) > limit
    edges = [
        AuditEntryEdge(
            cursor=encode_cursor("audit", json.dumps([r["at"], r["entry_id"]])),
            node=AuditEntry(
                id=r["entry_id"],
                at=r["at"],
                who=r["who"],
                role=r["role"],
                what=r["what"],
                purpose=r["purpose"],
                records=r["records"],
                arguments=r["arguments"],
            ),
        )
        for r in rows[:limit]
    ]
    return AuditEntryConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
