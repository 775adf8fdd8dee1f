"""`crimegraph serve` and `crimegraph demo`: the API, and everything from nothing."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Annotated

import typer

from core.logs import logging_config
from core.settings import DEVELOPMENT, load_settings
from crimegraph.cli.common import app, console
from crimegraph.cli.ingest import ingest_police_uk, ingest_sources, simulate
from crimegraph.cli.live import reset_live, run_replay
from crimegraph.cli.load import analyse, load
from crimegraph.cli.neo4j import neo4j_start
from crimegraph.cli.resolve import resolve_incidents, resolve_people, resolve_places
from crimegraph.cli.risk import risk


@app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default CRIMEGRAPH_API_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CRIMEGRAPH_API_PORT).")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Server processes; each holds its own layers in memory (~1 GB)."),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="One log line per request (off behind a proxy that logs them; person-level "
            "reads are in the audit log either way).",
        ),
    ] = True,
) -> None:
    """Serve the GraphQL API, the map (/) and the review page (/review) with uvicorn."""
    import uvicorn

    settings = load_settings()
    from api.config import load_api_config

    if (keys := load_api_config(settings).demo_keys_path) is not None:
        console.print(f"development mode: demo API keys, one per role, in {keys}")
    os.environ["CRIMEGRAPH_API_ACCESS_LOG"] = "true" if access_log else "false"
    if workers > 1:
        _share_metrics(settings.data_dir / "run" / "metrics")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.api.host,
        port=port or settings.api.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="info",
        log_config=logging_config(settings.log_format),
        access_log=False,  # crimegraph writes its own line, with the request id and role
    )


def _share_metrics(directory: Path) -> None:
    """Workers write their metrics where each scrape adds them up (prometheus_client's
    multiprocess mode); last run's files are cleared first, as the library requires."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


@app.command("demo")
def demo(
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep the API up at the end.")
    ] = True,
    live: Annotated[
        bool,
        typer.Option(
            "--live/--no-live",
            help="Hold the latest month back from the batch and replay it as a live feed "
            "once the API is up, so the map moves.",
        ),
    ] = True,
    live_rate: Annotated[float, typer.Option(help="Live feed records per second.")] = 20.0,
) -> None:
    """Everything from nothing: Neo4j up, Welsh 2025 crimes and simulated multi-agency
    extracts ingested; people, places and incidents resolved; the graph loaded and
    analysed; risk scored; the API, map and review page up, and the last month replayed
    as a live feed."""
    from crimegraph import live_feed

    # The demo is development mode unless the environment says otherwise: demo keys, one
    # per role, and GraphiQL. `crimegraph serve` alone is production.
    os.environ.setdefault("CRIMEGRAPH_ENV", DEVELOPMENT)
    os.environ.setdefault("CRIMEGRAPH_LOG_FORMAT", "text")
    neo4j_start()
    settings = load_settings()
    if live:  # the live month starts from nothing each run, before a stage takes it in
        removed = reset_live(settings)
        console.print(f"live journal cleared ({removed:,} live-only nodes removed)")
    live_month = live_feed.latest_month(settings.source_data_dir) if live else None
    ingest_police_uk([], force=False, hold_back=live_month)
    simulated = settings.data_dir / "simulated"
    simulate(seed=1, people=50_000, out=simulated, broken_rate=0.002)
    ingest_sources(sorted(simulated.glob("*.yaml")))
    resolve_people(input_csv=None, out=None)
    resolve_places()
    resolve_incidents()
    load()
    analyse()
    risk(month=None)
    if serve_api:
        base = f"http://{settings.api.host}:{settings.api.port}"
        console.print(
            f"map at {base}/, review page at {base}/review, GraphQL at {base}/graphql "
            "(Ctrl-C stops)"
        )
        stop = threading.Event()
        feed = threading.Thread(
            target=_replay_in_background,
            args=(settings, live_month, live_rate, stop),
            name="live-feed",
            daemon=True,
        )
        if live:
            feed.start()
        try:
            # uvicorn owns Ctrl-C and SIGTERM here: the first finishes the requests in
            # flight (accepted records are journalled already), a second stops at once.
            serve(host=None, port=None, workers=1, access_log=True)
        finally:
            stop.set()
            if feed.is_alive():
                feed.join(timeout=5)
        console.print("stopped; `crimegraph serve` brings the API back over the same data")


def _replay_in_background(settings, month: str, rate: float, stop: threading.Event) -> None:
    """The demo's live feed: waits for the API, then plays the held-back month until the
    API stops (said in one line, without a traceback)."""
    from crimegraph.live_feed import FeedError

    try:
        run_replay(
            settings, month, rate, None, None, None, wait=600, show_progress=False, stop=stop
        )
    except (FeedError, typer.Exit, OSError) as exc:
        if not stop.is_set():
            console.print(f"[red]live feed stopped: {exc}[/red]")
