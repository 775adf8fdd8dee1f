"""Soak with faults, over a restore of the demo (``make demo`` first).

1. **Restore drill on the demo**: ``crimegraph backup`` of the demo, ``restore`` into a
   deployment of its own (its own data directory and Neo4j, as a new machine), then the
   same queries to an API over each (layers, forces, the review queue, person reads):
   backup and restore times, and whether every answer is byte-identical (target: restore
   <= 3 min, identical).
2. **Soak** over the restored deployment, ``serve --workers 2``, for
   ``CRIMEGRAPH_BENCH_SOAK_SECONDS`` (``make bench``: 300; the long form is 1800):
   the mixed load at ``CRIMEGRAPH_BENCH_SOAK_RATE`` (100 req/s: 70% layers over varied
   views, 20% linked cases, 10% review) from other processes; live ingest of the held-back
   month at 20 records/s, one per call, each refused record sent again; an analyst's
   ``incidentAdded`` subscription (resumed from its last cursor if its worker dies); and,
   in turn: kill -9 of each API worker (the applier's leader first, 10 s apart, so the
   subscriber's worker dies too), a Neo4j restart, the data disk filled to under the live
   intake's reserve for 10 s, and corrupted uploads.

Reported (``var/bench/soak.json``): requests, errors inside each fault's window (named,
expected) and outside any (target 0); p95 of the first and last fifth of the run (target:
last within 20% of first); the workers' RSS after warm-up and at the end (target growth
<= 10%); records acknowledged, in the graph, lost and duplicated (targets 0, 0); events
heard, missing and repeated; seconds until intake and the subscription answered again
after the worker was killed (target <= 2 s).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from api.auth import issue_jwt
from benchmarks.live import RATE as LIVE_RATE
from benchmarks.live import Listener, Sent, server_env
from benchmarks.load import Request, run_mix
from benchmarks.report import BENCH_DIR, write_figures
from core.settings import Settings, load_settings
from crimegraph import live_feed
from graph import connection, neo4j_server
from graph.cypher import statement
from ops.backup import backup
from ops.restore import restore
from testkit.instances import free_port, instance_settings

SECONDS = float(os.environ.get("CRIMEGRAPH_BENCH_SOAK_SECONDS", "300"))
RATE = float(os.environ.get("CRIMEGRAPH_BENCH_SOAK_RATE", "100"))
WORKERS = 2
FAULT_GRACE_S = 15.0  # errors this long after a fault ends are still the fault's
DISK_FULL_S = 10.0
WALES = (-5.3, 51.35, -2.65, 53.45)
RISK = "query($b: BBox!) { riskLayer(bbox: $b, resolution: 8, geometry: NONE) }"
LINKED = (
    'query($p: ID!) { linkedCases(personId: $p, depth: 2, purpose: "soak benchmark") '
    "{ people incidents { incidentId } } }"
)
REVIEW = "{ reviewQueue(first: 20) { totalCount edges { node { id } } } }"
INGEST = """mutation ($records: [JSON!]!) {
  ingestRecords(source: "police.uk", records: $records) { accepted duplicates rejected }
}"""
TARGETS = {
    "errors_outside_faults": 0,
    "p95_last_over_first_max": 1.2,
    "rss_growth_max": 0.10,
    "records_lost": 0,
    "records_duplicated": 0,
    "events_missing": 0,
    "events_repeated": 0,
    "resume_after_worker_kill_s_max": 2.0,
    "restore_seconds_max": 180,
}


def _env(settings: Settings, secret: str) -> dict[str, str]:
    # the load generator is one caller per role: no rate limit
    return server_env(
        settings, secret, CRIMEGRAPH_API_RATE_PER_S="100000", CRIMEGRAPH_API_RATE_BURST="100000"
    )


def _serve(settings: Settings, secret: str, log: Path, workers: int = 1):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--no-access-log"],
        env=_env(settings, secret), stdout=subprocess.DEVNULL, stderr=log.open("ab"),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        started = log.read_text(errors="replace").count("Application startup complete")
        try:
            ready = httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            ready = False
        if ready and started >= workers:
            return server, url
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"the API did not come up; see {log}")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()


def _workers(server: subprocess.Popen) -> list[int]:
    """The uvicorn worker processes under the server's supervisor."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    workers = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"multiprocessing" in command and b"resource_tracker" not in command:
            workers.append(pid)
    return workers


