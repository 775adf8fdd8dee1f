"""The applier: journal entries into Neo4j, then onto the map, then to subscribers.

Every API process (``crimegraph serve --workers N``) journals what it is sent, but only
one writes to the graph: the one holding the applier lock (a file lock beside the
journal; if that process dies the lock is free and another takes over). It drains the
journal in ``seq`` order; a batch is one Neo4j transaction (``cypher/live/incidents.cypher``,
idempotent) and only after it commits are the entries marked applied, so a crash or a
Neo4j outage leaves them pending and they are applied when the graph is back (retried
with backoff; nothing is dropped).

Person records (kind ``person``) are linked to the resolved people first
(``live.linking``: the trained Splink model against an in-memory index the leader
loads from the warehouse) and written in the same transaction
(``cypher/live/people.cypher``); an uncertain match opens a review pair.

Every process follows the journal for newly applied incidents (at once when it applied
them itself, else within ``FOLLOW_POLL_S``): it sends them to its subscribers as
incidentAdded and puts them on its own in-memory map (points, and the risk of their
areas, announced by riskChanged) at most every half second; and for new review pairs,
which it announces as reviewNeeded.

The leader also writes what it applied into the warehouse (``live.warehouse_rows``) every
``STORE_INTERVAL_S``, when no batch stage holds it (a batch stage takes them in itself
first), so batch resolution, risk and retention see the live records.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from core import metrics
from core.warehouse import WarehouseBusy
from graph.cypher import statement
from layers.store import LayerStore
from live import overlay, people_rows, warehouse_rows
from live.broadcast import Broadcaster
from live.journal import Entry, Journal
from live.linking import Linked, PeopleIndex
from resolver.adapters.base import INCIDENT, PERSON

log = logging.getLogger("crimegraph.live")

NEW, ADDED, DUPLICATE = "new", "added", "duplicate"
INCIDENT_ADDED, RISK_CHANGED, REVIEW_NEEDED = "incidentAdded", "riskChanged", "reviewNeeded"
BATCH = 500
MAP_INTERVAL_S = 0.5
FOLLOW_POLL_S = 0.1  # how often a process looks for entries another one applied
LEADER_RETRY_S = 1.0
BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0)
STORE_INTERVAL_S = 5.0  # how often the leader writes applied entries into the warehouse


def _report_index_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("live: the people model could not be read: %r; person records wait",
                  task.exception())  # fmt: skip


@dataclass
class ApplierStats:
    applied: int = 0
    new_incidents: int = 0
    people: dict[str, int] = field(default_factory=dict)  # decision → records
    link_seconds: float = 0.0  # time spent linking person records, in all
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
        people_index: Callable[[], PeopleIndex | None] = lambda: None,
        *,
        id_key: bytes,
        warehouse_path: Path | None = None,
    ) -> None:
        self.journal = journal
        self.driver = driver
        self.layers = layers
        self.broadcaster = broadcaster
        self.harm_weights = harm_weights
        self._people_index = people_index
        self._id_key = id_key  # new live people's ids are keyed (settings.id_secret)
        self.people: PeopleIndex | None = None  # loaded once this process leads
        self._people_task: asyncio.Future | None = None
        self.stats = ApplierStats()
        self._wake = asyncio.Event()
        self._follow_wake = asyncio.Event()
        self._map_wake = asyncio.Event()
        self._map_pending: list[dict[str, Any]] = []
        self._followed = 0  # the last applied seq this process has put on its map
        self._followed_people = 0  # the last applied person seq it has announced
        self._lock_file: int | None = None
        self._warehouse_path = warehouse_path  # None: applied entries stay in the journal
        self._stored_through = 0  # the last seq the warehouse is known to hold

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Follow the journal, and apply pending entries while this process holds the
        applier lock, forever (cancel to stop)."""
        tasks = [
            asyncio.create_task(self._map_loop(), name="live-map"),
            asyncio.create_task(self._follow(), name="live-follow"),
        ]
        try:
            while not self._lead():
                await asyncio.sleep(LEADER_RETRY_S)
            self._load_people_soon()  # meanwhile incidents are applied
            tasks.append(asyncio.create_task(self._store_loop(), name="live-store"))
            await self._warm()
            await self._drain()
        finally:
            for task in tasks:
                task.cancel()
            if self._lock_file is not None:
                os.close(self._lock_file)  # releases the lock
                self._lock_file = None

    def _lead(self) -> bool:
        """Take the applier lock if no other process holds it."""
        path = Path(self.journal.path).with_suffix(".applier.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_file = fd
        return True

    def _load_people_soon(self) -> None:
        self._people_task = asyncio.ensure_future(asyncio.to_thread(self._load_people))
        self._people_task.add_done_callback(_report_index_failure)

    async def _ready_people(self) -> None:
        """Wait for the linking index; one that failed to load is tried again (the
        failure fails the batch, which stays pending and is retried with backoff)."""
        task = self._people_task
        if task is None or (task.done() and task.exception() is not None):
            self._load_people_soon()
        self.people = await self._people_task

    def _load_people(self) -> PeopleIndex | None:
        """The linking index, with the person records applied live so far (they are not
        in the warehouse) back in it."""
        index = self._people_index()
        if index is not None:
            applied = [(e.payload, json.loads(o)) for e, o in self.journal.outcomes(PERSON)]
            index.add([(p, found["person_id"]) for p, found in applied if found.get("person_id")])
        return index

    async def _warm(self) -> None:
        """Have Neo4j plan the write once now (seconds on a busy server), not on the
        first record; a graph that is away is simply tried again by the drain."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await self.driver.execute_query(statement("live/incidents"), rows=[])
                await self.driver.execute_query(statement("live/people"), rows=[])

    async def _drain(self) -> None:
        attempt = 0
        while True:
            self._wake.clear()
            entries = await asyncio.to_thread(self.journal.pending, BATCH)
            if not entries:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(FOLLOW_POLL_S):
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
        people = people_rows.split([e for e in entries if e.kind == PERSON])
        linked, person_rows = await self._link(people.first)
        person_rows += [people_rows.involvement_row(e) for e in people.again]
        async with self.driver.session() as session:
            tx = await session.begin_transaction()
            try:
                records = []
                if rows:
                    result = await tx.run(statement("live/incidents"), rows=rows)
                    records = [r async for r in result]
                written = []
                if person_rows:
                    result = await tx.run(statement("live/people"), rows=person_rows)
                    written = [r async for r in result]
                await tx.commit()
            finally:
                if not tx.closed():
                    await tx.close()
        outcomes = {
            # "created" holds on a replay of the entry that created the incident, too
            r["seq"]: NEW if r["created"] else DUPLICATE if r["seen"] else ADDED
            for r in records
        }
        outcomes |= await self._people_applied(people, linked, person_rows, written)
        await asyncio.to_thread(self.journal.mark_applied, outcomes)
        now = time.time()
        for entry in entries:
            metrics.LIVE_APPLY_LAG_SECONDS.observe(max(0.0, now - entry.accepted_at))
        metrics.LIVE_APPLIED.inc(len(outcomes))
        self.stats.applied += len(outcomes)
        self.stats.new_incidents += sum(1 for e in incidents if outcomes.get(e.seq) == NEW)
        self._follow_wake.set()

    async def _link(self, entries: list[Entry]) -> tuple[dict[int, Linked], list[dict]]:
        """Each entry's person (seq → Linked) and its graph row."""
        if not entries:
            return {}, []
        await self._ready_people()  # a failure leaves the batch pending, retried
        index = self.people
        started = time.perf_counter()
        if index is None:
            decided = people_rows.unlinked(entries, self._id_key)
        else:
            decided = await asyncio.to_thread(
                index.link, [(e.key, e.payload) for e in entries], self._id_key
            )
        self.stats.link_seconds += time.perf_counter() - started
        version = index.model_version if index else None
        linked = {e.seq: d for e, d in zip(entries, decided, strict=True)}
        return linked, [people_rows.graph_row(e, linked[e.seq], version) for e in entries]

    async def _people_applied(self, people, linked, person_rows, written) -> dict[int, str]:
        """The person entries' outcomes; the records the graph now holds join the index."""
        by_seq = {row["seq"]: row for row in person_rows}
        entry_of = {e.seq: e for e in people.first}
        outcomes: dict[int, str] = {}
        joined = []
        for r in written:
            seq = r["seq"]
            if seq not in linked:  # a later row of a record in this batch: outcome below
                continue
            found = people_rows.outcome(by_seq[seq], linked[seq], r["seen"], r["held_person"])
            outcomes[seq] = found
            decision = json.loads(found)
            person = decision.get("person_id")
            if person:
                joined.append((entry_of[seq].payload, person))
            counts = self.stats.people
            counts[decision["decision"]] = counts.get(decision["decision"], 0) + 1
        for entry in people.again:
            outcomes[entry.seq] = json.dumps({"decision": people_rows.DUPLICATE})
        if self.people is not None and joined:
            await asyncio.to_thread(self.people.add, joined)
        return outcomes

    async def _follow(self) -> None:
        """Send incidents applied since the last look (by any process) to this process's
        subscribers at once, and queue them for its map."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FOLLOW_POLL_S):
                    await self._follow_wake.wait()
            self._follow_wake.clear()
            try:
                fresh = await asyncio.to_thread(
                    self.journal.applied, NEW, INCIDENT, self._followed, BATCH
                )
            except Exception:  # e.g. the journal is busy; look again next time
                log.exception("live: reading applied entries failed")
                continue
            await self._announce_reviews()
            if not fresh:
                continue
            self._followed = fresh[-1].seq
            if len(fresh) == BATCH:
                self._follow_wake.set()  # more to read
            for entry in fresh:
                self.broadcaster.publish(
                    INCIDENT_ADDED,
                    {**entry.payload, "seq": entry.seq, "accepted_at": entry.accepted_at,
                     "applied_at": entry.applied_at},
                )  # fmt: skip
            self._map_pending.extend(e.payload for e in fresh)
            self._map_wake.set()

    async def _announce_reviews(self) -> None:
        """reviewNeeded for each review pair applied since the last look (any process)."""
        try:
            applied = await asyncio.to_thread(
                self.journal.outcomes, PERSON, self._followed_people, BATCH
            )
        except Exception:
            log.exception("live: reading applied person entries failed")
            return
        if not applied:
            return
        self._followed_people = applied[-1][0].seq
        if len(applied) == BATCH:
            self._follow_wake.set()
        for _entry, found in applied:
            event = people_rows.review_event(json.loads(found) if found else {})
            if event is not None:
                self.broadcaster.publish(REVIEW_NEEDED, event)

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

    async def store(self) -> warehouse_rows.Taken | None:
        """Write the entries applied since the last store into the warehouse; None when
        there were none, there is no warehouse yet, or a batch stage holds it (it takes
        them in itself)."""
        path = self._warehouse_path
        if path is None or not path.exists():
            return None
        if not await asyncio.to_thread(self.journal.settled, self._stored_through, 1):
            return None
        try:
            taken = await asyncio.to_thread(warehouse_rows.take_path, path, self.journal, wait_s=0)
        except WarehouseBusy:
            return None
        self._stored_through = taken.through_seq
        for outcome, count in taken.entries.items():
            metrics.LIVE_STORED.labels(outcome).inc(count)
        return taken

    async def _store_loop(self) -> None:
        while True:
            await asyncio.sleep(STORE_INTERVAL_S)
            try:
                await self.store()
            except warehouse_rows.JournalMismatch as exc:  # needs an operator: say so, stop
                log.error("live: not storing live records in the warehouse: %s", exc)
                return
            except Exception:  # e.g. a disk problem: the entries stay in the journal
                log.exception("live: storing live records in the warehouse failed")

    def restore(self, store: LayerStore) -> int:
        """Put every incident applied so far back on a freshly loaded map (startup, or
        after the layers were reloaded from the warehouse), but for what the warehouse
        already counts: the points of incidents its map holds, and the risk of entries up
        to the risk stage's watermark; returns how many entries were put back. The
        journal is followed from there on."""
        people = self.journal.outcomes(PERSON)
        if people:  # announced before this start: not again
            self._followed_people = max(self._followed_people, people[-1][0].seq)
        entries = self.journal.applied(NEW, INCIDENT, 0)
        if not entries:
            return 0
        self._followed = max(self._followed, entries[-1].seq)
        mark = store.risk_live_through
        counted = mark[1] if mark is not None and mark[0] == self.journal.id else 0
        held = store.incidents.holding(
            {e.payload["incident_id"] for e in entries}, {e.payload["month"] for e in entries}
        )
        points = [e.payload for e in entries if e.payload["incident_id"] not in held]
        rescore = [e.payload for e in entries if e.seq > counted]
        if points or rescore:
            overlay.apply(store, points, self.harm_weights, rescore=rescore)
        return len(entries)
