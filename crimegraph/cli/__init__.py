"""The ``crimegraph`` command line: thin wrappers over the pipeline's functions.

One module per group of commands; importing them registers their commands on ``app``.
"""

import sys

from crimegraph.cli import (  # noqa: F401  (importing registers the commands)
    api,
    audit,
    impact,
    ingest,
    live,
    load,
    neo4j,
    ops,
    resolve,
    retention,
    risk,
    serve,
    transparency,
)
from crimegraph.cli.common import app, console, interrupted, stop_cleanly

__all__ = ["app", "main"]
ABORTED = "Aborted: stopped by a signal. What had finished is kept; run it again for the rest."


def main() -> None:
    """The `crimegraph` command: signals handled as `stop_cleanly` says, then the CLI."""
    stop_cleanly()
    try:
        app()
    except (Exception, SystemExit) as exc:
        if not interrupted.is_set() or (isinstance(exc, SystemExit) and exc.code == 0):
            raise
        # an interrupt, whatever it surfaced as (DuckDB says "Query interrupted")
        console.print(ABORTED, soft_wrap=True)
        sys.exit(130)  # 128 + SIGINT, as shells report an interrupted command