def _open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            continue
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def _sample_people(settings: Settings, n: int = 100) -> list[str]:
    with connection.driver(settings) as drv:
        rows, _, _ = drv.execute_query(
            "MATCH (p:Person)-[:PARTY_TO]->() RETURN DISTINCT p.person_id AS id LIMIT $n", n=n
        )
    return [r["id"] for r in rows]


def _drill_queries(people: list[str]) -> list[tuple[str, str, dict]]:
    box = dict(zip(("west", "south", "east", "north"), WALES, strict=True))
    return [
        ("public", RISK, {"b": box}),
        ("analyst", RISK, {"b": box}),
        ("public", "{ forces { code name incidentCount } }", {}),
        ("steward", REVIEW, {}),
        *[("investigator", LINKED, {"p": p}) for p in people[:5]],
    ]


def _answers(url: str, tokens: dict[str, str], queries) -> list[bytes]:
    out = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for role, query, variables in queries:
            headers = {"authorization": f"Bearer {tokens[role]}"} if role != "public" else {}
            response = client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            out.append(response.content)
    return out


def _restore_drill(base: Settings, work: Path, secret: str, tokens) -> tuple[Settings, dict]:
    """Back the demo up, restore it as a deployment of its own, compare answers."""
    figures: dict = {}
    started = time.perf_counter()
    manifest = backup(base, work / "backup", log=print)
    figures["backup_seconds"] = time.perf_counter() - started
    figures["backup_mb"] = sum(int(f["bytes"]) for f in manifest.files.values()) / 1e6
    deployment = instance_settings(work / "deployment", base)
    started = time.perf_counter()
    restore(deployment, work / "backup", log=print)
    figures["restore_seconds"] = time.perf_counter() - started
    queries = _drill_queries(_sample_people(deployment))
    neo4j_server.start(base, log=lambda _m: None)
    answers = {}
    for name, settings in (("demo", base), ("restored", deployment)):
        server, url = _serve(settings, secret, work / f"{name}-server.log")
        try:
            answers[name] = _answers(url, tokens, queries)
        finally:
            _stop(server)
    figures["drill_queries"] = len(queries)
    figures["drill_answers_identical"] = answers["demo"] == answers["restored"]
    figures["drill_answers_differing"] = sum(
        a != b for a, b in zip(answers["demo"], answers["restored"], strict=True)
    )
    return deployment, figures


def _mix(tokens: dict[str, str], people: list[str]) -> list[Request]:
    """70% layers over 24 views (towns and cities for the public, counties for analysts),
    20% linked cases of varied people, 10% the review queue."""
    rng = random.Random(7)
    layers = []
    for size in (0.1, 0.25, 0.5, 1.0):
        role = "public" if size <= 0.25 else "analyst"  # the public's answers are capped
        for _ in range(6):
            west = rng.uniform(WALES[0], WALES[2] - size)
            south = rng.uniform(WALES[1], WALES[3] - size)
            box = {"west": west, "south": south, "east": west + size, "north": south + size}
            layers.append(Request("layers", 0.70 / 24, RISK, {"b": box}, tokens[role], "riskLayer"))
    linked = [Request("linked", 0.20 / len(people), LINKED, {"p": p}, tokens["investigator"])
              for p in people]  # fmt: skip
    return [*layers, *linked, Request("review", 0.10, REVIEW, {}, tokens["steward"])]


