"""The DuckDB warehouse: one file holding source records, quarantine and canonical tables."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_runs (
    source        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    file_sha256   VARCHAR NOT NULL,
    ingested_at   TIMESTAMP NOT NULL,
    rows_in       BIGINT NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    PRIMARY KEY (source, source_file)
);

-- Every row of every source that failed validation, with where and why.
CREATE TABLE IF NOT EXISTS quarantine (
    source        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,   -- 1 is the header; the first data row is 2
    field         VARCHAR,           -- NULL when the row as a whole is broken
    reason        VARCHAR NOT NULL,
    raw           VARCHAR            -- the row as read, for a steward to fix
);

-- One row per valid data.police.uk street-level row: the source records.
CREATE TABLE IF NOT EXISTS police_uk_records (
    source_file   VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,
    incident_id   VARCHAR NOT NULL,
    crime_id      VARCHAR,
    month         VARCHAR NOT NULL,
    reported_by   VARCHAR NOT NULL,
    force_code    VARCHAR NOT NULL,
    falls_within  VARCHAR,
    longitude     DOUBLE,
    latitude      DOUBLE,
    location_id   VARCHAR,
    h3_cell       VARCHAR,
    location      VARCHAR,
    lsoa_code     VARCHAR,
    lsoa_name     VARCHAR,
    crime_type    VARCHAR NOT NULL,
    last_outcome  VARCHAR,
    context       VARCHAR,
    PRIMARY KEY (source_file, row_number)
);
"""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and make sure the base tables exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")  # crimegraph shows its own progress
    con.execute(SCHEMA)
    # Added after the first release: whether a problem rejected the row or one value.
    con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS severity VARCHAR DEFAULT 'row'")
    return con


QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_file", pa.string()),
        ("row_number", pa.int64()),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
        ("severity", pa.string()),
    ]
)


def quarantine_rows(
    source: str, source_file: str, problems: Sequence[tuple[int, str | None, str, str, str]]
) -> pa.Table:
    """Quarantine rows for one file from (row_number, field, reason, raw, severity)."""
    columns = list(zip(*problems, strict=True)) if problems else [[], [], [], [], []]
    return pa.table(
        [
            [source] * len(problems),
            [source_file] * len(problems),
            list(columns[0]),
            list(columns[1]),
            list(columns[2]),
            list(columns[3]),
            list(columns[4]),
        ],
        schema=QUARANTINE_SCHEMA,
    )


def has_tables(con: duckdb.DuckDBPyConnection, *names: str) -> bool:
    """Whether the warehouse holds every one of the tables (or views) ``names``."""
    found = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN "
            "(SELECT unnest($names))",
            {"names": list(names)},
        ).fetchall()
    }
    return found == set(names)


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse holds the table (or view) ``name``."""
    return has_tables(con, name)


def file_sha256(path: Path) -> str:
    """The file's SHA-256: an unchanged file is not ingested twice."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
