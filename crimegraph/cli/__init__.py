"""The ``crimegraph`` command line: thin wrappers over the pipeline's functions.

One module per group of commands; importing them registers their commands on ``app``.
"""

from crimegraph.cli import api, ingest, load, neo4j, resolve, serve  # noqa: F401  (registers commands)
from crimegraph.cli.common import app

__all__ = ["app"]
