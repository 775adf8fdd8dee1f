"""Taking records in: check each, journal the good ones durably, then acknowledge.

Shared by the ``ingestRecords`` mutation and the batch HTTP endpoint, so both give the
same per-record answer: accepted, duplicate (its idempotency key was seen before), or
rejected with the record number, field and reason.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import metrics
from core.rejections import RejectedRow
from live import records as live_records
from live.applier import Applier
from live.broadcast import Broadcaster
from live.journal import Journal
from resolver.adapters.base import SourceAdapter, StandardRecord
from resolver.adapters.registry import live_adapters

MAX_RECORDS = 1000
ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass(frozen=True)
class RecordStatus:
    row: int
    status: str
    record_id: str | None = None
    key: str | None = None
    field: str | None = None
    reason: str | None = None


@dataclass
class Live:
    """The live path's parts, one per API process."""

    journal: Journal
    applier: Applier
    broadcaster: Broadcaster
    # the sources that take live records, by name (police.uk alone by default)
    adapters: dict[str, SourceAdapter] = field(default_factory=lambda: live_adapters(None))
    # free space the journal's disk keeps in reserve: below it intake accepts nothing
    reserve_bytes: int = 256 * 1024 * 1024


class IntakeFull(Exception):
    """The journal's disk is nearly full: nothing of the request was accepted."""

    retry_after_s = 60


def _room(live: Live) -> None:
    """Refuse the whole request while the journal's disk is under its reserve, before a
    record is stored: better a clear refusal the source retries than a journal that fails
    half way through a commit (SQLite would roll it back, but say only "disk full")."""
    free = shutil.disk_usage(live.journal.path.parent).free
    if free < live.reserve_bytes:
        raise IntakeFull(
            f"the live journal's disk has {free // 2**20} MB free, under the "
            f"{live.reserve_bytes // 2**20} MB intake keeps in reserve: nothing in this "
            f"request was accepted; send it again later (retry after {IntakeFull.retry_after_s} s)"
        )


def journal_path(data_dir: Path) -> Path:
    return data_dir / "live" / "journal.sqlite"


class IntakeError(ValueError):
    """A request the intake cannot take at all (unknown source, too many records)."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


def _check(
    live: Live, source: str, records: list[Any], rows: list[int] | None
) -> list[StandardRecord | RejectedRow]:
    known = live_records.sources(live.adapters)
    if source not in known:
        raise IntakeError(
            "source", f"unknown source {source!r}; live ingest takes: {', '.join(known)}"
        )
    if len(records) > MAX_RECORDS:
        raise IntakeError("records", f"at most {MAX_RECORDS} records per call, got {len(records)}")
    return live_records.standardise(live.adapters, source, records, rows)


async def ingest(
    live: Live, source: str, records: list[Any], rows: list[int] | None = None
) -> list[RecordStatus]:
    """Per record, in order: accepted (durably journalled), duplicate or rejected;
    ``rows`` numbers the records (default 1, 2, ...)."""
    checked = await asyncio.to_thread(_check, live, source, records, rows)
    _room(live)
    numbers = rows or list(range(1, len(records) + 1))
    entries = [c for c in checked if isinstance(c, StandardRecord)]
    stored = await asyncio.to_thread(live.journal.append, entries) if entries else []
    if any(stored):
        live.applier.wake()
    fresh = iter(stored)
    out: list[RecordStatus] = []
    for row, item in zip(numbers, checked, strict=True):
        if isinstance(item, RejectedRow):
            out.append(RecordStatus(row, REJECTED, field=item.field, reason=item.message))
        elif next(fresh):
            out.append(RecordStatus(row, ACCEPTED, item.record_id, item.key))
        elif await asyncio.to_thread(live.journal.reuses_key, item):
            reason = (
                f"record {row}, field 'idempotencyKey': conflict: {item.key!r} was already "
                "used for a different record; a redelivery must be identical"
            )
            out.append(
                RecordStatus(row, REJECTED, item.record_id, item.key, "idempotencyKey", reason)
            )
        else:
            out.append(RecordStatus(row, DUPLICATE, item.record_id, item.key))
    for status in out:
        metrics.LIVE_RECORDS.labels(source, status.status).inc()
    return out
