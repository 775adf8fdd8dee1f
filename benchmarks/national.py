"""National benchmark: every police.uk street file at hand (England and Wales, 2025)
through the batch stages, each in a child process so its peak memory is its own.

1. Ingest, through `crimegraph ingest police-uk`'s own pipeline call into a fresh
   warehouse: wall time and rows/s for the files (read, validate, quarantine, store) and
   the canonical tables built after them; peak RSS; rows in = loaded + quarantined per
   file; which reader took each file (set-wise, or row by row when a file's layout needs
   it); quarantine reasons. Beside it, the same run's baseline: DuckDB's bare read of the
   same files into a table (no validation, ids or cells).
2. Risk, hotspots and forecasts: `crimegraph risk` on that warehouse: wall time, peak
   RSS, rows written.

Writes var/bench/national.json. `python -m benchmarks.national --months 2025-01,2025-02`
runs a cut (var/bench/national_cut.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.child import run_child
from benchmarks.report import write_figures
from core import warehouse
from core.settings import load_settings
from resolver.police_uk_ingest import expand_paths

TARGET_SECONDS = 60
TARGET_PEAK_MIB = 2048
RISK_TARGET_SECONDS = 90
RISK_TARGET_PEAK_MIB = 3072
# The English forces' files beside the Welsh ones (../shared/data/README.md).
ENGLAND_GLOB = "police-uk/england/street/*/*-street.csv*"


def national_patterns(months: list[str] | None = None) -> list[str]:
    """The street-file globs of every force at hand, optionally a few months of them."""
    sources = load_settings().sources
    globs = [sources.police_uk_glob, ENGLAND_GLOB]
    patterns = [str(sources.data_dir / g) for g in globs]
    if months:
        patterns = [p.replace("/*/*-street", f"/{m}/*-street") for p in patterns for m in months]
    return patterns


def _baseline(paths: list[Path], work: Path) -> dict:
    """DuckDB reading the same files into a table, and nothing else."""
    started = time.perf_counter()
    with duckdb.connect(str(work / "baseline.duckdb")) as con:
        con.execute(
            "CREATE TABLE street AS SELECT * FROM read_csv($files, header = true, "
            "all_varchar = true, ignore_errors = true, union_by_name = true)",
            {"files": [str(p) for p in paths]},
        )
        rows = con.execute("SELECT count(*) FROM street").fetchall()[0][0]
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows}


def _child(data_dir: Path, patterns: list[str], figures_path: Path) -> None:
    """The measured run: the CLI's pipeline call, timed in its two parts."""
    from crimegraph import pipeline

    settings = load_settings().with_data_dir(data_dir)
    started = time.perf_counter()
    files_done: list[float] = []
    report, counts = pipeline.ingest_police_uk(
        settings, patterns, on_file=lambda _f: files_done.append(time.perf_counter())
    )
    ended = time.perf_counter()
    files_seconds = (files_done[-1] if files_done else ended) - started
    figures_path.write_text(
        json.dumps(
            {
                "files_seconds": round(files_seconds, 2),
                "canonical_seconds": round(ended - started - files_seconds, 2),
                "files": len(report.files),
                "files_with_errors": [f.source_file for f in report.files if f.error],
                "files_read_row_by_row": [
                    f.source_file for f in report.files if f.reader == "rows"
                ],
                "counts_add_up_per_file": all(
                    f.rows_in == f.rows_loaded + f.rows_quarantined for f in report.files
                ),
                "rows_in": report.rows_in,
                "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined,
                "canonical_counts": counts,
            }
        )
    )


