"""What the API tells its operators: a request id on every request, an access line per
request, Prometheus metrics at ``/metrics``, and liveness apart from readiness.

* ``X-Request-ID``: taken from the caller when it is a plain token (up to 64 letters,
  digits, ``._-``), else made here; returned on the answer, on every log line meanwhile
  and in the audit entry of a person-level read.
* ``/livez``: the process answers (for a supervisor deciding on a restart).
* ``/readyz`` (and ``/healthz``, as before): each component the API needs, and 503 naming
  those that are down (for a load balancer deciding where to send requests).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.cost import root_fields
from core import metrics
from core.logs import REQUEST_ID
from graph import schema_version
from live.journal import Journal

access = logging.getLogger("crimegraph.access")
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
READY_TIMEOUT_S = 2.0
# Paths by the route they belong to: a metric label must not take a caller's own path.
_ROUTES = {"/graphql": "graphql", "/healthz": "health", "/livez": "health",
           "/readyz": "health", "/metrics": "metrics"}  # fmt: skip
_PREFIXES = (("/tiles/", "tiles"), ("/ingest/", "ingest"))


def route_of(path: str) -> str:
    if path in _ROUTES:
        return _ROUTES[path]
    return next((name for prefix, name in _PREFIXES if path.startswith(prefix)), "web")


def request_id(scope: Scope) -> str:
    given = next((v for k, v in scope.get("headers", []) if k.lower() == b"x-request-id"), b"")
    text = given.decode("latin-1")
    return text if _ID.fullmatch(text) else uuid.uuid4().hex


class Observe:
    """Outermost ASGI layer: the request id, the access line and the request metrics."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status, cache = 101 if scope["type"] == "websocket" else 500, None

        async def observed_send(message: Message) -> None:
            nonlocal status, cache
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                cache = dict(headers).get(b"x-cache")
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            self._record(scope, rid, status, cache, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, rid: str, status: int, cache: bytes | None, took: float):
        route = route_of(scope["path"])
        principal = (scope.get("state") or {}).get("principal")
        role = principal.role if principal is not None else "none"
        metrics.REQUEST_SECONDS.labels(route, role, str(status)).observe(took)
        if cache:
            metrics.CACHE_ANSWERS.labels(route, cache.decode().lower()).inc()
        if self.access_log:
            access.info(
                "%s %s %d", scope.get("method", "WEBSOCKET"), scope["path"], status,
                extra={"route": route, "role": role, "status": status,
                       "seconds": round(took, 4), "cache": cache.decode() if cache else None},
            )  # fmt: skip


class FieldTimings(SchemaExtension):
    """One observation per top-level field of each operation, by the caller's role."""

    def on_execute(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        if context.graphql_document is None:
            return
        principal = (context.context or {}).get("principal")
        role = principal.role if principal is not None else "none"
        took = time.perf_counter() - started
        for name in {f.name.value for f in root_fields(context.graphql_document,
                                                       context.operation_name)}:  # fmt: skip
            metrics.FIELD_SECONDS.labels(name, role).observe(took)


class JournalCollector:
    """The live journal's backlog, read at each scrape (every worker sees the same file)."""

    def __init__(self, journal: Callable[[], Journal | None]) -> None:
        self._journal = journal

    def collect(self):
        journal = self._journal()
        if journal is None:
            return
        pending = GaugeMetricFamily(
            "crimegraph_live_journal_pending", "Accepted records the graph does not have yet"
        )
        oldest = GaugeMetricFamily(
            "crimegraph_live_journal_oldest_pending_seconds",
            "How long the oldest of them has waited (0: none waits)",
        )
        pending.add_metric([], journal.counts()["pending"])
        accepted_at = journal.oldest_pending()
        oldest.add_metric([], 0.0 if accepted_at is None else max(0.0, time.time() - accepted_at))
        yield pending
        yield oldest


def metrics_endpoint(journal: Callable[[], Journal | None], token: str | None):
    """``/metrics`` in Prometheus's text format: this process's figures, or with several
    workers (``PROMETHEUS_MULTIPROC_DIR``) every worker's added up. Operators' figures,
    not the public's: with ``CRIMEGRAPH_METRICS_TOKEN`` set a scraper shows it as a bearer
    token; without it only the server's own machine may scrape."""
    backlog = JournalCollector(journal)

    async def endpoint(request: Request) -> Response:
        if not _may_scrape(request, token):
            return JSONResponse(
                {"errors": [{"message": "metrics are for operators: send the metrics token "
                             "(CRIMEGRAPH_METRICS_TOKEN) or scrape from loopback"}]},
                status_code=403,
            )  # fmt: skip
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = REGISTRY
        body = await asyncio.to_thread(_generate, registry, backlog)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return endpoint


def _may_scrape(request: Request, token: str | None) -> bool:
    if token:  # once set, always asked for: behind a proxy every caller looks local
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    client = request.client.host if request.client else ""
    return client in ("127.0.0.1", "::1")


def _generate(registry, backlog: JournalCollector) -> bytes:
    extra = CollectorRegistry()
    extra.register(backlog)
    return generate_latest(registry) + generate_latest(extra)


async def livez(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readiness(state) -> dict[str, str]:
    """Each component the API needs: "ok", or what is wrong with it."""
    components: dict[str, str] = {}
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await state.driver.verify_connectivity()
            found = await schema_version.version_of_async(state.driver)
        schema_version.refuse_newer(found)
        components["neo4j"] = "ok"
    except TimeoutError:
        components["neo4j"] = f"no answer within {READY_TIMEOUT_S:.0f}s"
    except Exception as exc:  # any failure is the component's state, reported as such
        components["neo4j"] = f"{type(exc).__name__}: {exc}"
    layers = getattr(state, "layers", None)
    components["layers"] = "ok" if layers is not None and layers.store is not None else "loading"
    live = getattr(state, "live", None)
    task = getattr(state, "applier_task", None)
    if live is None or task is None:
        components["live"] = "starting"
    elif task.done():
        components["live"] = "the live applier has stopped"
    else:
        components["live"] = "ok"
    return components


async def readyz(request: Request) -> JSONResponse:
    components = await readiness(request.app.state)
    down = {name: why for name, why in components.items() if why != "ok"}
    body = {"status": "unavailable" if down else "ok", "components": components}
    if "neo4j" in down:
        body["neo4j"] = down["neo4j"]  # as /healthz said before the split
    return JSONResponse(body, status_code=503 if down else 200)
