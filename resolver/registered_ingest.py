"""Ingest any registered source: read → map fields → standardise → validate → warehouse.

One path for every system. A row whose identity or event cannot be trusted (empty id,
unparseable or impossible date, unknown crime type, unreadable bytes, wrong shape) is
rejected whole; a row with a bad secondary value (a postcode, phone or sex code that
cannot be read) is kept without that value. Both are written to ``quarantine`` with the
source, file, line, field and reason (``severity`` 'row' or 'field'), so nothing is
dropped silently and ``rows_in == rows_loaded + rows_quarantined`` holds per file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from core import warehouse
from core.rejections import RejectedRow
from resolver import readers
from resolver import standardise as std
from resolver.crime_types import CANONICAL_CRIME_TYPES
from resolver.ingest_report import FileReport
from resolver.readers import SourceFileError, read_rows
from resolver.schema import ROLES
from resolver.sources import SourceSpec

PERSON_COLUMNS = [
    "source_system", "source_file", "row_number", "person_record_id", "forename",
    "middle_names", "surname", "date_of_birth", "dob_precision", "sex", "address", "postcode",
    "uprn", "email", "phone",
]  # fmt: skip
INCIDENT_COLUMNS = [
    "source_system", "source_file", "row_number", "incident_record_id", "incident_date",
    "date_precision", "crime_type", "crime_group", "crime_type_raw", "description",
    "incident_address", "incident_postcode", "latitude", "longitude", "police_reference",
]  # fmt: skip
INVOLVEMENT_COLUMNS = [
    "source_system", "source_file", "row_number", "record_id", "person_record_id",
    "incident_record_id", "role",
]  # fmt: skip


class RowRejected(Exception):
    """Raised while mapping a row that must be refused; caught into a ``RejectedRow``."""

    def __init__(self, field_name: str | None, reason: str):
        super().__init__(reason)
        self.field_name = field_name
        self.reason = reason


@dataclass
class FileOutcome(FileReport):
    """A file's report with what was read from it, before it is stored."""

    people: dict[str, list] = field(default_factory=lambda: {c: [] for c in PERSON_COLUMNS})
    incidents: dict[str, list] = field(default_factory=lambda: {c: [] for c in INCIDENT_COLUMNS})
    links: dict[str, list] = field(default_factory=lambda: {c: [] for c in INVOLVEMENT_COLUMNS})
    quarantine: list[RejectedRow] = field(default_factory=list)


_name = lru_cache(maxsize=200_000)(std.standardise_name)
_postcode = lru_cache(maxsize=200_000)(std.standardise_postcode)
_address = lru_cache(maxsize=200_000)(std.standardise_address)


class RowMapper:
    """Turns one source row (source column → raw text) into canonical person/incident values.

    Lookups are cached per distinct raw value: extracts repeat the same names, dates,
    postcodes and codes many times, so each is parsed once per file.
    """

    def __init__(self, spec: SourceSpec, today: datetime | None = None):
        self.spec = spec
        targets = {target: spec.columns_for(target) for target in set(spec.fields.values())}
        self.single = [(t, cols[0]) for t, cols in targets.items() if len(cols) == 1]
        self.multi = [(t, cols) for t, cols in targets.items() if len(cols) > 1]
        self.codes = {k: {a.casefold(): b for a, b in v.items()} for k, v in spec.codes.items()}
        self.today = (today or datetime.now(UTC)).date()
        self._dates: dict[tuple[str, str], std.PartialDate | RowRejected | None] = {}
        self._crime: dict[str, str | RowRejected] = {}

    def extract(self, values: dict[str, str | None]) -> dict[str, str | None]:
        """The raw text of every mapped canonical field (several columns joined by ', ')."""
        out: dict[str, str | None] = {}
        for target, column in self.single:
            value = values.get(column)
            out[target] = (value.strip() or None) if value else None
        for target, columns in self.multi:
            parts = [values.get(c) for c in columns]
            out[target] = ", ".join(p.strip() for p in parts if p and p.strip()) or None
        return out

    def mapped(self, target: str) -> bool:
        return target in self.spec.fields.values()

    def code(self, target: str, value: str | None) -> str | None:
        if value is None:
            return None
        return self.codes.get(target, {}).get(value.casefold(), value)

    def date(self, target: str, text: str | None) -> std.PartialDate | None:
        """A parsed date (birth dates also checked for plausibility); RowRejected if bad."""
        if text is None:
            return None
        key = (target, text)
        result = self._dates.get(key, _MISSING)
        if result is _MISSING:
            try:
                result = std.parse_date(text, self.spec.date_formats.get(target), today=self.today)
                if target == "date_of_birth" and result is not None:
                    std.check_birth_date(result, today=self.today)
            except std.StandardiseError as exc:
                result = RowRejected(target, str(exc))
            self._dates[key] = result
        if isinstance(result, RowRejected):
            raise result
        return result

    def crime_type(self, text: str) -> str:
        result = self._crime.get(text)
        if result is None:
            try:
                result = std.standardise_crime_type(text, self.spec.codes.get("crime_type"))
            except std.StandardiseError as exc:
                result = RowRejected("crime_type", str(exc))
            self._crime[text] = result
        if isinstance(result, RowRejected):
            raise result
        return result


