"""Write parsed source files into the warehouse, idempotently, with a run report."""

from __future__ import annotations

import glob
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

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


def _store(con: duckdb.DuckDBPyConnection, files: list[tuple[police_uk.ParsedFile, str]]) -> None:
    """Replace everything these files (each with its SHA-256) contributed, in one
    transaction: a batch lands whole or not at all, and a file's old rows go with it."""
    if not files:
        return
    names = [parsed.source_file for parsed, _sha in files]
    records = pa.concat_tables([parsed.records for parsed, _sha in files])
    rejections = pa.concat_tables(
        [
            warehouse.quarantine_rows(
                police_uk.SOURCE, parsed.source_file,
                [r.quarantine_row() for r in parsed.rejections],
            )
            for parsed, _sha in files
        ]
    )  # fmt: skip
    now = datetime.now(UTC).replace(tzinfo=None)
    runs = [
        (police_uk.SOURCE, p.source_file, sha, now, p.rows_in, p.rows_loaded, p.rows_quarantined)
        for p, sha in files
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM police_uk_records WHERE source_file IN (SELECT unnest($n))", {"n": names}
        )
        con.execute(
            "DELETE FROM quarantine WHERE source = $s AND source_file IN (SELECT unnest($n))",
            {"s": police_uk.SOURCE, "n": names},
        )
        con.register("incoming_records", records)
        con.register("incoming_rejections", rejections)
        columns = ", ".join(police_uk.RECORD_COLUMNS)
        con.execute(
            f"INSERT INTO police_uk_records ({columns}) SELECT {columns} FROM incoming_records"
        )
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_rejections")
        con.executemany("INSERT OR REPLACE INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?)", runs)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming_records")
        con.unregister("incoming_rejections")


# Files are read in batches of about this much (compressed) data: one DuckDB read and one
# SQL pass a batch. Reading a batch (decompression, DuckDB's parse and checks) and storing
# the one before it (the warehouse insert) release the GIL, so the two overlap.
BATCH_BYTES = 8 * 2**20
READ_AHEAD = 1  # batches read ahead of the one being stored


def batches(paths: list[Path], limit: int = BATCH_BYTES) -> list[list[Path]]:
    """Consecutive runs of files holding about ``limit`` bytes each (a file alone if
    larger); a file name (the key a file's rows are stored under) once per batch."""
    groups: list[list[Path]] = []
    size = limit
    for path in paths:
        length = path.stat().st_size if path.is_file() else 0
        repeated = bool(groups) and path.name in {p.name for p in groups[-1]}
        if repeated or (size + length > limit and (not groups or groups[-1])):
            groups.append([])
            size = 0
        groups[-1].append(path)
        size += length
    return groups


def ingest_police_uk(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    force: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
) -> IngestReport:
    """Ingest street-level files; an unchanged file (same name and SHA-256) is skipped.

    A file that cannot be read at all is reported with its error and the others still
    load. Batches of files are read on one worker thread, ahead of the batch being
    stored; files are stored in order, each batch in one transaction.
    """
    report = IngestReport()
    reader = ColumnarReader()
    pending: deque[tuple[list[tuple[Path, str, FileReport | None]], Future]] = deque()

    def store_oldest() -> None:
        files, read = pending.popleft()
        outcomes = iter(read.result())
        reports: list[FileReport] = []
        stored: list[tuple[police_uk.ParsedFile, str]] = []
        for path, sha, skipped in files:
            outcome = skipped or next(outcomes)
            if isinstance(outcome, police_uk.ParsedFile):
                stored.append((outcome, sha))
            reports.append(_file_report(path, outcome))
        _store(con, stored)
        for file_report in reports:
            report.files.append(file_report)
            if on_file:
                on_file(file_report)

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="police-uk-read") as pool:
            for group in batches(paths):
                files = [(path, *_unchanged(con, path, force)) for path in group]
                to_read = [path for path, _sha, skipped in files if skipped is None]
                pending.append((files, pool.submit(reader.parse_batch, to_read)))
                while len(pending) > READ_AHEAD:
                    store_oldest()
            while pending:
                store_oldest()
    finally:
        reader.close()
    return report


def _unchanged(
    con: duckdb.DuckDBPyConnection, path: Path, force: bool
) -> tuple[str, FileReport | None]:
    """The file's SHA-256, and its report from before if it was ingested unchanged."""
    sha = warehouse.file_sha256(path) if path.is_file() else ""
    previous = None if force or not sha else _already_ingested(con, path.name, sha)
    if previous:
        return sha, FileReport(police_uk.SOURCE, path.name, *previous, skipped_unchanged=True)
    return sha, None


def _file_report(
    path: Path, outcome: FileReport | police_uk.ParsedFile | police_uk.SourceFileError
) -> FileReport:
    if isinstance(outcome, FileReport):
        return outcome  # skipped: unchanged since it was ingested
    if isinstance(outcome, police_uk.SourceFileError):
        return FileReport(police_uk.SOURCE, path.name, error=str(outcome))
    return FileReport(
        police_uk.SOURCE, path.name, outcome.rows_in, outcome.rows_loaded,
        outcome.rows_quarantined, reader=outcome.reader,
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
