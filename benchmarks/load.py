"""A load generator for the API mix, in processes of its own so the client is not what
limits the figure: each process runs asyncio clients (aiohttp, uvloop) on keep-alive
connections.

Answers are checked without decoding megabytes per request (that would make the client the
bottleneck): a small body is parsed in full; a large layer answer must be exactly the
envelope ``{"data":{"<field>":{"type":"FeatureCollection",...]}}}`` -- GraphQL puts
``errors`` after ``data``, so an answer with errors cannot end that way.

``replay_app`` is the client-alone baseline: a server answering each request with bytes
recorded from the real API, so its rate is what this client and HTTP manage here.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import itertools
import json
import multiprocessing
import random
import statistics
import time
from dataclasses import dataclass

FULL_PARSE_BYTES = 64 * 1024
SUSTAINED_WINDOW_S = 5
_JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class Request:
    """One kind of request in the mix: its share, query, variables and bearer token."""

    kind: str
    share: float
    query: str
    variables: dict
    token: str
    layer_field: str | None = None  # set for layers: the envelope check
    distinct_views: bool = False  # nudge the bbox ``b`` on every ask: no answer is reused


def _payload(request: Request, ask: int) -> bytes:
    """The request body; with ``distinct_views``, the box's west edge moves by a
    micro-degree per ask (a different view for every cache, the same cells)."""
    variables = request.variables
    if request.distinct_views:
        box = variables["b"]
        variables = {**variables, "b": {**box, "west": box["west"] + ask * 1e-7}}
    return json.dumps({"query": request.query, "variables": variables}).encode()


def answer_ok(request: Request, status: int, body: bytes) -> str | None:
    """None when the answer is a success, else a short reason."""
    if status != 200:
        return f"HTTP {status}"
    if request.layer_field and len(body) > FULL_PARSE_BYTES:
        head = b'{"data":{"' + request.layer_field.encode() + b'":{"type":"FeatureCollection"'
        return None if body.startswith(head) and body.endswith(b"]}}}") else "bad envelope"
    try:
        errors = json.loads(body).get("errors")
    except ValueError:
        return "not JSON"
    return f"GraphQL error: {errors[0].get('message', '')[:80]}" if errors else None


async def _drive(
    url: str, mix: list[Request], clients: int, seconds: float, seed: int, rate: float | None
) -> dict:
    """Closed loop (each client asks again as soon as answered), or with ``rate`` paced:
    the clients share ``rate`` requests a second between them, and every answer is kept
    as (wall-clock time, latency, kind, problem) for figures over time."""
    import aiohttp

    counts: collections.Counter[str] = collections.Counter()
    per_second = [0] * (int(seconds) + 1)  # completions in each second of the run
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    start = time.monotonic()
    stop = start + seconds
    cumulative = list(itertools.accumulate(r.share for r in mix))
    payloads = [_payload(r, 0) for r in mix]
    asks = itertools.count(seed * 10_000_000 + 1)
    timeline: list[tuple[float, float, str, str | None]] = []

    async def client(session, n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        sent_by_me = 0
        while time.monotonic() < stop:
            if rate:  # this client's slots: every clients/rate seconds, staggered
                due = start + (sent_by_me * clients + n) / rate
                sent_by_me += 1
                if (wait := due - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
            pick = min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(mix) - 1)
            request = mix[pick]
            headers = {**_JSON}
            if request.token:  # none: the public, anonymous
                headers["authorization"] = f"Bearer {request.token}"
            sent = time.monotonic()
            try:
                async with session.post(
                    f"{url}/graphql",
                    data=_payload(request, next(asks))
                    if request.distinct_views
                    else payloads[pick],
                    headers=headers,
                ) as response:
                    body = await response.read()
                problem = answer_ok(request, response.status, body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
            done = time.monotonic()
            counts[request.kind] += 1
            latencies[request.kind].append(done - sent)
            per_second[min(int(done - start), len(per_second) - 1)] += 1
            if problem:
                counts[f"error: {request.kind}: {problem}"] += 1
            if rate:
                timeline.append((time.time(), done - sent, request.kind, problem))

    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(client(session, n) for n in range(clients)))
    return {
        "counts": dict(counts),
        "per_second": per_second,
        "latencies": dict(latencies),
        "timeline": timeline,
    }


def _process(
    url: str, mix: list[Request], clients: int, seconds: float, seed: int, rate, out
) -> None:
    import uvloop

    out.put(uvloop.run(_drive(url, mix, clients, seconds, seed, rate)))


def run_mix(
    url: str,
    mix: list[Request],
    seconds: float,
    processes: int = 2,
    clients: int = 8,
    rate: float | None = None,
) -> dict:
    """Drive the mix for ``seconds`` from ``processes`` x ``clients`` clients (with ``rate``,
    that many requests a second in all, and the answers' ``timeline``); the totals."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(
            target=_process,
            args=(url, mix, clients, seconds, seed, rate / processes if rate else None, out),
        )
        for seed in range(processes)
    ]
    for w in workers:
        w.start()
    totals: collections.Counter[str] = collections.Counter()
    per_second = [0] * (int(seconds) + 1)
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    timeline: list[tuple[float, float, str, str | None]] = []
    for _ in workers:
        result = out.get(timeout=seconds + 120)
        totals.update(result["counts"])
        per_second = [a + b for a, b in zip(per_second, result["per_second"], strict=True)]
        for kind, samples in result["latencies"].items():
            latencies[kind] += samples
        timeline += result["timeline"]
    for w in workers:
        w.join()
    errors = {k.removeprefix("error: "): v for k, v in totals.items() if k.startswith("error: ")}
    requests = sum(v for k, v in totals.items() if not k.startswith("error: "))
    return {
        "requests": requests,
        "errors": sum(errors.values()),
        "rps": requests / seconds,
        "by_kind": {k: v for k, v in totals.items() if not k.startswith("error: ")},
        "error_kinds": errors,
        "slowest_window_rps": slowest_window_rps(per_second[: int(seconds)], SUSTAINED_WINDOW_S),
        "p95_ms_by_kind": {k: round(p95(v) * 1000, 2) for k, v in sorted(latencies.items())},
        "timeline": sorted(timeline),
    }


def slowest_window_rps(per_second: list[int], window: int) -> float | None:
    """The lowest rate over any ``window`` consecutive whole seconds: "sustained" means
    every stretch of the run held the rate, not only its average."""
    if len(per_second) < window:
        return None
    sums = (sum(per_second[i : i + window]) for i in range(len(per_second) - window + 1))
    return min(sums) / window


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 2 else samples[0]


def replay_app(recorded: dict[str, bytes]):
    """An ASGI app answering a query with the bytes recorded for it (the baseline)."""

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        payload = recorded.get(json.loads(body)["query"], b'{"errors":[{"message":"?"}]}')
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def serve_replay(recorded: dict[str, bytes], port: int) -> None:
    """Process target: the replay app on uvicorn, set up like `crimegraph serve`."""
    import uvicorn

    uvicorn.run(
        replay_app(recorded),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
