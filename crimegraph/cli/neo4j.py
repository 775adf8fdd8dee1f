"""`crimegraph neo4j …`: the local Neo4j + Graph Data Science server."""

from __future__ import annotations

import time

import typer

from core.settings import load_settings
from crimegraph.cli.common import app, console, fail
from graph import neo4j_server

neo4j_app = typer.Typer(
    help="Run the local Neo4j + Graph Data Science server.", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local server (assembling it from Maven Central on first use)."""
    settings = load_settings()
    started = time.perf_counter()
    try:
        status = neo4j_server.start(settings, log=console.print)
    except neo4j_server.Neo4jServerError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"Neo4j {status.neo4j_version} + GDS {status.gds_version} up in "
        f"{time.perf_counter() - started:.1f}s; logs: {status.logs_dir}"
    )


@neo4j_app.command("provision")
def neo4j_provision() -> None:
    """Assemble the server from Maven Central into the cache (start does this if needed)."""
    settings = load_settings()
    started = time.perf_counter()
    try:
        assembly = neo4j_server.provision(settings, log=console.print)
    except neo4j_server.Neo4jServerError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"Neo4j {assembly.neo4j_version} + GDS {assembly.gds_version} ready in {assembly.home} "
        f"({time.perf_counter() - started:.1f}s)"
    )


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server cleanly."""
    neo4j_server.stop(load_settings(), log=console.print)


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs and answers; exit 1 if it does not answer."""
    settings = load_settings()
    status = neo4j_server.status(settings)
    if status.answering:
        console.print(
            f"running (pid {status.pid or '?'}) on {settings.neo4j.uri}: "
            f"Neo4j {status.neo4j_version}, GDS {status.gds_version}; logs: {status.logs_dir}"
        )
        return
    state = f"process {status.pid} runs but does not answer" if status.running else "not running"
    console.print(f"{state} ({settings.neo4j.uri}); logs: {status.logs_dir}")
    raise typer.Exit(code=1)
