"""`crimegraph live …`: replay a month of real incidents as a live feed; reset the live state."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated

import typer

from core.settings import Settings, load_settings
from crimegraph.cli.common import app, console, fail, progress_bar

live_app = typer.Typer(
    help="The live path: records pushed to the API reach the graph and the map at once.",
    no_args_is_help=True,
)
app.add_typer(live_app, name="live")


def ingest_token(settings: Settings, token: str | None) -> str:
    """--token, else CRIMEGRAPH_INGEST_TOKEN, else the development demo key for 'ingest'."""
    from api.config import demo_keys_path

    token = token or settings.api.ingest_token
    if token:
        return token
    path = demo_keys_path(settings)
    if path.exists() and (key := json.loads(path.read_text()).get("ingest")):
        return key
    raise fail("no ingest token: pass --token or set CRIMEGRAPH_INGEST_TOKEN")


def run_replay(
    settings: Settings,
    month: str | None,
    rate: float,
    url: str | None,
    token: str | None,
    limit: int | None,
    wait: float,
    show_progress: bool = True,
    stop: threading.Event | None = None,
) -> None:
    from crimegraph import live_feed

    month = month or live_feed.latest_month(settings.source_data_dir)
    records = live_feed.month_records(settings.source_data_dir, month)[:limit]
    url = url or f"http://{settings.api.host}:{settings.api.port}"
    key = ingest_token(settings, token)
    live_feed.wait_until_up(url, wait, stop)
    console.print(f"replaying {len(records):,} police.uk records of {month} to {url} at {rate:g}/s")
    if show_progress:
        with progress_bar() as progress:
            task = progress.add_task(f"live {month}", total=len(records))
            report = live_feed.play(
                url, key, records, rate, lambda r: progress.update(task, completed=r.sent), stop
            )
    else:

        def every_500(r: live_feed.FeedReport) -> None:
            if r.sent % 500 < max(1, round(rate / 5)):
                console.print(f"live {month}: {r.sent:,}/{len(records):,} sent, {r.accepted:,} new")

        report = live_feed.play(url, key, records, rate, every_500, stop)
    console.print(
        f"live {month}: {report.sent:,} sent in {report.seconds:.0f}s: {report.accepted:,} "
        f"accepted, {report.duplicates:,} duplicates, {report.rejected:,} rejected"
    )
    for reason in report.reasons[:5]:
        console.print(f"  rejected: {reason}")


@live_app.command("replay")
def replay(
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM (default: the latest month in the source data).")
    ] = None,
    rate: Annotated[float, typer.Option(min=0.1, help="Records per second.")] = 20.0,
    url: Annotated[str | None, typer.Option(help="API base URL (default: the local one).")] = None,
    token: Annotated[
        str | None, typer.Option(help="Bearer token of the ingest role.", show_default=False)
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Send only the first N.")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the API to come up.")] = 120,
) -> None:
    """Play a month of real police.uk incidents to the API as a source system's live feed."""
    from crimegraph.live_feed import FeedError

    try:
        run_replay(load_settings(), month, rate, url, token, limit, wait)
    except FeedError as exc:
        raise fail(str(exc)) from exc


def reset_live(settings: Settings) -> int:
    """Forget the journal, the live rows in the warehouse and the live-only nodes in the
    graph; returns how many nodes were removed."""
    from core import warehouse
    from graph.connection import driver
    from graph.cypher import statement
    from live import warehouse_rows
    from live.intake import journal_path

    if settings.warehouse_path.exists():
        with warehouse.connect(settings.warehouse_path) as con:
            warehouse_rows.forget(con)
    path = journal_path(settings.data_dir)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with driver(settings) as drv, drv.session() as session:
        return session.run(statement("live/reset")).single()["removed"]


@live_app.command("reset")
def reset() -> None:
    """Start the live path afresh (stop the API first): empty the journal, remove its
    rows from the warehouse, and the incidents and locations it wrote to the graph that
    no batch load has taken over."""
    removed = reset_live(load_settings())
    console.print(f"live journal cleared; {removed:,} live-only nodes removed from the graph")
