"""Where each thing a deployment keeps lives, in its data directory and in a backup."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from live import intake

WAREHOUSE = "warehouse.duckdb"
JOURNAL = "live/journal.sqlite"
GRAPH_DIR = "graph"
GRAPH_DUMP = f"{GRAPH_DIR}/neo4j.dump"
# Small files kept as they are: the id key (ids of new records must stay the same after
# a restore), the retention key and the append-only retention log.
KEPT_FILES = ("keys/ids", "retention/key", "logs/retention.jsonl")


def journal_path(settings: Settings) -> Path:
    return intake.journal_path(settings.data_dir)


def applier_lock(settings: Settings) -> Path:
    """The lock a running API's live applier holds (``live.applier``)."""
    return journal_path(settings).with_suffix(".applier.lock")


# Files a database keeps beside its main file while open: moved with it, never left to
# be replayed into another copy (a stale DuckDB WAL would be applied to a restored file).
SIDECARS = {WAREHOUSE: (".wal",), JOURNAL: ("-wal", "-shm")}


def in_data_dir(settings: Settings, name: str) -> Path:
    """Where the backup's file ``name`` lives in the deployment's data directory."""
    if name == WAREHOUSE:
        return settings.warehouse_path
    if name == JOURNAL:
        return journal_path(settings)
    return settings.data_dir / name
