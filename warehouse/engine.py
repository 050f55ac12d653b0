"""Opening the warehouse: one place decides how SQLite and PostgreSQL differ.

PostgreSQL keeps each layer in its own schema. SQLite has no schemas, so every engine opened on SQLite maps the
layer schemas away (`schema_translate_map`) and the tables keep their names in one file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event

from warehouse.models import SCHEMAS

SQLITE_SCHEMA_MAP = {name: None for name in SCHEMAS}


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """The URL as it may be shown or logged: any password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable warehouse URL)"


def open_warehouse(url: str, echo: bool = False) -> Engine:
    """An engine on the warehouse, with the layer schemas mapped for SQLite."""
    url = normalise_url(url)
    if is_sqlite(url):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine.execution_options(schema_translate_map=SQLITE_SCHEMA_MAP)
    return create_engine(url, echo=echo, pool_pre_ping=True)


#: Page cache per SQLite connection. SQLite's default (2 MiB) holds a sliver of a regional warehouse's indexes,
#: so every row a load or build inserts re-reads index pages from the file; 128 MiB made the Totara ingest and
#: the compliance build at 100,000 staff about 10% faster, and more than that gained nothing.
SQLITE_CACHE_MIB = 128


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets BI tools read while a load writes; a busy timeout makes writers wait rather than fail; a page
    cache large enough for the indexes a load or build keeps up to date.

    The driver's own transaction handling is switched off so that `_begin_immediate` decides how each
    transaction starts.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_MIB * 1024}")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection) -> None:
    """Start every transaction holding the write lock, so two writers (parallel tasks) queue on the busy
    timeout instead of one failing with "database is locked" when both try to upgrade a read lock.

    A connection opened by `snapshot_reader` only reads: it starts a plain transaction, which in WAL mode reads
    one consistent snapshot of the file while a writer holds the lock."""
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


#: The execution option that marks a connection as a snapshot reader (see `snapshot_reader`).
READ_ONLY_OPTION = "learnscape_snapshot_reader"


@contextmanager
def snapshot_reader(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only, that sees one consistent snapshot of the warehouse for as long as it is
    open, while another connection (in this process or another) holds the write lock.

    A build reads its inputs through one while its own transaction writes the marts, so the next part can be
    read while the current one is written; publishing reads the feed through one (`warehouse.feed_marts`). On
    PostgreSQL the transaction is REPEATABLE READ, READ ONLY: every part sees the warehouse as it was at the first
    read, even if a load commits meanwhile. On SQLite a write lock held by the build keeps other writers out, and
    WAL lets this connection read beside it.
    """
    if is_sqlite(engine):
        options = {READ_ONLY_OPTION: True}
    else:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect() as connection:
        connection = connection.execution_options(**options)
        with connection.begin():
            yield connection
