"""Types for auditors: the audit log as a Relay connection."""

from __future__ import annotations

import strawberry

from api.types.review import PageInfo


@strawberry.type(description="One person-level read: who, when, what, why, how many records.")
class AuditEntry:
    id: strawberry.ID
    at: str
    who: str
    role: str
    what: str
    purpose: str
    records: int
    arguments: str


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type(description="Audit entries, newest first (Relay).")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int
