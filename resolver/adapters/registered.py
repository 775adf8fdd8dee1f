"""A source described by a registry YAML (``resolver/sources.py``): batch ingest of its
files (``resolver.registered_ingest``) and, for a source that carries people, one live
record checked and standardised exactly as the batch checks a row of its extract.

A live record is one row of the source's extract as a JSON object, keyed by the source's own
column names (its registry YAML, e.g. ``var/simulated/police_a.yaml``), plus an optional
``recordId`` (the source's id for the row; needed when the source maps no ``person_id``
column) and ``idempotencyKey`` (default ``<source>:<record id>``). The batch mapper
(``resolver.registered_ingest.map_row``) reads it, so a row the batch would quarantine is
rejected here with the same reason, naming the source column; a bad secondary value (a
postcode, a sex code) drops that value and keeps the record, as in the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from core.rejections import RejectedRow
from resolver import registered_ingest
from resolver.adapters.base import PERSON, StandardRecord
from resolver.adapters.live_fields import read_record
from resolver.ingest_report import FileReport
from resolver.registered_ingest import RowMapper, RowRejected, map_row
from resolver.sources import SourceSpec

_NO_ID = "\x00"  # map_row's fallback id: the record named none


@dataclass(frozen=True)
class RegisteredAdapter:
    """One registered source system; it takes live records if it carries people."""

    spec: SourceSpec

    @property
    def name(self) -> str:
        return self.spec.system

    @property
    def live(self) -> bool:
        return PERSON in self.spec.entity_types

    def ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        force: bool = False,
        on_file: Callable[[FileReport], None] | None = None,
    ) -> list[FileReport]:
        return list(registered_ingest.ingest_source(con, self.spec, force=force, on_file=on_file))

    def standardise(
        self, records: list[Any], rows: list[int]
    ) -> list[StandardRecord | RejectedRow]:
        mapper = RowMapper(self.spec)
        return [person_record(self.spec, mapper, r, n) for n, r in zip(rows, records, strict=True)]


def _column(spec: SourceSpec, target: str | None) -> str | None:
    """The source column feeding a canonical field (what the sender knows it by)."""
    if target is None:
        return None
    columns = spec.columns_for(target)
    return columns[0] if columns else target


def _journal_id(spec: SourceSpec, values: dict[str, str | None], person_id: str,
                incident_id: str | None) -> str:  # fmt: skip
    """The row's own id: its record_id column, else person@incident, else the person."""
    for column in spec.columns_for("record_id"):
        if values.get(column) and values[column].strip():
            return values[column].strip()
    return f"{person_id}@{incident_id}" if incident_id else person_id


def _incident_record(incident: dict[str, Any] | None, incident_id: str | None) -> dict | None:
    """The row's incident record with JSON-ready values; None when the row names none."""
    if incident is None or incident_id is None:
        return None
    when = incident["incident_date"]
    return {**incident, "incident_date": when.isoformat() if when else None}


def person_record(
    spec: SourceSpec, mapper: RowMapper, record: Any, row: int
) -> StandardRecord | RejectedRow:
    """A source row as a journal entry of kind ``person``, or why it is refused."""
    read = read_record(record, spec.fields, row)
    if isinstance(read, RejectedRow):
        return read
    texts, record_id, key = read
    values: dict[str, str | None] = {column: value or None for column, value in texts.items()}
    warnings: list[tuple[str, str]] = []
    try:
        person, incident, role = map_row(mapper, values, record_id or _NO_ID, warnings)
    except RowRejected as exc:
        return RejectedRow(row, _column(spec, exc.field_name), exc.reason)
    if person is None:  # not reached: only person-carrying sources are live sources
        return RejectedRow(row, None, f"{spec.system} records carry no person")
    person_id = person["person_record_id"]
    if person_id == _NO_ID:
        return RejectedRow(row, "recordId", f"required: {spec.system} maps no person id column")
    incident_id = incident["incident_record_id"] if incident else None
    if incident_id == _NO_ID:
        incident_id = None
    record_id = record_id or _journal_id(spec, values, person_id, incident_id)
    dob = person["date_of_birth"]
    payload = {
        "system": spec.system,
        "record_id": person_id,
        "record_ref": record_id,
        "forename": person["forename"],
        "middle_names": person["middle_names"],
        "surname": person["surname"],
        "date_of_birth": dob.isoformat() if dob else None,
        "dob_precision": person["dob_precision"],
        "sex": person["sex"],
        "address": person["address"],
        "postcode": person["postcode"],
        "uprn": person["uprn"],
        "email": person["email"],
        "phone": person["phone"],
        "role": role,
        "incident_record_id": incident_id,
        "police_reference": incident["police_reference"] if incident else None,
        "dropped": [[_column(spec, f), reason] for f, reason in warnings],
        "dropped_fields": [f for f, _reason in warnings],  # as the batch's quarantine names them
        # the row's incident as the batch would keep it (incident_records), for the warehouse
        "incident": _incident_record(incident, incident_id),
    }
    return StandardRecord(
        key or f"{spec.system}:{record_id}", spec.system, record_id, PERSON, payload
    )
