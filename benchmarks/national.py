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
from resolver.police_uk import HEADER
from resolver.police_uk_ingest import expand_paths
from risk.grid import add_months

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


def _child(data_dir: Path, files: Path, figures_path: Path) -> None:
    """The measured run: the CLI's pipeline call, timed in its two parts."""
    from crimegraph import pipeline

    settings = load_settings().with_data_dir(data_dir)
    started = time.perf_counter()
    files_done: list[float] = []
    report, counts = pipeline.ingest_police_uk(
        settings, json.loads(files.read_text()),
        on_file=lambda _f: files_done.append(time.perf_counter()),
    )  # fmt: skip
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
    parser.add_argument(
        "--scale", help="comma-separated multiples of the year at hand, e.g. 1,2,4: each "
        "stage's time and peak memory as the data grows (var/bench/national_scaling.json)",
    )  # fmt: skip
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*(Path(a) for a in args.child))
        return
    months = args.months.split(",") if args.months else None
    paths = expand_paths(national_patterns(months))
    work = Path(tempfile.mkdtemp(prefix="crimegraph-national-"))
    try:
        if args.scale:
            _scaling(paths, work, [int(k) for k in args.scale.split(",")])
        else:
            _measure(paths, work, months)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # national warehouses: gigabytes


def _stages(paths: list[Path], work: Path) -> tuple[dict, dict, Path]:
    """Ingest ``paths`` into a fresh warehouse under ``work``, then score risk on it; the
    ingest's own figures, both stages' runs, and the warehouse."""
    work.mkdir(parents=True, exist_ok=True)
    files, child_figures = work / "files.json", work / "child.json"
    files.write_text(json.dumps([str(p) for p in paths]))
    command = [sys.executable, "-m", "benchmarks.national", "--child", str(work / "data"),
               str(files), str(child_figures)]  # fmt: skip
    ingest = run_child(command, work, "ingest", timeout=3600)
    if "error" in ingest:
        raise SystemExit(f"national ingest failed: {ingest['error']}")
    env = {**os.environ, "CRIMEGRAPH_DATA_DIR": str(work / "data")}
    risk = run_child([sys.executable, "-m", "crimegraph.cli", "risk"], work, "risk", 3600, env)
    measured = json.loads(child_figures.read_text())
    return measured, {"ingest": ingest, "risk": risk}, work / "data" / "warehouse.duckdb"


def _measure(paths: list[Path], work: Path, months: list[str] | None) -> None:
    print(f"{len(paths)} street files; baseline: DuckDB's bare read ...")
    baseline = _baseline(paths, work)
    print(f"   {baseline['rows']:,} rows in {baseline['seconds']} s; ingest, then risk ...")
    measured, runs, warehouse_path = _stages(paths, work / "run")
    run, risk = runs["ingest"], runs["risk"]
    if "error" in risk:
        raise SystemExit(f"national risk failed: {risk['error']}")
    seconds = run["seconds"]
    with warehouse.connect(warehouse_path) as con:
        written = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("risk_scores", "hotspots", "forecasts")
        }
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
        **_warehouse_figures(warehouse_path),
        "target_seconds": TARGET_SECONDS,
        "target_peak_mib": TARGET_PEAK_MIB,
        "target_met": seconds <= TARGET_SECONDS and run["peak_rss_mib"] <= TARGET_PEAK_MIB,
        "risk_seconds": risk["seconds"],
        "risk_peak_rss_mib": risk["peak_rss_mib"],
        "risk_rows": written,
        "risk_target_seconds": RISK_TARGET_SECONDS,
        "risk_target_peak_mib": RISK_TARGET_PEAK_MIB,
        "risk_target_met": risk["seconds"] <= RISK_TARGET_SECONDS
        and risk["peak_rss_mib"] <= RISK_TARGET_PEAK_MIB,
    }
    write_figures("national" if not months else "national_cut", figures)


def _later_years(paths: list[Path], copies: int, work: Path) -> list[Path]:
    """The files at hand and ``copies - 1`` more years of them: each copy's months moved on
    a year per copy, its Crime IDs re-keyed, so a run sees several years of the nation."""
    out = list(paths)
    columns = ", ".join(f'"{h}"' for h in HEADER if h not in ("Crime ID", "Month"))
    with duckdb.connect() as con:
        for k in range(1, copies):
            for path in paths:
                month = path.name[:7]
                moved = add_months(month, 12 * k)
                target = work / moved / path.name.replace(month, moved, 1)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    con.execute(
                        f'COPY (SELECT CASE WHEN "Crime ID" IS NOT NULL '
                        f'THEN "Crime ID" || \'-y{k}\' END AS "Crime ID", '
                        f"'{moved}' AS \"Month\", {columns} FROM read_csv($p, header = true, "
                        "all_varchar = true)) TO '" + str(target) + "' (HEADER, COMPRESSION gzip)",
                        {"p": str(path)},
                    )
                out.append(target)
    return out


def _scaling(paths: list[Path], work: Path, scales: list[int]) -> None:
    """Each stage at each multiple of the year at hand: time, peak memory, and the growth
    against the 1x run (time at k x over k times the 1x time: 1.0 is linear)."""
    print(f"writing {max(scales) - 1} more years of {len(paths)} files ...")
    every = _later_years(paths, max(scales), work / "years")
    runs: dict[int, dict] = {}
    for k in sorted(scales):
        print(f"{k}x: ingest, then risk ...")
        try:
            measured, stage_runs, _warehouse = _stages(every[: len(paths) * k], work / f"x{k}")
        except SystemExit as failed:  # a stage that fails at a size is a figure too
            runs[k] = {"error": str(failed)}
            continue
        finally:
            shutil.rmtree(work / f"x{k}", ignore_errors=True)
        runs[k] = {
            "rows": measured["rows_in"],
            **{f"{stage}_{key}": run[key] for stage, run in stage_runs.items()
               for key in ("seconds", "peak_rss_mib")},
            **{f"{stage}_error": run["error"] for stage, run in stage_runs.items()
               if "error" in run},
        }  # fmt: skip
    figures: dict = {"scales": {str(k): r for k, r in runs.items()}}
    base = runs[min(scales)]
    for k, r in runs.items():
        if "error" in r or "error" in base:
            continue
        for stage in ("ingest", "risk"):
            if f"{stage}_error" in r or f"{stage}_error" in base:
                continue
            factor = k / min(scales)
            figures[f"{stage}_time_growth_{k}x"] = round(
                r[f"{stage}_seconds"] / (factor * base[f"{stage}_seconds"]), 2
            )
            figures[f"{stage}_peak_growth_{k}x"] = round(
                r[f"{stage}_peak_rss_mib"] / base[f"{stage}_peak_rss_mib"], 2
            )
    figures["target"] = "time at 4x within 1.2x of four times the 1x time; peak flat where streamed"
    write_figures("national_scaling", figures)


if __name__ == "__main__":
    main()
