"""Who may read what: a read-only login role for BI tools that sees the published marts and nothing else.

On PostgreSQL `create_bi_role` makes (or brings back into line) a LOGIN role that can read every table in `marts`,
including tables added later, and holds no privilege on `staging`, `core`, `quarantine` or `audit`, where personal
data and load history live. The password is read from an environment variable and hashed on this machine
(SCRAM-SHA-256) before it is sent, so neither the statement nor a server log ever holds it in clear.

SQLite has no roles: whoever can read the file reads every layer. There the answer is file permissions plus a
separate marts-only copy for BI users (`warehouse.marts_export.export_marts_sqlite`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from warehouse.engine import is_sqlite

DEFAULT_BI_ROLE = "learnscape_bi"
DEFAULT_PASSWORD_ENV = "LEARNSCAPE_BI_PASSWORD"
PUBLISHED_SCHEMA = "marts"
#: Layers a BI role must never read: raw rows, personal data, refused rows and load history.
PRIVATE_SCHEMAS = ("staging", "core", "quarantine", "audit")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Role attributes that would let a BI login step outside the marts.
UNSAFE_ATTRIBUTES = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")

SQLITE_ADVICE = (
    "SQLite has no roles or grants: file permissions are the only access control, and anyone who can read the "
    "warehouse file can read every table in it, personal data in core and staging included. Keep the warehouse "
    "file readable by the pipeline's account only (for "
    "example `chmod 600` on the file and `chmod 700` on its folder) and give BI users a marts-only copy instead: "
    "warehouse.marts_export.export_marts_sqlite(engine, 'learnscape-marts.db') writes the published tables, "
    "under the same names, to a separate file that holds no staging, core, quarantine or audit data."
)


class BiAccessError(RuntimeError):
    """The BI role could not be set up; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class BiAccess:
    """What `create_bi_role` did: on PostgreSQL the role and the tables it can read; on SQLite, advice only."""

    backend: str
    role: str | None
    database: str | None
    readable_tables: tuple[str, ...]
    warnings: tuple[str, ...]
    message: str


def create_bi_role(engine: Engine, role: str = DEFAULT_BI_ROLE, password_env: str = DEFAULT_PASSWORD_ENV) -> BiAccess:
    """Create or update the read-only BI login role; safe to run again (it also resets the password from env)."""
    if is_sqlite(engine):
        return BiAccess("sqlite", None, None, (), (), SQLITE_ADVICE)
    if not ROLE_NAME.match(role):
        raise BiAccessError(
            f"BI role name {role!r} is not a plain PostgreSQL name: use lower-case letters, digits and underscores "
            "(at most 63), starting with a letter or underscore, so BI tools can name it without quotes"
        )
    password = os.environ.get(password_env, "")
    if not password:
        raise BiAccessError(
            f"The BI role's password is read from the environment variable {password_env}, which is not set: "
            f"set it (for example from the trust's secret store) and run again"
        )
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        if not isinstance(raw, psycopg.Connection):
            raise BiAccessError(
                f"Setting up the BI role needs the psycopg driver; the warehouse URL uses {engine.url.drivername}: "
                "write it as postgresql+psycopg://..."
            )
        try:
            return _grant_marts_only(raw, role, password)
        except psycopg.errors.InsufficientPrivilege as error:
            raise BiAccessError(
                f"The warehouse account {engine.url.username!r} may not set up the BI role {role!r} ({error}): run "
                "this as the account that owns the warehouse schemas and has CREATEROLE (or as a superuser)"
            ) from error


def _grant_marts_only(raw: psycopg.Connection, role: str, password: str) -> BiAccess:
    with raw.cursor() as cursor:
        database, current_user = cursor.execute("SELECT current_database(), current_user").fetchone()
        schemas = _schema_owners(cursor)
        if PUBLISHED_SCHEMA not in schemas:
            raise BiAccessError(
                f"Database {database!r} has no {PUBLISHED_SCHEMA!r} schema: run the warehouse migrations "
                "(learnscape run, or warehouse.migrate.upgrade) before creating the BI role"
            )
        verifier = raw.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
        name = sql.Identifier(role)
        if _role_exists(cursor, role):
            _refuse_unsafe_role(cursor, role)
            cursor.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(name, sql.Literal(verifier)))
        else:
            cursor.execute(
                sql.SQL(
                    "CREATE ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD {}"
                ).format(name, sql.Literal(verifier))
            )
        cursor.execute(
            sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
                name, sql.Identifier(database), sql.Identifier(PUBLISHED_SCHEMA)
            )
        )
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name))
        for statement in _marts_grants(role, _creators(cursor, current_user, schemas[PUBLISHED_SCHEMA])):
            cursor.execute(statement)
        for schema in PRIVATE_SCHEMAS:
            if schema in schemas:
                for statement in _private_revokes(role, schema, _creators(cursor, current_user, schemas[schema])):
                    cursor.execute(statement)
        if "public" in schemas:
            cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(name))
        readable = _readable_tables(cursor, role)
        warnings = _warnings(cursor, role, readable)
    return BiAccess(
        backend="postgresql",
        role=role,
        database=database,
        readable_tables=readable,
        warnings=warnings,
        message=(
            f"Role {role!r} can log in to {database!r} and read {len(readable)} tables in schema "
            f"{PUBLISHED_SCHEMA!r} (and future ones); it has no privileges on {', '.join(PRIVATE_SCHEMAS)}."
        ),
    )


