"""`crimegraph backup` and `crimegraph restore`: everything a deployment keeps, and back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from core.errors import CrimegraphError
from core.settings import load_settings
from crimegraph.cli.common import app, console, fail
from graph.neo4j_server import Neo4jServerError


@app.command("backup")
def backup(
    directory: Annotated[Path, typer.Argument(help="A new (or empty) directory for the backup.")],
    graph: Annotated[
        bool,
        typer.Option(
            "--graph/--no-graph",
            help="Dump the local Neo4j too (stopped for the dump, then started again).",
        ),
    ] = True,
) -> None:
    """Back up the warehouse, the graph, the live journal, the keys and the retention log,
    with a manifest of versions, counts and checksums."""
    from ops.backup import backup as run_backup

    started = time.perf_counter()
    try:
        manifest = run_backup(load_settings(), directory, graph=graph, log=console.print)
    except (CrimegraphError, Neo4jServerError) as exc:
        raise fail(str(exc)) from exc
    size = sum(int(f["bytes"]) for f in manifest.files.values())
    console.print(
        f"backed up {len(manifest.files)} files ({size / 1e6:,.1f} MB) into {directory}: "
        f"{len(manifest.warehouse)} warehouse tables, "
        f"{(manifest.journal or {}).get('entries', 0):,} journal entries"
        f"{', the graph' if graph else ''} ({time.perf_counter() - started:.1f}s)"
    )


@app.command("restore")
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory `crimegraph backup` made.")],
) -> None:
    """Restore a backup after checking it against its manifest (stop the API first). What
    it replaces is kept in DATA_DIR/before-restore-<time>/."""
    from ops.restore import restore as run_restore

    started = time.perf_counter()
    try:
        restored = run_restore(load_settings(), directory, log=console.print)
    except (CrimegraphError, Neo4jServerError) as exc:
        raise fail(str(exc)) from exc
    aside = f"; what it replaced is in {restored.moved_aside}" if restored.moved_aside else ""
    console.print(
        f"restored the backup of {restored.manifest.created_at}, every count and checksum "
        f"as its manifest says ({time.perf_counter() - started:.1f}s){aside}"
    )
