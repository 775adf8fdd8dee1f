"""The error root every crimegraph error derives from.

``CrimegraphError`` lets the CLI and the API tell crimegraph's own, explainable failures
(bad settings, a broken data file, refused input) from bugs; ``InvalidInput`` is the
branch for input crimegraph refuses, each message naming what and where.
"""

from __future__ import annotations


class CrimegraphError(Exception):
    """The root of every error crimegraph raises on purpose."""


class InvalidInput(CrimegraphError, ValueError):
    """Input (a file, a record, an argument, a setting) that crimegraph refuses, with why."""


class SettingsError(InvalidInput):
    """An environment variable that cannot be used, named in the message."""
