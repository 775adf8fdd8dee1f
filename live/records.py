"""Live records from any source that takes them, each checked and standardised by its
source adapter (``resolver.adapters``) exactly as the batch ingest would."""

from __future__ import annotations

from typing import Any

from core.rejections import RejectedRow
from resolver import police_uk
from resolver.adapters.base import SourceAdapter, StandardRecord


def standardise(
    adapters: dict[str, SourceAdapter],
    source: str,
    records: list[Any],
    rows: list[int] | None = None,
) -> list[StandardRecord | RejectedRow]:
    """Each record as a standard record or a rejection, in order; ``rows`` numbers them
    for the messages (default 1, 2, ...)."""
    adapter = adapters.get(source)
    if adapter is None or not adapter.live:
        raise ValueError(
            f"unknown source {source!r}; live ingest takes: {', '.join(sources(adapters))}"
        )
    return adapter.standardise(records, rows or list(range(1, len(records) + 1)))


def sources(adapters: dict[str, SourceAdapter]) -> list[str]:
    """The sources live ingest takes, police.uk first."""
    live = (name for name, adapter in adapters.items() if adapter.live)
    return sorted(live, key=lambda name: (name != police_uk.SOURCE, name))
