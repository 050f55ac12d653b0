"""The stand-in Totara site's behaviour, free of HTTP: OAuth2 tokens, the GraphQL endpoint and its rate
limits.

Replies mirror Totara 17: failures on both endpoints come back as HTTP 200 with an error body (token:
`{"error": "invalid_client", ...}`; GraphQL: `{"errors": [...], "error": "..."}` with `debugMessage` under
`extensions`, or directly on the error for an "old site"), and only the rate limit answers HTTP 429.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from standins.totara.graphql import GraphQLError, parse_document, select_operation
from standins.totara.limits import Clock, ComplexityLimits, RateLedger
from standins.totara.schema import ComplexityExceeded, RecordStore, execute
from standins.totara.seed import TotaraSeed

INVALID_TOKEN_MESSAGE = (
    "Missing, expired or invalid access token. "
    "The access token provided is expired, revoked, malformed, or invalid for other reasons."
)
TOO_MANY_REQUESTS_BODY: Mapping[str, Any] = {
    "errors": [{"message": "Too many requests"}],
    "error": "Too many requests",
}
POST_ONLY_BODY: Mapping[str, Any] = {
    "errors": [{"message": "Invalid webapi request, only POST method is allowed"}],
    "error": "Invalid webapi request, only POST method is allowed",
}


@dataclass(frozen=True)
class Reply:
    """What an endpoint answers: the HTTP status and the JSON body."""

    status: int
    body: Mapping[str, Any]


@dataclass(frozen=True)
class StandinCounters:
    """What the stand-in has done since it started, so a test can assert on what really happened."""

    requests_served: int = 0
    token_requests: int = 0
    tokens_issued: int = 0
    token_refusals: int = 0
    graphql_requests: int = 0
    queries_answered: int = 0
    items_served: int = 0
    token_rejections: int = 0
    rate_limited: int = 0
    complexity_rejections: int = 0
    graphql_errors: int = 0
    injected_server_errors: int = 0
    injected_malformed_json: int = 0
    injected_html_pages: int = 0
    injected_rate_limits: int = 0
    injected_connection_resets: int = 0
    injected_slow_responses: int = 0
    tokens_expired_by_fault: int = 0


COUNTER_NAMES = frozenset(field.name for field in fields(StandinCounters))


class CounterBoard:
    """Thread-safe tallies behind `StandinCounters`."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str, amount: int = 1) -> None:
        if name not in COUNTER_NAMES:
            raise KeyError(name)
        with self._lock:
            self._counts[name] += amount

    def snapshot(self) -> StandinCounters:
        with self._lock:
            return StandinCounters(**self._counts)


@dataclass
class _Token:
    client_id: str
    expires_at: float


class TotaraSite:
    """One Totara site: its records, its registered API clients, the tokens it issued and the points spent."""

    def __init__(
        self,
        seed: TotaraSeed,
        *,
        clients: Mapping[str, str],
        token_lifetime: int = 3600,
        limits: ComplexityLimits | None = None,
        clock: Clock = time.monotonic,
        old_site: bool = False,
        counters: CounterBoard | None = None,
    ) -> None:
        self.store = RecordStore(seed.users, seed.job_assignments)
        self.limits = limits or ComplexityLimits()
        self.ledger = RateLedger(self.limits, clock)
        self.old_site = old_site
        self.token_lifetime = token_lifetime
        self.counters = counters or CounterBoard()
        self._clients = dict(clients)
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._expire_after_queries: int | None = None
        self._lock = threading.RLock()

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (as an expiry or a revoked client would)."""
        with self._lock:
            self._tokens.clear()

    def expire_tokens_after(self, queries: int | None) -> None:
        """After this many more answered queries, every token issued so far stops working (None: never)."""
        with self._lock:
            self._expire_after_queries = queries

    def token(self, form: Mapping[str, str], basic_auth: tuple[str, str] | None = None) -> Reply:
        """`POST /totara/oauth2/token.php`: a bearer token for a registered client, or an OAuth2 error."""
        self.counters.add("token_requests")
        if form.get("grant_type") != "client_credentials":
            self.counters.add("token_refusals")
            text = "The authorization grant type is not supported by the authorization server."
            return Reply(
                200,
                {
                    "error": "unsupported_grant_type",
                    "error_description": text,
                    "hint": "Check that all required parameters have been provided",
                    "message": text,
                },
            )
        client_id, client_secret = basic_auth or (form.get("client_id", ""), form.get("client_secret", ""))
        expected = self._clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            self.counters.add("token_refusals")
            return Reply(
                200,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed",
                    "message": "Client authentication failed",
                },
            )
        access_token = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[access_token] = _Token(client_id, self._clock() + self.token_lifetime)
        self.counters.add("tokens_issued")
        return Reply(200, {"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": access_token})

    def error_reply(self, message: str, *, category: str, debug_message: str | None = None) -> Reply:
        """A GraphQL error body, with `debugMessage` where this site's GraphQL library version puts it."""
        error: dict[str, Any] = {"message": message}
        details: dict[str, Any] = {"category": category}
        if debug_message:
            details["debugMessage"] = debug_message
        if self.old_site:
            error.update(details)
        else:
            error["extensions"] = details
        return Reply(200, {"errors": [error], "error": message})

    def _client_for(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = self._tokens.get(authorization.removeprefix("Bearer ").strip())
        if token is None or self._clock() >= token.expires_at:
            return None
        return token.client_id

    def graphql(self, authorization: str | None, body: bytes) -> Reply:
        """`POST /api/graphql.php`: check the token and the rate limit, run the query, charge its cost."""
        self.counters.add("graphql_requests")
        with self._lock:
            client_id = self._client_for(authorization)
            if client_id is None:
                self.counters.add("token_rejections")
                return self.error_reply(
                    "Internal server error", category="internal", debug_message=INVALID_TOKEN_MESSAGE
                )
            if not self.ledger.allows(client_id):
                self.counters.add("rate_limited")
                return Reply(429, TOO_MANY_REQUESTS_BODY)
            try:
                request = json.loads(body or b"null")
            except (json.JSONDecodeError, UnicodeDecodeError):
                request = None
            if not isinstance(request, dict) or not isinstance(request.get("query"), str):
                self.counters.add("graphql_errors")
                return self.error_reply("Invalid request, request cannot be empty", category="graphql")
            variables = request.get("variables") or {}
            try:
                if not isinstance(variables, dict):
                    raise GraphQLError("Variables must be a JSON object.")
                operation = select_operation(parse_document(request["query"]), request.get("operationName"))
                result = execute(
                    operation,
                    variables,
                    self.store,
                    max_complexity=self.limits.per_query,
                    max_depth=self.limits.max_depth,
                )
            except ComplexityExceeded as exc:
                self.ledger.charge(client_id, exc.spent)
                self.counters.add("complexity_rejections")
                return self.error_reply(exc.message, category=exc.category)
            except GraphQLError as exc:
                self.counters.add("graphql_errors")
                return self.error_reply(exc.message, category=exc.category)
            self.ledger.charge(client_id, result.cost)
            self.counters.add("queries_answered")
            self.counters.add("items_served", result.items_returned)
            if self._expire_after_queries is not None:
                self._expire_after_queries -= 1
                if self._expire_after_queries <= 0:
                    self._expire_after_queries = None
                    self._tokens.clear()
                    self.counters.add("tokens_expired_by_fault")
            return Reply(200, {"data": result.data})
