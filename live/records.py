"""Live records from any source, each checked and standardised exactly as the batch
ingest would: police.uk street records (``live.police_uk_records``) and person records
from the registered person-carrying sources (``live.people_records``)."""

from __future__ import annotations

from typing import Any

from core.rejections import RejectedRow
from live import people_records
from live.journal import NewEntry
from live.police_uk_records import police_uk_record
from resolver import police_uk
from resolver.sources import SourceSpec


def standardise(
    source: str,
    records: list[Any],
    rows: list[int] | None = None,
    people: dict[str, SourceSpec] | None = None,
) -> list[NewEntry | RejectedRow]:
    """Each record as an entry or a rejection, in order; ``rows`` numbers them for the
    messages (default 1, 2, ...). ``people``: the person-carrying sources by name
    (``live.people_records``)."""
    numbers = rows or list(range(1, len(records) + 1))
    if source in (people or {}):
        return people_records.standardise(people[source], records, numbers)
    if source != police_uk.SOURCE:
        known = ", ".join(sources(people))
        raise ValueError(f"unknown source {source!r}; live ingest takes: {known}")
    return [police_uk_record(source, r, n) for n, r in zip(numbers, records, strict=True)]


def sources(people: dict[str, SourceSpec] | None = None) -> list[str]:
    """The sources live ingest takes: police.uk and every person-carrying source."""
    return [police_uk.SOURCE, *sorted(people or {})]