def _warehouse_figures(path: Path) -> dict:
    with warehouse.connect(path) as con:
        reasons = con.execute(
            "SELECT field, regexp_replace(reason, ':.*', '') AS why, count(*) FROM quarantine "
            "GROUP BY ALL ORDER BY 3 DESC LIMIT 12"
        ).fetchall()
        forces = con.execute("SELECT count(DISTINCT force_code) FROM police_uk_records").fetchall()
        repeated = con.execute(
            "SELECT count(*) FILTER (WHERE n > 1), sum(n) FILTER (WHERE n > 1) FROM ("
            "SELECT count(*) AS n FROM police_uk_records GROUP BY source_file, incident_id)"
        ).fetchall()[0]
    return {
        "forces": forces[0][0],
        "quarantine_reasons": [f"{field}: {why} ({n})" for field, why, n in reasons],
        "incidents_with_several_rows_in_a_file": repeated[0],
        "rows_of_those_incidents": int(repeated[1] or 0),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", help="comma-separated YYYY-MM months (default: all)")
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "FIGURES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    months = args.months.split(",") if args.months else None
    patterns = national_patterns(months)
    if args.child:
        _child(Path(args.child[0]), patterns, Path(args.child[1]))
        return
    paths = expand_paths(patterns)
    work = Path(tempfile.mkdtemp(prefix="crimegraph-national-ingest-"))
    try:
        _measure(paths, work, months, args.months)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # two national warehouses: gigabytes


def _measure(paths: list[Path], work: Path, months: list[str] | None, cut: str | None) -> None:
    print(f"{len(paths)} street files; baseline: DuckDB's bare read ...")
    baseline = _baseline(paths, work)
    print(f"   {baseline['rows']:,} rows in {baseline['seconds']} s; ingest ...")
    child_figures = work / "child.json"
    command = [sys.executable, "-m", "benchmarks.national", "--child", str(work / "data"),
               str(child_figures)] + (["--months", cut] if cut else [])  # fmt: skip
    run = run_child(command, work, "ingest", timeout=1800)
    if "error" in run:
        raise SystemExit(f"national ingest failed: {run['error']}")
    measured = json.loads(child_figures.read_text())
    seconds = run["seconds"]
    figures = {
        "months": months or "all",
        **{k: measured[k] for k in ("files", "rows_in", "rows_loaded", "rows_quarantined")},
        "ingest_seconds": seconds,
        "ingest_rows_per_second": round(measured["rows_in"] / max(seconds, 1e-9)),
        "files_seconds": measured["files_seconds"],
        "canonical_tables_seconds": measured["canonical_seconds"],
        "peak_rss_mib": run["peak_rss_mib"],
        "baseline_duckdb_bare_read_seconds": baseline["seconds"],
        "baseline_rows_read": baseline["rows"],
        "ratio_to_baseline": round(seconds / max(baseline["seconds"], 1e-9), 2),
        "counts_add_up_per_file": measured["counts_add_up_per_file"],
        "files_with_errors": measured["files_with_errors"],
        "files_read_row_by_row": measured["files_read_row_by_row"],
        "canonical_counts": measured["canonical_counts"],
        **_warehouse_figures(work / "data" / "warehouse.duckdb"),
        "target_seconds": TARGET_SECONDS,
        "target_peak_mib": TARGET_PEAK_MIB,
        "target_met": seconds <= TARGET_SECONDS and run["peak_rss_mib"] <= TARGET_PEAK_MIB,
    }
    print("risk ...")
    env = {**os.environ, "CRIMEGRAPH_DATA_DIR": str(work / "data")}
    risk = run_child([sys.executable, "-m", "crimegraph.cli", "risk"], work, "risk", 1800, env)
    if "error" in risk:
        raise SystemExit(f"national risk failed: {risk['error']}")
    with warehouse.connect(work / "data" / "warehouse.duckdb") as con:
        written = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("risk_scores", "hotspots", "forecasts")
        }
    figures.update(
        risk_seconds=risk["seconds"],
        risk_peak_rss_mib=risk["peak_rss_mib"],
        risk_rows=written,
        risk_target_seconds=RISK_TARGET_SECONDS,
        risk_target_peak_mib=RISK_TARGET_PEAK_MIB,
        risk_target_met=risk["seconds"] <= RISK_TARGET_SECONDS
        and risk["peak_rss_mib"] <= RISK_TARGET_PEAK_MIB,
    )
    write_figures("national" if not months else "national_cut", figures)


if __name__ == "__main__":
    main()
