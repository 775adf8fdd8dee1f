"""`crimegraph serve` and `crimegraph demo`: the API, and everything from nothing."""

from __future__ import annotations

from typing import Annotated

import typer

from crimegraph.cli.common import app, console
from crimegraph.cli.ingest import ingest_police_uk, ingest_sources, simulate
from crimegraph.cli.load import analyse, load
from crimegraph.cli.neo4j import neo4j_start
from crimegraph.cli.resolve import resolve_incidents, resolve_people, resolve_places
from crimegraph.cli.risk import risk
from crimegraph.settings import load_settings


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
) -> None:
    """Serve the GraphQL API, the map (/) and the review page (/review) with uvicorn."""
    import uvicorn

    settings = load_settings()
    from api.config import load_api_config

    if (keys := load_api_config(settings).demo_keys_path) is not None:
        console.print(f"development mode: demo API keys, one per role, in {keys}")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="info",
    )


@app.command("demo")
def demo(
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep the API up at the end.")
    ] = True,
) -> None:
    """Everything from nothing: Neo4j up, Welsh 2025 crimes and simulated multi-agency
    extracts ingested; people, places and incidents resolved; the graph loaded and
    analysed; risk scored; the API, map and review page up."""
    neo4j_start()
    ingest_police_uk([], force=False)
    settings = load_settings()
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
        base = f"http://{settings.api_host}:{settings.api_port}"
        console.print(
            f"map at {base}/, review page at {base}/review, GraphQL at {base}/graphql "
            "(Ctrl-C stops)"
        )
        serve(host=None, port=None, workers=1)
