"""One live record checked and standardised exactly as the batch ingest would.

Person records from the other source systems are in ``live.people_records``.
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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from live.journal import NewEntry
from resolver import police_uk
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from resolver.readers import SourceRow
from resolver.sources import SourceSpec

INCIDENT = "incident"
MAX_ID = 200
_META = ("recordId", "idempotencyKey")


@dataclass(frozen=True)
class Rejected:
    """Why one record was refused: its position (1-based), field and reason."""

    row: int
    field: str | None
    reason: str

    @property
    def message(self) -> str:
        where = f"record {self.row}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.reason}"


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(type(value).__name__)
    return str(value)


def identifier(record: dict[str, Any], name: str, row: int) -> str | Rejected | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        return Rejected(row, name, f"must be a string, got {type(value).__name__}")
    text = str(value).strip()
    if not text or len(text) > MAX_ID:
        return Rejected(row, name, f"must be 1-{MAX_ID} characters")
    return text


def read_record(
    record: Any, columns: Iterable[str], row: int
) -> tuple[dict[str, str], str | None, str | None] | Rejected:
    """A live record's columns as text, its ``recordId`` and its ``idempotencyKey``, or
    why it cannot be read (not an object, a value that is not text, a bad id)."""
    if not isinstance(record, dict):
        return Rejected(row, None, f"must be a JSON object, got {type(record).__name__}")
    values: dict[str, str] = {}
    for name in columns:
        try:
            values[name] = text(record.get(name))
        except TypeError as exc:
            return Rejected(row, name, f"must be a string or number, got {exc}")
    record_id = identifier(record, "recordId", row)
    key = identifier(record, "idempotencyKey", row)
    for found in (record_id, key):
        if isinstance(found, Rejected):
            return found
    return values, record_id, key


def police_uk_record(source: str, record: Any, row: int) -> NewEntry | Rejected:
    """A police.uk street-level record as a journal entry, or why it is refused."""
    read = read_record(record, police_uk.HEADER, row)
    if isinstance(read, Rejected):
        return read
    values, record_id, key = read
    parser = police_uk._FileParser(f"live:{source}")
    parser.accept(SourceRow(row, values, ",".join(values.values())))
    if parser.result.rejections:
        r = parser.result.rejections[0]
        return Rejected(row, r.field, r.reason)
    parsed = {name: column[0] for name, column in parser.result.records.items()}
    crime_id = parsed["crime_id"]
    if record_id is None:
        if crime_id is None:
            return Rejected(row, "recordId", "required when there is no Crime ID")
        record_id = f"{crime_id}@{parsed['month']}"
    payload = {
        name: parsed[name]
        for name in police_uk.RECORD_COLUMNS
        if name not in ("source_file", "row_number")
    }
    payload["crime_group"] = POLICE_UK_CRIME_TYPES[parsed["crime_type"]]
    payload["record_ref"] = record_id
    entry = NewEntry(key or f"{source}:{record_id}", source, record_id, INCIDENT, payload)
    if crime_id is None:  # the id comes with its number among identical reports
        asb_key = police_uk.asb_key(values)
        numbered = functools.partial(_with_asb_id, asb_key)
        return dataclasses.replace(entry, number_by=f"{source}|{asb_key}", numbered=numbered)
    return entry


def _with_asb_id(asb_key: str, payload: dict[str, Any], number: int) -> dict[str, Any]:
    """An anti-social behaviour report's payload with the id the batch gives the same row:
    the ``number``-th report with its fields (see ``police_uk.asb_incident_id``)."""
    return {**payload, "incident_id": police_uk.asb_incident_id(asb_key, number)}


def standardise(
    source: str,
    records: list[Any],
    rows: list[int] | None = None,
    people: dict[str, SourceSpec] | None = None,
) -> list[NewEntry | Rejected]:
    """Each record as an entry or a rejection, in order; ``rows`` numbers them for the
    messages (default 1, 2, ...). ``people``: the person-carrying sources by name
    (``live.people_records``)."""
    from live import people_records

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
