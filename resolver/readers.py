"""Read a source file row by row, whatever its format, with the row's number and raw text.

Every reader yields ``SourceRow``s; a row that cannot even be read (invalid JSON, bad
bytes, wrong column count) comes out with ``problem`` set instead of values, so the
caller quarantines it and goes on with the rest of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq


class SourceFileError(ValueError):
    """A whole file that cannot be read as its registry entry says; the message names it."""


@dataclass
class SourceRow:
    row_number: int  # CSV: line (header is 1); JSON lines: line; Parquet: row (first is 1)
    values: dict[str, str | None] | None
    raw: str
    problem: str | None = None
    problem_field: str | None = None


def open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")


def _bad_text(values: list[str], names: list[str]) -> str | None:
    for name, value in zip(names, values, strict=False):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
    return None


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8").rstrip("\r\n")


def _tapped(lines: Iterator[str], taken: list[str]) -> Iterator[str]:
    """Feeds physical lines to csv.reader, remembering in `taken` those each record used."""
    for line in lines:
        taken.append(line)
        yield line


def _csv_row(fields: list[str], names: list[str], lines: list[str], number: int) -> SourceRow:
    raw = _printable("".join(lines))
    if len(fields) != len(names):
        return SourceRow(number, None, raw, f"expected {len(names)} fields, found {len(fields)}")
    bad = _bad_text(fields, names)
    if bad:
        return SourceRow(number, None, raw, "invalid UTF-8 bytes", bad)
    return SourceRow(number, dict(zip(names, fields, strict=True)), raw)


def _swallowed(fields: list[str] | None, lines: list[str], width: int) -> bool:
    """Whether a record spanning lines is really a stray quote eating whole rows: it is
    malformed, or a later line is a complete row on its own (a legitimate quoted newline
    never leaves a full row behind it)."""
    if fields is None or len(fields) != width:
        return True
    return any(len(next(csv.reader([line]), [])) == width for line in lines[1:])


def _line_by_line(lines: list[str], start: int, names: list[str]) -> Iterator[SourceRow]:
    for offset, line in enumerate(lines):
        if line.strip():
            yield _csv_row(next(csv.reader([line]), []), names, [line], start + offset)


def read_csv(path: Path) -> Iterator[SourceRow]:
    """RFC 4180 rows numbered by the line they start on. A record that a stray quote
    stretched over the rows after it is read again line by line, so those rows are not
    lost with it."""
    with (
        open_binary(path) as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle,
    ):
        taken: list[str] = []
        reader = csv.reader(_tapped(iter(handle), taken))
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceFileError(f"{path}: line 1: unreadable header: {exc}") from exc
        names = [h.strip() for h in header]
        line = len(taken) + 1
        taken.clear()
        while True:
            try:
                fields: list[str] | None = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                fields, problem = None, f"unreadable CSV: {exc}"
            lines = taken[:]
            taken.clear()
            start, line = line, line + len(lines)
            if fields == [] and not any(text.strip() for text in lines):
                continue  # a blank line holds no row
            if len(lines) > 1 and _swallowed(fields, lines, len(names)):
                yield from _line_by_line(lines, start, names)
            elif fields is None:
                yield SourceRow(start, None, _printable("".join(lines)), problem)
            else:
                yield _csv_row(fields, names, lines, start)


def read_jsonl(path: Path) -> Iterator[SourceRow]:
    with open_binary(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                yield SourceRow(number, None, _printable(line.decode("utf-8", "backslashreplace")),
                                "invalid UTF-8 bytes")  # fmt: skip
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield SourceRow(number, None, _printable(text), f"not valid JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                yield SourceRow(number, None, _printable(text), "not a JSON object")
                continue
            values = {str(k): (None if v is None else str(v)) for k, v in obj.items()}
            yield SourceRow(number, values, _printable(text))


def read_parquet(path: Path) -> Iterator[SourceRow]:
    table = pq.ParquetFile(path)
    number = 0
    for batch in table.iter_batches(batch_size=50_000):
        for record in batch.to_pylist():
            number += 1
            values = {k: (None if v is None else str(v)) for k, v in record.items()}
            yield SourceRow(number, values, json.dumps(values, ensure_ascii=False, default=str))


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}


def columns(path: Path, file_format: str) -> list[str] | None:
    """The file's column names (CSV header, Parquet schema); None for JSON lines, whose
    objects may each leave out keys they have no value for."""
    try:
        if file_format == "parquet":
            return list(pq.read_schema(path).names)
        if file_format == "csv":
            with (
                open_binary(path) as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as handle,
            ):
                return [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, ValueError) as exc:  # pyarrow's errors are both
        raise SourceFileError(f"{path}: cannot be read as {file_format}: {exc}") from exc
    return None


def read_rows(path: Path, file_format: str) -> Iterator[SourceRow]:
    return READERS[file_format](path)
