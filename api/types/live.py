"""Types for live ingest: the per-record acknowledgement."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What happened to one record sent to ingestRecords.")
class IngestStatus(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@strawberry.type(description="One record's outcome, in the order the records were sent.")
class RecordStatus:
    row: int = strawberry.field(description="The record's position in the call, from 1.")
    status: IngestStatus
    record_id: str | None = strawberry.field(description="The source's id for the record.")
    key: str | None = strawberry.field(description="The idempotency key it was stored under.")
    field: str | None = strawberry.field(description="The field that was wrong (rejected).")
    reason: str | None = strawberry.field(description="Why it was rejected.")


@strawberry.type(description="The answer to ingestRecords: accepted records are durably "
                 "journalled and will reach the graph and the map in order.")  # fmt: skip
class IngestResult:
    accepted: int
    duplicates: int
    rejected: int
    records: list[RecordStatus]


@strawberry.type(description="A new uncertain match for the stewards' review queue.")
class ReviewNeeded:
    pair_id: str
    match_probability: float
    left: str = strawberry.field(description="The left record's key (system:record id).")
    right: str = strawberry.field(description="The right record's key (system:record id).")
