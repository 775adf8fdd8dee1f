"""Read police.uk street files at column speed, with the row-by-row reader's outcome.

DuckDB parses a whole file and SQL checks and derives every row set-wise. A row the SQL
cannot vouch for (anything short of plainly valid) goes through the reference rules
(``police_uk.row_problem``), so every row is loaded or quarantined exactly as the
row-by-row reader would, with the same line, field and reason.

The fast path needs DuckDB's row order to stand for line numbers, so it is taken only
when a file's layout allows that: the standard header, every record on one line, no
blank lines or lone carriage returns, no space beside a quote (DuckDB trims it, Python's
csv keeps it). Any other file, or one DuckDB refuses (bad bytes, a wrong field count, a
stray quote), is read row by row, which recovers what a stray quote swallowed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.rejections import RejectedRow
from resolver import police_uk, readers
from resolver.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES
from resolver.forces import force_code
from resolver.readers import SourceFileError

# The columns as SQL names, in the header's order.
_NAMES = (
    "crime_id", "month", "reported_by", "falls_within", "lon_t", "lat_t", "location",
    "lsoa_code", "lsoa_name", "crime_type", "last_outcome", "context",
)  # fmt: skip
# What Python's str.strip() removes: a value that starts or ends with one of these is
# left to the reference rules, so SQL never has to trim.
WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
# A quote with spaces or tabs between it and its field's edge: DuckDB trims them, Python's
# csv keeps them. Inside a quoted field such a pair is harmless, and only sends the file
# row by row.
_SPACED_QUOTE = re.compile(rb'(?:^|[,\n])[ \t]+"|"[ \t]+(?:[,\r\n]|$)')
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"

_READ_SQL = """
SELECT * FROM read_csv($paths, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', strict_mode = true, filename = true, columns = {columns})
""".format(columns="{" + ", ".join(f"'{n}': 'VARCHAR'" for n in _NAMES) + "}")

# Every row with its values trimmed of spaces (as the rules strip them) and whether SQL
# vouches for it: ``clean`` only if no value still starts or ends with other whitespace
# (Python's strip() would remove more than trim()) and every rule plainly holds.
_CHECKED_SQL = f"""
SELECT *, TRY_CAST(lon_t AS DOUBLE) AS lon, TRY_CAST(lat_t AS DOUBLE) AS lat,
    NOT regexp_matches(concat_ws(chr(1), {", ".join(_NAMES)}),
                       '(^|\x01){_WS_CLASS}|{_WS_CLASS}(\x01|$)')
    AND regexp_full_match(month, '[0-9]{{4}}-(0[1-9]|1[0-2])')
    AND TRY_CAST(month[1:4] AS INTEGER) BETWEEN 2000 AND 2100
    AND reported_by <> ''
    AND list_contains($crime_types, crime_type)
    AND ((lon_t = '' AND lat_t = '')
         OR (regexp_full_match(lon_t, '{_NUMBER}') AND regexp_full_match(lat_t, '{_NUMBER}')
             AND lat BETWEEN {police_uk.LAT_RANGE[0]} AND {police_uk.LAT_RANGE[1]}
             AND lon BETWEEN {police_uk.LON_RANGE[0]} AND {police_uk.LON_RANGE[1]}))
    AND (lsoa_code = '' OR regexp_full_match(lsoa_code, '[EW]0[01][0-9]{{6}}')) AS clean
FROM (SELECT file_index, source_file, line,
             {", ".join(f"trim(coalesce({n}, '')) AS {n}" for n in _NAMES)}
      FROM street_raw)
"""

# The derivation the row-by-row reader makes in FileParser._append, set-wise, from
# checked rows (``street_checked``); force codes, cells and place ids come from the
# reader's lookups (worked out in Python, once per value, as the reference does).
_DERIVED_SQL = f"""
WITH numbered AS (
    SELECT *, CASE WHEN crime_id <> '' THEN crime_id
        ELSE CASE WHEN crime_type = '{ANTI_SOCIAL_BEHAVIOUR}' THEN 'asb:' ELSE 'crime:' END
             || sha1(derived_key || '|' || CAST(row_number() OVER (
                    PARTITION BY file_index, derived_key ORDER BY line) - 1 AS VARCHAR))[1:24]
        END AS incident_id
    FROM (SELECT *, CASE WHEN crime_id = '' THEN concat_ws('|', month, reported_by, lon_t,
                         lat_t, location, lsoa_code, crime_type) END AS derived_key
          FROM street_checked)
)
SELECT file_index, source_file, line AS row_number, incident_id,
    nullif(crime_id, '') AS crime_id, month, reported_by, f.force_code,
    nullif(falls_within, '') AS falls_within, n.lon AS longitude, n.lat AS latitude,
    p.location_id, p.h3_cell, nullif(location, '') AS location,
    nullif(lsoa_code, '') AS lsoa_code, nullif(lsoa_name, '') AS lsoa_name, crime_type,
    nullif(last_outcome, '') AS last_outcome, nullif(context, '') AS context, clean
FROM numbered n
LEFT JOIN known_forces f USING (reported_by)
LEFT JOIN known_points p ON p.lat = n.lat AND p.lon = n.lon
"""
# One pass for files whose rows are all clean (nearly every file).
_FAST_SQL = f"WITH street_checked AS ({_CHECKED_SQL})\n{_DERIVED_SQL.replace('WITH', ',', 1)}"
# What a file (street_raw) or its checked rows (street_checked) need from the lookups.
_RAW_LOOKUPS = (
    "SELECT DISTINCT trim(coalesce(reported_by, '')) FROM street_raw",
    "SELECT TRY_CAST(trim(lat_t) AS DOUBLE) AS lat, TRY_CAST(trim(lon_t) AS DOUBLE) AS lon "
    "FROM street_raw",
)
_CHECKED_LOOKUPS = (
    "SELECT DISTINCT reported_by FROM street_checked",
    "SELECT lat, lon FROM street_checked",
)


def layout_allows_columns(data: bytes) -> bool:
    """Whether every record of this file sits on a line of its own and DuckDB and Python's
    csv would split its fields alike (see the module docstring)."""
    if data.count(b"\r") != data.count(b"\r\n"):
        return False
    if b"\n\n" in data or b"\n\r\n" in data:
        return False
    if b' "' not in data and b'" ' not in data and b'\t"' not in data and b'"\t' not in data:
        return True
    return _SPACED_QUOTE.search(data) is None


def physical_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


@dataclass
class _Ready:
    """A file the set-wise read can take: where its result goes, and its text."""

    slot: int
    path: Path
    data: bytes


class ColumnarReader:
    """Reads street files set-wise on its own in-memory DuckDB, several files a query;
    one per ingest run (it keeps the force codes, H3 cells and place ids it has worked
    out, as tables)."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute("CREATE TABLE known_forces (reported_by VARCHAR, force_code VARCHAR)")
        self.con.execute(
            "CREATE TABLE known_points (lat DOUBLE, lon DOUBLE, h3_cell VARCHAR, "
            "location_id VARCHAR)"
        )

    def close(self) -> None:
        self.con.close()

    def parse(self, path: Path) -> police_uk.ParsedFile:
        """Read one file; a missing, empty or headerless file is a ``SourceFileError``."""
        (outcome,) = self.parse_batch([path])
        if isinstance(outcome, police_uk.SourceFileError):
            raise outcome
        return outcome

    def parse_batch(self, paths: list[Path]) -> list[police_uk.ParsedFile | SourceFileError]:
        """Read files together (one DuckDB read and one SQL pass for all that allow it),
        each with its own outcome, in order: the parsed file or why it cannot be read."""
        outcomes: dict[int, police_uk.ParsedFile | SourceFileError] = {}
        ready: list[_Ready] = []
        for slot, path in enumerate(paths):
            try:
                names = police_uk.check_header(path)
                data = _columnar_text(path) if names == police_uk.HEADER else None
                if data is None:
                    outcomes[slot] = police_uk.parse_rows(path)
                else:
                    ready.append(_Ready(slot, path, data))
            except SourceFileError as exc:
                outcomes[slot] = exc
        if ready:
            outcomes.update(self._read_set_wise(ready))
        return [outcomes[slot] for slot in range(len(paths))]

    def _read_set_wise(self, ready: list[_Ready]) -> dict[int, police_uk.ParsedFile]:
        """Files read together; should DuckDB refuse one, or a file's rows not match its
        lines, each is read on its own (and row by row if it still cannot be vouched for)."""
        raw = self._read(ready)
        if raw is None:
            if len(ready) == 1:
                return {ready[0].slot: police_uk.parse_rows(ready[0].path)}
            return {k: v for one in ready for k, v in self._read_set_wise([one]).items()}
        self.con.register("street_raw", raw)
        params = {"crime_types": list(POLICE_UK_CRIME_TYPES)}
        try:
            self._learn(*_RAW_LOOKUPS)
            records = self.con.sql(_FAST_SQL, params=params).to_arrow_table()
            clean = pc.all(records["clean"]).as_py() is not False
            rejections: dict[int, list[RejectedRow]] = {}
            if not clean:  # some rows need the rules: the files holding them are redone
                rejections = self._check_doubtful_rows(ready)
                self._learn(*_CHECKED_LOOKUPS)
                records = self.con.sql(_DERIVED_SQL).to_arrow_table()
        finally:
            self.con.unregister("street_raw")
            self.con.execute("DROP TABLE IF EXISTS street_checked")
        records = records.sort_by([("file_index", "ascending"), ("row_number", "ascending")])
        loaded = np.bincount(records["file_index"].to_numpy(), minlength=len(ready))
        rows_in = np.bincount(raw["file_index"].to_numpy(), minlength=len(ready))
        records = records.drop_columns(["file_index", "clean"]).cast(police_uk.RECORD_SCHEMA)
        outcomes, start = {}, 0
        for index, file in enumerate(ready):
            part = records.slice(start, int(loaded[index]))
            start += int(loaded[index])
            outcomes[file.slot] = police_uk.ParsedFile(
                file.path.name, int(rows_in[index]), part, rejections.get(index, []), "columns"
            )
        return outcomes

    def _read(self, ready: list[_Ready]) -> pa.Table | None:
        """The files' rows as DuckDB reads them, with file index, name and line; None if
        DuckDB refuses one or a file's rows do not stand one-to-one for its lines."""
        try:
            raw = self.con.sql(
                _READ_SQL, params={"paths": [str(f.path) for f in ready]}
            ).to_arrow_table()
        except duckdb.Error:
            return None
        runs = pc.run_end_encode(raw["filename"]).combine_chunks() if raw.num_rows else None
        names = runs.values.to_pylist() if runs is not None else []
        ends = runs.run_ends.to_numpy() if runs is not None else np.array([], np.int64)
        counts = dict(zip(names, np.diff(ends, prepend=0).tolist(), strict=True))
        expected = [physical_lines(f.data) - 1 for f in ready]
        order = [str(f.path) for f in ready if counts.get(str(f.path))]
        if names != order or [counts.get(str(f.path), 0) for f in ready] != expected:
            return None
        file_index = np.repeat(np.arange(len(ready), dtype=np.int32), expected)
        lines = np.concatenate([np.arange(2, n + 2, dtype=np.int64) for n in expected])
        source_files = pa.DictionaryArray.from_arrays(
            pa.array(file_index), pa.array([f.path.name for f in ready])
        ).cast(pa.string())
        return (
            raw.drop_columns(["filename"])
            .append_column("file_index", pa.array(file_index))
            .append_column("source_file", source_files)
            .append_column("line", pa.array(lines))
        )

    def _check_doubtful_rows(self, ready: list[_Ready]) -> dict[int, list[RejectedRow]]:
        """Put the rows SQL could not vouch for through the reference rules: the broken
        ones are returned as rejections (by file), the valid ones are kept in
        ``street_checked`` with their values as the rules read them."""
        self.con.execute(
            f"CREATE TEMP TABLE street_checked AS {_CHECKED_SQL}",
            {"crime_types": list(POLICE_UK_CRIME_TYPES)},
        )
        doubtful = self.con.execute(
            f"SELECT file_index, source_file, line, {', '.join(_NAMES)} FROM street_raw "
            "WHERE (file_index, line) IN "
            "(SELECT (file_index, line) FROM street_checked WHERE NOT clean) "
            "ORDER BY file_index, line"
        ).fetchall()
        text_lines: dict[int, list[bytes]] = {}
        rejections: dict[int, list[RejectedRow]] = {}
        kept: list[tuple] = []
        for index, source_file, line, *fields in doubtful:
            values = police_uk.stripped(dict(zip(police_uk.HEADER, fields, strict=True)))
            problem = police_uk.row_problem(values)
            if problem:
                if index not in text_lines:
                    text_lines[index] = ready[index].data.split(b"\n")
                raw = text_lines[index][line - 1].decode("utf-8").rstrip("\r\n")
                rejections.setdefault(index, []).append(
                    RejectedRow(line, problem[0], problem[1], raw)
                )
                continue
            lon, lat = values["Longitude"], values["Latitude"]
            kept.append(
                (index, source_file, line, *(values[h] for h in police_uk.HEADER),
                 float(lon) if lon else None, float(lat) if lat else None, True)
            )  # fmt: skip
        self.con.execute("DELETE FROM street_checked WHERE NOT clean")
        if kept:
            self.con.executemany(
                f"INSERT INTO street_checked VALUES ({', '.join('?' * (len(_NAMES) + 6))})",
                kept,
            )
        return rejections

    def _learn(self, names_sql: str, points_sql: str) -> None:
        """Work out the force code of every force name, and the H3 cell and place id of
        every point, not seen before (in Python: the reference's own functions)."""
        names = self.con.execute(
            f"SELECT * FROM ({names_sql}) AS n(name) WHERE name <> '' "
            "AND name NOT IN (SELECT reported_by FROM known_forces)"
        ).fetchall()
        if names:
            self.con.executemany(
                "INSERT INTO known_forces VALUES (?, ?)", [(n, force_code(n)) for (n,) in names]
            )
        new = self.con.execute(
            f"SELECT DISTINCT lat, lon FROM ({points_sql}) AS p "
            f"WHERE lat BETWEEN {police_uk.LAT_RANGE[0]} AND {police_uk.LAT_RANGE[1]} "
            f"AND lon BETWEEN {police_uk.LON_RANGE[0]} AND {police_uk.LON_RANGE[1]} "
            "AND NOT EXISTS (SELECT 1 FROM known_points k WHERE k.lat = p.lat AND k.lon = p.lon)"
        ).fetchnumpy()
        if len(new["lat"]):
            pairs = list(zip(new["lat"].tolist(), new["lon"].tolist(), strict=True))
            points = pa.table(
                {
                    "lat": pa.array(new["lat"], pa.float64()),
                    "lon": pa.array(new["lon"], pa.float64()),
                    "h3_cell": [police_uk.point_cell(a, b) for a, b in pairs],
                    "location_id": [police_uk.point_id(a, b) for a, b in pairs],
                }
            )
            self.con.register("new_points", points)
            self.con.execute("INSERT INTO known_points SELECT * FROM new_points")
            self.con.unregister("new_points")


def _columnar_text(path: Path) -> bytes | None:
    """The file's text if its layout allows the set-wise read, else None."""
    try:
        with readers.open_binary(path) as handle:
            data = handle.read()
    except (OSError, EOFError):
        return None  # the row-by-row reader names what is wrong with it
    return data if layout_allows_columns(data) else None


def parse_street_file(path: Path, reader: ColumnarReader | None = None) -> police_uk.ParsedFile:
    """Read and validate one street-level CSV (``.csv`` or ``.csv.gz``); a missing, empty
    or headerless file is a ``SourceFileError`` naming it."""
    if reader is not None:
        return reader.parse(path)
    own = ColumnarReader()
    try:
        return own.parse(path)
    finally:
        own.close()
