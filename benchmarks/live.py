"""Live path: records in → subscription event out, while Neo4j is up and while it is not.

Setup: a copy of the demo warehouse with the latest month held back, its police.uk graph
(forces, areas, locations, incidents) loaded into a Neo4j instance of the benchmark's
own, ``crimegraph serve`` over them in its own process.

Phase 1 (``CRIMEGRAPH_BENCH_LIVE_SECONDS``, default 300): the held-back month's real
records posted one per ``ingestRecords`` call at ``CRIMEGRAPH_BENCH_LIVE_RATE`` (20/s)
while a websocket subscriber (analyst) timestamps ``incidentAdded`` events; latency is
event time minus the time the ingest call returned (p50/p95/max; target p95 <= 1 s), and
records accepted are compared with the records the graph holds.

Phase 2 (``CRIMEGRAPH_BENCH_LIVE_OUTAGE_SECONDS``, default 90): the same stream, with
Neo4j stopped 15 s in and started again after 10 s down; reported: records lost or
duplicated (target 0 and 0) and how long after Neo4j was back until every later record's
latency was under 1 s (target <= 30 s).

Baseline, same run: the batch path for the same month (ingest the files, rebuild the
canonical tables, load the changed incidents into the graph): the time before a record
of the month is on the map that way.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from api.auth import issue_jwt
from benchmarks.report import BENCH_DIR, write_figures
from core import warehouse
from core.settings import Settings, load_settings
from crimegraph import live_feed, pipeline
from graph import connection, neo4j_server
from graph.cypher import statement
from graph.load import load_graph
from graph.load_steps import STEPS
from live.client import Subscriber
from resolver import canonical, police_uk_ingest
from testkit.instances import free_port, instance_settings

RATE = float(os.environ.get("CRIMEGRAPH_BENCH_LIVE_RATE", "20"))
SECONDS = float(os.environ.get("CRIMEGRAPH_BENCH_LIVE_SECONDS", "300"))
OUTAGE_PHASE_SECONDS = float(os.environ.get("CRIMEGRAPH_BENCH_LIVE_OUTAGE_SECONDS", "90"))
OUTAGE_AT, OUTAGE_FOR = 15.0, 10.0
TARGET_P95_S, TARGET_RECOVERY_S = 1.0, 30.0
POLICE_STEPS = {"forces", "areas", "locations", "incidents"}
INGEST = """mutation ($records: [JSON!]!) {
  ingestRecords(source: "police.uk", records: $records) { accepted duplicates rejected }
}"""


def _percentile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _prepare(base: Settings, work: Path, month: str) -> tuple[Settings, set[str]]:
    """The benchmark's warehouse (demo copy, ``month`` held back) and its Neo4j settings;
    and the crime ids the batch already holds (from earlier months)."""
    shutil.copy(base.warehouse_path, work / "warehouse.duckdb")
    settings = instance_settings(work, base)
    files = [p.name for p in live_feed.month_files(base.source_data_dir, month)]
    with warehouse.connect(settings.warehouse_path) as con:
        if police_uk_ingest.forget_files(con, files):
            canonical.build(con, canonical.GeographyFiles.from_settings(base.sources))
        known = {c for (c,) in con.execute("SELECT crime_id FROM incidents").fetchall() if c}
    return settings, known


def server_env(settings: Settings, secret: str, **extra: str) -> dict[str, str]:
    """The environment of a benchmark's API server: its deployment, tokens signed with
    ``secret``, no API keys."""
    return {
        **os.environ,
        "NEO4J_URI": settings.neo4j.uri,
        "NEO4J_USER": settings.neo4j.user,
        "NEO4J_PASSWORD": settings.neo4j.password,
        "CRIMEGRAPH_DATA_DIR": str(settings.data_dir),
        "CRIMEGRAPH_JWT_SECRET": secret,
        "CRIMEGRAPH_API_KEYS": "",
        **extra,
    }


def _serve(settings: Settings, port: int, secret: str, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", "serve", "--port", str(port)],
        env=server_env(settings, secret),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        live_feed.wait_until_up(f"http://127.0.0.1:{port}", 300)
    except live_feed.FeedError:
        server.terminate()
        raise
    return server


class Listener(threading.Thread):
    """Timestamps every incidentAdded event by the record it came from; subscribes again
    from the last event's cursor when the connection goes with its worker (so it misses
    nothing), keeping when it was away (``gaps``)."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.seen: dict[str, float] = {}
        self.repeats = 0
        self.gaps: list[tuple[float, float]] = []  # (lost at, subscribed again at)
        self.stopping = False
        self.cursor: str | None = None  # the last event's
        self.sub = self._connect()

    def _connect(self) -> Subscriber:
        sub = Subscriber(self.url, self.token)
        sub.subscribe(
            "subscription ($after: String) { incidentAdded(after: $after) }",
            {"after": self.cursor},
        )
        return sub

    def _reconnect(self) -> None:
        lost = time.time()
        while not self.stopping:
            try:
                self.sub = self._connect()
                break
            except Exception:  # the server is still away: try again at once
                time.sleep(0.05)
        self.gaps.append((lost, time.time()))

    def run(self) -> None:
        while not self.stopping:
            try:
                event = self.sub.next(timeout=0.5)
            except Exception:  # the connection went with its worker
                self._reconnect()
                continue
            if event is None:
                continue
            properties = event[1]["incidentAdded"]["properties"]
            record, self.cursor = properties["recordId"], properties["cursor"]
            if record in self.seen:
                self.repeats += 1
            else:
                self.seen[record] = time.time()

    def stop(self) -> None:
        self.stopping = True
        self.join(timeout=5)
        self.sub.close()


