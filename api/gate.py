"""ASGI wrapper in front of /graphql and /tiles: who is calling, and a time limit.

A bad token is refused with 401 before any resolver runs; the caller's principal is put
in ``scope["state"]``. Each request is bounded by the configured timeout and answered
with a GraphQL-shaped TIMEOUT error if it runs over.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import AuthConfig, AuthError, authenticate
from api.errors import TIMEOUT, UNAUTHENTICATED


async def _json(send: Send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class Gate:
    def __init__(self, app: ASGIApp, auth: AuthConfig, timeout_s: float) -> None:
        self.app = app
        self.auth = auth
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            principal = authenticate(headers.get("authorization"), self.auth)
        except AuthError as exc:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            error = {"message": str(exc), "extensions": {"code": UNAUTHENTICATED}}
            await _json(send, 401, {"errors": [error]})
            return
        scope.setdefault("state", {})["principal"] = principal
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.timeout_s):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if not started:
                error = {"message": "request timed out", "extensions": {"code": TIMEOUT}}
                await _json(send, 504, {"errors": [error]})
