"""`crimegraph ingest|simulate|quarantine|sources`: getting source extracts into the warehouse."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.settings import load_settings
from crimegraph import pipeline
from crimegraph.cli.common import app, console, fail, progress_bar
from resolver.ingest_report import IngestReport


@app.command("ingest")
def ingest(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Registry YAML files (sources/*.yaml), or 'police-uk' followed by street-level "
            "CSV files or globs (default: every 2025 file under the source data directory).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Re-read files even if unchanged.")] = False,
) -> None:
    """Read source extracts into the warehouse; broken rows go to quarantine.

    `crimegraph ingest police-uk [FILES...]` reads data.police.uk street-level CSVs;
    `crimegraph ingest SOURCE.yaml [...]` reads any source described by a registry file.
    """
    targets = targets or ["police-uk"]
    if targets[0] == "police-uk":
        ingest_police_uk(targets[1:], force=force)
    else:
        ingest_sources([Path(t) for t in targets], force=force)


def ingest_police_uk(
    patterns: list[str], *, force: bool = False, hold_back: str | None = None
) -> None:
    settings = load_settings()
    patterns = patterns or [pipeline.default_police_uk_glob(settings)]
    started = time.perf_counter()
    with progress_bar() as progress:
        task = progress.add_task("ingest police.uk", total=None)

        def on_file(report) -> None:
            progress.advance(task)
            if report.error:
                console.print(f"[red]{report.error}[/red]")

        report, counts = pipeline.ingest_police_uk(
            settings, patterns, force=force, on_file=on_file, hold_back=hold_back
        )
    _print_ingest_report("police.uk ingest", report)
    if hold_back:
        console.print(f"held back from the batch for the live feed: {hold_back}")
    console.print(
        "canonical tables: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        + f"  ({time.perf_counter() - started:.1f}s)"
    )
    if report.failed_files:
        raise typer.Exit(code=1)


def ingest_sources(specs: list[Path], *, force: bool = False) -> None:
    from resolver.sources import SourceSpecError

    settings = load_settings()
    started = time.perf_counter()
    report = IngestReport()
    failed = False
    with progress_bar() as progress:
        task = progress.add_task("ingest sources", total=len(specs))
        for spec_path in specs:
            try:
                report.files += pipeline.ingest_source(settings, spec_path, force=force).files
            except SourceSpecError as exc:
                console.print(f"[red]{exc}[/red]")
                failed = True
            progress.advance(task)
    for f in report.failed_files:
        console.print(f"[red]{f.error}[/red]", soft_wrap=True, highlight=False)
    _print_ingest_report("source ingest", report)
    console.print(
        f"({time.perf_counter() - started:.1f}s); `crimegraph quarantine` lists the problems"
    )
    if failed or report.failed_files:
        raise typer.Exit(code=1)


@app.command("simulate")
def simulate(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same world.")] = 1,
    people: Annotated[int, typer.Option(help="Population size.")] = 50_000,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for the extracts, replaced [default: DATA_DIR/simulated]."),
    ] = None,
    broken_rate: Annotated[
        float, typer.Option(help="Share of rows deliberately broken, to exercise quarantine.")
    ] = 0.002,
) -> None:
    """Generate four systems' extracts about a synthetic population, with the truth apart.

    People live at real Welsh postcodes and are attached to the real police.uk incidents
    in the warehouse (run `crimegraph ingest police-uk` first). Writes OUT/<system>.<ext>
    and OUT/<system>.yaml for each system, and OUT/truth/ (never read by the pipeline).
    """
    from simulate.run import simulate as run_simulation

    settings = load_settings()
    try:
        report = run_simulation(
            seed=seed,
            people=people,
            out=out or settings.data_dir / "simulated",
            warehouse=settings.warehouse_path,
            lsoa_boundaries=settings.sources.lsoa_boundaries,
            broken_rate=broken_rate,
            log=console.print,
        )
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"{report.people:,} people, {report.events:,} incidents with named parties, "
        f"{report.involvements:,} involvements; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in report.rows_by_system.items())
        + f"; {report.broken_rows} broken on purpose. Extracts in {report.out}"
    )


def _print_ingest_report(title: str, report: IngestReport) -> None:
    """One table for every source adapter: a row per file and the total."""
    table = Table(title=title)
    columns = ("system", "file", "rows in", "loaded", "quarantined", "values dropped", "note")
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("system", "file", "note") else "right"
        )
    for f in report.files:
        note = "unreadable" if f.error else ("unchanged, skipped" if f.skipped_unchanged else "")
        table.add_row(f.source, f.source_file, f"{f.rows_in:,}", f"{f.rows_loaded:,}",
                      f"{f.rows_quarantined:,}", f"{f.fields_dropped:,}", note)  # fmt: skip
    dropped = sum(f.fields_dropped for f in report.files)
    table.add_row("total", "", f"{report.rows_in:,}", f"{report.rows_loaded:,}",
                  f"{report.rows_quarantined:,}", f"{dropped:,}", "", style="bold")  # fmt: skip
    console.print(table)


@app.command("quarantine")
def quarantine(
    source: Annotated[str | None, typer.Option(help="Only this source system.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 20,
) -> None:
    """Show quarantined rows (whole rows rejected) and dropped values, with counts by reason."""
    from core import warehouse

    settings = load_settings()
    with warehouse.connect(settings.warehouse_path) as con:
        by_reason = con.execute(
            "SELECT source, severity, coalesce(field, '(row)'), regexp_replace(reason, ':.*', ''), "
            "count(*) FROM quarantine WHERE $source IS NULL OR source = $source "
            "GROUP BY ALL ORDER BY 5 DESC",
            {"source": source},
        ).fetchall()
        rows = con.execute(
            "SELECT source, source_file, row_number, severity, coalesce(field, '(row)'), reason "
            "FROM quarantine WHERE $source IS NULL OR source = $source "
            "ORDER BY source, source_file, row_number LIMIT $limit",
            {"source": source, "limit": limit},
        ).fetchall()
    if not by_reason:
        console.print("quarantine is empty")
        return
    summary = Table(title="quarantine by reason ('row': rejected; 'field': value dropped)")
    for column in ("source", "severity", "field", "reason", "count"):
        summary.add_column(column, justify="right" if column == "count" else "left")
    for source_name, severity, field, reason, count in by_reason:
        summary.add_row(source_name, severity, field, reason, f"{count:,}")
    console.print(summary)
    detail = Table(title=f"first {len(rows)} entries")
    for column in ("source", "file", "line", "severity", "field", "reason"):
        detail.add_column(column)
    for source_name, source_file, row_number, severity, field, reason in rows:
        detail.add_row(source_name, source_file, str(row_number), severity, field, reason)
    console.print(detail)


sources_app = typer.Typer(help="The source registry: describe new extracts.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("suggest")
def sources_suggest(
    extract: Annotated[
        Path, typer.Argument(help="An unseen extract (.csv, .csv.gz, .jsonl, .parquet).")
    ],
    system: Annotated[
        str | None, typer.Option(help="System name [default: the file's stem].")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the YAML [default: EXTRACT's folder/SYSTEM.yaml]."),
    ] = None,
) -> None:
    """Propose a registry YAML for an extract from its header names and its values.

    Each field gets a confidence; fields under 0.8 are marked for review. A steward
    confirms the YAML, then `crimegraph ingest SYSTEM.yaml` reads the extract.
    """
    from resolver.suggest import suggest_mapping, suggestion_to_spec, write_spec

    if not extract.is_file():
        raise fail(f"{extract}: no such file")
    name = system or extract.name.split(".")[0]
    target = out or extract.parent / f"{name}.yaml"
    try:
        suggestion = suggest_mapping(extract)
    except ValueError as exc:
        raise fail(f"{extract}: {exc}") from exc
    # The YAML names its file relative to itself.
    relative = os.path.relpath(extract.resolve(), target.parent.resolve())
    spec = suggestion_to_spec(suggestion, name, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_spec(spec, target)
    table = Table(title=f"suggested mapping for {extract.name}")
    for column in ("column", "field", "confidence", "evidence"):
        table.add_column(column)
    for c in suggestion.columns:
        table.add_row(c.column, c.field or "-", f"{c.confidence:.2f}", c.evidence)
    console.print(table)
    console.print(f"written to {target}; review it, then `crimegraph ingest {target}`")
