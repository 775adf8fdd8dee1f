"""API speed: riskLayer for a whole Welsh force at resolution 9 (target p95 <= 100 ms),
linkedCases depth 2 (p95 <= 50 ms), and a 70/20/10 layers/linked-cases/review mix for
60 s (target >= 300 req/s, no errors). The API runs in its own process (``crimegraph
serve`` over the configured warehouse and Neo4j); load comes from this one. Baseline:
the same riskLayer answered by encoding the features as Python objects per request
(json.dumps of the collection) instead of splicing the pre-serialised ones.

Figures the data cannot give yet (no risk_scores table, no Person nodes) are written as
``null`` with the reason, not guessed.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from benchmarks.report import write_figures
from crimegraph.settings import load_settings

WALES_FORCE = "south-wales"
MIX_SECONDS = 60
WORKERS = 32


def _p95(samples: list[float]) -> float | None:
    return statistics.quantiles(samples, n=20)[18] * 1000 if len(samples) >= 20 else None


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


def _timed(client: httpx.Client, query: str, variables: dict, n: int) -> tuple[list[float], int]:
    times, errors = [], 0
    for _ in range(n):
        start = time.perf_counter()
        body = client.post("/graphql", json={"query": query, "variables": variables}).json()
        times.append(time.perf_counter() - start)
        errors += bool(body.get("errors"))
    return times, errors


RISK = "query($b: BBox!) { riskLayer(bbox: $b, resolution: 9) }"
LINKED = (
    'query($p: ID!) { linkedCases(personId: $p, depth: 2, purpose: "benchmark load") '
    "{ people incidents { incidentId parties { personId provenance { system } } } } }"
)
REVIEW = "{ reviewQueue(first: 20) { totalCount edges { node { id } } } }"


def _serve(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("API did not become healthy")


def _mix(url: str, headers: dict, bbox: dict, person: str | None, seconds: int) -> dict:
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            while time.monotonic() < stop:
                roll = rng.random()
                if roll < 0.7 or (person is None and roll < 0.9):
                    q, v = RISK, {"b": bbox}
                elif roll < 0.9:
                    q, v = LINKED, {"p": person}
                else:
                    q, v = REVIEW, {}
                try:
                    ok = (
                        not client.post("/graphql", json={"query": q, "variables": v})
                        .json()
                        .get("errors")
                    )
                except httpx.HTTPError:
                    ok = False
                with lock:
                    counts["ok" if ok else "errors"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = counts["ok"] + counts["errors"]
    return {"mix_requests": total, "mix_errors": counts["errors"], "mix_rps": total / seconds}


def run(seconds: int = MIX_SECONDS) -> dict:
    settings = load_settings()
    figures: dict = {"force": WALES_FORCE, "mix_seconds": seconds}
    from api.auth import ensure_demo_keys
    from api.config import demo_keys_path
    from api.layers import LayerStore

    store = LayerStore.load(settings.warehouse_path, Path("/nonexistent"))
    if not store.has_layer("risk"):
        figures["risk_p95_ms"] = None
        figures["note"] = "no risk_scores table in the warehouse yet (risk branch)"
    bbox = _force_bbox(settings.warehouse_path, WALES_FORCE)
    keys = ensure_demo_keys(demo_keys_path(settings))
    env = {**os.environ, "CRIMEGRAPH_ENV": "development"}
    env.pop("CRIMEGRAPH_JWT_SECRET", None)
    env.pop("CRIMEGRAPH_API_KEYS", None)
    port = 8765
    server = _serve(port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        inv = {"authorization": f"Bearer {keys['investigator']}"}
        with httpx.Client(base_url=url, headers=inv, timeout=30) as client:
            if store.has_layer("risk") and bbox:
                _timed(client, RISK, {"b": bbox}, 5)
                times, errors = _timed(client, RISK, {"b": bbox}, 100)
                body = client.post("/graphql", json={"query": RISK, "variables": {"b": bbox}})
                figures.update(
                    risk_p95_ms=_p95(times),
                    risk_errors=errors,
                    risk_features=len(body.json()["data"]["riskLayer"]["features"]),
                    risk_response_mb=len(body.content) / 1e6,
                )
                # Baseline: decode and re-encode the same collection as Python objects.
                layer = body.json()["data"]["riskLayer"]
                base = []
                for _ in range(20):
                    start = time.perf_counter()
                    json.dumps({"data": {"riskLayer": layer}})
                    base.append(time.perf_counter() - start)
                figures["baseline_encode_only_p95_ms"] = _p95(base * 1)
            person = None
            from graph.connection import driver

            with driver(settings) as drv:
                rows, _, _ = drv.execute_query(
                    "MATCH (p:Person)-[:PARTY_TO]->() RETURN p.person_id AS id LIMIT 1"
                )
            person = rows[0]["id"] if rows else None
            if person:
                _timed(client, LINKED, {"p": person}, 5)
                times, errors = _timed(client, LINKED, {"p": person}, 200)
                figures.update(linked_p95_ms=_p95(times), linked_errors=errors)
            else:
                figures["linked_p95_ms"] = None
                figures["linked_note"] = "no Person nodes in Neo4j yet (lead's loader)"
        if store.has_layer("risk") and bbox:
            figures.update(_mix(url, inv, bbox, person, seconds))
        figures["targets"] = {"risk_p95_ms": 100, "linked_p95_ms": 50, "mix_rps": 300}
    finally:
        server.terminate()
        server.wait(timeout=30)
    write_figures("api", figures)
    return figures


def main() -> None:
    run()


if __name__ == "__main__":
    main()
