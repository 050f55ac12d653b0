"""Totara report exports in the warehouse: certifications and courses mapped through the skills framework count
as evidence for ESR competences; exports are snapshots; unusable rows are quarantined, never silently dropped."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from flows.ingest import ingest_landing
from tests.esr_files import FIRE, RESUS, competence_row, staff_row, write_competences, write_csv, write_staff
from tests.pipeline_support import D, ingest, person_rows, statuses
from warehouse.models import learning_record, rejected_row, stg_learning_record

CERT_HEADINGS = ["User's Fullname", "User ID Number", "Username", "User's Email", "Certification Name",
                 "Certification ID Number", "Status", "Date Completed", "Window Opens", "Expiry Date"]
COURSE_HEADINGS = ["User's Fullname", "User ID Number", "Username", "User's Email", "Course Name",
                   "Course Shortname", "Course ID Number", "Completion Status", "Date Enrolled", "Date Started",
                   "Date Completed", "Grade"]
FRAMEWORK_HEADINGS = ["Skill Code", "Skill Name", "Category", "Evidence Source", "Evidence Key", "Valid For Months"]


def certification(user: str, status: str, completed: str = "", expires: str = "", cert: str = "CERT-FIRE") -> dict:
    return {"User's Fullname": "Siân O'Brien-Jones", "User ID Number": user, "Username": f"u{user}",
            "User's Email": f"{user}@nhs.net", "Certification Name": "Fire Safety", "Certification ID Number": cert,
            "Status": status, "Date Completed": completed, "Window Opens": "", "Expiry Date": expires}


def course(user: str, status: str, completed: str = "", course_id: str = "crs-bls") -> dict:
    return {"User's Fullname": "Zoë Adams", "User ID Number": user, "Username": f"u{user}",
            "User's Email": f"{user}@nhs.net", "Course Name": "Basic Life Support", "Course Shortname": "BLS",
            "Course ID Number": course_id, "Completion Status": status, "Date Enrolled": "01 Jan 2026",
            "Date Started": "", "Date Completed": completed, "Grade": ""}


@pytest.fixture
def totara_trust(trust):
    config, engine, landing = trust
    write_csv(landing / "trust" / "skills_framework.csv", FRAMEWORK_HEADINGS, [
        {"Skill Code": "STAT-FIRE", "Skill Name": "Fire safety", "Category": "Statutory and mandatory",
         "Evidence Source": "esr_competence", "Evidence Key": FIRE, "Valid For Months": "24"},
        {"Skill Code": "STAT-FIRE", "Skill Name": "Fire safety", "Category": "Statutory and mandatory",
         "Evidence Source": "totara_certification", "Evidence Key": "cert-fire", "Valid For Months": "24"},
        {"Skill Code": "STAT-BLS", "Skill Name": "Basic life support", "Category": "Statutory and mandatory",
         "Evidence Source": "esr_competence", "Evidence Key": RESUS, "Valid For Months": "12"},
        {"Skill Code": "STAT-BLS", "Skill Name": "Basic life support", "Category": "Statutory and mandatory",
         "Evidence Source": "totara_course", "Evidence Key": "CRS-BLS", "Valid For Months": "12"},
    ])
    write_staff(landing, "20261101", "full", [staff_row(f"1000000{i}") for i in range(1, 6)])
    write_competences(landing, "20261101", "full", [
        competence_row("10000001", FIRE, "01/06/2023", "01/06/2025", rag="RED"),
        competence_row("10000002", FIRE, "01/06/2025", "01/06/2027"),
    ])
    return trust


def test_later_totara_certification_makes_an_expired_esr_competence_compliant(totara_trust):
    landing = totara_trust[2]
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS, [
        certification("10000001", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028"),
        certification("10000002", "Expired since 01 Jan 2024", "01 Jan 2022", "01 Jan 2024"),
        certification("10000003", "Assigned"),
    ])
    outcomes = ingest(totara_trust)
    assert outcomes["totara_certification_completion_20261122.csv"].status == "loaded"
    rows = person_rows(totara_trust).set_index(["employee_number", "competency_name"])
    assert (rows.loc[("10000001", FIRE), "status"], rows.loc[("10000001", FIRE), "evidence_source"]) == (
        "compliant", "totara_certification")
    assert rows.loc[("10000001", FIRE), "expires_on"] == date(2028, 9, 1)
    assert rows.loc[("10000002", FIRE), "evidence_source"] == "esr"  # the ESR award is the later one
    assert rows.loc[("10000003", FIRE), "status"] == "missing"  # Assigned is not evidence


def test_course_completion_evidences_a_competence_with_the_period_of_the_competence_name(totara_trust):
    landing = totara_trust[2]
    write_csv(landing / "totara" / "totara_course_completion_20261122.csv", COURSE_HEADINGS, [
        course("10000004", "Complete", "15 Jan 2026"),
        course("10000005", "Complete via rpl", "20 Oct 2026 at 09:15"),
        course("10000003", "In progress"),
    ])
    ingest(totara_trust)
    rows = person_rows(totara_trust).set_index(["employee_number", "competency_name"])
    assert rows.loc[("10000004", RESUS), "expires_on"] == date(2027, 1, 15)
    assert rows.loc[("10000004", RESUS), "status"] == "expiring"
    assert rows.loc[("10000005", RESUS), "status"] == "compliant"
    assert rows.loc[("10000003", RESUS), "status"] == "missing"


def test_rows_without_a_user_id_number_are_quarantined_with_their_reason(totara_trust):
    landing = totara_trust[2]
    rows = [certification(f"1000000{i}", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028") for i in range(1, 6)]
    rows.append(certification("", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028"))
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS, rows)
    outcome = ingest(totara_trust)["totara_certification_completion_20261122.csv"]
    assert (outcome.status, outcome.rows_rejected) == ("loaded", 1)
    with totara_trust[1].connect() as connection:
        quarantined = connection.execute(
            select(rejected_row).where(rejected_row.c.source_file == "totara_certification_completion_20261122.csv")
        ).all()
    assert [(r.row_number, r.field) for r in quarantined] == [(7, "User ID Number")]


def test_a_newer_export_ends_records_it_no_longer_shows_and_an_older_one_is_superseded(totara_trust):
    landing = totara_trust[2]
    rows = [certification(f"1000000{i}", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028") for i in range(1, 6)]
    write_csv(landing / "totara" / "totara_certification_completion_20261115.csv", CERT_HEADINGS, rows)
    ingest(totara_trust)
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS, rows[1:])
    write_csv(landing / "totara" / "totara_certification_completion_20261108.csv", CERT_HEADINGS, rows[:2])
    outcomes = ingest(totara_trust)
    assert outcomes["totara_certification_completion_20261122.csv"].status == "loaded"
    assert outcomes["totara_certification_completion_20261108.csv"].status == "refused"
    assert "superseded" in outcomes["totara_certification_completion_20261108.csv"].message
    with totara_trust[1].connect() as connection:
        ended = connection.execute(select(learning_record).where(learning_record.c.ended_on.is_not(None))).all()
    assert [(r.user_key, r.ended_on) for r in ended] == [("10000001", date(2026, 11, 22))]
    assert statuses(person_rows(totara_trust))[("10000001", FIRE)] == "expired"
    assert statuses(person_rows(totara_trust, date(2026, 11, 20)))[("10000001", FIRE)] == "compliant"


def _in_chunks_of_a_thousand(config):
    totara = config.sources.totara.model_copy(update={"chunk_rows": 1_000})
    return config.model_copy(update={"sources": config.sources.model_copy(update={"totara": totara})})


def test_an_export_larger_than_a_chunk_loads_whole_with_rows_quarantined_by_their_file_row(totara_trust):
    config, engine, landing = totara_trust
    rows = [certification(f"2{i:07d}", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028") for i in range(2_500)]
    rows[1_500]["User ID Number"] = ""
    rows[2_400]["User ID Number"] = ""
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS, rows)
    outcomes = ingest_landing(engine, _in_chunks_of_a_thousand(config), landing, "chunks", D, as_tasks=False)
    outcome = next(o for o in outcomes if o.source_file == "totara_certification_completion_20261122.csv")
    assert (outcome.status, outcome.rows_in, outcome.rows_accepted, outcome.rows_rejected) == (
        "loaded", 2_500, 2_498, 2)
    with engine.connect() as connection:
        quarantined = connection.execute(select(rejected_row.c.row_number).where(
            rejected_row.c.source_file == "totara_certification_completion_20261122.csv")).scalars().all()
        held = connection.execute(select(func.count()).select_from(learning_record)).scalar_one()
    assert sorted(quarantined) == [1_502, 2_402]
    assert held == 2_498


def test_an_export_refused_for_a_bad_later_chunk_stages_and_applies_nothing(totara_trust):
    config, engine, landing = totara_trust
    rows = [certification(f"2{i:07d}", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028") for i in range(2_500)]
    for row in rows[1_000:]:
        row["User ID Number"] = ""
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS, rows)
    outcomes = ingest_landing(engine, _in_chunks_of_a_thousand(config), landing, "chunks", D, as_tasks=False)
    outcome = next(o for o in outcomes if o.source_file == "totara_certification_completion_20261122.csv")
    assert (outcome.status, outcome.rows_in, outcome.rows_rejected) == ("refused", 2_500, 1_500)
    with engine.connect() as connection:
        staged = connection.execute(select(func.count()).select_from(stg_learning_record)).scalar_one()
        held = connection.execute(select(func.count()).select_from(learning_record)).scalar_one()
        quarantined = connection.execute(select(func.count()).select_from(rejected_row).where(
            rejected_row.c.load_id == outcome.load_id)).scalar_one()
    assert (staged, held, quarantined) == (0, 0, 1_500)


def test_a_row_the_export_repeats_is_held_once_and_ended_once(totara_trust):
    landing = totara_trust[2]
    held = certification("10000001", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028")
    others = [certification(f"1000000{i}", "Expires 01 Mar 2028", "01 Mar 2026", "01 Mar 2028") for i in range(2, 8)]
    write_csv(landing / "totara" / "totara_certification_completion_20261115.csv", CERT_HEADINGS,
              [held, *others, held])
    assert ingest(totara_trust)["totara_certification_completion_20261115.csv"].status == "loaded"
    write_csv(landing / "totara" / "totara_certification_completion_20261122.csv", CERT_HEADINGS,
              [*others, others[0]])
    assert ingest(totara_trust)["totara_certification_completion_20261122.csv"].status == "loaded"
    with totara_trust[1].connect() as connection:
        staged = connection.execute(select(func.count()).select_from(stg_learning_record)).scalar_one()
        records = connection.execute(
            select(learning_record.c.user_key, learning_record.c.first_seen_on, learning_record.c.ended_on)
            .order_by(learning_record.c.user_key)
        ).all()
    assert staged == 15  # every row as received
    assert [tuple(r) for r in records] == [
        ("10000001", date(2026, 11, 15), date(2026, 11, 22)),
        *((f"1000000{i}", date(2026, 11, 15), None) for i in range(2, 8)),
    ]
