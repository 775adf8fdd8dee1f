"""In-process fan-out of live events to subscribers: one bounded queue per subscriber.

A subscriber that stops reading loses its oldest events rather than holding the
applier up (the map reloads its layers anyway); the journal, not this, is what makes
ingest lossless.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

QUEUE_SIZE = 2000


class Broadcaster:
    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue]] = {}

    def subscribers(self, topic: str) -> int:
        return len(self._queues.get(topic, ()))

    def publish(self, topic: str, event: Any) -> None:
        """Hand ``event`` to every subscriber of ``topic`` (call on the event loop)."""
        for queue in self._queues.get(topic, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._queues.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            self._queues[topic].discard(queue)
