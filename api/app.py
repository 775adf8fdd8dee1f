"""The ASGI application: GraphQL at /graphql and a health check, one Neo4j driver per app."""

from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

from api.schema import schema
from api.web import web_routes
from crimegraph.settings import Settings, load_settings
from graph import connection


class _GraphQLWithDriver(GraphQL):
    """Strawberry's ASGI app, handing each request the app's shared Neo4j driver."""

    def __init__(self, state, **kwargs):
        super().__init__(schema, **kwargs)
        self._state = state

    async def get_context(self, request, response):
        return {"request": request, "response": response, "driver": self._state.driver}


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.driver = connection.async_driver(settings)
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
    graphql_app = _GraphQLWithDriver(app.state)
    app.router.routes.extend(
        [
            Route("/healthz", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
        ]
    )
    app.router.routes.extend(web_routes(settings))
    return app
