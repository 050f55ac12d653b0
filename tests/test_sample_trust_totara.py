"""Totara exports, stand-in seed data and the trust rules that tie Totara evidence to ESR competences."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

import pytest

from tests.sample_trust_support import AS_OF, SMALL_STAFF, esr_files, parse_esr_date, read_rows, sample_trust

FINAL_ON = AS_OF - timedelta(days=1)
TOTARA_DATE = r"\d{2} [A-Z][a-z]{2} \d{4}"
USER_KEYS = {
    "id", "idnumber", "username", "firstname", "lastname", "email", "suspended", "timezone", "lastaccess",
    "custom_fields", "deleted",
}  # fmt: skip
JOB_ASSIGNMENT_KEYS = {
    "id", "idnumber", "userid", "fullname", "startdate", "enddate", "position", "organisation", "managerja",
}  # fmt: skip


@pytest.fixture(scope="module")
def trust():
    return sample_trust(SMALL_STAFF)


def _export(trust, name: str) -> tuple[list[str], list[dict[str, str]]]:
    return read_rows(trust.landing_dir / "totara" / f"totara_{name}_20251202.csv")


def _jsonl(trust, name: str) -> list[dict]:
    lines = (trust.standins_dir / "totara" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def framework(trust):
    return read_rows(trust.landing_dir / "trust" / "skills_framework.csv")[1]


@pytest.fixture(scope="module")
def esr_people(trust):
    return {row["Employee Number"] for path in esr_files(trust, "staff_in_post") for row in read_rows(path)[1]}


def test_exports_use_totaras_default_headings(trust):
    user = ["User's Fullname", "User ID Number", "Username", "User's Email"]
    assert _export(trust, "course_completion")[0] == user + [
        "Course Name", "Course Shortname", "Course ID Number", "Completion Status", "Date Enrolled", "Date Started",
        "Date Completed", "Grade",
    ]  # fmt: skip
    assert _export(trust, "certification_completion")[0] == user + [
        "Certification Name", "Certification ID Number", "Status", "Date Completed", "Window Opens", "Expiry Date",
    ]  # fmt: skip
    assert _export(trust, "competency_status")[0] == user + [
        "Competency", "Competency ID Number", "Proficient", "Scale Value", "Date Achieved",
    ]  # fmt: skip


def test_certification_course_and_competency_id_numbers_are_skills_framework_evidence_keys(trust, framework):
    keys = {(row["Evidence Source"], row["Evidence Key"]) for row in framework}
    for name, source, column in (
        ("certification_completion", "totara_certification", "Certification ID Number"),
        ("course_completion", "totara_course", "Course ID Number"),
        ("competency_status", "totara_competency", "Competency ID Number"),
    ):
        used = {row[column] for row in _export(trust, name)[1]}
        mapped = {key for key in used if (source, key) in keys}
        assert mapped, name
        assert used - mapped <= {"CRS-WELCOME"}, name  # the welcome course evidences no skill


def test_certification_statuses_are_totaras_own_texts(trust):
    rows = _export(trust, "certification_completion")[1]
    shapes = Counter(re.sub(TOTARA_DATE, "<date>", row["Status"]) for row in rows)
    assert set(shapes) == {
        "Expires <date>", "Window opens <date>", "Due <date>", "Overdue since <date>", "Expired since <date>",
        "Assigned", "N/A",
    }  # fmt: skip
    assert shapes["Expires <date>"] > len(rows) / 2


def test_certified_rows_carry_completion_window_and_expiry_dates(trust):
    for row in _export(trust, "certification_completion")[1]:
        if row["Status"].startswith(("Expires", "Window opens", "Due", "Expired since")):
            assert re.fullmatch(rf"{TOTARA_DATE}( at \d{{2}}:\d{{2}})?", row["Date Completed"])
            assert re.fullmatch(TOTARA_DATE, row["Expiry Date"])
            assert re.fullmatch(TOTARA_DATE, row["Window Opens"])
        else:
            assert row["Date Completed"] == row["Expiry Date"] == ""


def test_dates_come_with_and_without_a_time_of_day(trust):
    completed = [row["Date Completed"] for row in _export(trust, "certification_completion")[1]]
    assert any(re.fullmatch(rf"{TOTARA_DATE} at \d{{2}}:\d{{2}}", text) for text in completed)
    assert any(re.fullmatch(TOTARA_DATE, text) for text in completed)


def test_course_completion_statuses_include_recognition_of_prior_learning(trust):
    rows = _export(trust, "course_completion")[1]
    statuses = Counter(row["Completion Status"] for row in rows)
    assert set(statuses) == {"Not yet started", "In progress", "Complete", "Complete via rpl"}
    for row in rows:
        assert (row["Date Completed"] != "") == row["Completion Status"].startswith("Complete")


def test_some_latest_awards_are_in_totara_only(trust, framework):
    skill_of_certification = {
        row["Evidence Key"]: row["Skill Code"] for row in framework if row["Evidence Source"] == "totara_certification"
    }
    competence_of_skill = {
        row["Skill Code"]: row["Evidence Key"] for row in framework if row["Evidence Source"] == "esr_competence"
    }
    esr = {
        (row["Employee Number"], row["Competency Name"]): parse_esr_date(row["Date Last Awarded"])
        for row in read_rows(esr_files(trust, "competences")[-1])[1]
    }
    later_in_totara = []
    for row in _export(trust, "certification_completion")[1]:
        competence = competence_of_skill.get(skill_of_certification[row["Certification ID Number"]])
        if not row["Date Completed"] or competence is None:
            continue
        completed = parse_esr_date(row["Date Completed"][:11].replace(" ", "-"))
        in_esr = esr.get((row["User ID Number"], competence))
        if in_esr is not None and completed > in_esr:
            later_in_totara.append((row["User's Fullname"], competence))
    assert ("Chloé Fitzgerald-Nwosu", "NHS|CSTF|Fire Safety - 2 Years|") in later_in_totara
    assert len(later_in_totara) >= 3


def test_some_totara_users_have_no_esr_match(trust, esr_people):
    users = _jsonl(trust, "users")
    unmatched = [
        user for user in users if user["idnumber"] not in esr_people and user["username"] not in ("guest", "admin")
    ]
    assert any(user["idnumber"] == "" for user in unmatched)
    assert any(re.fullmatch(r"\d{8}", user["idnumber"]) for user in unmatched)
    exported = {row["User ID Number"] for row in _export(trust, "certification_completion")[1]}
    assert "" in exported
    assert exported - {""} - esr_people


def test_users_are_core_user_items_with_guest_admin_suspended_and_deleted(trust, esr_people):
    users = _jsonl(trust, "users")
    assert all(set(user) == USER_KEYS for user in users)
    assert [user["username"] for user in users[:2]] == ["guest", "admin"]
    ids = [int(user["id"]) for user in users]
    assert ids == sorted(ids) and ids[:2] == [1, 2] and len(set(ids)) == len(ids)
    assert all(isinstance(user["id"], str) and isinstance(user["suspended"], bool) for user in users)
    assert any(user["suspended"] and not user["deleted"] for user in users)
    assert any(user["deleted"] for user in users)
    assert all(user["lastaccess"] is None or user["lastaccess"].isdigit() for user in users)
    assert all({"shortname", "data", "data_type"} == set(field) for user in users for field in user["custom_fields"])
    staff_numbers = {user["idnumber"] for user in users if user["email"].endswith("@nhs.net") and user["idnumber"]}
    assert staff_numbers == esr_people


def test_job_assignments_carry_esr_assignment_numbers_and_real_managers(trust):
    users = {user["id"]: user for user in _jsonl(trust, "users")}
    assignment_numbers = {
        row["Assignment Number"] for path in esr_files(trust, "staff_in_post") for row in read_rows(path)[1]
    }
    job_assignments = _jsonl(trust, "job_assignments")
    assert all(set(item) == JOB_ASSIGNMENT_KEYS for item in job_assignments)
    assert len({item["id"] for item in job_assignments}) == len(job_assignments)
    user_numbers = {user["idnumber"] for user in users.values()}
    for item in job_assignments:
        assert item["idnumber"] in assignment_numbers
        assert item["idnumber"].split("-")[0] == users[item["userid"]]["idnumber"]
        assert not users[item["userid"]]["deleted"]
        assert item["startdate"].isdigit() and (item["enddate"] is None or item["enddate"].isdigit())
        assert set(item["position"]) == set(item["organisation"]) == {"idnumber", "fullname"}
        if item["managerja"] is not None:
            assert item["managerja"]["user"]["idnumber"] in user_numbers
    assert sum(item["managerja"] is None for item in job_assignments) == 1  # the chief executive


def test_skills_framework_covers_every_competence_and_most_cstf_subjects_in_totara(trust, framework):
    assert list(framework[0]) == [
        "Skill Code",
        "Skill Name",
        "Category",
        "Evidence Source",
        "Evidence Key",
        "Valid For Months",
    ]
    tna = read_rows(trust.landing_dir / "trust" / "training_needs_analysis.csv")[1]
    esr_keys = {row["Evidence Key"] for row in framework if row["Evidence Source"] == "esr_competence"}
    assert {row["Competency Name"] for row in tna} <= esr_keys
    cstf_skills = {row["Skill Code"] for row in framework if row["Evidence Key"].startswith("NHS|CSTF|")}
    with_certification = {
        row["Skill Code"] for row in framework if row["Evidence Source"] == "totara_certification"
    } & cstf_skills
    assert len(with_certification) >= 0.7 * len(cstf_skills)
    evidence = {(row["Skill Code"], row["Evidence Source"]) for row in framework}
    assert {("CLIN-ECG12", "totara_course"), ("CLIN-ECG12", "student_module")} <= evidence
    driving = [
        row for row in framework if row["Skill Code"] == "DRV-C1" and row["Evidence Source"] == "totara_certification"
    ]
    assert driving and driving[0]["Valid For Months"] == "36" and driving[0]["Category"] == "Driving"
    assert {"Statutory and mandatory", "Clinical", "Driving", "Leadership", "Digital"} <= {
        row["Category"] for row in framework
    }


def test_role_profiles_cover_every_job_role_with_some_future_needs(trust, framework):
    profiles = read_rows(trust.landing_dir / "trust" / "role_skill_profiles.csv")[1]
    staff_roles = {row["Job Role"] for row in read_rows(esr_files(trust, "staff_in_post")[-1])[1]}
    assert staff_roles <= {row["Job Role"] for row in profiles}
    assert {row["Priority"] for row in profiles} == {"essential", "desirable"}
    assert {row["Skill Code"] for row in profiles} <= {row["Skill Code"] for row in framework}
    future = [row for row in profiles if row["Needed By"] and row["Needed By"] > AS_OF.isoformat()]
    assert future


def test_training_needs_analysis_uses_each_kind_of_rule(trust):
    headings, rules = read_rows(trust.landing_dir / "trust" / "training_needs_analysis.csv")
    assert headings == ["Applies To", "Value", "Competency Name"]
    assert {"All", "Staff Group", "Job Role", "Position Title", "Org Level 3"} == {rule["Applies To"] for rule in rules}
    assert all(rule["Value"] == "" for rule in rules if rule["Applies To"] == "All")
    local = [
        rule
        for rule in rules
        if rule["Applies To"] == "Org Level 3" and "Emergency Operations Centres" in rule["Value"]
    ]
    assert any(rule["Competency Name"].startswith("457|LOCAL|") for rule in local)
