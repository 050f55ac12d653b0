"""Misbehaviour the stand-in can be told to show on its GraphQL endpoint, the way real sites misbehave.

Counts are "the next N responses"; each injected fault uses one up. Faults are set when the stand-in is built
and can be changed while it runs (`TotaraStandin.set_faults`, or `POST /__standin__/faults` with a JSON object
of the fields below), so a demo can break the site on cue.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

ALWAYS = -1


@dataclass(frozen=True)
class Faults:
    """What to inject into the next GraphQL responses.

    `slow_responses` responses wait `delay_seconds` before answering (`ALWAYS` = every response);
    `server_errors` answer HTTP 500; `malformed_json` answer truncated JSON; `html_pages` answer an HTML error
    page with HTTP 200; `rate_limits` answer HTTP 429 without Retry-After; `connection_resets` drop the
    connection without a response; after `expire_token_after_queries` more answered queries every token issued
    so far stops working (the token expiring mid-pagination).
    """

    delay_seconds: float = 0.0
    slow_responses: int = 0
    server_errors: int = 0
    malformed_json: int = 0
    html_pages: int = 0
    rate_limits: int = 0
    connection_resets: int = 0
    expire_token_after_queries: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


FAULT_NAMES = tuple(field.name for field in fields(Faults))


def faults_from_json(current: Faults, changes: dict[str, Any]) -> Faults:
    """`current` with the given fields replaced, refusing unknown names and wrongly typed values."""
    unknown = sorted(set(changes) - set(FAULT_NAMES))
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(FAULT_NAMES)}")
    for name, value in changes.items():
        if name == "expire_token_after_queries" and value is None:
            continue
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or (name != "delay_seconds" and not isinstance(value, int)):
            raise ValueError(f"fault {name} must be a number, not {value!r}")
        if value < ALWAYS or (name in ("delay_seconds", "expire_token_after_queries") and value < 0):
            raise ValueError(f"fault {name} cannot be {value!r}")
    return replace(current, **changes)


class FaultBox:
    """The live fault settings, used up one response at a time from the server's threads."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._faults = faults or Faults()
        self._lock = threading.Lock()

    @property
    def current(self) -> Faults:
        with self._lock:
            return self._faults

    def update(self, changes: dict[str, Any]) -> Faults:
        with self._lock:
            self._faults = faults_from_json(self._faults, changes)
            return self._faults

    def take(self, name: str) -> bool:
        """True when the next response should show this fault; uses one up unless it is set to ALWAYS."""
        with self._lock:
            remaining = getattr(self._faults, name)
            if remaining == 0:
                return False
            if remaining != ALWAYS:
                self._faults = replace(self._faults, **{name: remaining - 1})
            return True

    def take_token_expiry(self) -> int | None:
        """The pending "expire tokens after K queries" setting, handed over once to the site."""
        with self._lock:
            pending = self._faults.expire_token_after_queries
            if pending is not None:
                self._faults = replace(self._faults, expire_token_after_queries=None)
            return pending
