"""The Totara stand-in as a real HTTP server: the site's two endpoints, fault injection and a control API.

Endpoints: `POST /totara/oauth2/token.php`, `POST /api/graphql.php` (any other method: HTTP 400), and for
tests and demos `GET /__standin__/counters`, `GET|POST /__standin__/faults`. Faults apply to the GraphQL
endpoint only.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from standins.totara.faults import FaultBox, Faults
from standins.totara.limits import Clock, ComplexityLimits
from standins.totara.seed import TotaraSeed, load_seed
from standins.totara.site import POST_ONLY_BODY, TOO_MANY_REQUESTS_BODY, Reply, StandinCounters, TotaraSite

log = logging.getLogger(__name__)

TOKEN_PATH = "/totara/oauth2/token.php"
GRAPHQL_PATH = "/api/graphql.php"
CONTROL_PREFIX = "/__standin__/"
DEFAULT_CLIENT_ID = "learnscape"
DEFAULT_CLIENT_SECRET = "learnscape-local-secret"

HTML_ERROR_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Error</title></head><body>\n"
    '<div class="errorbox"><p class="errormessage">Error reading from database</p>\n'
    '<p class="errorcode"><a href="https://help.totaralearning.com/">'
    "More information about this error</a></p>"
    "</div></body></html>\n"
)
TRUNCATED_JSON = '{"data":{"core_user_users":{"items":[{"id":"3","idnumber":"2000'


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: TotaraStandin

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("Totara stand-in: connection from %s ended abruptly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    server_version = "Apache"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("Totara stand-in: " + format, *args)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("Totara stand-in: client went away before the answer was sent")

    def _send_json(self, reply: Reply) -> None:
        self._send(reply.status, json.dumps(reply.body).encode(), "application/json; charset=utf-8")

    def _reset_connection(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_POST(self) -> None:
        standin = self.server.standin
        body = self._body()
        if self.path.startswith(CONTROL_PREFIX):
            self._control(body)
            return
        standin.count("requests_served")
        if self.path == TOKEN_PATH:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            self._send_json(standin.site.token(form, _basic_auth(self.headers.get("Authorization"))))
        elif self.path == GRAPHQL_PATH:
            self._graphql(body)
        else:
            self._send(404, b"Not found", "text/plain")

    def _graphql(self, body: bytes) -> None:
        standin = self.server.standin
        faults = standin.fault_box
        if faults.take("slow_responses"):
            standin.count("injected_slow_responses")
            standin.stopping.wait(faults.current.delay_seconds)
        if faults.take("connection_resets"):
            standin.count("injected_connection_resets")
            self._reset_connection()
        elif faults.take("server_errors"):
            standin.count("injected_server_errors")
            self._send(500, b"Internal Server Error", "text/plain")
        elif faults.take("html_pages"):
            standin.count("injected_html_pages")
            self._send(200, HTML_ERROR_PAGE.encode(), "text/html; charset=utf-8")
        elif faults.take("malformed_json"):
            standin.count("injected_malformed_json")
            self._send(200, TRUNCATED_JSON.encode(), "application/json; charset=utf-8")
        elif faults.take("rate_limits"):
            standin.count("injected_rate_limits")
            self._send_json(Reply(429, TOO_MANY_REQUESTS_BODY))
        else:
            pending = faults.take_token_expiry()
            if pending is not None:
                standin.site.expire_tokens_after(pending)
            self._send_json(standin.site.graphql(self.headers.get("Authorization"), body))

    def _control(self, body: bytes) -> None:
        standin = self.server.standin
        if self.path != CONTROL_PREFIX + "faults":
            self._send(404, b"Not found", "text/plain")
            return
        try:
            changes = json.loads(body or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("send a JSON object of fault settings")
            faults = standin.set_faults(**changes)
        except ValueError as exc:
            self._send_json(Reply(400, {"error": str(exc)}))
            return
        self._send_json(Reply(200, faults.as_json()))

    def _not_post(self) -> None:
        standin = self.server.standin
        self._body()
        if self.path == CONTROL_PREFIX + "counters" and self.command == "GET":
            self._send_json(Reply(200, asdict(standin.counters())))
        elif self.path == CONTROL_PREFIX + "faults" and self.command == "GET":
            self._send_json(Reply(200, standin.faults.as_json()))
        elif self.path in (GRAPHQL_PATH, TOKEN_PATH):
            standin.count("requests_served")
            self._send_json(Reply(400, POST_ONLY_BODY))
        else:
            self._send(404, b"Not found", "text/plain")

    do_GET = do_PUT = do_DELETE = do_PATCH = _not_post


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


class TotaraStandin:
    """A local Totara site: seed records behind the real protocol, with switches to make it misbehave.

    Build it from a `TotaraSeed` (or lists), `start()` it on a loopback port, point a client at `base_url`,
    and read `counters()` afterwards. `clock` drives token expiry and the rate-limit window.
    """

    def __init__(
        self,
        seed: TotaraSeed | None = None,
        *,
        users: Sequence[Mapping[str, Any]] = (),
        job_assignments: Sequence[Mapping[str, Any]] = (),
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_lifetime: int = 3600,
        limits: ComplexityLimits | None = None,
        clock: Clock = time.monotonic,
        old_site: bool = False,
        faults: Faults | None = None,
    ) -> None:
        seed = seed or TotaraSeed(tuple(users), tuple(job_assignments))
        self.site = TotaraSite(
            seed,
            clients={client_id: client_secret},
            token_lifetime=token_lifetime,
            limits=limits,
            clock=clock,
            old_site=old_site,
        )
        self.fault_box = FaultBox(faults)
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_folder(cls, folder: Path | str, **options: Any) -> TotaraStandin:
        """A stand-in seeded from `users.jsonl` and `job_assignments.jsonl` in `folder`."""
        return cls(load_seed(folder), **options)

    @property
    def faults(self) -> Faults:
        return self.fault_box.current

    def set_faults(self, **changes: Any) -> Faults:
        """Change faults while running, e.g. `set_faults(server_errors=2)`; returns the new settings."""
        return self.fault_box.update(changes)

    @property
    def old_site(self) -> bool:
        return self.site.old_site

    @old_site.setter
    def old_site(self, value: bool) -> None:
        self.site.old_site = value

    def counters(self) -> StandinCounters:
        return self.site.counters.snapshot()

    def count(self, name: str) -> None:
        self.site.counters.add(name)

    def mark_user_deleted(self, user_id: str) -> None:
        """Delete a user as Totara does: the record stays, but queries no longer return it."""
        self.site.store.mark_user_deleted(user_id)

    def expire_tokens(self) -> None:
        self.site.expire_tokens()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Totara stand-in is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the site's base URL (port 0 picks a free port)."""
        if self._server is not None:
            return self.base_url
        self.stopping.clear()
        self._server = _Server((host, port), _Handler)
        self._server.standin = self
        # A short poll interval lets stop() return at once instead of after serve_forever's default half second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="totara-standin", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port; slow responses still waiting are cut short."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


@contextmanager
def run_totara_standin(
    seed: TotaraSeed | None = None,
    *,
    data_dir: Path | str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> Iterator[tuple[str, TotaraStandin]]:
    """Run a stand-in for the duration of a `with` block; yields `(base_url, standin)`.

    Seed it with `seed`, with `users=`/`job_assignments=` lists, or from the folder `data_dir`; other keyword
    arguments are `TotaraStandin` options (client credentials, token lifetime, limits, clock, faults,
    old_site).
    """
    standin = TotaraStandin.from_folder(data_dir, **options) if data_dir is not None else TotaraStandin(seed, **options)
    base_url = standin.start(host, port)
    try:
        yield base_url, standin
    finally:
        standin.stop()
