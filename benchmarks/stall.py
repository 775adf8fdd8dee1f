"""Does one caller's worst allowed requests stall everyone else? ``/healthz`` latency
(target p99 <= 50 ms) while 20 clients send the most expensive requests the limits allow,
each a view no cache holds: every layer the cost bound lets into one request over Wales
at resolution 9 (public and analyst), a map click on a resolution-7 cell, a low-zoom risk
tile. Called by the API benchmark (benchmarks/api.py) against its server; the load runs in
processes of its own so the client's GIL is not what the probe measures.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import threading
import time
from dataclasses import dataclass

import h3
import httpx

from api.tiles import tile_for

WORST_CLIENTS = 20
LOAD_PROCESSES = 2
PROBE_EVERY_S = 0.025
CARDIFF = (51.48, -3.18)
WALES = {"west": -5.5, "south": 51.3, "east": -2.6, "north": 53.5}
THREE_LAYERS = (
    "query($b: BBox!, $m: String) { riskLayer(bbox: $b, month: $m) "
    "hotspots(bbox: $b, month: $m) forecastLayer(bbox: $b) }"
)
CELL = "query($c: String!, $m: String) { cell(id: $c, month: $m) { id incidentCount scores } }"


@dataclass(frozen=True)
class Worst:
    kind: str
    token: str | None
    query: str | None = None  # GraphQL, or a tile path when None
    path: str | None = None
    cell: str | None = None  # for the map click


def worst_requests(tokens: dict[str, str]) -> list[Worst]:
    cell = h3.latlng_to_cell(*CARDIFF, 7)
    x, y = tile_for(CARDIFF[1], CARDIFF[0], 6)
    return [
        Worst("three_layers_public", None, THREE_LAYERS),
        Worst("three_layers_analyst", tokens["analyst"], THREE_LAYERS),
        Worst("cell_res7", None, CELL, cell=cell),
        Worst("tile_z6", None, path=f"/tiles/risk/6/{x}/{y}.mvt?resolution=9"),
    ]


def _body(worst: Worst, ask: int, months: list[str]) -> bytes:
    month = months[ask % len(months)]
    if worst.cell:
        variables = {"c": worst.cell, "m": month}
    else:  # a micro-degree per ask: a box no cache has seen, the same cells
        variables = {"b": {**WALES, "west": WALES["west"] + ask * 1e-7}, "m": month}
    return json.dumps({"query": worst.query, "variables": variables}).encode()


def _client(url: str, plan: list[Worst], months: list[str], until: float, seed: int, out) -> None:
    stats: dict[str, list] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        ask = seed
        while time.monotonic() < until:
            worst = plan[ask % len(plan)]
            headers = {"authorization": f"Bearer {worst.token}"} if worst.token else {}
            started = time.perf_counter()
            if worst.path:
                month = months[ask % len(months)]
                response = client.get(f"{worst.path}&month={month}", headers=headers)
            else:
                headers["content-type"] = "application/json"
                response = client.post(
                    "/graphql", content=_body(worst, ask, months), headers=headers
                )
            elapsed = time.perf_counter() - started
            code = "ok" if response.status_code == 200 else f"http{response.status_code}"
            if response.status_code == 200 and len(response.content) < 64 * 1024:
                errors = json.loads(response.content).get("errors") if worst.query else None
                if errors:  # refused after the work (an answer over the role's size cap)
                    code = errors[0].get("extensions", {}).get("code", "error")
            stats.setdefault(worst.kind, []).append((elapsed, len(response.content), code))
            ask += WORST_CLIENTS
    out.put(stats)


def _process(url, plan, months, until, first_seed, threads, out) -> None:
    workers = [
        threading.Thread(target=_client, args=(url, plan, months, until, first_seed + n, out))
        for n in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def healthz_under_worst_case(
    url: str, tokens: dict[str, str], months: list[str], seconds: int
) -> dict:
    """/healthz latencies while 20 clients send the worst allowed requests for ``seconds``."""
    plan = worst_requests(tokens)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    until = time.monotonic() + seconds + 5  # +5: the processes start meanwhile
    per_process = WORST_CLIENTS // LOAD_PROCESSES
    processes = [
        context.Process(
            target=_process, args=(url, plan, months, until, n * per_process, per_process, out)
        )
        for n in range(LOAD_PROCESSES)
    ]
    for p in processes:
        p.start()
    probes: list[float] = []
    time.sleep(5)
    with httpx.Client(base_url=url, timeout=30) as probe:
        while time.monotonic() < until:
            started = time.perf_counter()
            probe.get("/healthz")
            probes.append(time.perf_counter() - started)
            time.sleep(PROBE_EVERY_S)
    merged: dict[str, list] = {}
    for _ in range(WORST_CLIENTS):
        for kind, rows in out.get(timeout=120).items():
            merged.setdefault(kind, []).extend(rows)
    for p in processes:
        p.join(timeout=30)
    probes.sort()
    figures: dict = {
        "clients": WORST_CLIENTS,
        "seconds": seconds,
        "healthz_probes": len(probes),
        "healthz_p50_ms": statistics.median(probes) * 1000,
        "healthz_p99_ms": probes[int(len(probes) * 0.99) - 1] * 1000,
        "healthz_max_ms": probes[-1] * 1000,
        "target_healthz_p99_ms": 50,
    }
    for kind, rows in merged.items():
        times = sorted(r[0] for r in rows)
        codes: dict[str, int] = {}
        for r in rows:
            codes[r[2]] = codes.get(r[2], 0) + 1
        figures[kind] = {
            "requests": len(rows),
            "p50_s": statistics.median(times),
            "max_s": times[-1],
            "max_bytes": max(r[1] for r in rows),
            "answers": codes,
        }
    return figures
