"""``crimegraph restore DIR``: a deployment put back as a backup holds it.

Refused before anything changes when the backup does not match its manifest, when it was
made by a crimegraph with newer schemas, or while an API runs on this data directory (its
live applier holds the journal). What the restore replaces is moved, not deleted, into
``<data dir>/before-restore-<time>/``: the warehouse, the journal, the keys, the retention
log and the graph's store files. Afterwards every count and checksum the manifest records
is measured again on the restored deployment, and any difference is an error.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.settings import Settings
from graph import neo4j_server
from graph.connection import driver as sync_driver
from ops import fingerprints, layout
from ops.manifest import BackupError, Manifest

# Neo4j's store of the ``neo4j`` database, under the instance's data directory.
GRAPH_STORE = ("data/databases/neo4j", "data/transactions/neo4j")


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    moved_aside: Path | None  # what the restore replaced, kept


def restore(settings: Settings, directory: Path, *, log: Callable[[str], None] = print) -> Restored:
    """Restore the deployment from ``directory`` and check it against the manifest."""
    directory = directory.resolve()
    manifest = Manifest.read(directory)
    log("checking every file against the manifest ...")
    manifest.refuse_untrusted(directory)
    _refuse_while_an_api_runs(settings)
    aside = settings.data_dir / f"before-restore-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    if layout.GRAPH_DUMP in manifest.files:
        log("graph: loading Neo4j's dump ...")
        neo4j_server.stop(settings, log=lambda _m: None)
        for store in GRAPH_STORE:
            _move_aside(settings.neo4j_instance_dir / store, aside / "neo4j" / store)
        neo4j_server.load_dump(settings, directory / layout.GRAPH_DIR)
    for name in (layout.WAREHOUSE, layout.JOURNAL, *layout.KEPT_FILES):
        target = layout.in_data_dir(settings, name)
        for suffix in ("", *layout.SIDECARS.get(name, ())):
            _move_aside(target.with_name(target.name + suffix), aside / (name + suffix))
        if name in manifest.files:
            _put(directory / name, target)
    _check(settings, manifest, log)
    return Restored(manifest, aside if aside.exists() else None)


def _refuse_while_an_api_runs(settings: Settings) -> None:
    lock = layout.applier_lock(settings)
    if not lock.exists():
        return
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BackupError(
            f"an API is running on {settings.data_dir} (its live applier holds {lock}); "
            "stop it before restoring"
        ) from None
    finally:
        os.close(fd)  # releases the lock if taken


def _move_aside(path: Path, to: Path) -> None:
    if path.exists():
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, to)  # a rename within one file system


def _put(source: Path, target: Path) -> None:
    """Copy in under a temporary name, flushed, then renamed: never half a file in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copy2(source, partial)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def _check(settings: Settings, manifest: Manifest, log) -> None:
    """Measure the restored deployment as the backup measured the original."""
    log("checking the restored deployment against the manifest ...")
    problems = []
    if manifest.warehouse and fingerprints.warehouse_tables(settings.warehouse_path) != (
        manifest.warehouse
    ):
        problems.append("warehouse tables differ from the manifest's counts or checksums")
    if manifest.journal and fingerprints.journal(layout.journal_path(settings)) != manifest.journal:
        problems.append("the live journal differs from the manifest's counts")
    if layout.GRAPH_DUMP in manifest.files:
        neo4j_server.start(settings, log=lambda _m: None)
        with sync_driver(settings) as drv:
            graph = fingerprints.graph(drv)
        if not manifest.graph_quiet:
            log("graph: the backup's counts were taken while the graph was written; not compared")
        elif graph != manifest.graph:
            problems.append("the graph's counts or checksum differ from the manifest's")
    if problems:
        raise BackupError("restored, but " + "; ".join(problems))
