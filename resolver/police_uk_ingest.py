"""Write parsed source files into the warehouse, idempotently, with a run report."""

from __future__ import annotations

import glob
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core import warehouse
from resolver import police_uk
from resolver.ingest_report import FileReport, IngestReport
from resolver.police_uk_columnar import ColumnarReader


def expand_paths(patterns: Iterable[str]) -> list[Path]:
    """Files matching shell globs (``**`` allowed), sorted; a plain path passes through."""
    paths: set[Path] = set()
    for pattern in patterns:
        matches = glob.glob(pattern, recursive=True)
        paths.update(Path(m) for m in matches if Path(m).is_file())
        if not matches:
            paths.add(Path(pattern))  # reported later as "no such file", not silently skipped
    return sorted(paths)


def _already_ingested(con: duckdb.DuckDBPyConnection, name: str, sha: str) -> tuple | None:
    rows = con.execute(
        "SELECT rows_in, rows_loaded, rows_quarantined FROM ingest_runs "
        "WHERE source = ? AND source_file = ? AND file_sha256 = ?",
        [police_uk.SOURCE, name, sha],
    ).fetchall()
    return rows[0] if rows else None


def _store(con: duckdb.DuckDBPyConnection, parsed: police_uk.ParsedFile, sha: str) -> None:
    """Replace everything this file contributed, in one transaction."""
    records = parsed.records
    rejections = warehouse.quarantine_rows(
        police_uk.SOURCE,
        parsed.source_file,
        [r.quarantine_row() for r in parsed.rejections],
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM police_uk_records WHERE source_file = ?", [parsed.source_file])
        con.execute(
            "DELETE FROM quarantine WHERE source = ? AND source_file = ?",
            [police_uk.SOURCE, parsed.source_file],
        )
        con.register("incoming_records", records)
        con.register("incoming_rejections", rejections)
        columns = ", ".join(police_uk.RECORD_COLUMNS)
        con.execute(
            f"INSERT INTO police_uk_records ({columns}) SELECT {columns} FROM incoming_records"
        )
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_rejections")
        con.execute(
            "INSERT OR REPLACE INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                police_uk.SOURCE,
                parsed.source_file,
                sha,
                datetime.now(UTC).replace(tzinfo=None),
                parsed.rows_in,
                parsed.rows_loaded,
                parsed.rows_quarantined,
            ],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming_records")
        con.unregister("incoming_rejections")


# Files read ahead of the one being stored: reading (decompression, DuckDB's parse and
# checks) and storing (the warehouse insert) release the GIL, so the two overlap.
READ_AHEAD = 2


def ingest_police_uk(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    force: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
) -> IngestReport:
    """Ingest street-level files; an unchanged file (same name and SHA-256) is skipped.

    A file that cannot be read at all is reported with its error and the others still
    load. Files are read on one worker thread, a few ahead of the one being stored, and
    stored in order, each in its own transaction.
    """
    report = IngestReport()
    reader = ColumnarReader()
    pending: deque[tuple[Path, str, Future[police_uk.ParsedFile] | FileReport]] = deque()

    def finish_oldest() -> None:
        path, sha, work = pending.popleft()
        report.files.append(
            work if isinstance(work, FileReport) else _store_read(con, path, sha, work)
        )
        if on_file:
            on_file(report.files[-1])

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="police-uk-read") as pool:
            for path in paths:
                sha = warehouse.file_sha256(path) if path.is_file() else ""
                previous = None if force or not sha else _already_ingested(con, path.name, sha)
                if previous:
                    skipped = FileReport(
                        police_uk.SOURCE, path.name, *previous, skipped_unchanged=True
                    )
                    pending.append((path, sha, skipped))
                else:
                    pending.append((path, sha, pool.submit(reader.parse, path)))
                while len(pending) > READ_AHEAD:
                    finish_oldest()
            while pending:
                finish_oldest()
    finally:
        reader.close()
    return report


def _store_read(
    con: duckdb.DuckDBPyConnection, path: Path, sha: str, read: Future[police_uk.ParsedFile]
) -> FileReport:
    """One file's records and rejections stored in their own transaction, or the error
    that stopped the file being read."""
    try:
        parsed = read.result()
    except police_uk.SourceFileError as exc:
        return FileReport(police_uk.SOURCE, path.name, error=str(exc))
    _store(con, parsed, sha)
    return FileReport(
        police_uk.SOURCE, path.name, parsed.rows_in, parsed.rows_loaded,
        parsed.rows_quarantined, reader=parsed.reader,
    )  # fmt: skip


def forget_files(con: duckdb.DuckDBPyConnection, names: list[str]) -> int:
    """Remove what these police.uk files contributed (records, quarantine, runs), e.g. a
    month held back from the batch for the live feed; returns the records removed."""
    if not names:
        return 0
    removed = con.execute(
        "SELECT count(*) FROM police_uk_records WHERE source_file IN (SELECT unnest($n))",
        {"n": names},
    ).fetchall()[0][0]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("police_uk_records", "quarantine", "ingest_runs"):
            source = "" if table == "police_uk_records" else "source = $s AND "
            params = {"n": names} | ({"s": police_uk.SOURCE} if source else {})
            con.execute(
                f"DELETE FROM {table} WHERE {source}source_file IN (SELECT unnest($n))", params
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return removed
