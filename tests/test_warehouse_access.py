"""The BI role reads the published marts and nothing else; its password comes from the environment only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from tests.marts_support import D, all_marts, postgres_database
from warehouse.access import BiAccessError, create_bi_role
from warehouse.engine import open_warehouse
from warehouse.marts import replace_marts_for_date
from warehouse.migrate import upgrade
from warehouse.models import metadata

PASSWORD_ENV = "LEARNSCAPE_BI_PASSWORD"
PASSWORD = "Fulham-station-457-readonly"
PRIVATE_TABLES = ("core.person", "staging.stg_esr_staff_in_post", "quarantine.rejected_row", "audit.load_log")

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url(postgres_admin_url) -> Iterator[str]:
    yield from postgres_database(postgres_admin_url)


@pytest.fixture
def warehouse(postgres_url) -> Iterator[Engine]:
    """A migrated PostgreSQL warehouse with one reporting date published."""
    engine = open_warehouse(postgres_url)
    upgrade(engine)
    replace_marts_for_date(engine, D, all_marts())
    yield engine
    engine.dispose()


@pytest.fixture
def role(postgres_url) -> Iterator[str]:
    """A role name of this test's own (roles are shared by every database on the server), dropped afterwards."""
    name = f"learnscape_bi_{uuid.uuid4().hex[:10]}"
    yield name
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first():
            connection.execute(text(f'DROP OWNED BY "{name}"'))
            connection.execute(text(f'DROP ROLE "{name}"'))
    engine.dispose()


def _login(warehouse: Engine, role: str, password: str) -> Engine:
    url = make_url(warehouse.url.render_as_string(hide_password=False)).set(username=role, password=password)
    return create_engine(url, poolclass=NullPool)


def _refused(engine: Engine, statement: str) -> None:
    with pytest.raises(ProgrammingError) as refusal, engine.begin() as connection:
        connection.execute(text(statement))
    assert isinstance(refusal.value.orig, psycopg.errors.InsufficientPrivilege), refusal.value


def _scram_matches(verifier: str, password: str) -> bool:
    """Whether a stored SCRAM-SHA-256 verifier was made from `password` (RFC 5802 / RFC 7677)."""
    mechanism, salt_part, keys = verifier.split("$")
    iterations, salt = salt_part.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return mechanism == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def _stored_password(warehouse: Engine, role: str) -> str:
    with warehouse.connect() as connection:
        if not connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            pytest.skip("reading a role's stored password needs a superuser test account")
        return connection.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": role}).scalar()


