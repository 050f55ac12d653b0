"""The stand-in's HTTP side: the documented `/api/v1` collections, bearer auth, paging and fault injection.

Paths: `GET /api/v1/<collection>?updated_since=&page=&page_size=` (the API) and `GET|POST|DELETE
/__standin__/faults` (the test hook, unauthenticated and only ever bound to loopback).
"""

from __future__ import annotations

import hmac
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from standins.student_system.faults import Fault, FaultPlan
from standins.student_system.store import (
    COLLECTION_KEYS,
    Clock,
    RecordKey,
    StudentRecordStore,
    parse_timestamp,
    utc_now,
)

API_PREFIX = "/api/v1"
FAULTS_PATH = "/__standin__/faults"
DEFAULT_API_KEY = "standin-student-key"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000


@dataclass(frozen=True)
class RequestLogEntry:
    """One API request the stand-in answered or cut off: what was asked and the status sent (0 = reset)."""

    method: str
    path: str
    query: Mapping[str, str]
    status: int
    fault: str | None


class StudentStandinController:
    """A test's handle on a running stand-in: its records, its fault queue and the requests it has seen."""

    def __init__(self, store: StudentRecordStore, faults: FaultPlan, api_key: str) -> None:
        self.store = store
        self.faults = faults
        self.api_key = api_key
        self.root_url = ""
        self._log: list[RequestLogEntry] = []
        self._log_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The API's base URL, e.g. `http://127.0.0.1:40123/api/v1`: what a client is configured with."""
        return self.root_url + API_PREFIX

    def put(self, collection: str, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.store.put(collection, record)

    def update(self, collection: str, key: str | RecordKey, **changes: Any) -> dict[str, Any]:
        return self.store.update(collection, key, **changes)

    def delete(self, collection: str, key: str | RecordKey) -> dict[str, Any]:
        return self.store.delete(collection, key)

    def inject(self, *faults: Fault) -> None:
        self.faults.add(*faults)

    @property
    def requests(self) -> list[RequestLogEntry]:
        with self._log_lock:
            return list(self._log)

    def _record(self, entry: RequestLogEntry) -> None:
        with self._log_lock:
            self._log.append(entry)


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    controller: StudentStandinController

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a read timeout) leaves a broken pipe behind: expected, so stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _StandinServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each answer waits on a delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """The controller keeps the request log; nothing goes to stderr."""

    @property
    def controller(self) -> StudentStandinController:
        return self.server.controller

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == FAULTS_PATH:
            self._send_json(200, {"pending": self.controller.faults.pending()})
            return
        self._serve_api(parts.path, parts.query)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != FAULTS_PATH:
            self._serve_api(parts.path, parts.query)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
            items = payload.get("faults", [payload]) if isinstance(payload, dict) else payload
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise ValueError('send a fault object, a list of them, or {"faults": [...]}')
            faults = [Fault.from_json(item) for item in items]
        except (ValueError, TypeError) as error:
            self._send_error(400, "invalid_fault", str(error))
            return
        self.controller.faults.add(*faults)
        self._send_json(200, {"queued": len(faults), "pending": self.controller.faults.pending()})

    def do_DELETE(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != FAULTS_PATH:
            self._serve_api(parts.path, parts.query)
            return
        self.controller.faults.clear()
        self._send_json(200, {"pending": []})

    def _serve_api(self, path: str, query_text: str) -> None:
        query = {name: values[-1] for name, values in parse_qs(query_text, keep_blank_values=True).items()}
        fault = self.controller.faults.take() if path.startswith(API_PREFIX + "/") else None
        self._unlogged: tuple[str, dict[str, str], Fault | None] | None = (path, query, fault)
        if fault is not None and self._suffer_before_answering(fault):
            return
        try:
            collection = self._collection(path)
            self._check_auth()
            if self.command != "GET":
                raise _ApiError(405, "method_not_allowed", f"{self.command} is not allowed on {path}; use GET")
            body = self._listing(collection, query, fault)
        except _ApiError as error:
            self._send_error(error.status, error.code, error.message)
            return
        if fault is not None and fault.kind == "malformed_json":
            encoded = json.dumps(body).encode("utf-8")
            self._send_bytes(200, "application/json", encoded[: max(1, len(encoded) // 2)])
            return
        self._send_json(200, body)

    def _log(self, status: int) -> None:
        """Log an API request just before answering it, so a client holding its answer finds it logged."""
        unlogged = getattr(self, "_unlogged", None)
        if unlogged is not None:
            path, query, fault = unlogged
            entry = RequestLogEntry(self.command, path, query, status, fault.kind if fault else None)
            self.controller._record(entry)
            self._unlogged = None

    def _suffer_before_answering(self, fault: Fault) -> bool:
        """Act out a fault that replaces the answer; True when the request has been dealt with."""
        if fault.kind == "rate_limit":
            self._send_error(
                429,
                "rate_limited",
                f"Too many requests; retry after {fault.retry_after} seconds",
                headers={"Retry-After": str(fault.retry_after)},
            )
            return True
        if fault.kind == "server_error":
            self._send_error(fault.http_status, "server_error", "The student system is temporarily unavailable")
            return True
        if fault.kind == "html_error":
            phrase = HTTPStatus(fault.http_status).phrase if fault.http_status != 200 else "Service notice"
            page = (
                f"<!DOCTYPE html><html><head><title>{fault.http_status} {phrase}</title></head>"
                f"<body><h1>{phrase}</h1><p>The proxy server received an invalid response.</p></body></html>"
            )
            self._send_bytes(fault.http_status, "text/html; charset=utf-8", page.encode("utf-8"))
            return True
        if fault.kind == "connection_reset":
            self._log(0)
            # SO_LINGER with a zero timeout makes close() send a TCP RST instead of an orderly FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return True
        if fault.kind == "slow":
            time.sleep(fault.delay)
        return False

    @staticmethod
    def _collection(path: str) -> str:
        if not path.startswith(API_PREFIX + "/"):
            raise _ApiError(404, "not_found", f"no resource at {path}; the API lives under {API_PREFIX}/")
        name = path[len(API_PREFIX) + 1 :].rstrip("/")
        if name not in COLLECTION_KEYS:
            raise _ApiError(404, "not_found", f"no collection {name!r}; expected one of {', '.join(COLLECTION_KEYS)}")
        return name

    def _check_auth(self) -> None:
        header = self.headers.get("Authorization")
        if not header:
            raise _ApiError(401, "unauthorized", "Missing Authorization header; send 'Authorization: Bearer <key>'")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode("utf-8"), self.controller.api_key.encode("utf-8")
        ):
            raise _ApiError(401, "unauthorized", "Invalid API key")

    def _listing(self, collection: str, query: Mapping[str, str], fault: Fault | None) -> dict[str, Any]:
        page = _positive_int(query, "page", 1, maximum=None)
        page_size = _positive_int(query, "page_size", DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        updated_since = None
        if query.get("updated_since"):
            try:
                updated_since = parse_timestamp(query["updated_since"])
            except ValueError as error:
                raise _ApiError(400, "invalid_parameter", f"updated_since: {error}") from error
        records = self.controller.store.query(collection, updated_since)
        start = (page - 1) * page_size
        data = records[start : start + page_size]
        if fault is not None and fault.kind == "partial_page":
            data = data[: max(0, len(data) - fault.drop)]
        next_url = None
        if start + page_size < len(records):
            next_query = {"page": page + 1, "page_size": page_size}
            if updated_since is not None:
                next_query["updated_since"] = query["updated_since"]
            next_url = f"{self.controller.base_url}/{collection}?{urlencode(next_query)}"
        return {
            "data": data,
            "meta": {"page": page, "page_size": page_size, "total": len(records)},
            "links": {"next": next_url},
        }

    def _send_error(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        extra = dict(headers or {})
        if status == 401:
            extra["WWW-Authenticate"] = 'Bearer realm="student-system"'
        self._send_json(status, {"error": {"code": code, "message": message}}, extra)

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send_bytes(status, "application/json", json.dumps(body).encode("utf-8"), headers)

    def _send_bytes(
        self, status: int, content_type: str, payload: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self._log(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _positive_int(query: Mapping[str, str], name: str, default: int, *, maximum: int | None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _ApiError(400, "invalid_parameter", f"{name} must be a whole number, got {raw!r}") from None
    if value < 1 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise _ApiError(400, "invalid_parameter", f"{name} must be at least 1{limit}, got {value}")
    return value


def start_student_standin(
    data_dir: Path | None = None,
    *,
    records: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    api_key: str = DEFAULT_API_KEY,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock = utc_now,
    faults: Sequence[Fault] = (),
) -> tuple[_StandinServer, StudentStandinController]:
    """Build the store and bind the server (not yet serving), seeded from `data_dir` and/or `records`."""
    store = StudentRecordStore.from_folder(data_dir, clock=clock) if data_dir else StudentRecordStore(clock=clock)
    for collection, rows in (records or {}).items():
        store.seed(collection, rows)
    controller = StudentStandinController(store, FaultPlan(tuple(faults)), api_key)
    server = _StandinServer((host, port), _Handler)
    server.controller = controller
    bound_host, bound_port = server.server_address[:2]
    controller.root_url = f"http://{bound_host}:{bound_port}"
    return server, controller


@contextmanager
def run_student_standin(
    data_dir: Path | None = None,
    *,
    records: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    api_key: str = DEFAULT_API_KEY,
    port: int = 0,
    clock: Clock = utc_now,
    faults: Sequence[Fault] = (),
) -> Iterator[tuple[str, StudentStandinController]]:
    """Serve the stand-in on 127.0.0.1 in a thread; yields (API base URL ending `/api/v1`, controller)."""
    server, controller = start_student_standin(
        data_dir, records=records, api_key=api_key, port=port, clock=clock, faults=faults
    )
    # A short poll interval lets shutdown() return promptly (the default half second adds up over a test run).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="student-standin", daemon=True
    )
    thread.start()
    try:
        yield controller.base_url, controller
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
