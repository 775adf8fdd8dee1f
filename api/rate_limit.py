"""Per-caller rate limits: a token bucket per API key, token subject or (for the public)
client address, so one caller cannot take the server from the others."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

MAX_CALLERS = 100_000  # buckets kept; the least recently seen go first


class RateLimiter:
    """``rate`` requests a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, caller: str, now: float | None = None) -> int:
        """0 if ``caller`` may go ahead (a token is taken), else seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, seen = self._buckets.pop(caller, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - seen) * self.rate)
            wait = 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))
            self._buckets[caller] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > MAX_CALLERS:
                self._buckets.popitem(last=False)
            return wait
