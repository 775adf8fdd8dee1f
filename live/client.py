"""A small graphql-transport-ws client (for the tests, the benchmark and the replay):
connect with a token, subscribe, read events with a timeout."""

from __future__ import annotations

import itertools
import json
from typing import Any

from websockets.sync.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class SubscriptionError(RuntimeError):
    """The server refused the connection or the subscription."""


class Subscriber:
    def __init__(self, http_url: str, token: str | None = None, timeout: float = 10) -> None:
        url = http_url.replace("http://", "ws://").replace("https://", "wss://") + "/graphql"
        self._connect = connect(url, subprotocols=[PROTOCOL], open_timeout=timeout)
        self.ws: ClientConnection = self._connect.__enter__()
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        self.ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        message = self._recv(timeout)
        if message is None or message.get("type") != "connection_ack":
            raise SubscriptionError(f"no connection_ack: {message}")
        self._ids = itertools.count(1)

    def _recv(self, timeout: float) -> dict[str, Any] | None:
        try:
            return json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return None

    def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        sid = str(next(self._ids))
        message = {"query": query, "variables": variables or {}}
        self.ws.send(json.dumps({"id": sid, "type": "subscribe", "payload": message}))
        return sid

    def next(self, timeout: float = 5) -> tuple[str, dict[str, Any]] | None:
        """The next event (subscription id, payload); None if none came in time. A
        subscription the server refused raises SubscriptionError."""
        while True:
            message = self._recv(timeout)
            if message is None:
                return None
            kind = message.get("type")
            if kind == "ping":
                self.ws.send(json.dumps({"type": "pong"}))
                continue
            if kind == "error" or (kind == "next" and message["payload"].get("errors")):
                errors = message["payload"] if kind == "error" else message["payload"]["errors"]
                raise SubscriptionError(json.dumps(errors))
            if kind == "next":
                return message["id"], message["payload"]["data"]

    def close(self) -> None:
        self._connect.__exit__(None, None, None)

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
