"""The published tables' contract: what BI tools may rely on in `marts`, kept as data and checked against the code.

`schemas/contracts/marts.yaml` lists every published table with its grain and keys, and every column with its type,
nullability, meaning and an example. The checks here compare it with the SQLAlchemy models, with a migrated
database, and with `docs/CHANGELOG-contracts.md`, whose entry for each version names the migration that made it
and the contract's shape fingerprint, so the shape cannot change without a version bump and a changelog entry.

`python -m warehouse.contracts` prints the contract's version and shape fingerprint for a new changelog entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.types import TypeEngine

import schemas
from warehouse.engine import is_sqlite
from warehouse.models import metadata

CONTRACT_PATH = schemas.path("contracts", "marts.yaml")
CHANGELOG_PATH = Path(__file__).resolve().parents[1] / "docs" / "CHANGELOG-contracts.md"
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
TYPE_NAMES = re.compile(r"^(date|datetime|datetime_tz|integer|smallint|bigint|float|boolean|text|string\(\d+\))$")
CHANGELOG_HEADING = re.compile(r"^## (\S+) \((\d{4}-\d{2}-\d{2})\)\s*$")
CHANGELOG_MIGRATION = re.compile(r"^- Migration: `([\w-]+)`\s*$")
CHANGELOG_SHAPE = re.compile(r"^- Shape: `([0-9a-f]{16})`\s*$")


class ContractError(ValueError):
    """The contract file is malformed; the message names the file, table, column and field."""


@dataclass(frozen=True)
class ColumnContract:
    """One published column: its contract type (see TYPE_NAMES), whether it may be NULL, meaning and example."""

    name: str
    type: str
    nullable: bool
    meaning: str
    example: str


@dataclass(frozen=True)
class TableContract:
    """One published table: what a row is (grain), the columns that identify a row (keys), and its columns."""

    name: str
    grain: str
    keys: tuple[str, ...]
    columns: tuple[ColumnContract, ...]

    def column(self, name: str) -> ColumnContract:
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class Contract:
    version: str
    schema: str
    tables: tuple[TableContract, ...]

    def table(self, name: str) -> TableContract:
        return next(table for table in self.tables if table.name == name)


@dataclass(frozen=True)
class ChangelogEntry:
    """One version in the contract changelog: when, by which migration, and the shape it published."""

    version: str
    released_on: date
    migration: str | None
    shape: str | None
    line: int


def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Read and validate the contract file; every problem names the file, table, column and field."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ContractError(f"{path}: expected a mapping with version, schema and tables")
    version = str(_required(document, "version", path))
    if not VERSION.match(version):
        raise ContractError(f"{path}: version {version!r} is not MAJOR.MINOR.PATCH")
    tables = _required(document, "tables", path)
    if not isinstance(tables, dict) or not tables:
        raise ContractError(f"{path}: tables must map each table name to its contract")
    return Contract(
        version=version,
        schema=str(_required(document, "schema", path)),
        tables=tuple(_table(name, body, path) for name, body in tables.items()),
    )


def _required(mapping: dict, field: str, where: Path | str):
    value = mapping.get(field) if isinstance(mapping, dict) else None
    if value is None or value == "" or value == []:
        raise ContractError(f"{where}: field {field!r} is missing or empty")
    return value


def _table(name: str, body: dict, path: Path) -> TableContract:
    where = f"{path}, table {name}"
    columns = tuple(_column(entry, where) for entry in _required(body, "columns", where))
    names = [column.name for column in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ContractError(f"{where}: columns listed twice: {', '.join(repeated)}")
    keys = tuple(str(key) for key in _required(body, "keys", where))
    for key in keys:
        if key not in names:
            raise ContractError(f"{where}: key {key!r} is not one of the table's columns")
        if next(c for c in columns if c.name == key).nullable:
            raise ContractError(f"{where}: key column {key!r} is nullable; a key column must be NOT NULL")
    return TableContract(name=name, grain=str(_required(body, "grain", where)), keys=keys, columns=columns)


def _column(entry: dict, where: str) -> ColumnContract:
    name = str(_required(entry, "name", where))
    where = f"{where}, column {name}"
    kind = str(_required(entry, "type", where))
    if not TYPE_NAMES.match(kind):
        raise ContractError(
            f"{where}: type {kind!r} is not one of date, datetime, datetime_tz, integer, "
            "smallint, bigint, float, boolean, text, string(N)"
        )
    nullable = entry.get("nullable")
    if not isinstance(nullable, bool):
        raise ContractError(f"{where}: field 'nullable' must be true or false, not {nullable!r}")
    return ColumnContract(
        name=name,
        type=kind,
        nullable=nullable,
        meaning=str(_required(entry, "meaning", where)),
        example=str(_required(entry, "example", where)),
    )


def type_name(kind: TypeEngine) -> str:
    """The contract's name for a SQLAlchemy type, whether declared in a model or reflected from a database."""
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, DateTime):
        return "datetime_tz" if kind.timezone else "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, BigInteger):
        return "bigint"
    if isinstance(kind, SmallInteger):
        return "smallint"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, Float):
        return "float"
    if isinstance(kind, Numeric):
        return f"numeric({kind.precision},{kind.scale})"
    if isinstance(kind, Text):
        return "text"
    if isinstance(kind, String):
        return f"string({kind.length})" if kind.length else "text"
    return f"unsupported {kind!r}"


