"""Fault switches: misbehaviour the stand-in performs on the next API requests, in the order they were queued.

Each fault covers `count` requests after letting `after` requests through untouched; only the fault at the
head of the queue is live, so a test can script "two 429s, then a 503, then a partial page".
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

#: What each kind does to a request:
#: - `rate_limit`: HTTP 429 with `Retry-After: <retry_after>` and a JSON error.
#: - `server_error`: HTTP `status` (default 503) with a JSON error.
#: - `slow`: waits `delay` seconds, then answers normally (to trip a client's read timeout).
#: - `malformed_json`: HTTP 200 whose JSON body is cut off half way.
#: - `html_error`: HTTP `status` (default 502; 200 allowed) with an HTML page, as a proxy in front sends.
#: - `connection_reset`: closes the socket with a TCP reset before answering.
#: - `partial_page`: a listing page missing its last `drop` records while `meta` still counts them.
FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "slow",
    "malformed_json",
    "html_error",
    "connection_reset",
    "partial_page",
)

_DEFAULT_STATUS = {"server_error": 503, "html_error": 502}


@dataclass(frozen=True)
class Fault:
    """One queued misbehaviour; see `FAULT_KINDS` for what each kind does and which options it reads."""

    kind: str
    count: int = 1
    after: int = 0
    retry_after: int = 1
    status: int | None = None
    delay: float = 1.0
    drop: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if self.count < 1 or self.after < 0 or self.retry_after < 0 or self.delay < 0 or self.drop < 1:
            raise ValueError(f"fault {self} needs count >= 1, drop >= 1 and non-negative after/retry_after/delay")
        # An HTML page may also come with 200 (a sign-in or maintenance page in front of the API).
        allowed = (200, *range(400, 600)) if self.kind == "html_error" else range(400, 600)
        if self.status is not None and self.status not in allowed:
            raise ValueError(f"fault {self.kind} status must be an HTTP error status, got {self.status}")

    @property
    def http_status(self) -> int:
        return self.status if self.status is not None else _DEFAULT_STATUS.get(self.kind, 200)

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Fault:
        """A fault from the JSON body of `POST /__standin__/faults`; unknown options are refused."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise ValueError(f"unknown fault option(s) {unknown}; known options are {sorted(known)}")
        if "kind" not in payload:
            raise ValueError("a fault needs a 'kind'")
        return cls(**payload)


class FaultPlan:
    """The queue of pending faults, consulted once per API request (never for `/__standin__/` paths)."""

    def __init__(self, faults: tuple[Fault, ...] | list[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self.add(*faults)

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._queue.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self) -> Fault | None:
        """The fault this request must suffer, or None; counts the request against the head of the queue."""
        with self._lock:
            if not self._queue:
                return None
            head = self._queue[0]
            if head.after > 0:
                self._queue[0] = replace(head, after=head.after - 1)
                return None
            if head.count == 1:
                self._queue.popleft()
            else:
                self._queue[0] = replace(head, count=head.count - 1)
            return head

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._queue]