_MISSING = object()
_sex = lru_cache(maxsize=1024)(std.standardise_sex)


def _soft(warnings: list[tuple[str, str]], target: str, fn: Callable, value):
    """A secondary value: unreadable → dropped with a warning, the row kept."""
    if value is None:
        return None
    try:
        return fn(value)
    except std.StandardiseError as exc:
        warnings.append((target, str(exc)))
        return None


def _hard(target: str, fn: Callable, value):
    if value is None:
        return None
    try:
        return fn(value)
    except std.StandardiseError as exc:
        raise RowRejected(target, str(exc)) from exc


def map_row(mapper: RowMapper, values: dict[str, str | None], row_id: str, warnings: list):
    """Canonical (person, incident, role) for one row; raises RowRejected."""
    raw = mapper.extract(values)
    get = raw.get
    person = incident = None
    person_id = get("person_id")
    if "person_id" in raw and not person_id:
        raise RowRejected("person_id", "empty id")
    incident_id = get("incident_id")
    if "incident_id" in raw and not incident_id:
        raise RowRejected("incident_id", "empty id")

    if "person" in mapper.spec.entity_types:
        forename = _hard("forename", _name, get("forename"))
        middle = _hard("middle_names", _name, get("middle_names"))
        surname = _hard("surname", _name, get("surname"))
        if "full_name" in raw and not (forename or surname):
            parts = _hard("full_name", std.split_full_name, get("full_name"))
            forename, middle, surname = parts or (None, None, None)
        if forename and " " in forename and not middle:
            forename, middle = forename.split(" ", 1)
        dob = mapper.date("date_of_birth", get("date_of_birth"))
        address_text = get("address")
        postcode = _soft(warnings, "postcode", _postcode, get("postcode"))
        if postcode is None and address_text:
            postcode = _soft(warnings, "address", std.extract_postcode, address_text)
        person = {
            "person_record_id": person_id or row_id,
            "forename": forename,
            "middle_names": middle,
            "surname": surname,
            "date_of_birth": dob.as_date() if dob else None,
            "dob_precision": dob.precision if dob else None,
            "sex": _soft(warnings, "sex", _sex, mapper.code("sex", get("sex"))),
            "address": _soft(warnings, "address", _address, address_text),
            "postcode": postcode,
            "uprn": _soft(warnings, "uprn", std.standardise_uprn, get("uprn")),
            "email": _soft(warnings, "email", std.standardise_email, get("email")),
            "phone": _soft(warnings, "phone", std.standardise_phone, get("phone")),
        }
        if not (forename or surname):
            raise RowRejected("surname", "no name")

    if "incident" in mapper.spec.entity_types and (incident_id or "incident_date" in raw):
        when = mapper.date("incident_date", get("incident_date"))
        crime_raw = get("crime_type")
        crime_type = mapper.crime_type(crime_raw) if crime_raw else None
        incident = {
            "incident_record_id": incident_id or row_id,
            "incident_date": when.as_date() if when else None,
            "date_precision": when.precision if when else None,
            "crime_type": crime_type,
            "crime_group": CANONICAL_CRIME_TYPES.get(crime_type) if crime_type else None,
            "crime_type_raw": crime_raw,
            "description": std.clean_text(get("description")),
            "incident_address": _soft(
                warnings, "incident_address", _address, get("incident_address")
            ),
            "incident_postcode": _soft(
                warnings, "incident_postcode", _postcode, get("incident_postcode")
            ),
            "latitude": _soft(warnings, "latitude", _coordinate, get("latitude")),
            "longitude": _soft(warnings, "longitude", _coordinate, get("longitude")),
            "police_reference": get("police_reference"),
        }
    role = mapper.code("role", get("role"))
    role = role.casefold() if role else ("subject" if incident else None)
    if role is not None and role not in ROLES:
        warnings.append(("role", f"unknown role {role!r}"))
        role = "other"
    return person, incident, role


