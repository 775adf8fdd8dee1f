"""The DuckDB warehouse: one file holding source records, quarantine and canonical tables."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from core import warehouse_schema, warehouse_versions
from core.errors import CrimegraphError

# How long a stage waits for another process to let go of the warehouse: DuckDB lets one
# process write, or several read. The live applier holds it for moments at a time
# (``live.warehouse_rows``); a batch stage can hold it for minutes.
LOCK_WAIT_S = 120.0
_RETRY_S = 0.2


class WarehouseBusy(CrimegraphError):
    """Another process (or another connection of this one) holds the warehouse."""


def _held(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "different configuration" in text


def _open(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, trying again while someone else holds the file, up to ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _held(exc):
                raise
            if time.monotonic() >= deadline:
                mode = "read" if read_only else "write"
                raise WarehouseBusy(
                    f"{path}: could not open the warehouse to {mode} within {wait_s:.0f}s: "
                    f"another process holds it ({exc})"
                ) from exc
            time.sleep(_RETRY_S)


def connect(path: Path, *, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse, migrated to this crimegraph's schema
    version (``core.warehouse_versions``), with the base tables. Waits up to ``wait_s``
    for a process holding it (``WarehouseBusy`` after that)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, False, wait_s)
    try:
        con.execute("SET enable_progress_bar = false")  # crimegraph shows its own progress
        warehouse_versions.migrate(con, path)
        ensure_tables(con, *warehouse_schema.BASE)
    except BaseException:
        con.close()
        raise
    return con


def connect_read_only(path: Path, *, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for reading (others may read it at once), refusing one made by
    a newer crimegraph. An older one is read as it is: readers cope with missing tables.
    Waits up to ``wait_s`` for a writer to let go."""
    con = _open(path, True, wait_s)
    try:
        warehouse_versions.refuse_newer(warehouse_versions.version_of(con), path)
    except BaseException:
        con.close()
        raise
    return con


def ensure_tables(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Create these tables (``core.warehouse_schema``) if missing, with every column added
    since their first release."""
    for name in names:
        con.execute(warehouse_schema.TABLES[name])
        for column in warehouse_schema.ADDED_COLUMNS.get(name, ()):
            con.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column}")


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


def live_watermark(con: duckdb.DuckDBPyConnection, stage: str) -> tuple[str, int] | None:
    """(journal id, last seq) of the live entries ``stage``'s output counts
    (``live.warehouse_rows.mark``); None when it was never marked."""
    if not table_exists(con, "live_watermarks"):
        return None
    found = con.execute(
        "SELECT journal_id, through_seq FROM live_watermarks WHERE stage = ?", [stage]
    ).fetchone()
    return None if found is None else (found[0], int(found[1]))
