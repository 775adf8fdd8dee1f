"""A whole-response cache for map-layer queries, in front of /graphql (after the Gate).

Map front ends ask for the same views over and over (a force's risk layer for the latest
month). The layer store already keeps each answer's GeoJSON; what is left per request is
GraphQL's own work: parsing the body, executing the operation, encoding a 2 MB response.
This cache keeps the finished bytes of a response instead, as Apollo's response cache does:

- only for an operation whose every root field is a map layer served from the layer store
  (``CACHEABLE_LAYER_FIELDS``): no person-level field, so nothing a cached answer skips needs an
  audit entry;
- keyed by the caller's role and the exact request body: roles see different answers
  (public counts are suppressed), and nothing in a layer answer depends on who within a
  role is asking;
- only for an answer without errors, and only for the layer store and version it was
  built from: a reload, or live incidents changing the layers, empties it.

Answers say which they were in an ``x-cache`` header (``HIT``, or ``MISS`` for a layer
view answered afresh), as HTTP caches do. ``StoreBoundCache`` also keeps rendered vector
tiles (api/tiles.py).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_LAYER_FIELDS = frozenset({"riskLayer", "hotspots", "forecastLayer"})
MAX_ENTRIES = 64
MAX_BYTES = 256 * 1024 * 1024
MAX_QUERY_CHARS = 4096  # longer bodies are not layer views; they are executed as they are
CACHE_HEADER = b"x-cache"  # HIT on an answer from the cache, MISS on one it may keep
OK_FLAG = "graphql_ok"  # set in scope["state"] by the GraphQL app: no errors in the answer


@lru_cache(maxsize=256)
def is_layer_only(query: str) -> bool:
    """True when the document is one query whose root fields are all map layers."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    if len(document.definitions) != 1:
        return False
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode):
        return False
    if operation.operation is not OperationType.QUERY or operation.directives:
        return False
    return all(
        isinstance(field, FieldNode)
        and field.name.value in CACHEABLE_LAYER_FIELDS
        and not field.directives
        for field in operation.selection_set.selections
    )


def cacheable_body(body: bytes) -> bool:
    if len(body) > MAX_QUERY_CHARS:
        return False
    try:
        request = json.loads(body)
    except ValueError:
        return False
    query = request.get("query") if isinstance(request, dict) else None
    return isinstance(query, str) and is_layer_only(query)


class _Answers:
    """Finished responses for one layer store version, least recently used dropped first."""

    def __init__(self, owner: Any, version: int, max_entries: int, max_bytes: int) -> None:
        self.owner, self.version = owner, version
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self.size = 0

    def get(self, key: Hashable) -> bytes | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def drop(self, touched: Callable[[Hashable], bool]) -> None:
        for key in [k for k in self.entries if touched(k)]:
            self.size -= len(self.entries.pop(key))

    def put(self, key: Hashable, payload: bytes) -> None:
        if key in self.entries or len(payload) > self.max_bytes:
            return
        self.entries[key] = payload
        self.size += len(payload)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped)


def _meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two west/south/east/north boxes overlap (touching counts)."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class StoreBoundCache:
    """Finished answers that hold only for the layer store, and its version, they were
    built from: asked for another store it starts again empty. When the same store's
    version moved on (live updates) and ``area_of`` says which box an answer covers (a
    tile's), only the answers whose box a change touched are dropped; otherwise all are."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        area_of: Callable[[Hashable], tuple[float, float, float, float]] | None = None,
    ) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.area_of = area_of
        self._answers: _Answers | None = None

    def current(self, store: Any) -> _Answers:
        answers = self._answers
        if answers is not None and answers.owner is store and answers.version != store.version:
            changed = store.changed_since(answers.version) if self.area_of else None
            if changed is not None:
                answers.drop(lambda key: any(_meets(self.area_of(key), box) for box in changed))
                answers.version = store.version
        if answers is None or answers.owner is not store or answers.version != store.version:
            answers = self._answers = _Answers(
                store, store.version, self.max_entries, self.max_bytes
            )
        return answers

    def keep(self, answers: _Answers, store_now: Any, key: Hashable, payload: bytes) -> None:
        """Keep an answer built from ``answers``' store, unless the layers changed while
        it was built (``store_now`` is the store requests see now)."""
        if (
            self._answers is answers
            and answers.owner is store_now
            and store_now.version == answers.version
        ):
            answers.put(key, payload)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _send_json(send: Send, payload: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (CACHE_HEADER, b"HIT"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class ResponseCache:
    """ASGI wrapper: answers a repeated layer-only POST from the bytes it answered before."""

    def __init__(self, app: ASGIApp, current_store: Callable[[], Any]) -> None:
        self.app = app
        self.current_store = current_store
        self.answers = StoreBoundCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # the client going away, as the app would see it
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        if not cacheable_body(body):
            await self.app(scope, replay, send)
            return
        answers = self.answers.current(self.current_store())
        key = (scope["state"]["principal"].role, body)
        if (payload := answers.get(key)) is not None:
            await _send_json(send, payload)
            return
        status, chunks = 0, []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (CACHE_HEADER, b"MISS")]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay, capture)
        if status == 200 and scope["state"].get(OK_FLAG):
            self.answers.keep(answers, self.current_store(), key, b"".join(chunks))
