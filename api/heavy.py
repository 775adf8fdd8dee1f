"""Heavy work (building a map layer, rendering a tile, expanding a map click) runs in
worker threads, a few at a time per process.

Layer work is CPU-bound Python: every thread running it competes for the GIL with the
event loop, so twenty at once leave ``/healthz`` and every light request waiting behind
them. Bounding them to ``HEAVY_THREADS`` keeps the loop responsive; the rest wait their
turn (still inside the request timeout), and light requests are not queued behind them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

HEAVY_THREADS = 2
# Hand the GIL round every 1 ms rather than every 5: the event loop waits at most that
# long behind a thread building a layer.
SWITCH_INTERVAL_S = 0.001

T = TypeVar("T")
_limiter: anyio.CapacityLimiter | None = None


def tune_interpreter() -> None:
    """Called once per server process at start."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


async def run_heavy(func: Callable[..., T], *args: object) -> T:
    """``func(*args)`` in a worker thread, at most ``HEAVY_THREADS`` at once."""
    global _limiter
    if _limiter is None:  # made inside the running loop (anyio needs one)
        _limiter = anyio.CapacityLimiter(HEAVY_THREADS)
    return await anyio.to_thread.run_sync(functools.partial(func, *args), limiter=_limiter)