@dataclasses.dataclass
class Sent:
    record_id: str
    returned: float
    accepted: bool


def _stream(url: str, token: str, records: list[dict], seconds: float, on_tick=None) -> list[Sent]:
    """One record per ingestRecords call at RATE per second for ``seconds``."""
    sent: list[Sent] = []
    started = time.monotonic()
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for n, record in enumerate(records):
            due = started + n / RATE
            if due - started >= seconds:
                break
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            if on_tick:
                on_tick(time.monotonic() - started)
            variables = {"records": [record]}
            body = client.post("/graphql", json={"query": INGEST, "variables": variables})
            result = body.json()["data"]["ingestRecords"]
            sent.append(Sent(record["recordId"], time.time(), result["accepted"] == 1))
    return sent


def _latencies(sent: list[Sent], seen: dict[str, float]) -> list[tuple[float, float]]:
    """(returned, latency) per accepted record that produced an event."""
    return [(s.returned, seen[s.record_id] - s.returned) for s in sent if s.record_id in seen]


def _summary(pairs: list[tuple[float, float]]) -> dict:
    values = [max(0.0, lat) for _, lat in pairs]
    return {
        "events": len(values),
        "latency_p50_s": _percentile(values, 50),
        "latency_p95_s": _percentile(values, 95),
        "latency_max_s": max(values) if values else None,
    }


def _graph_records(settings: Settings, month: str) -> tuple[int, int]:
    """(references to the month's records in the graph, distinct ones); only the live
    path wrote them, as the month was held back from the batch."""
    with connection.driver(settings) as drv:
        rows, _, _ = drv.execute_query(statement("live/record_refs"), prefix=f"{month}-")
    return rows[0]["refs"], rows[0]["distinct_refs"]


