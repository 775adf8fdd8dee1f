"""The rules for data.police.uk street-level crime rows, and the row-by-row reader.

Parsing follows RFC 4180 (quoted fields may hold commas, quotes and newlines).
A row that is truly broken goes to the ``quarantine`` table with its file, line,
field and reason; every other row is kept as a source record. Nothing is dropped:
``rows_in == rows_loaded + rows_quarantined`` for every file, and a row swallowed
by a stray quote is recovered line by line rather than lost with it.

Every valid row is a source record. A Crime ID that repeats within a file is one crime
published as several rows (its offences: each with its own place and outcome), so the
rows share the incident id; a row without a Crime ID (anti-social behaviour, and every
British Transport Police crime) gets a stable id derived from its fields. The fast
columnar reader (``resolver.police_uk_columnar``) applies these same rules set-wise.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import h3
import pyarrow as pa

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

# ASCII digits only: Python's \d also takes other scripts' digits (full-width ones).
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_LSOA = re.compile(r"^[EW]0[01][0-9]{6}$")
# Great Britain's extent, generously: police.uk snap points all fall inside it.
LAT_RANGE = (49.5, 61.0)
LON_RANGE = (-8.8, 2.0)


@dataclass
class ParsedFile:
    """The outcome of reading one file: its source records (``RECORD_COLUMNS``, in file
    order) and its rejections."""

    source_file: str
    rows_in: int
    records: pa.Table
    rejections: list[RejectedRow] = field(default_factory=list)
    reader: str = "rows"  # which reader read it: "rows" (row by row) or "columns"

    @property
    def rows_loaded(self) -> int:
        return self.records.num_rows

    @property
    def rows_quarantined(self) -> int:
        return len(self.rejections)


RECORD_SCHEMA = pa.schema(
    [
        (name, pa.int64() if name == "row_number"
         else pa.float64() if name in ("longitude", "latitude") else pa.string())
        for name in RECORD_COLUMNS
    ]
)  # fmt: skip

DERIVED_KEY_COLUMNS = (
    "Month", "Reported by", "Longitude", "Latitude", "Location", "LSOA code", "Crime type",
)  # fmt: skip


def derived_key(row: dict[str, str]) -> str:
    """What identifies a row published without a Crime ID (anti-social behaviour, and every
    British Transport Police crime): its fields as published, so identical reports at one
    snap point share it."""
    return "|".join(row[c] for c in DERIVED_KEY_COLUMNS)


def derived_incident_id(key: str, ordinal: int) -> str:
    """The id of the ``ordinal``-th row (from 0) with this ``derived_key``. Identical rows
    are interchangeable, so any numbering of them gives the same set of ids: the batch
    numbers them in file order, the live path in the order they arrive. Anti-social
    behaviour keeps its ``asb:`` ids; a crime without an id gets ``crime:``."""
    prefix = "asb" if key.endswith("|" + ANTI_SOCIAL_BEHAVIOUR) else "crime"
    return f"{prefix}:{hashlib.sha1(f'{key}|{ordinal}'.encode()).hexdigest()[:24]}"


def row_problem(row: dict[str, str]) -> tuple[str, str] | None:
    """The first field of a row (values stripped) that breaks a rule, and why; None when
    the row is a valid source record. The one statement of the rules: the columnar reader
    sends every row its SQL cannot vouch for through here."""
    month = _MONTH.match(row["Month"])
    if not month or not 2000 <= int(month.group(1)) <= 2100:
        return "Month", f"not a YYYY-MM month: {row['Month']!r}"
    if not row["Reported by"]:
        return "Reported by", "empty"
    if row["Crime type"] not in POLICE_UK_CRIME_TYPES:
        return "Crime type", f"unknown crime type {row['Crime type']!r}"
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
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            return "Latitude", f"outside Great Britain: {lat}"
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1]):
            return "Longitude", f"outside Great Britain: {lon}"
    lsoa = row.get("LSOA code", "")
    if lsoa and not _LSOA.match(lsoa):
        return "LSOA code", f"not an England or Wales LSOA code: {lsoa!r}"
    return None


def stripped(values: dict[str, str | None]) -> dict[str, str]:
    """A row's values as the rules read them: the known columns, trimmed, empty for none."""
    return {name: (values.get(name) or "").strip() for name in HEADER if name in values}


class FileParser:
    """Validates rows one at a time and derives their records: the reference reader, for
    files the columnar reader cannot vouch for and for live records. One instance per
    file (it numbers rows without a Crime ID)."""

    def __init__(self, source_file: str):
        self.source_file = source_file
        self.rows_in = 0
        self.columns: dict[str, list] = {c: [] for c in RECORD_COLUMNS}
        self.rejections: list[RejectedRow] = []
        self.ordinals: Counter[str] = Counter()
        self.cells: dict[tuple[float, float], str] = {}

    def reject(self, row_number: int, field_name: str | None, reason: str, raw: str) -> None:
        self.rejections.append(RejectedRow(row_number, field_name, reason, raw))

    def accept(self, row: SourceRow) -> None:
        """Validate one row as the reader gave it; broken ones go to the rejections."""
        self.rows_in += 1
        if row.problem:
            self.reject(row.row_number, row.problem_field, row.problem, row.raw)
            return
        values = stripped(row.values or {})
        problem = row_problem(values)
        if problem:
            self.reject(row.row_number, problem[0], problem[1], row.raw)
            return
        self._append(values, row.row_number)

    def parsed(self) -> ParsedFile:
        records = pa.table(self.columns, schema=RECORD_SCHEMA)
        return ParsedFile(self.source_file, self.rows_in, records, self.rejections)

    def _append(self, row: dict[str, str], row_number: int) -> None:
        crime_id = row.get("Crime ID") or None
        incident_id = crime_id or self._derived_id(row)
        lon = float(row["Longitude"]) if row["Longitude"] else None
        lat = float(row["Latitude"]) if row["Latitude"] else None
        location_id = h3_cell = None
        if lon is not None and lat is not None:
            location_id = point_id(lat, lon)
            h3_cell = self.cells.get((lat, lon))
            if h3_cell is None:
                h3_cell = self.cells[(lat, lon)] = point_cell(lat, lon)
        values = {
            "source_file": self.source_file,
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
            self.columns[name].append(value)

    def _derived_id(self, row: dict[str, str]) -> str:
        """A stable id for a row police.uk publishes without one. Identical rows are told
        apart by their order in the file, so re-reading the same file gives the same ids."""
        key = derived_key(row)
        ordinal = self.ordinals[key]
        self.ordinals[key] += 1
        return derived_incident_id(key, ordinal)


def point_id(lat: float, lon: float) -> str:
    """The id of a police.uk snap point (its ``Location`` before linkage)."""
    return f"pu:{lat:.6f},{lon:.6f}"


def point_cell(lat: float, lon: float) -> str:
    return h3.latlng_to_cell(lat, lon, H3_RESOLUTION)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_header(path: Path) -> list[str]:
    """The file's column names; a missing file, an empty one or a header without the
    required columns is a ``SourceFileError`` naming the file."""
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
    return names


def parse_rows(path: Path) -> ParsedFile:
    """Read and validate one street-level CSV (``.csv`` or ``.csv.gz``) row by row."""
    check_header(path)
    parser = FileParser(path.name)
    for row in readers.read_csv(path):
        parser.accept(row)
    return parser.parsed()