def _coordinate(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise std.StandardiseError(f"not a number: {value!r}") from exc


def _check_columns(spec: SourceSpec, path: Path) -> None:
    """Every column the registry maps must be in the file: a renamed column would
    otherwise load as empty values without a word."""
    present = readers.columns(path, spec.file_format)
    if present is None:
        return
    if not present:
        raise SourceFileError(f"{path}: line 1: empty file (no header row)")
    missing = [c for c in spec.fields if c not in present]
    if missing:
        raise SourceFileError(
            f"{path}: line 1: column(s) {', '.join(missing)} named in {spec.spec_path} "
            f"are not in the file (it has: {', '.join(present)})"
        )


def ingest_file(spec: SourceSpec, path: Path) -> FileOutcome:
    """Read, map and validate one file of a source (no database work)."""
    _check_columns(spec, path)
    outcome = FileOutcome(spec.system, path.name)
    mapper = RowMapper(spec)
    seen_people: set[str] = set()
    seen_incidents: set[str] = set()
    record_columns = spec.columns_for("record_id")
    record_column = record_columns[0] if record_columns else ""
    for row in read_rows(path, spec.file_format):
        outcome.rows_in += 1
        if row.problem:
            outcome.rows_quarantined += 1
            outcome.quarantine.append(
                RejectedRow(row.row_number, row.problem_field, row.problem, row.raw)
            )
            continue
        row_id = f"{path.name}:{row.row_number}"
        warnings: list[tuple[str, str]] = []
        try:
            person, incident, role = map_row(mapper, row.values, row_id, warnings)
        except RowRejected as exc:
            outcome.rows_quarantined += 1
            outcome.quarantine.append(
                RejectedRow(row.row_number, exc.field_name, exc.reason, row.raw)
            )
            continue
        outcome.rows_loaded += 1
        for target, reason in warnings:
            outcome.fields_dropped += 1
            outcome.quarantine.append(RejectedRow(row.row_number, target, reason, row.raw, "field"))
        common = {
            "source_system": spec.system,
            "source_file": path.name,
            "row_number": row.row_number,
        }
        if person and person["person_record_id"] not in seen_people:
            seen_people.add(person["person_record_id"])
            for key, value in {**common, **person}.items():
                outcome.people[key].append(value)
        if incident and incident["incident_record_id"] not in seen_incidents:
            seen_incidents.add(incident["incident_record_id"])
            for key, value in {**common, **incident}.items():
                outcome.incidents[key].append(value)
        link = {
            **common,
            "record_id": (row.values.get(record_column) or "").strip() or row_id,
            "person_record_id": person["person_record_id"] if person else None,
            "incident_record_id": incident["incident_record_id"] if incident else None,
            "role": role,
        }
        for key, value in link.items():
            outcome.links[key].append(value)
    return outcome


def _store(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, sha: str) -> None:
    key = [outcome.source, outcome.source_file]
    quarantine = warehouse.quarantine_rows(
        outcome.source, outcome.source_file, [r.quarantine_row() for r in outcome.quarantine]
    )
    tables = {
        "person_records": pa.table(outcome.people, schema=_schema(PERSON_COLUMNS)),
        "incident_records": pa.table(outcome.incidents, schema=_schema(INCIDENT_COLUMNS)),
        "involvements": pa.table(outcome.links, schema=_schema(INVOLVEMENT_COLUMNS)),
    }
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            con.execute(f"DELETE FROM {table} WHERE source_system = ? AND source_file = ?", key)
        con.execute("DELETE FROM quarantine WHERE source = ? AND source_file = ?", key)
        for table, data in tables.items():
            con.register("incoming", data)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")
        con.register("incoming", quarantine)
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming")
        con.unregister("incoming")
        con.execute(
            "INSERT OR REPLACE INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*key, sha, datetime.now(UTC).replace(tzinfo=None), outcome.rows_in,
             outcome.rows_loaded, outcome.rows_quarantined],
        )  # fmt: skip
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


_TYPES = {"row_number": pa.int64(), "date_of_birth": pa.date32(), "incident_date": pa.date32(),
          "latitude": pa.float64(), "longitude": pa.float64()}  # fmt: skip


def _schema(columns: list[str]) -> pa.Schema:
    return pa.schema([(c, _TYPES.get(c, pa.string())) for c in columns])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    warehouse.ensure_tables(con, "person_records", "incident_records", "involvements")


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    *,
    force: bool = False,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Ingest every file of a source; unchanged files (same SHA-256) are skipped."""
    ensure_schema(con)
    outcomes = []
    for path in spec.files:
        sha = warehouse.file_sha256(path)
        if not force:
            previous = con.execute(
                "SELECT rows_in, rows_loaded, rows_quarantined FROM ingest_runs "
                "WHERE source = ? AND source_file = ? AND file_sha256 = ?",
                [spec.system, path.name, sha],
            ).fetchall()
            if previous:
                outcome = FileOutcome(spec.system, path.name, *previous[0], skipped_unchanged=True)
                outcomes.append(outcome)
                if on_file:
                    on_file(outcome)
                continue
        try:
            outcome = ingest_file(spec, path)
        except SourceFileError as exc:  # reported; the other files still load
            outcome = FileOutcome(spec.system, path.name, error=str(exc))
            outcomes.append(outcome)
            if on_file:
                on_file(outcome)
            continue
        _store(con, outcome, sha)
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes
