"""The protocol every source adapter meets, and the standardised record it hands on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb

from core.rejections import RejectedRow
from resolver.ingest_report import FileReport

INCIDENT = "incident"
PERSON = "person"


@dataclass(frozen=True)
class StandardRecord:
    """One live record, checked and standardised as the batch would, ready to journal.

    Records with the same ``number_by`` are numbered 0, 1, 2, ... in the order they are
    accepted (a duplicate delivery takes no number), and ``numbered`` turns the payload
    and its number into the payload stored (an anti-social behaviour report's id: see
    ``resolver.police_uk.derived_incident_id``)."""

    key: str  # the idempotency key
    source: str
    record_id: str
    kind: str  # INCIDENT | PERSON
    payload: dict[str, Any]
    number_by: str | None = None
    numbered: Callable[[dict[str, Any], int], dict[str, Any]] | None = None


class SourceAdapter(Protocol):
    """A source system: how its files reach the warehouse and how one of its records,
    arriving live, is checked and standardised with the same rules and messages."""

    @property
    def name(self) -> str:
        """The source system's name: the provenance on every record it gives."""
        ...

    @property
    def live(self) -> bool:
        """Whether it takes records one at a time through live intake."""
        ...

    def ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        force: bool = False,
        on_file: Callable[[FileReport], None] | None = None,
    ) -> list[FileReport]:
        """Read its files into the warehouse; an unchanged file is skipped, an unreadable
        one reported by name while the others load."""
        ...

    def standardise(
        self, records: list[Any], rows: list[int]
    ) -> list[StandardRecord | RejectedRow]:
        """Each live record (a JSON object) as a standard record or why it is refused."""
        ...
