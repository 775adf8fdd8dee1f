"""`crimegraph load`: the warehouse into the Neo4j POLE graph."""

from __future__ import annotations

import time

from crimegraph import pipeline
from crimegraph.cli.common import app, console, fail, progress_bar
from crimegraph.settings import load_settings


@app.command("load")
def load() -> None:
    """Load the warehouse into Neo4j (idempotent: a second load changes nothing)."""
    settings = load_settings()
    started = time.perf_counter()
    with progress_bar() as progress:
        tasks: dict[str, int] = {}

        def on_progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(f"load {step}", total=total)
            progress.update(tasks[step], completed=done)

        try:
            _written, counts = pipeline.load(settings, on_progress=on_progress)
        except FileNotFoundError as exc:
            raise fail(str(exc)) from exc
    console.print(f"graph loaded in {time.perf_counter() - started:.1f}s:")
    for key, count in counts.items():
        console.print(f"  {key:<28} {count:>10,}")
