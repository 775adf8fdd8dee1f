"""Source-ingest benchmark: one million multi-agency rows through the one ingest path.

A seeded world is simulated, then its four extracts are tiled (ids suffixed per copy,
broken rows kept) to about a million rows across CSV, Parquet and JSON lines. Measured:
wall time and rows/s of `ingest_source` for all four systems into a fresh warehouse,
beside the same run's baseline, DuckDB's bare read of the same files (no mapping,
standardisation or validation); and whether every injected broken row, and only those,
was quarantined, with rows in = loaded + quarantined. Writes var/bench/ingest.json.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from benchmarks.report import write_figures
from core import warehouse
from core.settings import load_settings
from crimegraph import pipeline
from resolver.registered_ingest import ingest_source
from resolver.sources import load_spec
from simulate.run import simulate

TARGET_ROWS = 1_000_000
SYSTEMS = ("police_a", "police_b", "council_asb", "social_care")
ID_FIELDS = ("person_id", "incident_id", "record_id")


def _incident_warehouse(work: Path) -> Path:
    settings = load_settings()
    existing = settings.warehouse_path
    if existing.exists():
        with duckdb.connect(str(existing), read_only=True) as con:
            tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
            if "incidents" in tables:
                return existing
    local = settings.with_data_dir(work / "police")
    pipeline.ingest_police_uk(local, [pipeline.default_police_uk_glob(settings)])
    return local.warehouse_path


def _tile(src: Path, dst: Path, system: str, copies: int, broken: set[int]) -> tuple[int, set[int]]:
    """Write `copies` copies of one extract, ids suffixed; returns (rows, broken row numbers)."""
    spec = yaml.safe_load((src / f"{system}.yaml").read_text())
    id_columns = [c for c, f in spec["fields"].items() if f in ID_FIELDS]
    path = src / spec["file"]
    fmt = spec["format"]
    first = 2 if fmt == "csv" else 1
    tiled_broken: set[int] = set()
    if fmt == "parquet":
        table = pq.read_table(path)
        n = table.num_rows
        parts = []
        for k in range(copies):
            columns = {}
            for name in table.column_names:
                column = table.column(name)
                if name in id_columns:
                    column = pa.array([None if v is None else (f"{v}-{k}" if v else v)
                                       for v in column.to_pylist()], pa.string())  # fmt: skip
                columns[name] = column
            parts.append(pa.table(columns))
        pq.write_table(pa.concat_tables(parts), dst / spec["file"])
    else:
        raw_lines = path.read_bytes().splitlines(keepends=True)
        header, body = (raw_lines[0], raw_lines[1:]) if fmt == "csv" else (b"", raw_lines)
        n = len(body)
        names = next(csv.reader([header.decode()])) if fmt == "csv" else []
        with (dst / spec["file"]).open("wb") as handle:
            handle.write(header)
            for k in range(copies):
                for line in body:
                    handle.write(_suffix(line, fmt, names, id_columns, k))
    for k in range(copies):
        tiled_broken |= {first + k * n + (r - first) for r in broken}
    (dst / f"{system}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return n * copies, tiled_broken


def _suffix(line: bytes, fmt: str, names: list[str], id_columns: list[str], k: int) -> bytes:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return line  # a deliberately broken row stays broken
    if fmt == "jsonl":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            return line
        for c in id_columns:
            if obj.get(c):
                obj[c] = f"{obj[c]}-{k}"
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode()
    fields = next(csv.reader([text]))
    if len(fields) == len(names):
        for i, name in enumerate(names):
            if name in id_columns and fields[i]:
                fields[i] = f"{fields[i]}-{k}"
    out = [f'"{f}"' if ("," in f or '"' in f) else f for f in fields]
    return (",".join(out) + "\n").encode()


def _baseline(folder: Path) -> tuple[int, float]:
    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        for system in SYSTEMS:
            spec = yaml.safe_load((folder / f"{system}.yaml").read_text())
            path = str(folder / spec["file"])
            reader = {
                "csv": f"read_csv('{path}', all_varchar=true, ignore_errors=true)",
                "parquet": f"read_parquet('{path}')",
                "jsonl": f"read_json('{path}', format='newline_delimited', ignore_errors=true)",
            }[spec["format"]]
            rows += con.execute(f"SELECT count(*) FROM {reader}").fetchall()[0][0]
    return rows, time.perf_counter() - started


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="crimegraph-ingest-bench-"))
    settings = load_settings()
    print("simulating a world to tile ...")
    sim = work / "sim"
    report = simulate(
        seed=11, people=100_000, out=sim, warehouse=_incident_warehouse(work), offence_rate=3,
        lsoa_boundaries=settings.source_data_dir / "geo" / "lsoa21-wales.geojson.gz",
        broken_rate=0.002, log=lambda _m: None,
    )  # fmt: skip
    copies = max(1, math.ceil(TARGET_ROWS / sum(report.rows_by_system.values())))
    broken_by_system: dict[str, set[int]] = {s: set() for s in SYSTEMS}
    with (sim / "truth" / "broken_rows.csv").open() as handle:
        for row in csv.DictReader(handle):
            broken_by_system[row["system"]].add(int(row["row_number"]))
    tiled = work / "tiled"
    tiled.mkdir()
    expected_broken: set[tuple[str, int]] = set()
    total_rows = 0
    for system in SYSTEMS:
        rows, broken = _tile(sim, tiled, system, copies, broken_by_system[system])
        total_rows += rows
        expected_broken |= {(system, r) for r in broken}
    print(f"{total_rows:,} rows in {copies} copies; baseline read ...")
    baseline_rows, baseline_seconds = _baseline(tiled)

    print("ingest ...")
    figures: dict[str, object] = {"rows": total_rows, "copies": copies}
    started = time.perf_counter()
    per_system = {}
    with warehouse.connect(work / "bench.duckdb") as con:
        totals = {"in": 0, "loaded": 0, "quarantined": 0, "values_dropped": 0}
        for system in SYSTEMS:
            t0 = time.perf_counter()
            for outcome in ingest_source(con, load_spec(tiled / f"{system}.yaml")):
                totals["in"] += outcome.rows_in
                totals["loaded"] += outcome.rows_loaded
                totals["quarantined"] += outcome.rows_quarantined
                totals["values_dropped"] += outcome.fields_dropped
            per_system[system] = round(time.perf_counter() - t0, 2)
        seconds = time.perf_counter() - started
        rejected = set(
            con.execute(
                "SELECT source, row_number FROM quarantine WHERE severity = 'row'"
            ).fetchall()
        )
    figures.update(
        ingest_seconds=round(seconds, 2),
        ingest_rows_per_second=round(totals["in"] / seconds),
        seconds_by_system=per_system,
        rows_in=totals["in"],
        rows_loaded=totals["loaded"],
        rows_quarantined=totals["quarantined"],
        values_dropped=totals["values_dropped"],
        counts_add_up=totals["in"] == totals["loaded"] + totals["quarantined"] == total_rows,
        injected_broken_rows=len(expected_broken),
        broken_rows_all_quarantined=expected_broken <= rejected,
        good_rows_wrongly_quarantined=len(rejected - expected_broken),
        baseline_duckdb_bare_read_seconds=round(baseline_seconds, 2),
        baseline_rows_read=baseline_rows,
        target_seconds=60,
        target_met=seconds <= 60,
    )
    write_figures("ingest", figures)


if __name__ == "__main__":
    main()
