"""Totara's API rate limits: complexity points spent in a sliding window, per client and for the whole site.

A query's cost is added after it runs, so one query may take a client past its allowance; the next query in
the window is then refused with HTTP 429. Time comes from an injectable clock so tests can move a minute in an
instant.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class ComplexityLimits:
    """The site's limits, defaulting to Totara's: points per minute per client and site-wide, per query,
    depth."""

    per_client_per_window: int = 250_000
    site_per_window: int = 500_000
    per_query: int = 6_000
    max_depth: int = 15
    window_seconds: float = 60.0


class ManualClock:
    """A clock that moves only when told: `clock()` reads it, `clock.advance(seconds)` moves it on.

    Passing `clock.advance` as a client's `sleep` makes back-off waits move the stand-in's time instantly.
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class RateLedger:
    """Points spent per client over the sliding window, and whether a client may run another query now."""

    def __init__(self, limits: ComplexityLimits, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock
        self._spent: deque[tuple[float, str, int]] = deque()
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self._limits.window_seconds:
            self._spent.popleft()

    def used(self, client_id: str | None = None) -> int:
        """Points spent in the current window by one client, or by everyone when `client_id` is None."""
        with self._lock:
            self._forget_old(self._clock())
            return sum(cost for _, client, cost in self._spent if client_id is None or client == client_id)

    def allows(self, client_id: str) -> bool:
        """False when the client or the site has already used its allowance for the window."""
        return self.used(client_id) < self._limits.per_client_per_window and self.used() < self._limits.site_per_window

    def charge(self, client_id: str, cost: int) -> None:
        with self._lock:
            self._spent.append((self._clock(), client_id, cost))
