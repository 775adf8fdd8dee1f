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

from api.auth import PUBLIC, AuthConfig, AuthError, Principal, authenticate
from api.errors import BAD_REQUEST, TIMEOUT, UNAUTHENTICATED
from api.rate_limit import RateLimiter

MAX_BODY_BYTES = 1024 * 1024  # a query with its variables; live batches fit many times over
MAX_RESPONSE_BYTES = {PUBLIC: 2 * 1024 * 1024}
MAX_RESPONSE_BYTES_OTHERS = 10 * 1024 * 1024
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
RATE_LIMITED = "RATE_LIMITED"


def response_cap(role: str) -> int:
    return MAX_RESPONSE_BYTES.get(role, MAX_RESPONSE_BYTES_OTHERS)


class _BodyTooLarge(Exception):
    pass


async def _json(
    send: Send, status: int, body: dict, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(extra or []),
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
        limiter: RateLimiter | None = None,
    ) -> None:
        self.limiter = limiter
        self.app = app
        self.auth = auth
        self.timeout_s = timeout_s
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        principal = await self._admit(scope, send)
        if principal is None:
            return
        scope.setdefault("state", {})["principal"] = principal
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
        else:
            await self._bounded(scope, receive, send, response_cap(principal.role))

    async def _admit(self, scope: Scope, send: Send) -> Principal | None:
        """The caller, or None once refused: one Authorization header, a valid credential,
        within the caller's rate."""
        authorization = [
            v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"authorization"
        ]
        if len(authorization) > 1:
            await _refuse(scope, send, 400, BAD_REQUEST, "send one Authorization header")
            return None
        try:
            principal = authenticate(authorization[0] if authorization else None, self.auth)
        except AuthError as exc:
            await _refuse(scope, send, 401, UNAUTHENTICATED, str(exc))
            return None
        if self.limiter is not None:
            client = (scope.get("client") or ("unknown", 0))[0]
            caller = f"ip:{client}" if principal.role == PUBLIC else principal.subject
            if wait := self.limiter.retry_after(caller):
                await _refuse(
                    scope, send, 429, RATE_LIMITED, f"too many requests; retry after {wait} s",
                    {"retryAfter": wait}, [(b"retry-after", str(wait).encode())],
                )  # fmt: skip
                return None
        return principal

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        """One HTTP request within the body cap, the response cap and the timeout."""
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(send, self.max_body_bytes)
            return
        started = refused = False
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise _BodyTooLarge
            return message

        async def capped_send(message: Message) -> None:
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
                await self.app(scope, capped_receive, capped_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, self.max_body_bytes)
        except TimeoutError:
            if not started:
                error = {"message": "request timed out", "extensions": {"code": TIMEOUT}}
                await _json(send, 504, {"errors": [error]})


# A refused websocket closes with 4000 + the HTTP status it would have had.
async def _refuse(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    message: str,
    extensions: dict | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4000 + status})
        return
    error = {"message": message, "extensions": {"code": code, **(extensions or {})}}
    await _json(send, status, {"errors": [error]}, headers)


async def _too_large(send: Send, limit: int) -> None:
    error = {
        "message": f"request body over {limit // 1024} KB",
        "extensions": {"code": PAYLOAD_TOO_LARGE, "limitBytes": limit},
    }
    await _json(send, 413, {"errors": [error]})


class JsonBody:
    """In front of /graphql: a JSON POST body must be a GraphQL request object (or a
    batch of them). Anything else (a string, a number, broken JSON) is the client's
    mistake, answered 400 with a plain message rather than a server error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] != "http" or scope["method"] != "POST" or b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = _request_problem(body)
        if problem:
            error = {"message": problem, "extensions": {"code": BAD_REQUEST}}
            await _json(send, 400, {"errors": [error]})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _request_problem(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the request body is not valid JSON"
    requests = parsed if isinstance(parsed, list) else [parsed]
    if not requests or not all(isinstance(r, dict) for r in requests):
        return "the request body must be a JSON object {query, variables} (or a list of them)"
    return None
