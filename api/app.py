"""The ASGI application: GraphQL at /graphql, vector tiles, and a health check; one Neo4j
driver and one in-memory layer store per app."""

from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute, request_response
from strawberry.asgi import GraphQL

from api.config import ApiConfig, load_api_config
from api.context import Holder
from api.gate import Gate
from api.geojson import encode_response
from api.layers import LayerStore
from api.schema import build_schema
from api.tiles import tile_endpoint
from api.web import web_routes
from crimegraph.settings import Settings, load_settings
from graph import connection


class _GraphQLWithDriver(GraphQL):
    """Strawberry's ASGI app, handing each request the app's shared Neo4j driver, the
    layer store and the caller the gate identified."""

    def __init__(self, state, config: ApiConfig, reload_layers, warehouse_path, **kwargs):
        super().__init__(
            build_schema(config.production),
            graphql_ide=None if config.production else "graphiql",
            **kwargs,
        )
        self._state = state
        self._reload_layers = reload_layers
        self._warehouse_path = warehouse_path

    async def get_context(self, request, response):
        return {
            "request": request,
            "response": response,
            "driver": self._state.driver,
            "layers": self._state.layers,
            "principal": request.scope["state"]["principal"],
            "reload_layers": self._reload_layers,
            "warehouse_path": self._warehouse_path,
        }

    def encode_json(self, data: object) -> str:
        return encode_response(data)


def lsoa_boundaries(settings: Settings):
    return settings.source_data_dir / "geo" / "lsoa21-wales.geojson.gz"


def load_layers(settings: Settings) -> LayerStore:
    store = LayerStore.load(settings.warehouse_path, lsoa_boundaries(settings))
    store.warm()
    return store


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    config = load_api_config(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.driver = connection.async_driver(settings)
        app.state.layers = Holder(await run_in_threadpool(load_layers, settings))
        try:
            yield
        finally:
            await app.state.driver.close()

    async def health(request: Request) -> JSONResponse:
        try:
            await request.app.state.driver.verify_connectivity()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "neo4j": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok"})

    app = Starlette(lifespan=lifespan)

    def reload_layers() -> LayerStore:
        app.state.layers.store = load_layers(settings)
        return app.state.layers.store

    graphql_app = Gate(
        _GraphQLWithDriver(app.state, config, reload_layers, settings.warehouse_path),
        config.auth,
        config.request_timeout_s,
    )
    tiles = Gate(request_response(tile_endpoint), config.auth, config.request_timeout_s)
    app.router.routes.extend(
        [
            Route("/healthz", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            Route("/tiles/{layer}/{z:int}/{x:int}/{y:int}.mvt", tiles, methods=["GET"]),
        ]
    )
    app.router.routes.extend(web_routes(settings))
    return app
