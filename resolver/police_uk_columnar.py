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

import gzip
import re
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.rejections import RejectedRow
from resolver import police_uk
from resolver.crime_types import ANTI_SOCIAL_BEHAVIOUR, POLICE_UK_CRIME_TYPES
from resolver.forces import force_code

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
SELECT * FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', strict_mode = true, parallel = false, columns = {columns})
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
FROM (SELECT line, {", ".join(f"trim(coalesce({n}, '')) AS {n}" for n in _NAMES)}
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
                    PARTITION BY derived_key ORDER BY line) - 1 AS VARCHAR))[1:24]
        END AS incident_id
    FROM (SELECT *, CASE WHEN crime_id = '' THEN concat_ws('|', month, reported_by, lon_t,
                         lat_t, location, lsoa_code, crime_type) END AS derived_key
          FROM street_checked)
)
SELECT $source_file AS source_file, line AS row_number, incident_id,
    nullif(crime_id, '') AS crime_id, month, reported_by, f.force_code,
    nullif(falls_within, '') AS falls_within, n.lon AS longitude, n.lat AS latitude,
    p.location_id, p.h3_cell, nullif(location, '') AS location,
    nullif(lsoa_code, '') AS lsoa_code, nullif(lsoa_name, '') AS lsoa_name, crime_type,
    nullif(last_outcome, '') AS last_outcome, nullif(context, '') AS context, clean
FROM numbered n
LEFT JOIN known_forces f USING (reported_by)
LEFT JOIN known_points p ON p.lat = n.lat AND p.lon = n.lon
ORDER BY line
"""
# One pass for a file whose rows are all clean (nearly every file).
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


def file_bytes(path: Path) -> bytes:
    """The file's text as bytes, decompressed when it is gzipped."""
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            return handle.read()
    return path.read_bytes()


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


class ColumnarReader:
    """Reads street files set-wise on its own in-memory DuckDB; one per ingest run (it
    keeps the force codes, H3 cells and place ids it has worked out, as tables)."""

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
        """Read one file: set-wise when it can vouch for the outcome, row by row if not."""
        names = police_uk.check_header(path)
        parsed = self._columnar(path) if names == police_uk.HEADER else None
        return parsed if parsed is not None else police_uk.parse_rows(path)

    def _columnar(self, path: Path) -> police_uk.ParsedFile | None:
        try:
            data = file_bytes(path)
        except (OSError, EOFError):
            return None  # the row-by-row reader names what is wrong with it
        if not layout_allows_columns(data):
            return None
        try:
            raw = self.con.sql(_READ_SQL, params={"path": str(path)}).to_arrow_table()
        except duckdb.Error:
            return None
        if raw.num_rows != physical_lines(data) - 1:
            return None
        lines = pa.array(np.arange(2, raw.num_rows + 2, dtype=np.int64))
        self.con.register("street_raw", raw.append_column("line", lines))
        params = {"crime_types": list(POLICE_UK_CRIME_TYPES), "source_file": path.name}
        try:
            self._learn(*_RAW_LOOKUPS)
            records = self.con.sql(_FAST_SQL, params=params).to_arrow_table()
            rejections: list[RejectedRow] = []
            if not pc.all(records["clean"]).as_py():
                rejections = self._check_doubtful_rows(data, params)
                self._learn(*_CHECKED_LOOKUPS)
                derive = {"source_file": path.name}
                records = self.con.sql(_DERIVED_SQL, params=derive).to_arrow_table()
        finally:
            self.con.unregister("street_raw")
            self.con.execute("DROP TABLE IF EXISTS street_checked")
        records = records.drop_columns(["clean"]).cast(police_uk.RECORD_SCHEMA)
        return police_uk.ParsedFile(path.name, raw.num_rows, records, rejections, "columns")

    def _check_doubtful_rows(self, data: bytes, params: dict) -> list[RejectedRow]:
        """Put the rows SQL could not vouch for through the reference rules: the broken
        ones are returned as rejections, the valid ones are kept in ``street_checked``
        with their values as the rules read them."""
        self.con.execute(
            f"CREATE TEMP TABLE street_checked AS {_CHECKED_SQL}",
            {"crime_types": params["crime_types"]},
        )
        doubtful = self.con.execute(
            f"SELECT line, {', '.join(_NAMES)} FROM street_raw WHERE line IN "
            "(SELECT line FROM street_checked WHERE NOT clean) ORDER BY line"
        ).fetchall()
        text_lines = data.split(b"\n")
        rejections: list[RejectedRow] = []
        kept: list[tuple] = []
        for line, *fields in doubtful:
            values = police_uk.stripped(dict(zip(police_uk.HEADER, fields, strict=True)))
            problem = police_uk.row_problem(values)
            if problem:
                raw = text_lines[line - 1].decode("utf-8").rstrip("\r\n")
                rejections.append(RejectedRow(line, problem[0], problem[1], raw))
                continue
            lon, lat = values["Longitude"], values["Latitude"]
            kept.append(
                (line, *(values[h] for h in police_uk.HEADER),
                 float(lon) if lon else None, float(lat) if lat else None, True)
            )  # fmt: skip
        self.con.execute("DELETE FROM street_checked WHERE NOT clean")
        if kept:
            self.con.executemany(
                f"INSERT INTO street_checked VALUES ({', '.join('?' * (len(_NAMES) + 4))})",
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
