"""A throwaway PostgreSQL cluster for a benchmark run, and fresh databases on it.

The cluster keeps PostgreSQL's durability defaults (fsync on: a benchmark with fsync off flatters every load)
with memory settings a warehouse server would have rather than the tiny initdb defaults. When run as root the
server runs as the `postgres` user. `LEARNSCAPE_BENCH_POSTGRES_URL` names an existing server to use instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield an admin URL (database `postgres`) on a new cluster, stopped and deleted afterwards."""
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    bindir = postgres_bindir()
    if bindir is None:
        raise PostgresUnavailable(f"no /usr/lib/postgresql/*/bin/pg_ctl found; install PostgreSQL or set {URL_ENV}")
    root = Path(tempfile.mkdtemp(prefix="learnscape-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"], **quiet)
    settings = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items())
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} {settings}"
    pg_ctl = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-l", str(root / "log"), "-w", "-o", options, "start"], **quiet)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop = [*pg_ctl, "-m", "fast", "stop"]
        subprocess.run(stop, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


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
