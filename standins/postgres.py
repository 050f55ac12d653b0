"""A throwaway PostgreSQL cluster on a free loopback port: the stand-in for the production warehouse server that
the tests and the benchmark start for themselves, each with the settings it needs.

It uses Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`). When run as root the server runs as
the `postgres` user, because PostgreSQL refuses to run as root.
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


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_cluster(bindir: Path, settings: dict[str, str], prefix: str, stop_mode: str = "fast") -> Iterator[str]:
    """Yield an admin URL (database `postgres`) on a new cluster with the given server settings; the cluster is
    stopped (`pg_ctl stop -m stop_mode`) and deleted afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"], **quiet)
    options = " ".join(
        [
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root}",
            *(f"-c {name}={value}" for name, value in settings.items()),
        ]
    )
    pg_ctl = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-l", str(root / "log"), "-w", "-o", options, "start"], **quiet)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*pg_ctl, "-m", stop_mode, "stop"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        shutil.rmtree(root, ignore_errors=True)
