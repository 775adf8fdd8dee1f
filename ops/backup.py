"""``crimegraph backup DIR``: a consistent copy of everything a deployment keeps.

* the warehouse: opened for writing (so no stage writes meanwhile), checkpointed, copied;
* the live journal: SQLite's online backup, a consistent snapshot while intake runs. It
  is taken before the graph, so every entry it calls applied is in the graph's dump;
* the graph: Neo4j's own ``neo4j-admin database dump``. Community Edition dumps only a
  stopped database, so a running server is stopped for the dump and started again (live
  intake journals meanwhile and the applier catches up; reads answer 503 for that time);
* the id and retention keys and the retention log (the models are warehouse tables).

The directory is made mode 700: it holds personal data and keys, as the data directory does.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core import warehouse_versions
from core.settings import Settings
from core.warehouse_versions import crimegraph_version
from graph import neo4j_server, schema_version
from graph.connection import driver as sync_driver
from ops import fingerprints, layout
from ops.manifest import BackupError, Manifest, describe

LOCK_WAIT_S = 60.0


def backup(
    settings: Settings, directory: Path, *, graph: bool = True, log: Callable[[str], None] = print
) -> Manifest:
    """Back up the deployment into the new or empty ``directory``; returns its manifest."""
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; back up into a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        crimegraph=crimegraph_version(),
        warehouse_schema=None,
        graph_schema=None,
        neo4j=None,
        gds=None,
    )
    names: list[str] = []
    if settings.warehouse_path.exists():
        log("warehouse: checkpoint and copy ...")
        manifest.warehouse_schema = _copy_warehouse(
            settings.warehouse_path, _target(directory, layout.WAREHOUSE)
        )
        names.append(layout.WAREHOUSE)
        manifest.warehouse = fingerprints.warehouse_tables(directory / layout.WAREHOUSE)
    if layout.journal_path(settings).exists():
        log("live journal: online backup ...")
        _copy_journal(layout.journal_path(settings), _target(directory, layout.JOURNAL))
        names.append(layout.JOURNAL)
        manifest.journal = fingerprints.journal(directory / layout.JOURNAL)
    for name in layout.KEPT_FILES:
        source = layout.in_data_dir(settings, name)
        if source.is_file():
            shutil.copy2(source, _target(directory, name))
            names.append(name)
    if graph:
        _dump_graph(settings, directory, manifest, log)
        names.append(layout.GRAPH_DUMP)
    manifest.files = describe(directory, names)
    manifest.write(directory)
    return manifest


def _target(directory: Path, name: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _copy_warehouse(source: Path, target: Path) -> int | None:
    """Copy the checkpointed warehouse while holding its write lock; its schema version."""
    con = _open_for_writing(source)
    try:
        version = warehouse_versions.version_of(con)
        warehouse_versions.refuse_newer(version, source)
        con.execute("CHECKPOINT")  # everything in the main file, the WAL empty
        shutil.copyfile(source, target)
    finally:
        con.close()
    return version


def _open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-write, waiting for a stage (or a reader) to let go."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise BackupError(
                    f"{path} is held by another process for {LOCK_WAIT_S:.0f}s "
                    f"(a batch stage?): {exc}"
                ) from exc
            time.sleep(0.5)


def _copy_journal(source: Path, target: Path) -> None:
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _dump_graph(settings: Settings, directory: Path, manifest: Manifest, log) -> None:
    """Counts, then Neo4j's dump with the server stopped; the server left as it was."""
    if not (settings.neo4j_instance_dir / "data" / "databases").exists():
        raise BackupError(
            f"no local Neo4j instance in {settings.neo4j_instance_dir}: back a remote graph up "
            "with neo4j-admin on its host, and the rest here with --no-graph"
        )
    was_running = neo4j_server.running_pid(settings) is not None
    status = neo4j_server.start(settings, log=lambda _m: None)
    manifest.neo4j, manifest.gds = status.neo4j_version, status.gds_version
    with sync_driver(settings) as drv:
        manifest.graph_schema = schema_version.version_of(drv)
        manifest.graph = fingerprints.graph(drv)
    log("graph: stopping Neo4j for its dump ...")
    neo4j_server.stop(settings, log=lambda _m: None)
    try:
        neo4j_server.dump(settings, directory / layout.GRAPH_DIR)
    finally:
        if was_running:
            log("graph: starting Neo4j again ...")
            neo4j_server.start(settings, log=lambda _m: None)
    if was_running:
        with sync_driver(settings) as drv:
            # live intake may have written between the counts and the stop
            manifest.graph_quiet = fingerprints.graph(drv) == manifest.graph
    os.sync()