@dataclass(frozen=True)
class _ObservedColumn:
    name: str
    type: str
    nullable: bool


def _compare(
    contract: TableContract, observed: Sequence[_ObservedColumn], unique_keys: Iterable[tuple[str, ...]], what: str
) -> list[str]:
    """Differences between one table's contract and what a model or a database has, one sentence each."""
    problems = []
    promised = {column.name: column for column in contract.columns}
    present = {column.name: column for column in observed}
    for name in promised.keys() - present.keys():
        problems.append(f"{contract.name}.{name} is in the contract but not in the {what}")
    for name in present.keys() - promised.keys():
        problems.append(
            f"{contract.name}.{name} is in the {what} but not in the contract: add it to {CONTRACT_PATH.name} "
            "and bump the minor version"
        )
    for name in sorted(promised.keys() & present.keys()):
        want, have = promised[name], present[name]
        if want.type != have.type:
            problems.append(f"{contract.name}.{name} is {have.type} in the {what} but {want.type} in the contract")
        if want.nullable != have.nullable:
            problems.append(
                f"{contract.name}.{name} is {'NULL' if have.nullable else 'NOT NULL'} in the {what} but "
                f"{'NULL' if want.nullable else 'NOT NULL'} in the contract"
            )
    declared = [tuple(key) for key in unique_keys]
    if declared and tuple(sorted(contract.keys)) not in {tuple(sorted(key)) for key in declared}:
        problems.append(
            f"{contract.name}: the contract's keys ({', '.join(contract.keys)}) are not a primary key or unique "
            f"constraint of the {what} (it has {'; '.join(', '.join(key) for key in declared)})"
        )
    return sorted(problems)


def _model_keys(table: Table) -> list[tuple[str, ...]]:
    return [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint) and len(constraint.columns) > 0
    ]


def model_differences(contract: Contract, models: MetaData = metadata) -> list[str]:
    """Every way the SQLAlchemy models of schema `contract.schema` differ from the contract; empty = they agree."""
    tables = {table.name: table for table in models.tables.values() if table.schema == contract.schema}
    problems = [
        f"{name} is a {contract.schema} table in the models but not in the contract: add it with its grain, keys "
        "and columns and bump the minor version"
        for name in sorted(tables.keys() - {t.name for t in contract.tables})
    ]
    for table_contract in contract.tables:
        table = tables.get(table_contract.name)
        if table is None:
            problems.append(f"{table_contract.name} is in the contract but not a {contract.schema} table in the models")
            continue
        observed = [_ObservedColumn(c.name, type_name(c.type), bool(c.nullable)) for c in table.columns]
        problems += _compare(table_contract, observed, _model_keys(table), "model")
    return problems


def reflected_differences(contract: Contract, engine: Engine) -> list[str]:
    """Every way a migrated warehouse's published tables differ from the contract; empty = they agree.

    SQLite has no schemas and no time zones in its types, so there the tables are looked for by name and a
    datetime_tz column reads back as datetime.
    """
    sqlite = is_sqlite(engine)
    schema = None if sqlite else contract.schema
    inspector = inspect(engine)
    existing = set(inspector.get_table_names(schema=schema))
    problems = []
    if not sqlite:
        problems += [
            f"{name} is a {contract.schema} table in the database but not in the contract"
            for name in sorted(existing - {t.name for t in contract.tables})
        ]
    for table_contract in contract.tables:
        if table_contract.name not in existing:
            problems.append(f"{table_contract.name} is in the contract but not in the database")
            continue
        observed = []
        for column in inspector.get_columns(table_contract.name, schema=schema):
            kind = type_name(column["type"])
            observed.append(_ObservedColumn(column["name"], kind, bool(column["nullable"])))
        keys = [tuple(u["column_names"]) for u in inspector.get_unique_constraints(table_contract.name, schema=schema)]
        primary = inspector.get_pk_constraint(table_contract.name, schema=schema)["constrained_columns"]
        if primary:
            keys.append(tuple(primary))
        promised = table_contract
        if sqlite:
            promised = TableContract(
                promised.name,
                promised.grain,
                promised.keys,
                tuple(
                    ColumnContract(
                        c.name, "datetime" if c.type == "datetime_tz" else c.type, c.nullable, c.meaning, c.example
                    )
                    for c in promised.columns
                ),
            )
        problems += _compare(promised, observed, keys, "database")
    return problems


