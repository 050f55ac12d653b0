"""HTTP client for the student system's REST API: bearer auth, explicit timeouts, and bounded retries.

Two layers of retry, each where it fits:
- transport and status (connection resets, read timeouts, 429, 500/502/503/504) are retried inside urllib3
  by a `Retry` whose sleeps go through the injected `sleep`, so a 429's `Retry-After` is honoured (and
  testable);
- a body that is not the promised JSON envelope (malformed JSON, an HTML page with status 200, a page holding
  fewer records than its `meta` promises) is retried here, with the same budget and the same `sleep`.
Whatever still fails raises `StudentSystemError` naming the URL; the key only ever travels in a header.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from connectors.student_system.constants import COLLECTIONS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from connectors.student_system.errors import StudentSystemError
from connectors.student_system.timestamps import format_updated_since

Sleep = Callable[[float], None]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0


@dataclass(frozen=True)
class Page:
    """One page of one collection as the API returned it, with what it cost to get.

    `records` are the API's JSON objects unchanged (records.py types them); `retries` counts every extra
    attempt this page needed and `rate_limited` how many of those were 429 answers.
    """

    url: str
    records: tuple[Mapping[str, Any], ...]
    page: int
    page_size: int
    total: int
    next_url: str | None
    retries: int = 0
    rate_limited: int = 0


class _BadPayload(Exception):
    """A 200 answer whose body is not a usable page; worth asking again."""


class _SleepingRetry(Retry):
    """urllib3's `Retry`, sleeping through an injected function instead of `time.sleep`.

    Honours `Retry-After` (seconds or HTTP date) when the answer carries one, else urllib3's backoff.
    """

    def __init__(self, *args: Any, sleep: Sleep = time.sleep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sleep = sleep

    def new(self, **kwargs: Any) -> _SleepingRetry:
        kwargs.setdefault("sleep", self._sleep)
        return super().new(**kwargs)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        if self.respect_retry_after_header and response is not None:
            try:
                retry_after = self.get_retry_after(response)
            except InvalidHeader:
                retry_after = None
            if retry_after:
                self._sleep(retry_after)
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self._sleep(backoff)


class StudentSystemClient:
    """Reads pages of the student system's collections; one instance per pull, closed when done.

    `base_url` is the API root including its version, e.g. `https://sms.example.nhs.uk/api/v1`. `timeout` is
    (connect, read) seconds. `max_retries` bounds the retries of each page, for transport/status failures
    and for unusable bodies alike. `session` lets a caller share a `requests.Session`; the client mounts its
    retrying adapter on it for the API's origin only.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: tuple[float, float] = (5, 30),
        max_retries: int = 5,
        session: requests.Session | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"student system base_url must be an http(s) URL, got {base_url!r}")
        if not api_key or not api_key.strip():
            raise ValueError("student system api_key is empty; set the environment variable that holds it")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries}")
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        self.max_retries = max_retries
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._api_key = api_key.strip()
        self._sleep = sleep
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        retry = _SleepingRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=BACKOFF_FACTOR,
            backoff_max=BACKOFF_MAX,
            respect_retry_after_header=True,
            raise_on_status=False,
            sleep=sleep,
        )
        self._session.mount(self._origin + "/", HTTPAdapter(max_retries=retry))

    def __repr__(self) -> str:
        return f"StudentSystemClient({self.base_url!r}, page_size={self.page_size})"

    def __enter__(self) -> StudentSystemClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def collection_url(self, collection: str, *, updated_since: datetime | None = None, page: int = 1) -> str:
        """The URL of one page of a collection, changes strictly after `updated_since` (aware UTC) only."""
        if collection not in COLLECTIONS:
            raise ValueError(f"unknown collection {collection!r}; expected one of {', '.join(COLLECTIONS)}")
        query: dict[str, Any] = {"page": page, "page_size": self.page_size}
        if updated_since is not None:
            query["updated_since"] = format_updated_since(updated_since)
        return f"{self.base_url}/{collection}?{urlencode(query)}"

    def fetch_page(self, collection: str, *, updated_since: datetime | None = None, page: int = 1) -> Page:
        """One page of a collection."""
        return self.fetch_url(self.collection_url(collection, updated_since=updated_since, page=page))

    def fetch_url(self, url: str) -> Page:
        """The page at `url`, usually a page's `links.next`; refused unless it lies under `base_url`."""
        if not url.startswith(self.base_url + "/"):
            raise StudentSystemError(
                url,
                f"refusing to follow a link outside the configured API {self.base_url}; "
                "the API key is only ever sent to that address",
            )
        retries = 0
        rate_limited = 0
        bad_bodies = 0
        while True:
            response = self._get(url)
            history = _retry_history(response)
            retries += len(history)
            rate_limited += sum(1 for event in history if event.status == 429)
            if response.status_code != 200:
                raise _status_error(url, response, retries)
            try:
                page = _decode_page(url, response)
            except _BadPayload as problem:
                if bad_bodies == self.max_retries:
                    raise StudentSystemError(
                        url, f"{problem} (still so after {_retries(self.max_retries)})", status=200
                    ) from None
                self._sleep(min(BACKOFF_FACTOR * 2**bad_bodies, BACKOFF_MAX))
                bad_bodies += 1
                retries += 1
                continue
            return replace(page, retries=retries, rate_limited=rate_limited)

    def _get(self, url: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        try:
            return self._session.get(url, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.ConnectTimeout as error:
            raise StudentSystemError(
                url, f"could not connect within {self.timeout[0]} s, after {_retries(self.max_retries)}"
            ) from error
        except requests.RequestException as error:
            raise StudentSystemError(
                url, f"no usable answer after {_retries(self.max_retries)}: {_root_cause(error)}"
            ) from error


def _retries(count: int) -> str:
    return f"{count} {'retry' if count == 1 else 'retries'}"


def _retry_history(response: requests.Response) -> tuple[Any, ...]:
    retries = getattr(response.raw, "retries", None)
    return tuple(getattr(retries, "history", ()) or ())


def _root_cause(error: BaseException) -> str:
    """The innermost reason, e.g. `ReadTimeoutError(... read timeout=0.2)` rather than the wrapping noise."""
    cause: BaseException = error
    while True:
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        if isinstance(cause, MaxRetryError) and cause.reason is not None:
            inner = cause.reason
        if inner is None:
            break
        cause = inner
    return f"{type(cause).__name__}: {cause}"


def _status_error(url: str, response: requests.Response, retries: int) -> StudentSystemError:
    status = response.status_code
    code, message = _error_body(response)
    detail = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    if status == 401:
        advice = "the API key was refused; check the key configured for the student system"
    elif status == 403:
        advice = "the API key lacks permission for this collection"
    elif status == 429:
        wait = response.headers.get("Retry-After")
        advice = f"still rate limited after {_retries(retries)} (last Retry-After: {wait})"
    elif status >= 500:
        advice = f"the student system is failing; gave up after {_retries(retries)}"
    else:
        advice = "the request was refused"
    return StudentSystemError(url, f"{advice} ({detail})", status=status, code=code)


def _error_body(response: requests.Response) -> tuple[str | None, str]:
    """The API's `{"error": {"code", "message"}}`, or the start of whatever else came back."""
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        kind = response.headers.get("Content-Type", "unknown content type")
        return None, f"{kind} body starting {text[:120]!r}"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return (str(error["code"]) if error.get("code") else None), str(error.get("message", ""))
    return None, f"unexpected JSON {json.dumps(body)[:120]}"


def _decode_page(url: str, response: requests.Response) -> Page:
    """Check the envelope `{"data": [...], "meta": {...}, "links": {"next": ...}}` and its record count."""
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        start = " ".join(response.text.split())[:80]
        raise _BadPayload(f"expected JSON but got {content_type or 'no content type'} starting {start!r}")
    try:
        body = response.json()
    except ValueError as error:
        raise _BadPayload(f"response is not valid JSON ({error}); {len(response.content)} bytes received") from None
    if not isinstance(body, dict):
        raise _BadPayload(f"expected a JSON object, got {type(body).__name__}")
    data, meta, links = body.get("data"), body.get("meta"), body.get("links")
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise _BadPayload("response field 'data' is not a list of records")
    if not isinstance(meta, dict) or not all(isinstance(meta.get(n), int) for n in ("page", "page_size", "total")):
        raise _BadPayload(f"response field 'meta' lacks whole-number page, page_size and total: {meta!r}")
    if not isinstance(links, dict) or not isinstance(links.get("next"), str | None):
        raise _BadPayload(f"response field 'links' lacks 'next': {links!r}")
    page, page_size, total = meta["page"], meta["page_size"], meta["total"]
    requested = parse_qs(urlsplit(url).query).get("page", ["1"])[-1]
    if str(page) != requested:
        raise _BadPayload(f"asked for page {requested} but meta.page is {page}")
    expected = max(0, min(page_size, total - (page - 1) * page_size))
    if len(data) != expected:
        raise _BadPayload(
            f"partial page: {len(data)} records where meta "
            f"(page {page}, page_size {page_size}, total {total}) "
            f"promises {expected}"
        )
    return Page(
        url=url,
        records=tuple(data),
        page=page,
        page_size=page_size,
        total=total,
        next_url=links["next"],
    )
