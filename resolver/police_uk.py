"""Read data.police.uk street-level crime files into the warehouse.

Parsing follows RFC 4180 (quoted fields may hold commas, quotes and newlines).
A row that is truly broken goes to the ``quarantine`` table with its file, line,
field and reason; every other row is kept as a source record. Nothing is dropped:
``rows_in == rows_loaded + rows_quarantined`` for every file, and a row swallowed
by a stray quote is recovered line by line rather than lost with it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import h3

from core.rejections import RejectedRow
from resolver import readers
from resolver.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES
from resolver.forces import force_code
from resolver.readers import SourceFileError, SourceRow

SOURCE = "police.uk"
H3_RESOLUTION = 9

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
REQUIRED = ["Month", "Reported by", "Longitude", "Latitude", "Crime type"]

RECORD_COLUMNS = [
    "source_file",
    "row_number",
    "incident_id",
    "crime_id",
    "month",
    "reported_by",
    "force_code",
    "falls_within",
    "longitude",
    "latitude",
    "location_id",
    "h3_cell",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
    "context",
]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_LSOA = re.compile(r"^[EW]0[01]\d{6}$")
# Great Britain's extent, generously: police.uk snap points all fall inside it.
_LAT_RANGE = (49.5, 61.0)
_LON_RANGE = (-8.8, 2.0)


@dataclass
class ParsedFile:
    """The outcome of reading one file: source records (columnar) and rejections."""

    source_file: str
    rows_in: int = 0
    records: dict[str, list] = field(default_factory=lambda: {c: [] for c in RECORD_COLUMNS})
    rejections: list[RejectedRow] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return len(self.records["incident_id"])

    @property
    def rows_quarantined(self) -> int:
        return len(self.rejections)


ASB_KEY_COLUMNS = (
    "Month", "Reported by", "Longitude", "Latitude", "Location", "LSOA code", "Crime type",
)  # fmt: skip


def asb_key(row: dict[str, str]) -> str:
    """What identifies an anti-social behaviour report, which has no Crime ID: its fields
    as published (identical reports at one snap point share it)."""
    return "|".join(row[c] for c in ASB_KEY_COLUMNS)


def asb_incident_id(key: str, ordinal: int) -> str:
    """The id of the ``ordinal``-th report (from 0) with this ``asb_key``. Identical reports
    are interchangeable, so any numbering of them gives the same set of ids: the batch
    numbers them in file order, the live path in the order they arrive."""
    return f"asb:{hashlib.sha1(f'{key}|{ordinal}'.encode()).hexdigest()[:24]}"


class FileParser:
    """Validates the rows of one file; one instance per file (it tracks duplicates)."""

    def __init__(self, source_file: str):
        self.result = ParsedFile(source_file)
        self.first_seen: dict[str, int] = {}
        self.asb_ordinals: Counter[str] = Counter()
        self.cells: dict[tuple[float, float], str] = {}

    def reject(self, row_number: int, field_name: str | None, reason: str, raw: str) -> None:
        self.result.rejections.append(RejectedRow(row_number, field_name, reason, raw))

    def accept(self, row: SourceRow) -> None:
        """Validate one row as the reader gave it; broken ones go to the rejections."""
        self.result.rows_in += 1
        if row.problem:
            self.reject(row.row_number, row.problem_field, row.problem, row.raw)
            return
        values = {
            name: (row.values.get(name) or "").strip() for name in HEADER if name in row.values
        }
        problem = self._problem(values)
        if problem:
            self.reject(row.row_number, problem[0], problem[1], row.raw)
            return
        self._append(values, row.row_number)

    def _problem(self, row: dict[str, str]) -> tuple[str, str] | None:
        month = _MONTH.match(row["Month"])
        if not month or not 2000 <= int(month.group(1)) <= 2100:
            return "Month", f"not a YYYY-MM month: {row['Month']!r}"
        if not row["Reported by"]:
            return "Reported by", "empty"
        if row["Crime type"] not in POLICE_UK_CRIME_TYPES:
            return "Crime type", f"unknown crime type {row['Crime type']!r}"
        crime_id = row.get("Crime ID", "")
        if not crime_id and row["Crime type"] != ANTI_SOCIAL_BEHAVIOUR:
            return "Crime ID", "empty for a crime (only anti-social behaviour has no id)"
        lon_text, lat_text = row["Longitude"], row["Latitude"]
        if bool(lon_text) != bool(lat_text):
            missing = "Longitude" if not lon_text else "Latitude"
            return missing, "one coordinate without the other"
        if lon_text:
            try:
                lon, lat = float(lon_text), float(lat_text)
            except ValueError:
                bad = "Longitude" if not _is_float(lon_text) else "Latitude"
                return bad, f"not a number: {row[bad]!r}"
            if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1]):
                return "Latitude", f"outside Great Britain: {lat}"
            if not (_LON_RANGE[0] <= lon <= _LON_RANGE[1]):
                return "Longitude", f"outside Great Britain: {lon}"
        lsoa = row.get("LSOA code", "")
        if lsoa and not _LSOA.match(lsoa):
            return "LSOA code", f"not an England or Wales LSOA code: {lsoa!r}"
        return None

    def _append(self, row: dict[str, str], row_number: int) -> None:
        crime_id = row.get("Crime ID") or None
        if crime_id:
            first = self.first_seen.get(crime_id)
            if first is not None:
                self.reject(
                    row_number,
                    "Crime ID",
                    f"duplicate Crime ID in this file, first at line {first}",
                    ",".join(row.values()),
                )
                return
            self.first_seen[crime_id] = row_number
            incident_id = crime_id
        else:
            incident_id = self._asb_id(row)
        lon = float(row["Longitude"]) if row["Longitude"] else None
        lat = float(row["Latitude"]) if row["Latitude"] else None
        location_id = h3_cell = None
        if lon is not None and lat is not None:
            location_id = f"pu:{lat:.6f},{lon:.6f}"
            key = (lat, lon)
            h3_cell = self.cells.get(key)
            if h3_cell is None:
                h3_cell = self.cells[key] = h3.latlng_to_cell(lat, lon, H3_RESOLUTION)
        values = {
            "source_file": self.result.source_file,
            "row_number": row_number,
            "incident_id": incident_id,
            "crime_id": crime_id,
            "month": row["Month"],
            "reported_by": row["Reported by"],
            "force_code": force_code(row["Reported by"]),
            "falls_within": row.get("Falls within") or None,
            "longitude": lon,
            "latitude": lat,
            "location_id": location_id,
            "h3_cell": h3_cell,
            "location": row.get("Location") or None,
            "lsoa_code": row.get("LSOA code") or None,
            "lsoa_name": row.get("LSOA name") or None,
            "crime_type": row["Crime type"],
            "last_outcome": row.get("Last outcome category") or None,
            "context": row.get("Context") or None,
        }
        for name, value in values.items():
            self.result.records[name].append(value)

    def _asb_id(self, row: dict[str, str]) -> str:
        """A stable id for a row police.uk publishes without one (anti-social behaviour).

        Identical rows (several reports at one snap point in a month) are told apart
        by their order in the file, so re-reading the same file gives the same ids.
        """
        key = asb_key(row)
        ordinal = self.asb_ordinals[key]
        self.asb_ordinals[key] += 1
        return asb_incident_id(key, ordinal)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_street_file(path: Path) -> ParsedFile:
    """Read and validate one street-level CSV (``.csv`` or ``.csv.gz``)."""
    if not path.is_file():
        raise SourceFileError(f"{path}: no such file")
    names = readers.columns(path, "csv")
    if not names:
        raise SourceFileError(f"{path}: empty file (no header row)")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SourceFileError(
            f"{path}: line 1: header lacks required column(s) {', '.join(missing)}; "
            f"expected {','.join(HEADER)}"
        )
    parser = FileParser(path.name)
    for row in readers.read_csv(path):
        parser.accept(row)
    return parser.result