@dataclasses.dataclass
class Feed:
    """The live feed: one record per call at LIVE_RATE; a record refused (an error, 507,
    a dead connection) is sent again later, so every record is acknowledged once."""

    url: str
    token: str
    records: list[dict]
    seconds: float
    sent: list[Sent] = dataclasses.field(default_factory=list)
    refusals: list[tuple[float, str]] = dataclasses.field(default_factory=list)

    def run(self) -> None:
        queue = list(self.records)
        started = time.monotonic()
        headers = {"authorization": f"Bearer {self.token}"}
        n = 0
        while queue and time.monotonic() - started < self.seconds:
            due = started + n / LIVE_RATE
            n += 1
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            record = queue.pop(0)
            try:
                with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
                    response = client.post(
                        "/graphql", json={"query": INGEST, "variables": {"records": [record]}}
                    )
                body = response.json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"][0]["extensions"].get("code", "error"))
                result = body["data"]["ingestRecords"]
            except Exception as exc:
                self.refusals.append((time.time(), f"{type(exc).__name__}: {exc}"[:120]))
                queue.insert(min(len(queue), 40), record)  # again in about 2 s
                continue
            accepted = result["accepted"] == 1 or result["duplicates"] == 1
            self.sent.append(Sent(record["recordId"], time.time(), accepted))


