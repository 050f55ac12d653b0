"""The Totara external API client: an OAuth2 client-credentials token and GraphQL POSTs, with Totara's quirks.

Totara answers most failures with HTTP 200 and an error body, so every body is read before it is trusted. The
token is cached until shortly before `expires_in` runs out and fetched again once when the site says it is
expired or invalid. Rate limiting is HTTP 429 with no Retry-After, so the client backs off exponentially with
jitter; server errors, timeouts, dropped connections and non-JSON answers (truncated JSON, an HTML error page)
are retried a bounded number of times. The client secret and tokens are never logged or put into error
messages.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from connectors.totara.errors import TotaraApiError, TotaraAuthError, TotaraUnavailableError

log = logging.getLogger(__name__)

TOKEN_PATH = "/totara/oauth2/token.php"
GRAPHQL_PATH = "/api/graphql.php"
EXPIRED_TOKEN_PHRASE = "expired or invalid access token"
TOKEN_RENEWAL_MARGIN_SECONDS = 60.0
TOKEN_RENEWAL_MARGIN_SHARE = 0.10


@dataclass
class ClientCounters:
    """Running tallies of what the client did; `PullStats` reports the difference over a pull."""

    requests: int = 0
    retries: int = 0
    token_requests: int = 0
    token_refreshes: int = 0
    rate_limited: int = 0

    def snapshot(self) -> ClientCounters:
        return replace(self)


@dataclass(frozen=True)
class _Transient:
    """A failed attempt worth trying again: why, and whether it was the rate limit or an unreachable site."""

    reason: str
    rate_limited: bool = False
    unreachable: bool = False
    status: int | None = None


def _connection_reason(exc: requests.exceptions.ConnectionError) -> tuple[str, bool]:
    """A readable cause of a connection failure, and whether the site could not be reached at all."""
    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    unreachable = isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)
    if isinstance(reason, urllib3.exceptions.ProtocolError) and len(reason.args) > 1:
        reason = reason.args[1]
    text = str(reason)
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text, unreachable


_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type.lower() or response.content[:512].lstrip()[:1] == b"<"


class TotaraClient:
    """One Totara site's external API, reached as one registered API client.

    `timeout` is (connect, read) seconds for every request; `max_retries` bounds how often one request is
    tried again after a transient failure; `sleep`, `rng` and `clock` are injectable so tests need not wait.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        max_retries: int = 5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff_base: float = 0.5,
        rate_limit_backoff_base: float = 5.0,
        backoff_cap: float = 60.0,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {max_retries}")
        self.base_url = base_url.rstrip("/")
        self.token_url = self.base_url + TOKEN_PATH
        self.graphql_url = self.base_url + GRAPHQL_PATH
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.max_retries = max_retries
        self._owns_session = session is None
        self._session = session or self._new_session()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._backoff_base = backoff_base
        self._rate_limit_backoff_base = rate_limit_backoff_base
        self._backoff_cap = backoff_cap
        self._token: str | None = None
        self._token_renew_at = 0.0
        self._tokens_obtained = 0
        self.counters = ClientCounters()

    def __repr__(self) -> str:
        return f"TotaraClient(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def __enter__(self) -> TotaraClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        # Retries are this client's job (it counts them and knows Totara's 429 has no Retry-After).
        adapter = HTTPAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update({"Accept": "application/json", "User-Agent": "learnscape-totara-connector"})
        return session

    def execute(self, operation: str, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one GraphQL document and return its `data`; `operation` names it in logs and errors."""
        payload = {"query": document, "variables": dict(variables or {})}
        refreshed = False
        while True:
            token = self._access_token()
            status, body = self._send(
                self.graphql_url, operation, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
            errors = body.get("errors")
            if errors:
                detail, debug_message = _error_details(body)
                if EXPIRED_TOKEN_PHRASE in detail.lower():
                    if refreshed:
                        raise TotaraAuthError(
                            self.graphql_url, f"a newly issued access token was rejected too: {detail}"
                        )
                    log.info(
                        "Totara %s at %s: access token expired or invalid; fetching a new one",
                        operation,
                        self.graphql_url,
                    )
                    self._token = None
                    refreshed = True
                    continue
                raise TotaraApiError(self.graphql_url, operation, detail, debug_message=debug_message, status=status)
            if status >= 400:
                raise TotaraApiError(self.graphql_url, operation, f"HTTP {status} {body}", status=status)
            data = body.get("data")
            if not isinstance(data, dict):
                raise TotaraApiError(self.graphql_url, operation, f"the response carried no data: {body}")
            return data

    def _access_token(self) -> str:
        if self._token is not None and self._clock() < self._token_renew_at:
            return self._token
        return self._fetch_token()

    def _fetch_token(self) -> str:
        self.counters.token_requests += 1
        if self._tokens_obtained:
            self.counters.token_refreshes += 1
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        requested_at = self._clock()
        status, body = self._send(self.token_url, "token request", data=form)
        if body.get("error"):
            description = body.get("error_description") or body.get("message") or str(body["error"])
            raise TotaraAuthError(self.token_url, str(description), error=str(body["error"]))
        token = body.get("access_token")
        if status >= 400 or not isinstance(token, str) or not token:
            raise TotaraAuthError(self.token_url, f"HTTP {status} without an access_token")
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError) as exc:
            raise TotaraAuthError(self.token_url, f"expires_in {body.get('expires_in')!r} is not a number") from exc
        margin = min(TOKEN_RENEWAL_MARGIN_SECONDS, lifetime * TOKEN_RENEWAL_MARGIN_SHARE)
        self._token = token
        self._token_renew_at = requested_at + lifetime - margin
        self._tokens_obtained += 1
        return token

    def _send(self, url: str, operation: str, **request: Any) -> tuple[int, dict[str, Any]]:
        """POST until a JSON object comes back or the retry budget is spent; returns (status, body)."""
        failures = 0
        while True:
            outcome = self._attempt(url, operation, **request)
            if not isinstance(outcome, _Transient):
                return outcome
            if outcome.rate_limited:
                self.counters.rate_limited += 1
            if failures >= self.max_retries:
                attempts = f"gave up after {failures + 1} attempt{'s' if failures else ''}"
                if outcome.unreachable:
                    raise TotaraUnavailableError(url, f"{outcome.reason}; {attempts}")
                raise TotaraApiError(url, operation, f"{outcome.reason}; {attempts}", status=outcome.status)
            delay = self._backoff(failures, outcome.rate_limited)
            failures += 1
            self.counters.retries += 1
            log.warning(
                "Totara %s at %s: %s; retry %d of %d in %.1f s",
                operation,
                url,
                outcome.reason,
                failures,
                self.max_retries,
                delay,
            )
            self._sleep(delay)

    def _backoff(self, failures: int, rate_limited: bool) -> float:
        """Exponential back-off with jitter: half the step is fixed, half random, never above the cap."""
        base = self._rate_limit_backoff_base if rate_limited else self._backoff_base
        step = min(self._backoff_cap, base * 2**failures)
        return step / 2 + self._rng.uniform(0, step / 2)

    def _attempt(self, url: str, operation: str, **request: Any) -> tuple[int, dict[str, Any]] | _Transient:
        self.counters.requests += 1
        connect_timeout, read_timeout = self.timeout
        try:
            response = self._session.post(url, timeout=self.timeout, **request)
        except requests.exceptions.ConnectTimeout:
            return _Transient(f"no connection within the {connect_timeout} s connect timeout", unreachable=True)
        except requests.exceptions.ReadTimeout:
            return _Transient(f"no answer within the {read_timeout} s read timeout")
        except requests.exceptions.ConnectionError as exc:
            reason, unreachable = _connection_reason(exc)
            if unreachable:
                return _Transient(f"could not connect ({reason})", unreachable=True)
            return _Transient(f"connection dropped without an answer ({reason})")
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            return _Transient(f"answer cut short ({exc})")

        status = response.status_code
        if status == 429:
            return _Transient("HTTP 429 Too many requests (complexity rate limit)", rate_limited=True, status=429)
        if status >= 500:
            return _Transient(f"HTTP {status} {response.reason}", status=status)
        if _looks_like_html(response):
            title = _TITLE.search(response.text)
            what = f"an HTML page ({title.group(1).strip()!r})" if title else "an HTML page"
            if status >= 400:
                raise TotaraApiError(url, operation, f"HTTP {status} with {what}; check the base URL", status=status)
            return _Transient(f"HTTP {status} with {what} instead of JSON", status=status)
        try:
            body = response.json()
        except (json.JSONDecodeError, ValueError) as exc:
            if status >= 400:
                raise TotaraApiError(url, operation, f"HTTP {status}: {response.text[:200]!r}", status=status) from exc
            return _Transient(f"HTTP {status} with malformed JSON ({exc})", status=status)
        if not isinstance(body, dict):
            return _Transient(f"HTTP {status} with JSON that is not an object", status=status)
        return status, body


def _error_details(body: Mapping[str, Any]) -> tuple[str, str | None]:
    """All error messages of a GraphQL body as one line, and the debug messages (from either placement)."""
    parts: list[str] = []
    debug_messages: list[str] = []
    for error in body.get("errors") or []:
        if not isinstance(error, Mapping):
            parts.append(str(error))
            continue
        message = str(error.get("message") or "")
        extensions = error.get("extensions") if isinstance(error.get("extensions"), Mapping) else {}
        debug = extensions.get("debugMessage") or error.get("debugMessage")
        if debug:
            debug_messages.append(str(debug))
            parts.append(f"{message}: {debug}" if message else str(debug))
        else:
            parts.append(message)
    top_level = body.get("error")
    if isinstance(top_level, str) and top_level and not any(top_level in part for part in parts):
        parts.append(top_level)
    return "; ".join(parts) or "unspecified error", "; ".join(debug_messages) or None
