"""The data.police.uk street-level adapter: batch ingest of the monthly CSVs
(``resolver.police_uk_ingest``) and live records checked exactly as the batch checks a row.

A police.uk record is the street-level CSV row as a JSON object (``Crime ID``, ``Month``,
``Reported by``, ``Longitude``, ``Latitude``, ``Location``, ``LSOA code``, ``Crime type``,
...) plus ``recordId`` (the source's id for the record: required for anti-social
behaviour, which has no Crime ID; ``<Crime ID>@<Month>`` otherwise) and an optional
``idempotencyKey`` (default ``<source>:<recordId>``); other fields are ignored, as the
batch reader ignores extra columns. The batch parser
(``resolver.police_uk``) validates it, so the rules and messages are the batch's.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.rejections import RejectedRow
from resolver import police_uk, police_uk_ingest
from resolver.adapters.base import INCIDENT, StandardRecord
from resolver.adapters.live_fields import read_record
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from resolver.ingest_report import FileReport
from resolver.readers import SourceRow


@dataclass(frozen=True)
class PoliceUkAdapter:
    """police.uk street-level crime and anti-social behaviour; ``files`` are the CSVs a
    batch ingest reads (live intake needs none)."""

    files: tuple[Path, ...] = ()
    name: str = police_uk.SOURCE
    live: bool = True

    def ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        force: bool = False,
        on_file: Callable[[FileReport], None] | None = None,
    ) -> list[FileReport]:
        report = police_uk_ingest.ingest_police_uk(
            con, list(self.files), force=force, on_file=on_file
        )
        return report.files

    def standardise(
        self, records: list[Any], rows: list[int]
    ) -> list[StandardRecord | RejectedRow]:
        return [police_uk_record(self.name, r, n) for n, r in zip(rows, records, strict=True)]


def police_uk_record(source: str, record: Any, row: int) -> StandardRecord | RejectedRow:
    """A police.uk street-level record as a journal entry, or why it is refused."""
    read = read_record(record, police_uk.HEADER, row)
    if isinstance(read, RejectedRow):
        return read
    values, record_id, key = read
    parser = police_uk.FileParser(f"live:{source}")
    parser.accept(SourceRow(row, values, ",".join(values.values())))
    if parser.rejections:
        r = parser.rejections[0]
        return RejectedRow(row, r.field, r.reason)
    parsed = {name: column[0] for name, column in parser.columns.items()}
    crime_id = parsed["crime_id"]
    if record_id is None:
        if crime_id is None:
            return RejectedRow(row, "recordId", "required when there is no Crime ID")
        record_id = f"{crime_id}@{parsed['month']}"
    payload = {
        name: parsed[name]
        for name in police_uk.RECORD_COLUMNS
        if name not in ("source_file", "row_number")
    }
    payload["crime_group"] = POLICE_UK_CRIME_TYPES[parsed["crime_type"]]
    payload["record_ref"] = record_id
    entry = StandardRecord(key or f"{source}:{record_id}", source, record_id, INCIDENT, payload)
    if crime_id is None:  # the id comes with its number among identical rows
        key = police_uk.derived_key(police_uk.stripped(values))
        numbered = functools.partial(_with_derived_id, key)
        return dataclasses.replace(entry, number_by=f"{source}|{key}", numbered=numbered)
    return entry


def _with_derived_id(key: str, payload: dict[str, Any], number: int) -> dict[str, Any]:
    """The payload of a row without a Crime ID with the id the batch gives the same row:
    the ``number``-th row with its fields (see ``police_uk.derived_incident_id``)."""
    return {**payload, "incident_id": police_uk.derived_incident_id(key, number)}
