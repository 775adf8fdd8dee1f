"""The single applier: journal entries into Neo4j, then onto the map, then to subscribers.

One asyncio task drains the journal in ``seq`` order. A batch is one Neo4j transaction
(``cypher/live/incidents.cypher``, idempotent); only after it commits are the entries
marked applied, so a crash or a Neo4j outage leaves them pending and they are applied
when the graph is back (retried with backoff; nothing is dropped). New incidents then go
out as incidentAdded events at once, and onto the in-memory map (points, and the risk of
their areas, announced by riskChanged) at most every half second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncDriver

from api.layers import LayerStore
from api.live import overlay
from api.live.broadcast import Broadcaster
from api.live.journal import Entry, Journal
from api.live.records import INCIDENT
from graph.cypher import statement

log = logging.getLogger("crimegraph.live")

NEW, ADDED, DUPLICATE = "new", "added", "duplicate"
INCIDENT_ADDED, RISK_CHANGED, REVIEW_NEEDED = "incidentAdded", "riskChanged", "reviewNeeded"
BATCH = 500
MAP_INTERVAL_S = 0.5
BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0)


@dataclass
class ApplierStats:
    applied: int = 0
    new_incidents: int = 0
    failures: int = 0
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Applier:
    def __init__(
        self,
        journal: Journal,
        driver: AsyncDriver,
        layers: Callable[[], LayerStore],
        broadcaster: Broadcaster,
        harm_weights: dict[str, float],
    ) -> None:
        self.journal = journal
        self.driver = driver
        self.layers = layers
        self.broadcaster = broadcaster
        self.harm_weights = harm_weights
        self.stats = ApplierStats()
        self._wake = asyncio.Event()
        self._map_wake = asyncio.Event()
        self._map_pending: list[dict[str, Any]] = []

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Apply pending entries forever (cancel to stop)."""
        map_task = asyncio.create_task(self._map_loop(), name="live-map")
        try:
            await self._warm()
            await self._drain()
        finally:
            map_task.cancel()

    async def _warm(self) -> None:
        """Have Neo4j plan the write once now (seconds on a busy server), not on the
        first record; a graph that is away is simply tried again by the drain."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await self.driver.execute_query(statement("live/incidents"), rows=[])

    async def _drain(self) -> None:
        attempt = 0
        while True:
            self._wake.clear()
            entries = await asyncio.to_thread(self.journal.pending, BATCH)
            if not entries:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self._wake.wait()
                continue
            try:
                await self.apply(entries)
                attempt = 0
            except Exception as exc:  # the graph is away (or a bug): keep the backlog, retry
                self.stats.failures += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                attempt += 1
                log.warning("live: %d entries pending, graph unavailable (%s); retry in %.1fs",
                            len(entries), type(exc).__name__, delay)  # fmt: skip
                await asyncio.sleep(delay)

    async def apply(self, entries: list[Entry]) -> None:
        incidents = [e for e in entries if e.kind == INCIDENT]
        rows = [{**e.payload, "seq": e.seq} for e in incidents]
        async with self.driver.session() as session:
            tx = await session.begin_transaction()
            try:
                result = await tx.run(statement("live/incidents"), rows=rows)
                records = [r async for r in result]
                await tx.commit()
            finally:
                if not tx.closed():
                    await tx.close()
        outcomes = {
            r["seq"]: DUPLICATE if r["seen"] else NEW if r["created"] else ADDED for r in records
        }
        await asyncio.to_thread(self.journal.mark_applied, outcomes)
        self.stats.applied += len(outcomes)
        applied_at = time.time()
        fresh = [e for e in incidents if outcomes.get(e.seq) == NEW]
        self.stats.new_incidents += len(fresh)
        if not fresh:
            return
        # The incidents are in the graph: tell the maps now; the map layers follow.
        for entry in fresh:
            self.broadcaster.publish(
                INCIDENT_ADDED,
                {**entry.payload, "accepted_at": entry.accepted_at, "applied_at": applied_at},
            )
        self._map_pending.extend(e.payload for e in fresh)
        self._map_wake.set()

    async def _map_loop(self) -> None:
        """Put applied incidents on the map and rescore their cells, at most every
        MAP_INTERVAL_S, so a burst is one rescoring (each cell serialised once)."""
        while True:
            await self._map_wake.wait()
            self._map_wake.clear()
            batch, self._map_pending = self._map_pending, []
            try:
                changed = await asyncio.to_thread(
                    overlay.apply, self.layers(), batch, self.harm_weights
                )
            except Exception:  # the entries are applied; a map problem must not stop the feed
                log.exception("live: map update failed for %d incidents", len(batch))
                continue
            if changed:
                self.broadcaster.publish(RISK_CHANGED, changed)
            await asyncio.sleep(MAP_INTERVAL_S)

    def restore(self, store: LayerStore) -> int:
        """Put every incident applied so far back on a freshly loaded map (startup, or
        after the layers were reloaded from the warehouse); returns how many."""
        payloads = [e.payload for e in self.journal.applied(NEW, INCIDENT)]
        if payloads:
            overlay.apply(store, payloads, self.harm_weights)
        return len(payloads)
