"""The one shape of a refused row, shared by batch ingest (a file's line) and live intake
(a call's record): where it is, which field, why, and the raw text kept for stewards.

``severity`` says what was refused: ``row`` (the whole row went to quarantine) or
``field`` (one value was dropped and the row kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["row", "field"]


@dataclass(frozen=True)
class RejectedRow:
    row: int  # the file's line (batch) or the record's position in the call (live), from 1
    field: str | None
    reason: str
    raw: str | None = None
    severity: Severity = "row"

    @property
    def message(self) -> str:
        """For a live caller: which record, which field, why."""
        where = f"record {self.row}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.reason}"

    def quarantine_row(self) -> tuple[int, str | None, str, str, str]:
        """The ``quarantine`` table's columns after source and file."""
        return (self.row, self.field, self.reason, self.raw or "", self.severity)