def _schema_owners(cursor: psycopg.Cursor) -> dict[str, str]:
    rows = cursor.execute("SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace").fetchall()
    return dict(rows)


def _role_exists(cursor: psycopg.Cursor, role: str) -> bool:
    return cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def _refuse_unsafe_role(cursor: psycopg.Cursor, role: str) -> None:
    """An existing role of that name must be a plain login: no powerful attributes, no inherited memberships."""
    attributes = cursor.execute(
        sql.SQL("SELECT {} FROM pg_roles WHERE rolname = %s").format(
            sql.SQL(", ").join(sql.Identifier(a) for a in UNSAFE_ATTRIBUTES)
        ),
        (role,),
    ).fetchone()
    held = [
        name.removeprefix("rol").upper() for name, value in zip(UNSAFE_ATTRIBUTES, attributes, strict=True) if value
    ]
    member_of = [
        row[0]
        for row in cursor.execute(
            "SELECT pg_get_userbyid(roleid) FROM pg_auth_members WHERE member = "
            "(SELECT oid FROM pg_roles WHERE rolname = %s) ORDER BY 1",
            (role,),
        ).fetchall()
    ]
    if held or member_of:
        found = ", ".join([*held, *(f"member of {name}" for name in member_of)])
        raise BiAccessError(
            f"Role {role!r} already exists with more than read access to the marts ({found}); a BI role must be "
            "a plain login role: remove those attributes and memberships, or choose another role name"
        )


def _creators(cursor: psycopg.Cursor, current_user: str, schema_owner: str) -> list[str]:
    """Roles whose future tables in a schema the default privileges must cover: this account and the owner."""
    creators = [current_user]
    if schema_owner != current_user:
        member = cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (schema_owner,)).fetchone()[0]
        if member:
            creators.append(schema_owner)
    return creators


def _marts_grants(role: str, creators: list[str]) -> list[sql.Composable]:
    name, marts = sql.Identifier(role), sql.Identifier(PUBLISHED_SCHEMA)
    statements: list[sql.Composable] = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(marts, name),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(marts, name),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(marts, name),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(marts, name),
    ]
    for creator in creators:
        statements.append(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                sql.Identifier(creator), marts, name
            )
        )
    return statements


def _private_revokes(role: str, schema: str, creators: list[str]) -> list[sql.Composable]:
    name, layer = sql.Identifier(role), sql.Identifier(schema)
    statements: list[sql.Composable] = [
        sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(layer, name),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(layer, name),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(layer, name),
    ]
    for creator in creators:
        statements.append(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE ALL ON TABLES FROM {}").format(
                sql.Identifier(creator), layer, name
            )
        )
    return statements


def _readable_tables(cursor: psycopg.Cursor, role: str) -> tuple[str, ...]:
    rows = cursor.execute(
        "SELECT schemaname || '.' || tablename FROM pg_tables "
        "WHERE has_schema_privilege(%s, schemaname, 'USAGE') "
        "AND has_table_privilege(%s, quote_ident(schemaname) || '.' || quote_ident(tablename), 'SELECT') "
        "AND schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        (role, role),
    ).fetchall()
    return tuple(row[0] for row in rows)


def _warnings(cursor: psycopg.Cursor, role: str, readable: tuple[str, ...]) -> tuple[str, ...]:
    """What the grants here cannot fix, because it comes through PUBLIC rather than the role itself."""
    warnings = []
    outside = [name for name in readable if not name.startswith(f"{PUBLISHED_SCHEMA}.")]
    if outside:
        warnings.append(
            f"Role {role!r} can still read {', '.join(outside)} through privileges granted to PUBLIC; revoke them "
            "from PUBLIC if those tables are not meant for every login"
        )
    public_create = cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') "
        "AND has_schema_privilege(%s, 'public', 'CREATE')",
        (role,),
    ).fetchone()[0]
    if public_create:
        warnings.append(
            f"Role {role!r} can create tables in schema public because PUBLIC may (the default before "
            "PostgreSQL 15): run REVOKE CREATE ON SCHEMA public FROM PUBLIC in this database"
        )
    return tuple(warnings)