def test_bi_role_reads_compliance_person_and_is_refused_core_staging_quarantine_and_audit(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    access = create_bi_role(warehouse, role=role)
    reader = _login(warehouse, role, PASSWORD)
    with reader.connect() as connection:
        statuses = connection.execute(
            text("SELECT status FROM marts.compliance_person WHERE employee_number = '20345678' ORDER BY status")
        ).scalars()
        assert list(statuses) == ["expired", "missing"]
    for table in PRIVATE_TABLES:
        _refused(reader, f"SELECT count(*) FROM {table}")
    reader.dispose()
    published = sorted(f"marts.{table.name}" for table in metadata.sorted_tables if table.schema == "marts")
    assert "marts.compliance_person" in published
    assert access.readable_tables == tuple(published)
    assert access.warnings == ()


def test_bi_role_holds_no_privilege_on_any_table_outside_the_marts(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    create_bi_role(warehouse, role=role)
    with warehouse.connect() as connection:
        for table in metadata.sorted_tables:
            if table.schema == "marts":
                continue
            held = connection.execute(
                text(
                    "SELECT has_schema_privilege(:role, :schema, 'USAGE'), "
                    "has_table_privilege(:role, :table, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES')"
                ),
                {"role": role, "schema": table.schema, "table": f"{table.schema}.{table.name}"},
            ).one()
            assert tuple(held) == (False, False), f"{role} holds a privilege on {table.schema}.{table.name}"


def test_bi_role_cannot_change_the_marts_or_create_tables_anywhere(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    create_bi_role(warehouse, role=role)
    reader = _login(warehouse, role, PASSWORD)
    _refused(reader, "DELETE FROM marts.compliance_summary")
    _refused(reader, "UPDATE marts.compliance_person SET status = 'compliant'")
    _refused(reader, "CREATE TABLE marts.my_extract (n integer)")
    _refused(reader, "CREATE TABLE public.my_extract (n integer)")
    reader.dispose()


def test_password_comes_from_the_environment_and_is_stored_only_as_a_scram_verifier(warehouse, role, monkeypatch):
    monkeypatch.setenv("TRUST_BI_SECRET", PASSWORD)
    create_bi_role(warehouse, role=role, password_env="TRUST_BI_SECRET")
    stored = _stored_password(warehouse, role)
    assert PASSWORD not in stored
    assert _scram_matches(stored, PASSWORD)
    assert not _scram_matches(stored, PASSWORD + "x")


def test_unset_password_variable_is_a_clear_error_and_creates_no_role(warehouse, role, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(BiAccessError, match=f"environment variable {PASSWORD_ENV}, which is not set"):
        create_bi_role(warehouse, role=role)
    with warehouse.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar() == 0


def test_running_again_is_harmless_and_takes_the_new_password(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    first = create_bi_role(warehouse, role=role)
    monkeypatch.setenv(PASSWORD_ENV, "rotated-" + PASSWORD)
    second = create_bi_role(warehouse, role=role)
    assert second.readable_tables == first.readable_tables
    assert _scram_matches(_stored_password(warehouse, role), "rotated-" + PASSWORD)
    reader = _login(warehouse, role, "rotated-" + PASSWORD)
    with reader.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM marts.compliance_summary")).scalar() == 21
    reader.dispose()


def test_marts_tables_created_later_are_readable_without_running_again(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    create_bi_role(warehouse, role=role)
    with warehouse.begin() as connection:
        connection.execute(text("CREATE TABLE marts.skills_gap (as_of_date date, gaps integer)"))
        connection.execute(text("INSERT INTO marts.skills_gap VALUES ('2026-11-23', 4)"))
        connection.execute(text("CREATE TABLE core.skills_gap_workings (employee_number text)"))
    reader = _login(warehouse, role, PASSWORD)
    with reader.connect() as connection:
        assert connection.execute(text("SELECT gaps FROM marts.skills_gap")).scalar() == 4
    _refused(reader, "SELECT * FROM core.skills_gap_workings")
    reader.dispose()


def test_privileges_granted_by_hand_on_private_layers_are_revoked_on_the_next_run(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    create_bi_role(warehouse, role=role)
    with warehouse.begin() as connection:
        connection.execute(text(f'GRANT USAGE ON SCHEMA core TO "{role}"'))
        connection.execute(text(f'GRANT SELECT ON core.person TO "{role}"'))
        connection.execute(text(f'GRANT INSERT ON marts.compliance_summary TO "{role}"'))
    access = create_bi_role(warehouse, role=role)
    assert "core.person" not in access.readable_tables
    reader = _login(warehouse, role, PASSWORD)
    _refused(reader, "SELECT count(*) FROM core.person")
    _refused(reader, "INSERT INTO marts.compliance_summary (as_of_date) VALUES ('2026-11-23')")
    reader.dispose()


def test_table_names_without_a_schema_find_the_marts(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    create_bi_role(warehouse, role=role)
    reader = _login(warehouse, role, PASSWORD)
    with reader.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM compliance_reconciliation")).scalar() == 1
    reader.dispose()


def test_an_existing_role_of_that_name_with_superuser_is_refused_not_reused(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with warehouse.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN SUPERUSER'))
    with pytest.raises(BiAccessError, match="already exists with more than read access to the marts \\(SUPER\\)"):
        create_bi_role(warehouse, role=role)


def test_an_existing_role_that_inherits_another_roles_privileges_is_refused(warehouse, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with warehouse.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(text(f'GRANT pg_read_all_data TO "{role}"'))
    with pytest.raises(BiAccessError, match="member of pg_read_all_data"):
        create_bi_role(warehouse, role=role)


def test_a_role_name_that_would_need_quoting_is_refused(warehouse, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with pytest.raises(BiAccessError, match="not a plain PostgreSQL name"):
        create_bi_role(warehouse, role='bi"; DROP SCHEMA core CASCADE; --')


def test_a_warehouse_without_migrations_is_told_to_run_them(postgres_url, role, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    engine = open_warehouse(postgres_url)
    with pytest.raises(BiAccessError, match="has no 'marts' schema: run the warehouse migrations"):
        create_bi_role(engine, role=role)
    engine.dispose()
