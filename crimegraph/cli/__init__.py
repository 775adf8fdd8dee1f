"""The ``crimegraph`` command line: thin wrappers over the pipeline's functions.

One module per group of commands; importing them registers their commands on ``app``.
"""

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
from crimegraph.cli.common import app

__all__ = ["app"]
