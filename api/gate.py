"""ASGI wrapper in front of /graphql and /tiles: who is calling, and limits.

A bad token, or more than one ``Authorization`` header, is refused (401, 400) before any
resolver runs; the caller's principal is put in ``scope["state"]``. A request body over
``MAX_BODY_BYTES`` is refused with 413 as it arrives; an answer over the role's
``MAX_RESPONSE_BYTES`` is replaced by a RESPONSE_TOO_LARGE error naming the limit. Each
request is bounded by the configured timeout and answered with a GraphQL-shaped TIMEOUT
error if it runs over.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import PUBLIC, AuthConfig, AuthError, authenticate
from api.errors import BAD_REQUEST, TIMEOUT, UNAUTHENTICATED

MAX_BODY_BYTES = 1024 * 1024  # a query with its variables; live batches fit many times over
MAX_RESPONSE_BYTES = {PUBLIC: 2 * 1024 * 1024}
MAX_RESPONSE_BYTES_OTHERS = 10 * 1024 * 1024
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


def response_cap(role: str) -> int:
    return MAX_RESPONSE_BYTES.get(role, MAX_RESPONSE_BYTES_OTHERS)


class _BodyTooLarge(Exception):
    pass


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
    def __init__(
        self,
        app: ASGIApp,
        auth: AuthConfig,
        timeout_s: float,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.auth = auth
        self.timeout_s = timeout_s
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        authorization = [
            v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"authorization"
        ]
        if len(authorization) > 1:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4400})
                return
            error = {
                "message": "send one Authorization header",
                "extensions": {"code": BAD_REQUEST},
            }
            await _json(send, 400, {"errors": [error]})
            return
        try:
            principal = authenticate(authorization[0] if authorization else None, self.auth)
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
        refused = False
        cap = response_cap(principal.role)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(send, self.max_body_bytes)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, refused
            if refused:
                return
            if message["type"] == "http.response.start":
                length = dict(message.get("headers", [])).get(b"content-length", b"0")
                if length.isdigit() and int(length) > cap:
                    refused = started = True
                    error = {
                        "message": f"the answer is over {cap // (1024 * 1024)} MB for this role: "
                        "ask for a smaller box, fewer crime groups or a coarser resolution",
                        "extensions": {"code": RESPONSE_TOO_LARGE, "limitBytes": cap},
                    }
                    await _json(send, 200, {"data": None, "errors": [error]})
                    return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.timeout_s):
                await self.app(scope, capped_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, self.max_body_bytes)
        except TimeoutError:
            if not started:
                error = {"message": "request timed out", "extensions": {"code": TIMEOUT}}
                await _json(send, 504, {"errors": [error]})


async def _too_large(send: Send, limit: int) -> None:
    error = {
        "message": f"request body over {limit // 1024} KB",
        "extensions": {"code": PAYLOAD_TOO_LARGE, "limitBytes": limit},
    }
    await _json(send, 413, {"errors": [error]})
