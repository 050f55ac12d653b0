"""A throwaway PostgreSQL cluster for a benchmark run, and fresh databases on it.

The cluster keeps PostgreSQL's durability defaults (fsync on: a benchmark with fsync off flatters every load)
with memory settings a warehouse server would have rather than the tiny initdb defaults (the cluster itself is
`standins.postgres`). `LEARNSCAPE_BENCH_POSTGRES_URL` names an existing server to use instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from standins.postgres import postgres_bindir
from standins.postgres import throwaway_cluster as local_cluster

URL_ENV = "LEARNSCAPE_BENCH_POSTGRES_URL"
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries were found and no server URL was given."""


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield an admin URL (database `postgres`) on a new cluster with `SERVER_SETTINGS`, stopped and deleted
    afterwards; or the server `LEARNSCAPE_BENCH_POSTGRES_URL` names."""
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    bindir = postgres_bindir()
    if bindir is None:
        raise PostgresUnavailable(f"no /usr/lib/postgresql/*/bin/pg_ctl found; install PostgreSQL or set {URL_ENV}")
    with local_cluster(bindir, SERVER_SETTINGS, prefix="learnscape-bench-pg-") as url:
        yield url


def create_database(admin_url: str, name: str) -> str:
    """Create (or recreate) database `name` on the server; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def terminate_backends(admin_url: str, database: str) -> int:
    """End the server processes still working for `database`: a stage stopped by the benchmark leaves its
    statement running on the server (nothing tells PostgreSQL the client has gone), eating the CPU the next
    stage is timed on."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :database AND pid <> pg_backend_pid()"
                ),
                {"database": database},
            ).fetchall()
    finally:
        admin.dispose()
    return len(ended)


def database_bytes(url: str) -> int:
    """The database's size on disk."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        engine.dispose()
