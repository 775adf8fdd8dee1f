"""Re-reading the map layers as a job: ``reloadLayers`` starts one (or hands back the one
already running) and answers at once; ``layerReload`` says how the latest went. A reload
takes tens of seconds on national data, longer than a request may hold the server."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from layers.store import LAYER_TABLES, LayerStore

RUNNING, DONE, FAILED = "running", "done", "failed"

log = logging.getLogger("crimegraph.api")


@dataclass(frozen=True)
class ReloadJob:
    id: str
    status: str
    started_at: datetime
    finished_at: datetime | None = None
    layers: tuple[str, ...] = ()  # the layers the fresh store holds, when done
    error: str | None = None


class LayerReloads:
    """One reload at a time per process, run in a thread; the latest job is kept."""

    def __init__(self, reload: Callable[[], LayerStore]) -> None:
        self._reload = reload
        self._lock = threading.Lock()
        self._latest: ReloadJob | None = None

    def latest(self) -> ReloadJob | None:
        return self._latest

    def start(self) -> ReloadJob:
        """A new running job, or the one already running."""
        with self._lock:
            if self._latest is not None and self._latest.status == RUNNING:
                return self._latest
            job = ReloadJob(uuid.uuid4().hex, RUNNING, datetime.now(UTC))
            self._latest = job
        threading.Thread(target=self._run, args=(job,), name="layer-reload", daemon=True).start()
        return job

    def _run(self, job: ReloadJob) -> None:
        try:
            fresh = self._reload()
        except Exception:  # the job says it failed; the log has why (it may name paths)
            log.exception("layer reload %s failed", job.id)
            done = replace(job, status=FAILED, error="the reload failed; see the server log")
        else:
            layers = tuple(name for name in LAYER_TABLES if fresh.has_layer(name))
            done = replace(job, status=DONE, layers=layers)
        with self._lock:
            self._latest = replace(done, finished_at=datetime.now(UTC))
