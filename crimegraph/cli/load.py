"""`crimegraph load`: the warehouse into the Neo4j POLE graph."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from core.settings import load_settings
from crimegraph import pipeline
from crimegraph.cli.common import app, console, fail, progress_bar
from graph.bulk_load import BulkLoadUnsupported
from graph.neo4j_server import Neo4jServerError


@app.command("load")
def load(
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="Use Neo4j's offline bulk importer (restarts the local server) or never use "
            "it. Default: only for a first load of at least 250,000 rows into an empty graph "
            "on the server crimegraph manages.",
        ),
    ] = None,
) -> None:
    """Bring the Neo4j graph in line with the warehouse, writing only what changed.

    Idempotent (a second load writes nothing) and resumable (a killed load, run again,
    finishes with the graph a clean load gives).
    """
    settings = load_settings()
    started = time.perf_counter()
    with progress_bar() as progress:
        tasks: dict[str, int] = {}

        def on_progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(f"load {step}", total=total)
            progress.update(tasks[step], completed=done)

        try:
            report, counts = pipeline.load(
                settings, on_progress=on_progress, bulk=bulk, log=progress.console.print
            )
        except (FileNotFoundError, BulkLoadUnsupported, Neo4jServerError) as exc:
            raise fail(str(exc)) from exc
    table = Table(title=f"graph load ({time.perf_counter() - started:.1f}s)")
    for column in ("step", "created", "updated", "deleted", "unchanged", "seconds"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for name, s in report.steps.items():
        rows = (f"{n:,}" for n in (s.created, s.updated, s.deleted, s.unchanged))
        table.add_row(name, *rows, f"{s.diff_seconds + s.write_seconds:.1f}")
    console.print(table)
    if report.bulk_phases:
        phases = ", ".join(f"{name} {s:.1f}s" for name, s in report.bulk_phases.items())
        console.print(f"first load through Neo4j's bulk importer: {phases}")
    console.print("graph now holds:")
    for key, count in counts.items():
        console.print(f"  {key:<28} {count:>10,}")


@app.command("analyse")
def analyse() -> None:
    """Offender networks with Graph Data Science: co-offending, networks (WCC), communities
    (Louvain), key actors (PageRank, betweenness), places sharing offenders, and the
    networks active at each place (for the risk scores)."""
    settings = load_settings()
    started = time.perf_counter()
    with progress_bar() as progress:
        task = progress.add_task("analyse", total=5)

        def on_step(name: str) -> None:
            progress.update(task, description=f"analyse: {name}", advance=1)

        report = pipeline.analyse(settings, on_step=on_step)
    console.print(
        f"{report.co_offending_relationships:,} co-offending links; {report.networks:,} networks "
        f"({report.people_in_networks:,} people, {report.communities:,} communities); "
        f"{report.similar_place_pairs:,} similar-place links; {report.exposed_locations:,} "
        f"places with active networks ({time.perf_counter() - started:.1f}s)"
    )
