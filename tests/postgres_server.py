"""A real PostgreSQL server for the tests: the one CI started, or a throwaway cluster started here.

CI exports LEARNSCAPE_TEST_POSTGRES_URL (see .ci/run). On a developer machine with PostgreSQL installed but no URL
set, a temporary cluster is started on a free loopback port for the session. Each test gets a fresh database.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from standins.postgres import postgres_bindir, throwaway_cluster

URL_ENV = "LEARNSCAPE_TEST_POSTGRES_URL"


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield an admin URL (database `postgres` or the given one), or None when no server can be had."""
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    bindir = postgres_bindir()
    if bindir is None:
        yield None
        return
    # fsync off: a test's database is thrown away, and durability would only slow the suite.
    with throwaway_cluster(bindir, {"fsync": "off"}, prefix="learnscape-test-pg-", stop_mode="immediate") as url:
        yield url


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server for one test, dropped afterwards."""
    name = f"ls_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
