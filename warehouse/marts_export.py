"""A marts-only SQLite copy of the warehouse for a BI quick look, with no staging, core, quarantine or audit data.

SQLite cannot grant one user the marts and refuse them the rest, so BI users get a separate file instead of the
warehouse itself. The copy has the published tables under their own names (SQLite has no schemas), the same
columns, types, keys and indexes, and is written beside the target and renamed into place, so a tool that has the
previous copy open keeps reading a complete file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, Table, create_engine, select

from warehouse.engine import SQLITE_SCHEMA_MAP
from warehouse.models import metadata

PUBLISHED_SCHEMA = "marts"
ROWS_PER_BATCH = 20_000


class MartsExportError(ValueError):
    """The export was asked for something that is not a published table."""


@dataclass(frozen=True)
class MartsExport:
    """The file written and the rows copied per table."""

    path: Path
    rows: dict[str, int]


def published_tables() -> list[Table]:
    """Every table of the `marts` schema, in dependency order."""
    return [table for table in metadata.sorted_tables if table.schema == PUBLISHED_SCHEMA]


def export_marts_sqlite(engine: Engine, target_path: str | Path, tables: Sequence[str] | None = None) -> MartsExport:
    """Copy the marts (all, or the named ones) from the warehouse on `engine` into a new SQLite file.

    `tables=["compliance_summary"]` makes a copy with counts only and no row per person.
    """
    chosen = _choose(tables)
    target = Path(target_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    copy = create_engine(f"sqlite:///{partial}").execution_options(schema_translate_map=SQLITE_SCHEMA_MAP)
    rows: dict[str, int] = {}
    try:
        metadata.create_all(copy, tables=chosen)
        with engine.connect() as source, copy.begin() as destination:
            for table in chosen:
                rows[table.name] = _copy_table(source, destination, table)
        copy.dispose()
        os.replace(partial, target)
    finally:
        copy.dispose()
        partial.unlink(missing_ok=True)
    return MartsExport(path=target, rows=rows)


def _choose(names: Sequence[str] | None) -> list[Table]:
    available = published_tables()
    if names is None:
        return available
    by_name = {table.name: table for table in available}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise MartsExportError(
            f"Not published tables: {', '.join(unknown)}; the marts are {', '.join(sorted(by_name))}"
        )
    return [table for table in available if table.name in set(names)]


def _copy_table(source, destination, table: Table) -> int:
    """Stream the table's rows across in batches, converting each value as SQLAlchemy would store it in SQLite."""
    dialect = destination.dialect
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns]
    names = ", ".join(f'"{column.name}"' for column in table.columns)
    placeholders = ", ".join("?" for _ in table.columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})'
    cursor = destination.connection.driver_connection.cursor()
    copied = 0
    result = source.execution_options(yield_per=ROWS_PER_BATCH).execute(select(table))
    for batch in result.partitions():
        cursor.executemany(
            statement,
            [
                tuple(
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(processors, row, strict=True)
                )
                for row in batch
            ],
        )
        copied += len(batch)
    cursor.close()
    return copied
