"""API speed: riskLayer for a whole Welsh force at resolution 9 (target p95 <= 100 ms),
linkedCases depth 2 (p95 <= 50 ms), and a 70/20/10 layers/linked-cases/review mix for
60 s (target >= 300 req/s, no errors; its slowest 5 s stretch and each kind's p95 under
load are reported too; then 20 s of the same mix with every layer ask a view of its own,
so no cached answer serves it; and a low-zoom risk tile's first render beside the same
tile asked again; then /healthz while 20 clients send the worst requests the limits allow,
benchmarks/stall.py). The API runs in its own process (``crimegraph
serve`` over the configured warehouse and Neo4j: ``make demo`` first) with its log in
var/bench/api-server.log; load comes from other processes (benchmarks/load.py).

Latencies are one client in sequence, for a view asked again (answered from the response
cache, as a busy map's views are) and for views asked once each (built afresh): until the
whole answer has arrived (HTTP latency, as load tools report it: the target), and until a
Python client has also decoded it (reported beside it: for a 2 MB layer, json.loads and its
garbage collection cost more than the server does).
The layer is asked for as the map asks (``geometry: NONE``, cells drawn from their ids) and
with polygons. Baselines in the same run: decoding the polygon answer alone, and the mix's
client against a server replaying recorded answers (what client and HTTP manage alone).

Figures the data cannot give yet (no risk_scores table, no Person nodes) are written as
``null`` with the reason, not guessed.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.load import Request, p95, run_mix, serve_replay
from benchmarks.report import BENCH_DIR, write_figures
from benchmarks.stall import healthz_under_worst_case
from benchmarks.web import _has_risk_tables
from core.settings import load_settings
from testkit.instances import free_port

WALES_FORCE = "south-wales"
MIX_SECONDS = 60
SERVER_WORKERS = 2
CLIENT_PROCESSES = 2
CLIENTS = 16  # connections per client process
SERVER_LOG = BENCH_DIR / "api-server.log"
_STARTED = "Application startup complete"  # uvicorn's line when a worker is ready


def _p95(samples: list[float]) -> float | None:
    """Milliseconds; None under 20 samples, too few for a 95th percentile."""
    return p95(samples) * 1000 if len(samples) >= 20 else None


def _force_bbox(warehouse: Path, force: str) -> dict | None:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT min(longitude), min(latitude), max(longitude), max(latitude) FROM areas "
            "WHERE force_code = ?",
            [force],
        ).fetchall()
    finally:
        con.close()
    w, s, e, n = rows[0]
    return None if w is None else {"west": w, "south": s, "east": e, "north": n}


def _risk_months(warehouse: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT month FROM risk_scores ORDER BY 1").fetchall()
    return [m for (m,) in rows]


def _timed(
    client: httpx.Client, query: str, variables: dict, n: int
) -> tuple[list[float], list[float], int]:
    """Seconds per request until the answer is in, and until it is decoded too; errors."""
    received, decoded, errors = [], [], 0
    for _ in range(n):
        start = time.perf_counter()
        response = client.post("/graphql", json={"query": query, "variables": variables})
        received.append(time.perf_counter() - start)  # httpx has read the whole body
        body = response.json()
        decoded.append(time.perf_counter() - start)
        errors += bool(body.get("errors"))
    return received, decoded, errors


RISK = "query($b: BBox!) { riskLayer(bbox: $b, resolution: 9, geometry: NONE) }"
RISK_POLYGONS = "query($b: BBox!) { riskLayer(bbox: $b, resolution: 9) }"
LINKED = (
    'query($p: ID!) { linkedCases(personId: $p, depth: 2, purpose: "benchmark load") '
    "{ people incidents { incidentId parties { personId provenance { system } } } } }"
)
REVIEW = "{ reviewQueue(first: 20) { totalCount edges { node { id } } } }"


def _serve(port: int, env: dict, log) -> subprocess.Popen:
    command = ["serve", "--port", str(port), "--workers", str(SERVER_WORKERS)]
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", *command],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            healthy = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            healthy = False
        # One worker answering is not enough: another still loading its layers would take
        # the CPU from the first measurements.
        if healthy and Path(log.name).read_text().count(_STARTED) >= SERVER_WORKERS:
            return server
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("API did not become healthy")


def _client_alone(url: str, mix: list[Request], seconds: int) -> dict:
    """The mix against recorded answers: the rate this client and HTTP reach alone."""
    recorded = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for r in mix:
            recorded[r.query] = client.post(
                "/graphql",
                json={"query": r.query, "variables": r.variables},
                headers={"authorization": f"Bearer {r.token}"},
            ).content
    port = free_port()
    replay = multiprocessing.get_context("spawn").Process(
        target=serve_replay, args=(recorded, port)
    )
    replay.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.post(f"http://127.0.0.1:{port}/", json={"query": mix[0].query}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        replay_url = f"http://127.0.0.1:{port}"
        return run_mix(replay_url, mix, seconds, CLIENT_PROCESSES, CLIENTS)
    finally:
        replay.terminate()
        replay.join(timeout=10)


def _distinct_views_p95(client: httpx.Client, query: str, bbox: dict, n: int = 100) -> float:
    """p95 over views asked once each (the box nudged east by a metre or so per ask): no
    cached answer serves them, so this is the cost of building a layer answer afresh."""
    times = []
    for i in range(n):
        nudged = {**bbox, "west": bbox["west"] + (i + 1) * 1e-5}
        start = time.perf_counter()
        response = client.post("/graphql", json={"query": query, "variables": {"b": nudged}})
        times.append(time.perf_counter() - start)
        assert response.headers.get("x-cache") != "HIT" and not response.json().get("errors")
    return _p95(times)


def _layer_latency(client: httpx.Client, query: str, bbox: dict, prefix: str) -> dict:
    _timed(client, query, {"b": bbox}, 5)
    times, decoded, errors = _timed(client, query, {"b": bbox}, 100)
    body = client.post("/graphql", json={"query": query, "variables": {"b": bbox}})
    return {
        f"{prefix}_distinct_views_p95_ms": _distinct_views_p95(client, query, bbox),
        f"{prefix}_p95_ms": _p95(times),
        f"{prefix}_p50_ms": statistics.median(times) * 1000,
        f"{prefix}_decoded_p95_ms": _p95(decoded),
        f"{prefix}_errors": errors,
        f"{prefix}_features": len(body.json()["data"]["riskLayer"]["features"]),
        f"{prefix}_response_mb": len(body.content) / 1e6,
    }


TILE_ZOOM = 6  # one tile holds a whole Welsh force: the slowest tile a map asks for


def _tile_figures(client: httpx.Client, bbox: dict) -> dict:
    """The res-9 risk tile over the force's centre: its first render, and asked again
    (kept until the layers change) over 50 asks."""
    from api.tiles import tile_for

    centre = ((bbox["west"] + bbox["east"]) / 2, (bbox["south"] + bbox["north"]) / 2)
    x, y = tile_for(*centre, TILE_ZOOM)
    url = f"/tiles/risk/{TILE_ZOOM}/{x}/{y}.mvt"
    start = time.perf_counter()
    first = client.get(url)
    rendered = time.perf_counter() - start
    assert first.status_code == 200 and first.headers["x-cache"] == "MISS", first.text[:200]
    times = []
    for _ in range(50):
        start = time.perf_counter()
        again = client.get(url)
        times.append(time.perf_counter() - start)
        assert again.headers["x-cache"] == "HIT"
    return {
        "tile": f"{TILE_ZOOM}/{x}/{y}",
        "tile_bytes": len(first.content),
        "baseline_tile_first_render_ms": rendered * 1000,
        "tile_again_p95_ms": _p95(times),
    }


def _decode_only_p95(client: httpx.Client, query: str, bbox: dict) -> float | None:
    """Baseline: json.loads of the same answer alone, no HTTP and no server."""
    body = client.post("/graphql", json={"query": query, "variables": {"b": bbox}}).content
    times = []
    for _ in range(40):
        start = time.perf_counter()
        json.loads(body)
        times.append(time.perf_counter() - start)
    return _p95(times)


def _person(settings) -> str | None:
    from graph.connection import driver

    with driver(settings) as drv:
        rows, _, _ = drv.execute_query(
            "MATCH (p:Person)-[:PARTY_TO]->() RETURN p.person_id AS id ORDER BY id LIMIT 1"
        )
    return rows[0]["id"] if rows else None


def run(seconds: int = MIX_SECONDS) -> dict:
    settings = load_settings()
    figures: dict = {"force": WALES_FORCE, "mix_seconds": seconds, "cores": os.cpu_count()}
    from api.auth import ensure_demo_keys
    from api.config import demo_keys_path

    has_risk = _has_risk_tables(settings.warehouse_path)
    if not has_risk:
        figures["risk_p95_ms"] = None
        figures["note"] = "no risk_scores table in the warehouse yet (crimegraph risk)"
    bbox = _force_bbox(settings.warehouse_path, WALES_FORCE)
    keys = ensure_demo_keys(demo_keys_path(settings))
    env = {**os.environ, "CRIMEGRAPH_ENV": "development"}
    # The load generator is one caller at many requests a second: it measures the server,
    # not the per-caller rate limit.
    env.update({"CRIMEGRAPH_API_RATE_PER_S": "1000000", "CRIMEGRAPH_API_RATE_BURST": "1000000"})
    env.pop("CRIMEGRAPH_JWT_SECRET", None)
    env.pop("CRIMEGRAPH_API_KEYS", None)
    port = free_port()
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    with SERVER_LOG.open("w") as log:
        server = _serve(port, env, log)
    url = f"http://127.0.0.1:{port}"
    figures["server_workers"] = SERVER_WORKERS
    try:
        inv = {"authorization": f"Bearer {keys['investigator']}"}
        person = _person(settings)
        with httpx.Client(base_url=url, headers=inv, timeout=30) as client:
            if has_risk and bbox:
                figures.update(_layer_latency(client, RISK, bbox, "risk"))
                figures.update(_layer_latency(client, RISK_POLYGONS, bbox, "risk_polygons"))
                figures["baseline_decode_polygons_only_p95_ms"] = _decode_only_p95(
                    client, RISK_POLYGONS, bbox
                )
                figures.update(_tile_figures(client, bbox))
            if person:
                _timed(client, LINKED, {"p": person}, 5)
                times, decoded, errors = _timed(client, LINKED, {"p": person}, 200)
                figures.update(
                    linked_p95_ms=_p95(times), linked_decoded_p95_ms=_p95(decoded),
                    linked_errors=errors,
                )  # fmt: skip
            else:
                figures["linked_p95_ms"] = None
                figures["linked_note"] = "no Person nodes in Neo4j yet (crimegraph load)"
        if has_risk and bbox:
            mix = [
                Request("layers", 0.7, RISK, {"b": bbox}, keys["investigator"], "riskLayer"),
                Request("review", 0.1, REVIEW, {}, keys["steward"]),
            ]
            if person:
                mix.append(Request("linked", 0.2, LINKED, {"p": person}, keys["investigator"]))
            load = run_mix(url, mix, seconds, CLIENT_PROCESSES, CLIENTS)
            figures.update({f"mix_{k}": v for k, v in load.items()})
            # The same mix with every layer ask a view of its own: nothing cached serves it.
            panning = [dataclasses.replace(r, distinct_views=r.kind == "layers") for r in mix]
            load = run_mix(url, panning, min(seconds, 20), CLIENT_PROCESSES, CLIENTS)
            figures.update({f"mix_distinct_views_{k}": v for k, v in load.items()})
            alone = _client_alone(url, mix, min(seconds, 20))
            figures["baseline_client_alone_rps"] = alone["rps"]
            figures["baseline_client_alone_errors"] = alone["errors"]
            months = _risk_months(settings.warehouse_path)
            figures["stall"] = healthz_under_worst_case(url, keys, months, min(seconds, 30))
        figures["targets"] = {
            "risk_p95_ms": 100,
            "linked_p95_ms": 50,
            "mix_rps": 300,
            "mix_slowest_window_rps": 300,  # every 5 s of the minute, not only its average
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    write_figures("api", figures)
    return figures


def main() -> None:
    run()


if __name__ == "__main__":
    main()
