"""The run's artifacts and the HTML compliance report, read from hand-made marts whose figures are worked by hand."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import insert

from flows.context import warehouse_engine
from flows.outcomes import LoadOutcome
from flows.report_data import competence_label, read_compliance_report, read_reconciliation, read_rejections
from flows.report_html import render_compliance_report
from flows.reporting import (
    REPORT_FILE_NAME,
    RunArtifacts,
    compliance_table,
    publish_run_artifacts,
    run_report_markdown,
    write_compliance_report,
)
from learnscape.config import LearnscapeConfig
from tests.esr_files import FIRE, IG, RESUS
from warehouse.marts import replace_marts_for_date
from warehouse.models import load_log, rejected_row

D = date(2026, 11, 23)
TRUST = "Sample Ambulance Service NHS Trust"
AANDE = "457 A&E <Resus> Unit"


def summary(as_of, dimension, group, competence, required, in_date, expiring, expired, missing, rag, target=90.0):
    return {
        "as_of_date": as_of,
        "dimension": dimension,
        "group_value": group,
        "competency_name": competence,
        "required": required,
        "in_date": in_date,
        "expiring": expiring,
        "expired": expired,
        "missing": missing,
        "compliance_pct": 100.0 * in_date / required,
        "target_pct": target,
        "rag": rag,
    }


def marts_for(engine, as_of: date, rows: list[dict], reconciliation: list[dict] | None = None) -> None:
    frames = {"compliance_summary": pd.DataFrame(rows)}
    if reconciliation is not None:
        frames["compliance_reconciliation"] = pd.DataFrame(reconciliation)
    replace_marts_for_date(engine, as_of, frames)


def mismatch(employee: str, competence: str, esr: str, ours: str, why: str) -> dict:
    return {
        "as_of_date": D,
        "employee_number": employee,
        "competency_name": competence,
        "esr_compliance_status": esr,
        "learnscape_status": ours,
        "esr_expiry_date": None,
        "expires_on": None,
        "evidence_source": "esr",
        "explanation": why,
        "vpd": "457",
    }


STALE = "ESR's status is stale: it was last recalculated before the expiry date passed."
WINDOW = "ESR's expiring-soon window differs from the trust's window."


def fill_warehouse(engine) -> None:
    """Three reporting dates up to D (75%, 80%, 85% overall) and one after it that the report must not show.

    On D: Fire 38/40 = 95% green, IG 30/40 = 75% red, Resus 17/20 = 85% amber, all 85/100 = 85% amber.
    Organisations on D: A&E 21/30 = 70%, Small Team 7/10 = 70%, Fulham 45/50 = 90%, Brixton 19/20 = 95%.
    """
    marts_for(engine, date(2026, 9, 28), [summary(date(2026, 9, 28), "trust", "457", "ALL", 96, 72, 4, 14, 10, "red")])
    marts_for(
        engine, date(2026, 10, 26), [summary(date(2026, 10, 26), "trust", "457", "ALL", 100, 80, 5, 12, 8, "amber")]
    )
    marts_for(
        engine, date(2026, 12, 21), [summary(date(2026, 12, 21), "trust", "457", "ALL", 100, 99, 1, 1, 0, "green")]
    )
    marts_for(
        engine,
        D,
        [
            summary(D, "trust", "457", FIRE, 40, 38, 3, 1, 1, "green"),
            summary(D, "trust", "457", IG, 40, 30, 2, 6, 4, "red"),
            summary(D, "trust", "457", RESUS, 20, 17, 0, 2, 1, "amber"),
            summary(D, "trust", "457", "ALL", 100, 85, 5, 9, 6, "amber"),
            summary(D, "organisation", "457 Fulham Station", "ALL", 50, 45, 2, 3, 2, "green"),
            summary(D, "organisation", AANDE, "ALL", 30, 21, 1, 5, 4, "red"),
            summary(D, "organisation", "457 Brixton Station", "ALL", 20, 19, 2, 1, 0, "green"),
            summary(D, "organisation", "457 Small Team", "ALL", 10, 7, 0, 3, 0, "red"),
            summary(D, "organisation", "457 Fulham Station", FIRE, 20, 19, 1, 1, 0, "green"),
        ],
        [
            mismatch("10000001", FIRE, "GREEN", "expired", STALE),
            mismatch("10000002", FIRE, "GREEN", "expired", STALE),
            mismatch("10000003", IG, "GREEN", "expiring", WINDOW),
        ],
    )


@pytest.fixture
def engine(tmp_path, warehouse_url):
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url})
    engine = warehouse_engine(config)
    fill_warehouse(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = warehouse_engine(LearnscapeConfig(base_dir=str(tmp_path)))
    fill_warehouse(engine)
    yield engine
    engine.dispose()


def report_for(engine, as_of=D, worst=10):
    with engine.connect() as connection:
        return read_compliance_report(connection, as_of, TRUST, amber_floor_pct=80.0, worst_unit_count=worst)


def test_the_trend_shows_each_reporting_date_up_to_the_report_date(engine):
    trend = report_for(engine).trend
    assert [(p.as_of, p.compliance_pct, p.rag) for p in trend] == [
        (date(2026, 9, 28), 75.0, "red"),
        (date(2026, 10, 26), 80.0, "amber"),
        (D, 85.0, "amber"),
    ]


def test_competences_come_lowest_first_with_readable_names(engine):
    report = report_for(engine)
    assert [(c.label, c.compliance_pct, c.rag) for c in report.competences] == [
        ("Information Governance and Data Security (CSTF)", 75.0, "red"),
        ("Resuscitation – Level 2 - Adult Basic Life Support (CSTF)", 85.0, "amber"),
        ("Fire Safety (CSTF)", 95.0, "green"),
    ]
    assert (report.overall.required, report.overall.in_date, report.overall.compliance_pct) == (100, 85, 85.0)


def test_worst_organisations_come_lowest_first_and_ties_go_to_the_larger_one(engine):
    report = report_for(engine, worst=3)
    assert [(u.key, u.compliance_pct) for u in report.worst_units] == [
        (AANDE, 70.0),
        ("457 Small Team", 70.0),
        ("457 Fulham Station", 90.0),
    ]
    assert report.unit_count == 4


def test_a_trust_dimension_with_two_vpds_is_added_up_and_its_rag_worked_out_again(sqlite_engine):
    later = date(2027, 1, 18)
    marts_for(
        sqlite_engine,
        later,
        [
            summary(later, "trust", "457", "ALL", 100, 95, 0, 5, 0, "green"),
            summary(later, "trust", "458", "ALL", 100, 75, 0, 25, 0, "red"),
        ],
    )
    report = report_for(sqlite_engine, as_of=later)
    assert (report.overall.required, report.overall.in_date, report.overall.compliance_pct) == (200, 170, 85.0)
    assert report.overall.rag == "amber"


def test_competence_names_not_in_esr_form_are_shown_as_they_are():
    assert competence_label("Moving and Handling (Totara course)") == "Moving and Handling (Totara course)"
    assert competence_label("457|LOCAL|Clinical Risk (PAR) - 3 Years|") == "Clinical Risk (PAR) (LOCAL)"


def test_the_page_escapes_names_and_fetches_nothing(sqlite_engine):
    page = render_compliance_report(report_for(sqlite_engine), datetime(2026, 11, 23, 2, 14, tzinfo=UTC))
    assert "457 A&amp;E &lt;Resus&gt; Unit" in page and AANDE not in page
    assert "<script" not in page and "<link" not in page and "src=" not in page and "url(" not in page
    assert page.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0
    assert page.count("<svg") == 3


def test_a_date_without_figures_gets_a_page_that_says_so(sqlite_engine):
    page = render_compliance_report(report_for(sqlite_engine, as_of=date(2026, 11, 24)), datetime.now(UTC))
    assert "No compliance figures for this date" in page and "<svg" not in page


def test_the_report_file_is_replaced_whole_on_every_write(sqlite_engine, tmp_path):
    out = tmp_path / "outbox" / "2026-11-23"
    first = write_compliance_report(sqlite_engine, D, out, trust_name=TRUST)
    second = write_compliance_report(sqlite_engine, D, out, trust_name="Renamed Trust")
    assert first == second == out / REPORT_FILE_NAME
    assert "Renamed Trust" in second.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [REPORT_FILE_NAME]


def test_the_compliance_table_artifact_starts_with_the_trust_then_lowest_competence_first(engine):
    rows = compliance_table(report_for(engine))
    assert [(r["competence"], r["compliance %"], r["RAG"]) for r in rows] == [
        ("All competences", 85.0, "amber"),
        ("Information Governance and Data Security (CSTF)", 75.0, "red"),
        ("Resuscitation – Level 2 - Adult Basic Life Support (CSTF)", 85.0, "amber"),
        ("Fire Safety (CSTF)", 95.0, "green"),
    ]
    assert rows[1] == {
        "competence": "Information Governance and Data Security (CSTF)",
        "required": 40,
        "in date": 30,
        "expiring": 2,
        "expired": 6,
        "missing": 4,
        "compliance %": 75.0,
        "target %": 90.0,
        "RAG": "red",
    }


def quarantine(engine, load_id: int, file_name: str, failures: list[tuple[int, str, str]]) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(load_log).values(
                load_id=load_id,
                source="esr_competences",
                source_file=file_name,
                checksum_sha256="0" * 64,
                status="loaded",
                started_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
            )
        )
        for row_number, field, reason in failures:
            connection.execute(
                insert(rejected_row).values(
                    load_id=load_id, source_file=file_name, row_number=row_number, field=field, reason=reason
                )
            )


def test_the_run_report_lists_batches_refusals_quarantine_and_reconciliation(engine):
    bad_date = "not a date in a format ESR writes"
    quarantine(
        engine,
        7,
        "esr_competences_457_20261122_delta.csv",
        [(4, "Expiry Date", bad_date), (9, "Expiry Date", bad_date), (12, "Employee Number", "missing")],
    )
    quarantine(engine, 6, "esr_competences_457_20261115_delta.csv", [(3, "Expiry Date", bad_date)])
    loads = [
        LoadOutcome("esr_competences", "esr_competences_457_20261122_delta.csv", "loaded", 7, 120, 117, 3, 15),
        LoadOutcome("esr_staff_in_post", "esr_staff_in_post_457_20261122_full.csv", "duplicate", 5),
        LoadOutcome(
            "esr_staff_in_post",
            "esr_staff_in_post_457_20261123_full.csv",
            "refused",
            8,
            10,
            10,
            0,
            message="full file would end 900 of 1000 current records (90%)",
        ),
    ]
    with engine.connect() as connection:
        rejections = read_rejections(connection, [7, 8])
        reconciliation = read_reconciliation(connection, D)
    markdown = run_report_markdown(D, loads, rejections, reconciliation, overall_pct=85.0)
    assert "Trust compliance on 2026-11-23: **85.0%**." in markdown
    assert "1 loaded, 1 already loaded before, 1 refused." in markdown
    assert "| esr_competences_457_20261122_delta.csv | esr_competences | loaded | 120 | 117 | 3 | 15 |" in markdown
    assert (
        "- **esr_staff_in_post_457_20261123_full.csv**: full file would end 900 of 1000 current records (90%)"
        in markdown
    )
    assert "3 rows, by file, field and reason." in markdown
    assert f"| esr_competences_457_20261122_delta.csv | Expiry Date | {bad_date} | 2 |" in markdown
    assert "20261115" not in markdown  # load 6 was not part of this run
    assert "3 person-competences where ESR's status disagrees with Learnscape's." in markdown
    assert f"| GREEN | expired | {STALE} | 2 |" in markdown
    assert f"| GREEN | expiring | {WINDOW} | 1 |" in markdown


def test_a_clean_run_report_says_nothing_was_quarantined_and_esr_agrees():
    markdown = run_report_markdown(D, [], (), ())
    assert "None: every row of the batches in this run passed validation." in markdown
    assert "ESR's own status agrees with Learnscape's for every person-competence." in markdown


def test_pipes_in_names_are_escaped_inside_markdown_table_cells():
    markdown = run_report_markdown(D, [LoadOutcome("x", "a|b.csv", "loaded", 1)], (), ())
    assert "| a\\|b.csv | x | loaded |" in markdown


def test_artifacts_are_not_sent_when_there_is_no_prefect_api(sqlite_engine):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert publish_run_artifacts(sqlite_engine, D, [], TRUST) == RunArtifacts(None, None)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,2000",
]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_the_report_renders_in_a_browser_with_its_headings_and_figures(sqlite_engine, tmp_path):
    report = write_compliance_report(sqlite_engine, D, tmp_path / "feed", trust_name=TRUST)
    profile = [f"--user-data-dir={tmp_path / 'chromium-profile'}"]
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *HEADLESS, *profile, f"--screenshot={screenshot}", report.as_uri()],
        capture_output=True,
        timeout=60,
        check=True,
    )
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 30_000
    dom = subprocess.run(
        [CHROMIUM, *HEADLESS, *profile, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for text in (
        f"<h1>{TRUST}</h1>",
        "<h2>Trust compliance over time</h2>",
        "<h2>Compliance by competence</h2>",
        "<h2>Organisations furthest below target</h2>",
        "85.0%",
        "Information Governance and Data Security (CSTF)",
        "457 A&amp;E &lt;Resus&gt; Unit",
        "3 reporting dates up to 23 November 2026",
    ):
        assert text in dom, text
    assert dom.count("<circle") == 3 and dom.count("<rect") == 3 + 4
