"""Read data.police.uk street-level crime files into the warehouse.

Parsing follows RFC 4180 (quoted fields may hold commas, quotes and newlines).
A row that is truly broken goes to the ``quarantine`` table with its file, line,
field and reason; every other row is kept as a source record. Nothing is dropped:
``rows_in == rows_loaded + rows_quarantined`` for every file, and a row swallowed
by a stray quote is recovered line by line rather than lost with it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h3

from resolver.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES
from resolver.forces import force_code

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


class SourceFileError(ValueError):
    """A whole file cannot be read (missing, not CSV, header without required columns)."""


@dataclass
class Rejection:
    row_number: int
    field: str | None
    reason: str
    raw: str


@dataclass
class ParsedFile:
    """The outcome of reading one file: source records (columnar) and rejections."""

    source_file: str
    rows_in: int = 0
    records: dict[str, list] = field(default_factory=lambda: {c: [] for c in RECORD_COLUMNS})
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return len(self.records["incident_id"])

    @property
    def rows_quarantined(self) -> int:
        return len(self.rejections)


class _LineTap:
    """Feeds physical lines to csv.reader and remembers which ones each record used."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def _open_lines(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115
    # surrogateescape keeps undecodable bytes so the row can be quarantined, not crash the file
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _has_bad_encoding(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _raw_text(lines: list[str]) -> str:
    text = "".join(lines).rstrip("\r\n")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _FileParser:
    """Validates the rows of one file; one instance per file (it tracks duplicates)."""

    def __init__(self, source_file: str, columns: dict[str, int], width: int):
        self.result = ParsedFile(source_file)
        self.columns = columns
        self.width = width
        self.first_seen: dict[str, int] = {}
        self.asb_ordinals: Counter[tuple] = Counter()
        self.cells: dict[tuple[float, float], str] = {}

    def reject(self, row_number: int, field_name: str | None, reason: str, raw: str) -> None:
        self.result.rejections.append(Rejection(row_number, field_name, reason, raw))

    def accept_lines(self, fields: list[str] | None, lines: list[str], start_line: int) -> None:
        """Validate one record; if it is malformed and spans lines, retry line by line."""
        self.result.rows_in += 1
        if len(lines) > 1 and self._swallowed_lines(fields, lines):
            # A stray quote swallowed the lines after it: read each line on its own.
            self.result.rows_in -= 1
            for offset, line in enumerate(lines):
                if not line.strip():
                    continue
                self.result.rows_in += 1
                sub_fields = next(csv.reader([line]), [])
                self.validate(sub_fields, _raw_text([line]), start_line + offset)
            return
        self.validate(fields or [], _raw_text(lines), start_line)

    def _swallowed_lines(self, fields: list[str] | None, lines: list[str]) -> bool:
        """Whether a record spanning lines is really a stray quote eating whole rows.

        True if the record is malformed, or if any later line is a complete row on
        its own (a legitimate quoted newline never leaves a full row behind it).
        """
        if fields is None or len(fields) != self.width:
            return True
        return any(len(next(csv.reader([line]), [])) == self.width for line in lines[1:])

    def validate(self, fields: list[str], raw: str, row_number: int) -> None:
        if len(fields) != self.width:
            self.reject(row_number, None, f"expected {self.width} fields, found {len(fields)}", raw)
            return
        for name, index in self.columns.items():
            if _has_bad_encoding(fields[index]):
                self.reject(row_number, name, "invalid UTF-8 bytes", raw)
                return
        row = {name: fields[index].strip() for name, index in self.columns.items()}
        problem = self._problem(row)
        if problem:
            self.reject(row_number, problem[0], problem[1], raw)
            return
        self._append(row, row_number)

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
        key = tuple(
            row[c]
            for c in (
                "Month",
                "Reported by",
                "Longitude",
                "Latitude",
                "Location",
                "LSOA code",
                "Crime type",
            )
        )
        ordinal = self.asb_ordinals[key]
        self.asb_ordinals[key] += 1
        digest = hashlib.sha1("|".join((*key, str(ordinal))).encode()).hexdigest()
        return f"asb:{digest[:24]}"


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
    with _open_lines(path) as handle:
        tap = _LineTap(iter(handle))
        reader = csv.reader(tap)
        try:
            header = next(reader)
        except StopIteration as exc:
            raise SourceFileError(f"{path}: empty file (no header row)") from exc
        except (csv.Error, UnicodeError) as exc:
            raise SourceFileError(f"{path}: line 1: unreadable header: {exc}") from exc
        names = [h.strip() for h in header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise SourceFileError(
                f"{path}: line 1: header lacks required column(s) {', '.join(missing)}; "
                f"expected {','.join(HEADER)}"
            )
        columns = {name: names.index(name) for name in HEADER if name in names}
        parser = _FileParser(path.name, columns, width=len(names))
        line = len(tap.taken) + 1
        tap.taken = []
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                lines, tap.taken = tap.taken, []
                if len(lines) > 1:
                    parser.accept_lines(None, lines, line)
                else:
                    parser.result.rows_in += 1
                    parser.reject(line, None, f"unreadable CSV: {exc}", _raw_text(lines))
                line += len(lines)
                continue
            lines, tap.taken = tap.taken, []
            if fields or any(line_text.strip() for line_text in lines):
                parser.accept_lines(fields, lines, line)
            line += len(lines)
    return parser.result
