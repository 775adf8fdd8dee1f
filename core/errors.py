"""The error root every crimegraph error derives from, and the one shape of a refused row.

``CrimegraphError`` lets the CLI and the API tell crimegraph's own, explainable failures
(bad settings, a broken source file, a refused record) from bugs. ``RowRejected`` is the
single description of a refused input row that batch ingest, the registered sources and
live intake all use, so quarantine reads the same wherever a row came from.
"""

from __future__ import annotations

from dataclasses import dataclass


class CrimegraphError(Exception):
    """The root of every error crimegraph raises on purpose."""


class InvalidInput(CrimegraphError, ValueError):
    """Input (a file, a record, an argument) that crimegraph refuses, with the reason."""


class SettingsError(InvalidInput):
    """An environment variable that cannot be used, named in the message."""


class ServiceError(CrimegraphError, RuntimeError):
    """A component crimegraph depends on (Neo4j, the API, a subscription) failed."""


@dataclass(frozen=True)
class RowRejected:
    """One refused row: where it came from, which field and why (``field`` None: the
    row as a whole), and the row as read, for a steward to fix."""

    source: str
    source_file: str
    row_number: int
    field: str | None
    reason: str
    raw: str | None = None
