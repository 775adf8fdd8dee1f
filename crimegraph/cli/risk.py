"""`crimegraph risk|forecast|backtest`: place risk scores, next-month forecasts and their
rolling-origin backtest (risk/, docs/risk.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli.common import app, console, fail, progress_bar

DEFAULT_REPORT_DIR = PROJECT_ROOT / "var" / "reports"


@app.command("risk")
def risk(
    month: Annotated[
        list[str] | None,
        typer.Option(
            "--month",
            help="Month to score (YYYY-MM), repeatable. Default: the last 3 months with "
            "data and the next month (a forecast).",
        ),
    ] = None,
    discovered_weight: Annotated[
        float,
        typer.Option(
            "--discovered-weight",
            min=0.0,
            max=1.0,
            help="Weight of police-discovered crimes (drugs, possession of weapons) in the "
            "scores: 1 as recorded, lower so patrolled places do not feed their own risk "
            "(Ensign et al. 2018; see `crimegraph audit fairness`).",
        ),
    ] = 1.0,
) -> None:
    """Compute risk scores, hotspots and forecasts into the warehouse (risk_scores,
    hotspots, forecasts) at H3 resolutions 9, 8, 7 and LSOA, for every crime group."""
    from core import warehouse
    from core.warehouse_schema import RISK_WATERMARK
    from crimegraph.pipeline import take_in_live
    from live import warehouse_rows
    from risk.harm import HarmConfigError
    from risk.run import compute_risk, default_months

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise fail(f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first")
    started = time.perf_counter()
    try:
        with warehouse.connect(settings.warehouse_path) as con, progress_bar() as progress:
            con.execute("SET memory_limit = $limit", {"limit": settings.batch_memory_limit})
            live = take_in_live(con, settings)
            months = month or default_months(con)
            task = progress.add_task("risk scores", total=None)
            counts, network_available = compute_risk(
                con,
                months,
                on_step=lambda _s: progress.advance(task),
                discovered_weight=discovered_weight,
            )
            if live is not None:  # the API's live overlay adds only the entries after it
                warehouse_rows.mark(con, RISK_WATERMARK, live)
    except (ValueError, HarmConfigError) as exc:
        raise fail(str(exc)) from exc
    console.print(f"risk scores for {', '.join(months)} in {time.perf_counter() - started:.1f}s")
    for table, rows in counts.items():
        console.print(f"  {table:<12} {rows:>10,}")
    if not network_available:
        console.print("  network component: 0 (no location_network_exposure table yet)")


@app.command("forecast")
def forecast(
    history: Annotated[
        str,
        typer.Option(
            "--history",
            help="Glob of data.police.uk street CSVs (.csv or .csv.gz, any forces), quoted.",
        ),
    ],
    month: Annotated[str, typer.Option("--month", help="Month to forecast, YYYY-MM.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV with columns cell,score.")],
    res: Annotated[int, typer.Option("--res", help="H3 resolution of the cells.")] = 9,
    crime_types: Annotated[
        str | None,
        typer.Option(
            "--crime-types",
            help='Comma-separated police.uk crime types, e.g. "Burglary,Robbery" (default: all).',
        ),
    ] = None,
) -> None:
    """Forecast a month's crime per H3 cell from street files: FILE gets cell,score
    (higher: more crime of those types expected). Only months before --month are used."""
    from resolver.police_uk_ingest import expand_paths
    from resolver.readers import SourceFileError
    from risk import events
    from risk.choices import DEFAULT_CHOICES
    from risk.contract import ForecastInputError, choice_for, parse_crime_types
    from risk.contract import forecast as run_forecast

    try:
        types = parse_crime_types(crime_types)
        paths = expand_paths([history])
        with progress_bar() as progress:
            task = progress.add_task("read street files", total=len(paths))
            crimes, problems = events.from_street_files(
                paths, on_file=lambda _p: progress.advance(task)
            )
        for source_file, rejection in problems.rejected[:20]:
            field = f", field {rejection.field}" if rejection.field else ""
            console.print(
                f"[yellow]skipped[/yellow] {source_file}: line {rejection.row}{field}: "
                f"{rejection.reason}",
                highlight=False,
                soft_wrap=True,
            )
        if len(problems.rejected) > 20:
            console.print(
                f"[yellow]... and {len(problems.rejected) - 20} more broken rows[/yellow]"
            )
        table = run_forecast(crimes, month, res, types, choice_for(types, DEFAULT_CHOICES))
    except (ForecastInputError, SourceFileError, ValueError) as exc:
        raise fail(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    console.print(
        f"{len(table):,} cells written to {out} ({len(crimes):,} located crimes read, "
        f"{len(problems.rejected):,} broken rows and {problems.unlocated:,} without a "
        "location skipped)",
        soft_wrap=True,
    )


@app.command("backtest")
def backtest(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the report (CSV, Markdown, PNG).")
    ] = DEFAULT_REPORT_DIR,
    tuning_forces: Annotated[
        str,
        typer.Option(
            "--tuning-forces",
            help="Comma-separated forces the model is chosen on; the others are held out.",
        ),
    ] = "south-wales,north-wales",
) -> None:
    """Rolling-origin backtest July-December 2025: PAI, PEI* and hit rate at 1%, 5% and 10%
    of area, per group and force, model beside the baselines; stores the chosen models."""
    from core import warehouse
    from risk.run import run_backtest

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise fail(f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first")
    forces = [f.strip() for f in tuning_forces.split(",") if f.strip()]
    with warehouse.connect(settings.warehouse_path) as con, progress_bar() as progress:
        task = progress.add_task("backtest", total=None)
        try:
            run = run_backtest(
                con, out, tuning_forces=forces, on_step=lambda *_: progress.advance(task)
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    five = run.summary[(run.summary["share"] == 0.05)]
    for row in five.itertuples():
        console.print(
            f"{row.crime_group:<22} {row.force:<12} {row.role:<8} PAI@5% {row.pai:6.2f} "
            f"best baseline {row.pai / row.ratio_to_best:6.2f} ratio {row.ratio_to_best:5.3f}",
            highlight=False,
            soft_wrap=True,
        )
    for kind, path in run.paths.items():
        console.print(f"{kind}: {path}")
