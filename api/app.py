"""The ASGI application: GraphQL at /graphql, vector tiles, and a health check; one Neo4j
driver and one in-memory layer store per app."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute, request_response
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult

from api import heavy, observe
from api.auth import AuthError, authenticate
from api.config import ApiConfig, load_api_config
from api.context import Holder
from api.gate import Gate, JsonBody
from api.intake_routes import MAX_BYTES as MAX_INGEST_BYTES
from api.intake_routes import ingest_endpoint
from api.layer_reload import LayerReloads
from api.rate_limit import RateLimiter
from api.response_cache import OK_FLAG, ResponseCache
from api.schema import build_schema
from api.tiles import tile_cache, tile_endpoint
from api.web import web_routes
from core.settings import Settings, load_settings
from graph import connection
from layers.geojson import encode_response
from layers.store import LayerStore
from live import intake
from live.applier import Applier
from live.broadcast import Broadcaster
from live.journal import Journal
from live.linking import load_index
from resolver.adapters.registry import live_adapters, registry_dir
from risk.harm import load_harm_weights


class _GraphQLWithDriver(GraphQL):
    """Strawberry's ASGI app, handing each request the app's shared Neo4j driver, the
    layer store and the caller the gate identified."""

    def __init__(self, state, config: ApiConfig, warehouse_path, **kwargs):
        super().__init__(
            build_schema(config.production),
            graphql_ide=None if config.production else "graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            **kwargs,
        )
        self._state = state
        self._auth = config.auth
        self._warehouse_path = warehouse_path

    async def get_context(self, request, response):
        return {
            "request": request,
            "response": response,
            "driver": self._state.driver,
            "layers": self._state.layers,
            "principal": request.scope["state"]["principal"],
            "layer_reloads": self._state.layer_reloads,
            "live": self._state.live,
            "warehouse_path": self._warehouse_path,
        }

    async def on_ws_connect(self, context):
        """Browsers cannot set headers on a websocket, so a token may come in the
        connection_init payload (``{"Authorization": "Bearer ..."}``) instead."""
        params = context.get("connection_params") or {}
        header = params.get("Authorization") or params.get("authorization")
        if header:
            try:
                context["principal"] = authenticate(str(header), self._auth)
            except AuthError as exc:
                raise ConnectionRejectionError() from exc

    def encode_json(self, data: object) -> str:
        return encode_response(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        request.scope["state"][OK_FLAG] = not result.errors  # for the response cache
        return await super().process_result(request, result)


def _report_stopped(task: asyncio.Task) -> None:
    """The applier only ends when cancelled; anything else must not pass unnoticed."""
    if not task.cancelled() and task.exception() is not None:
        logging.getLogger("crimegraph.live").error(
            "live applier stopped", exc_info=task.exception()
        )


def _journal(app: Starlette) -> Journal | None:
    live = getattr(app.state, "live", None)
    return live.journal if live is not None else None


def lsoa_boundaries(settings: Settings):
    return settings.sources.lsoa_boundaries


def load_layers(settings: Settings) -> LayerStore:
    store = LayerStore.load(
        settings.warehouse_path, lsoa_boundaries(settings), settings.api.disclosure_secret
    )
    store.warm()
    return store


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    config = load_api_config(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        heavy.tune_interpreter()
        app.state.driver = connection.async_driver(settings)
        app.state.layers = Holder(await run_in_threadpool(load_layers, settings))
        journal = Journal(intake.journal_path(settings.data_dir))
        applier = Applier(
            journal,
            app.state.driver,
            lambda: app.state.layers.store,
            Broadcaster(),
            load_harm_weights(),
            people_index=lambda: load_index(settings.warehouse_path),
            id_key=settings.id_secret,
            warehouse_path=settings.warehouse_path,
        )
        adapters = await run_in_threadpool(live_adapters, registry_dir(settings.data_dir))
        app.state.live = intake.Live(
            journal, applier, applier.broadcaster, adapters, settings.live_reserve_mb * 2**20
        )
        await run_in_threadpool(applier.restore, app.state.layers.store)
        task = asyncio.create_task(applier.run(), name="live-applier")
        task.add_done_callback(_report_stopped)
        app.state.applier_task = task
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            journal.close()
            await app.state.driver.close()

    app = Starlette(
        lifespan=lifespan,
        middleware=[Middleware(observe.Observe, access_log=settings.api.access_log)],
    )
    app.state.tile_cache = tile_cache()
    app.state.tile_flights = {}

    def reload_layers() -> LayerStore:
        fresh = load_layers(settings)
        app.state.live.applier.restore(fresh)  # live incidents the warehouse does not count
        app.state.layers.store = fresh
        return fresh

    app.state.layer_reloads = LayerReloads(reload_layers)

    # One limiter for every transport: a caller's requests count together.
    limiter = RateLimiter(settings.api.rate_per_s, settings.api.rate_burst)
    graphql_app = Gate(
        JsonBody(
            ResponseCache(
                _GraphQLWithDriver(app.state, config, settings.warehouse_path),
                lambda: app.state.layers.store,
            )
        ),
        config.auth,
        config.request_timeout_s,
        limiter=limiter,
    )
    tiles = Gate(
        request_response(tile_endpoint), config.auth, config.request_timeout_s, limiter=limiter
    )
    feed = Gate(  # source systems push in bursts; their batch limits bound them
        request_response(ingest_endpoint),
        config.auth,
        config.request_timeout_s,
        max_body_bytes=MAX_INGEST_BYTES,
    )
    app.router.routes.extend(
        [
            Route("/livez", observe.livez),
            Route("/readyz", observe.readyz),
            Route("/healthz", observe.readyz),
            Route(
                "/metrics",
                observe.metrics_endpoint(lambda: _journal(app), settings.api.metrics_token),
            ),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            Route("/tiles/{layer}/{z:int}/{x:int}/{y:int}.mvt", tiles, methods=["GET"]),
            Route("/ingest/{source}", feed, methods=["POST"]),
        ]
    )
    app.router.routes.extend(web_routes(settings))
    return app