def shape_fingerprint(contract: Contract) -> str:
    """A hash of what the contract promises (tables, keys, column names, types, nullability), not of its wording."""
    shape = {
        table.name: {
            "keys": sorted(table.keys),
            "columns": sorted([column.name, column.type, column.nullable] for column in table.columns),
        }
        for table in contract.tables
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def read_changelog(path: Path = CHANGELOG_PATH) -> list[ChangelogEntry]:
    """The changelog's entries in file order (newest first)."""
    entries: list[ChangelogEntry] = []
    pending: dict | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = CHANGELOG_HEADING.match(line)
        if heading:
            if pending:
                entries.append(ChangelogEntry(**pending))
            try:
                released = date.fromisoformat(heading.group(2))
            except ValueError as error:
                raise ContractError(f"{path}, line {number}: {heading.group(2)!r} is not a date") from error
            pending = {
                "version": heading.group(1),
                "released_on": released,
                "migration": None,
                "shape": None,
                "line": number,
            }
        elif pending and (found := CHANGELOG_MIGRATION.match(line)):
            pending["migration"] = found.group(1)
        elif pending and (found := CHANGELOG_SHAPE.match(line)):
            pending["shape"] = found.group(1)
    if pending:
        entries.append(ChangelogEntry(**pending))
    return entries


def _version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = VERSION.match(version).groups()
    return int(major), int(minor), int(patch)


def changelog_problems(
    contract: Contract, entries: Sequence[ChangelogEntry], known_revisions: Iterable[str]
) -> list[str]:
    """Ways the changelog fails to account for the contract; empty = every version is recorded and current."""
    problems = []
    revisions = set(known_revisions)
    fingerprint = shape_fingerprint(contract)
    for entry in entries:
        where = f"{CHANGELOG_PATH.name}, line {entry.line}, version {entry.version}"
        if not VERSION.match(entry.version):
            problems.append(f"{where}: the version is not MAJOR.MINOR.PATCH")
        if entry.migration is None or entry.shape is None:
            problems.append(f"{where}: the entry needs a '- Migration: `<revision>`' and a '- Shape: `<hash>`' line")
        elif entry.migration not in revisions:
            problems.append(f"{where}: migration {entry.migration!r} is not a revision in warehouse/migrations")
    versions = [entry.version for entry in entries if VERSION.match(entry.version)]
    if len(set(versions)) != len(versions):
        problems.append(f"{CHANGELOG_PATH.name}: a version has more than one entry")
    if versions != sorted(versions, key=_version_key, reverse=True):
        problems.append(f"{CHANGELOG_PATH.name}: entries must be listed newest version first")
    current = next((entry for entry in entries if entry.version == contract.version), None)
    if current is None:
        problems.append(
            f"contract version {contract.version} has no entry in {CHANGELOG_PATH.name}: add "
            f"'## {contract.version} (YYYY-MM-DD)' with its migration and '- Shape: `{fingerprint}`'"
        )
    else:
        if versions and versions[0] != contract.version:
            problems.append(
                f"{CHANGELOG_PATH.name} records version {versions[0]}, newer than the contract's {contract.version}"
            )
        if current.shape is not None and current.shape != fingerprint:
            problems.append(
                f"the contract's shape changed since version {contract.version} was recorded (shape {current.shape}, "
                f"now {fingerprint}): bump the version (major when a column is renamed, dropped or retyped, minor "
                "when a table or column is added), and add a changelog entry naming the migration and the new shape"
            )
    return problems


def main() -> None:
    contract = load_contract()
    print(f"contract {CONTRACT_PATH.name} version {contract.version}, shape {shape_fingerprint(contract)}")


if __name__ == "__main__":
    main()