class Faults(threading.Thread):
    """The faults in turn, each with the window its errors may fall in."""

    def __init__(self, server, settings: Settings, url: str, token: str, seconds: float):
        super().__init__(daemon=True)
        self.server, self.settings, self.url, self.token = server, settings, url, token
        self.at = {"worker_killed": 0.2, "neo4j_restart": 0.4, "disk_nearly_full": 0.6,
                   "corrupted_upload": 0.8}  # fmt: skip
        self.seconds = seconds
        self.windows: dict[str, tuple[float, float]] = {}
        self.figures: dict = {}

    def run(self) -> None:
        started = time.time()
        for name, share in self.at.items():
            if (wait := started + share * self.seconds - time.time()) > 0:
                time.sleep(wait)
            begin = time.time()
            getattr(self, f"_{name}")()
            self.windows[name] = (begin, time.time() + FAULT_GRACE_S)

    def _worker_killed(self) -> None:
        """kill -9 of the worker leading the live applier (the one that writes the graph),
        so the other must take the lead and carry on from the journal; 10 s later, of the
        other first worker too, so the subscriber's worker (whichever it was) has died
        and it must resume from its cursor."""
        workers = _workers(self.server)
        lock = str(self.settings.data_dir / "live" / "journal.applier.lock")
        leader = [pid for pid in workers if lock in _open_files(pid)]
        order = leader + [pid for pid in workers if pid not in leader]
        self.figures["worker_kills_at"] = []
        for pid in order:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self.figures["worker_kills_at"].append(time.time())
            time.sleep(10)
        self.figures["worker_killed_was_leader"] = bool(leader)
        self.figures["workers_10s_after_kill"] = len(_workers(self.server))

    def _neo4j_restart(self) -> None:
        neo4j_server.stop(self.settings, log=lambda _m: None)
        time.sleep(5)
        neo4j_server.start(self.settings, log=lambda _m: None)

    def _disk_nearly_full(self) -> None:
        data = self.settings.data_dir
        reserve = self.settings.live_reserve_mb * 2**20
        filler = data / "soak-disk-filler"
        free = shutil.disk_usage(data).free
        subprocess.run(["fallocate", "-l", str(max(0, free - reserve // 2)), str(filler)],
                       check=True)  # fmt: skip
        try:
            headers = {"authorization": f"Bearer {self.token}",
                       "content-type": "application/x-ndjson"}  # fmt: skip
            probe = httpx.post(f"{self.url}/ingest/police.uk", content=b"{}", headers=headers)
            self.figures["disk_full_status"] = probe.status_code
            self.figures["disk_full_message"] = probe.json()["errors"][0]["message"][:160]
            time.sleep(DISK_FULL_S)
        finally:
            filler.unlink(missing_ok=True)

    def _corrupted_upload(self) -> None:
        headers = {"authorization": f"Bearer {self.token}", "content-type": "application/x-ndjson"}
        bodies = {
            "random_bytes": os.urandom(4096),
            "truncated_json": b'{"Crime ID": "x", "Month": "2025-',
            "gzip_sent_as_json": b"\x1f\x8b\x08\x00" + os.urandom(200),
        }
        for name, body in bodies.items():
            answer = httpx.post(f"{self.url}/ingest/police.uk", content=body, headers=headers)
            self.figures[f"corrupted_{name}_status"] = answer.status_code


def _first_after(at: float, times: list[float]) -> float | None:
    """Seconds from ``at`` to the first of ``times`` after it (None: none came)."""
    later = [t for t in times if t > at]
    return min(later) - at if later else None


def _fifth_p95s(timeline, seconds: float) -> tuple[float | None, float | None]:
    begin, fifth = timeline[0][0], seconds / 5
    first = [lat for t, lat, _, problem in timeline if t - begin < fifth and not problem]
    last = [lat for t, lat, _, p in timeline if t - begin >= seconds - fifth and not p]

    def p95(values: list[float]) -> float | None:
        return statistics.quantiles(values, n=20)[18] * 1000 if len(values) >= 20 else None

    return p95(first), p95(last)


def _graph_refs(settings: Settings, month: str) -> tuple[int, int]:
    with connection.driver(settings) as drv:
        rows, _, _ = drv.execute_query(statement("live/record_refs"), prefix=f"{month}-")
    return rows[0]["refs"], rows[0]["distinct_refs"]


def _announced(settings: Settings, records: list[dict]) -> set[str]:
    """The records whose arrival is an incidentAdded event: a new crime with a place. A
    crime already in the graph (published in an earlier month, or a second row of one
    crime) gains a record and no event."""
    with connection.driver(settings) as drv:
        rows, _, _ = drv.execute_query(
            "MATCH (i:Incident) WHERE i.crime_id IS NOT NULL AND NOT coalesce(i.live, false) "
            "RETURN i.crime_id AS id"
        )
    seen = {r["id"] for r in rows}
    out = set()
    for record in records:
        crime = record.get("Crime ID")
        if record.get("Latitude") in (None, "") or (crime and crime in seen):
            continue
        if crime:
            seen.add(crime)
        out.add(record["recordId"])
    return out


def _soak(deployment: Settings, base: Settings, work: Path, secret: str, tokens) -> dict:
    month = live_feed.latest_month(base.source_data_dir)
    people = _sample_people(deployment)
    server, url = _serve(deployment, secret, work / "soak-server.log", WORKERS)
    figures: dict = {"soak_seconds": SECONDS, "rate_per_s": RATE, "live_rate_per_s": LIVE_RATE}
    try:
        records = live_feed.month_records(base.source_data_dir, month)
        records = records[: int(LIVE_RATE * SECONDS) + 200]
        listener = Listener(url, tokens["analyst"])
        listener.start()
        feed = Feed(url, tokens["ingest"], records, SECONDS)
        faults = Faults(server, deployment, url, tokens["ingest"], SECONDS)
        rss: list[tuple[float, float]] = []
        stop = threading.Event()

        def sample_rss() -> None:
            while not stop.wait(5):
                rss.append((time.time(), _rss_mb(_workers(server))))

        threads = [threading.Thread(target=feed.run, daemon=True),
                   threading.Thread(target=sample_rss, daemon=True), faults]  # fmt: skip
        started = time.time()
        for thread in threads:
            thread.start()
        load = run_mix(url, _mix(tokens, people), SECONDS, processes=2, clients=8, rate=RATE)
        threads[0].join(timeout=SECONDS)
        faults.join(timeout=120)
        stop.set()
        accepted = {s.record_id for s in feed.sent if s.accepted}
        deadline = time.monotonic() + 120
        while _graph_refs(deployment, month)[1] < len(accepted) and time.monotonic() < deadline:
            time.sleep(1)
        time.sleep(2)
        listener.stop()
    finally:
        _stop(server)
        shutil.copy(work / "soak-server.log", BENCH_DIR / "soak-server.log")
    refs, distinct = _graph_refs(deployment, month)
    announced = _announced(deployment, records)

    def window_of(at: float) -> str | None:
        return next((n for n, (a, b) in faults.windows.items() if a <= at <= b), None)

    by_fault: dict[str, dict[str, int]] = {}
    outside: dict[str, int] = {}
    for at, _lat, kind, problem in load["timeline"]:
        if problem:
            fault = window_of(at)
            bucket = by_fault.setdefault(fault, {}) if fault else outside
            bucket[f"{kind}: {problem}"] = bucket.get(f"{kind}: {problem}", 0) + 1
    refusals_outside = [r for at, r in feed.refusals if window_of(at) is None]
    first, last = _fifth_p95s(load["timeline"], SECONDS)
    warm = [mb for at, mb in rss if at - started >= 30] or [mb for _, mb in rss]
    kills = faults.figures.get("worker_kills_at", [])
    intake_after = [_first_after(k, [s.returned for s in feed.sent]) for k in kills]
    gaps = [back - lost for lost, back in listener.gaps if kills and lost >= kills[0] - 1]
    figures.update(
        requests=load["requests"],
        achieved_rps=load["rps"],
        errors_total=load["errors"],
        errors_by_fault=by_fault,
        errors_outside_faults=sum(outside.values()),
        error_kinds_outside_faults=outside,
        live_refusals_by_fault={
            n: sum(1 for at, _ in feed.refusals if window_of(at) == n) for n in faults.windows
        },
        live_refusals_outside_faults=len(refusals_outside),
        live_refusal_examples_outside=refusals_outside[:5],
        p95_ms_first_fifth=first,
        p95_ms_last_fifth=last,
        p95_last_over_first=(last / first) if first and last else None,
        p95_ms_by_kind=load["p95_ms_by_kind"],
        rss_mb_after_warmup=warm[0] if warm else None,
        rss_mb_end=warm[-1] if warm else None,
        rss_growth=(warm[-1] / warm[0] - 1) if warm else None,
        records_acknowledged=len(accepted),
        records_in_graph=distinct,
        records_lost=len(accepted) - distinct,
        records_duplicated=refs - distinct,
        events_heard=len(listener.seen),
        events_expected=len(accepted & announced),
        events_missing=len((accepted & announced) - set(listener.seen)),
        events_repeated=listener.repeats,
        events_missing_examples=[
            {
                "record": s.record_id,
                "acknowledged_s": round(s.returned - started, 1),
                "fault": window_of(s.returned),
            }
            for s in feed.sent
            if s.accepted and s.record_id in announced and s.record_id not in listener.seen
        ][:20],
        intake_resumed_s_after_worker_kill=max(
            (s for s in intake_after if s is not None), default=None
        ),
        intake_resumed_s_after_each_kill=intake_after,
        subscription_resumed_s_after_worker_kill=max(gaps) if gaps else None,
        subscription_gaps=len(listener.gaps),
        worker_kills_s=[round(k - started, 1) for k in kills],
        **{k: v for k, v in faults.figures.items() if k != "worker_kills_at"},
        fault_windows_s={
            n: [round(a - started, 1), round(b - started, 1)]
            for n, (a, b) in faults.windows.items()
        },
        error_seconds={
            kind: [round(at - started, 1) for at, _, k, p in load["timeline"] if p and k == kind][
                :: max(1, load["errors"] // 200)
            ]
            for kind in ("layers", "linked", "review")
        },
    )
    return figures


def main() -> None:
    base = load_settings()
    if not base.warehouse_path.exists():
        write_figures("soak", {"error": f"no warehouse at {base.warehouse_path}: run make demo"})
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-soak-", dir=base.data_dir))
    secret = secrets.token_urlsafe(32)
    tokens = {role: issue_jwt(secret, role, f"soak-{role}", 7200)
              for role in ("analyst", "investigator", "steward", "ingest")}  # fmt: skip
    tokens["public"] = ""
    figures: dict = {}
    deployment = None
    try:
        deployment, drill = _restore_drill(base, work, secret, tokens)
        figures.update(drill)
        print(f"soak: {SECONDS:g}s at {RATE:g} req/s with live ingest and faults ...")
        figures.update(_soak(deployment, base, work, secret, tokens))
        figures["targets"] = TARGETS
    finally:
        if deployment is not None:
            neo4j_server.stop(deployment, log=lambda _m: None)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: v for k, v in figures.items() if not isinstance(v, dict)}))
    write_figures("soak", figures)


if __name__ == "__main__":
    main()