def _wait_applied(settings: Settings, month: str, expected: int, timeout: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _graph_records(settings, month)[1] >= expected:
            break
        time.sleep(1)
    return time.monotonic() - started


def _batch_baseline(settings: Settings, base: Settings, month: str) -> dict:
    """The batch path for the same month: ingest, canonical rebuild, graph load."""
    files = [str(p) for p in live_feed.month_files(base.source_data_dir, month)]
    started = time.perf_counter()
    report, _ = pipeline.ingest_police_uk(settings, files, force=True)
    ingested = time.perf_counter() - started
    steps = [s for s in STEPS if s.name in POLICE_STEPS]
    with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
        load = load_graph(con, drv, steps=steps)
    total = time.perf_counter() - started
    return {
        "baseline_batch_records": report.rows_in,
        "baseline_batch_ingest_seconds": ingested,
        "baseline_batch_to_graph_seconds": total,
        "baseline_batch_rows_written": load.rows_written,
    }


def main() -> None:
    base = load_settings()
    if not base.warehouse_path.exists():
        write_figures("live", {"error": f"no warehouse at {base.warehouse_path}: run make demo"})
        return
    month = live_feed.latest_month(base.source_data_dir)
    work = Path(tempfile.mkdtemp(prefix="crimegraph-bench-live-"))
    figures: dict = {"month": month, "rate_per_second": RATE, "phase1_seconds": SECONDS}
    settings, known = _prepare(base, work, month)
    neo4j_server.start(settings, log=print)
    server = None
    try:
        with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
            print("loading the police.uk graph (held-back month excluded) ...")
            load_graph(con, drv, steps=[s for s in STEPS if s.name in POLICE_STEPS])
        secret = secrets.token_urlsafe(32)
        port = free_port()
        server = _serve(settings, port, secret, work / "server.log")
        url = f"http://127.0.0.1:{port}"
        ingest_token = issue_jwt(secret, "ingest", "bench-feed", 7200)
        listener = Listener(url, issue_jwt(secret, "analyst", "bench-map", 7200))
        listener.start()
        records = live_feed.month_records(base.source_data_dir, month)
        # The stream: the month's rows that are new incidents (a crime seen in an earlier
        # month gains a record but is not new, so it raises no incidentAdded event).
        needed = int(RATE * (SECONDS + OUTAGE_PHASE_SECONDS)) + 100
        stream = [r for r in records if r.get("Crime ID") not in known][:needed]
        print(f"phase 1: {RATE:g} records/s for {SECONDS:g}s ...")
        first = _stream(url, ingest_token, stream, SECONDS)
        accepted_1 = sum(s.accepted for s in first)
        figures["phase1_wait_applied_seconds"] = _wait_applied(settings, month, accepted_1)
        time.sleep(2)
        pairs = _latencies(first, listener.seen)
        refs, distinct = _graph_records(settings, month)
        figures.update({f"phase1_{k}": v for k, v in _summary(pairs).items()})
        figures.update(
            phase1_records_sent=len(first),
            phase1_records_accepted=accepted_1,
            phase1_records_in_graph=distinct,
            phase1_duplicated_in_graph=refs - distinct,
        )
        print(f"phase 2: {OUTAGE_PHASE_SECONDS:g}s with Neo4j down for {OUTAGE_FOR:g}s ...")
        outage: dict[str, float] = {}

        def chaos() -> None:
            time.sleep(OUTAGE_AT)
            outage["stopped"] = time.time()
            neo4j_server.stop(settings, log=lambda _m: None)
            time.sleep(OUTAGE_FOR)
            neo4j_server.start(settings, log=lambda _m: None)
            outage["back"] = time.time()

        killer = threading.Thread(target=chaos, daemon=True)
        killer.start()
        second = _stream(url, ingest_token, stream[len(first) :], OUTAGE_PHASE_SECONDS)
        killer.join()
        accepted_total = accepted_1 + sum(s.accepted for s in second)
        figures["phase2_wait_applied_seconds"] = _wait_applied(settings, month, accepted_total)
        time.sleep(2)
        listener.stop()
        pairs = _latencies(second, listener.seen)
        refs, distinct = _graph_records(settings, month)
        accepted_ids = {s.record_id for s in first + second if s.accepted}
        # A record without coordinates is in the graph but not on the map: no event.
        located = {r["recordId"] for r in stream if r.get("Latitude") not in (None, "")}
        late = [r for r, lat in pairs if lat >= TARGET_P95_S]
        recovered_at = max(late) if late else outage["stopped"]
        figures.update({f"phase2_{k}": v for k, v in _summary(pairs).items()})
        figures.update(
            phase2_records_sent=len(second),
            neo4j_down_seconds=outage["back"] - outage["stopped"],
            records_accepted_total=len(accepted_ids),
            records_in_graph_total=distinct,
            records_lost=len(accepted_ids) - distinct,
            records_duplicated=refs - distinct,
            events_repeated=listener.repeats,
            records_without_location=len(accepted_ids - located),
            events_missing=len((accepted_ids & located) - set(listener.seen)),
            latency_recovered_seconds_after_neo4j_back=max(0.0, recovered_at - outage["back"]),
            targets={
                "phase1_latency_p95_s": TARGET_P95_S,
                "records_lost": 0,
                "records_duplicated": 0,
                "latency_recovered_seconds_after_neo4j_back": TARGET_RECOVERY_S,
            },
        )
        server.terminate()
        server.wait(timeout=60)
        server = None
        print("baseline: the batch path for the same month ...")
        figures.update(_batch_baseline(settings, base, month))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        neo4j_server.stop(settings, log=lambda _m: None)
        if (work / "server.log").exists():  # kept for a look at retries and errors
            BENCH_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "server.log", BENCH_DIR / "live-server.log")
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: v for k, v in figures.items() if "p95" in k}))
    write_figures("live", figures)


if __name__ == "__main__":
    main()
