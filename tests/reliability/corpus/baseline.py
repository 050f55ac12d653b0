"""The small trust every bad input is dropped into: twelve staff with their competences, the trust's rules, a
Totara certification export and a year of staff surveys, all extracted on 22 November 2026.

Paramedics (10000001-10000008) are Allied Health Professionals and need Fire Safety and Resuscitation; emergency
care assistants (10000009-10000012) need Fire Safety and Information Governance. Bad inputs reuse these rows so
that the good rows around a bad one change nothing, and any change in the marts can only come from the bad one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sample_trust.surveys import write_sample_surveys
from tests.esr_files import COMPETENCE_HEADINGS, FIRE, IG, RESUS, STAFF_HEADINGS, competence_row, staff_row
from tests.reliability.corpus.model import csv_bytes

EXTRACT = "20261122"
AS_OF = date(2026, 11, 23)
PARAMEDICS = [f"1000000{i}" for i in range(1, 9)]
ASSISTANTS = ["10000009", "10000010", "10000011", "10000012"]
TNA_HEADINGS = ["Applies To", "Value", "Competency Name"]
FRAMEWORK_HEADINGS = ["Skill Code", "Skill Name", "Category", "Evidence Source", "Evidence Key", "Valid For Months"]
PROFILE_HEADINGS = ["Job Role", "Skill Code", "Priority", "Needed By"]
CERT_HEADINGS = [
    "User's Fullname",
    "User ID Number",
    "Username",
    "User's Email",
    "Certification Name",
    "Certification ID Number",
    "Status",
    "Date Completed",
    "Window Opens",
    "Expiry Date",
]
COURSE_HEADINGS = [
    "User's Fullname",
    "User ID Number",
    "Username",
    "User's Email",
    "Course Name",
    "Course Shortname",
    "Course ID Number",
    "Completion Status",
    "Date Enrolled",
    "Date Started",
    "Date Completed",
    "Grade",
]
SURVEY_ORG = "R1F"
DIRECTORATES = ["457 Operations", "457 Emergency Operations Centres", "457 Corporate Services"]
STAFF_GROUPS = ["Allied Health Professionals", "Additional Clinical Services", "Administrative and Clerical"]


def staff_rows() -> list[dict[str, str]]:
    rows = [staff_row(number) for number in PARAMEDICS]
    rows += [
        staff_row(
            number,
            **{
                "Job Role": "Emergency Care Assistant",
                "Position Title": "Emergency Care Assistant - Band 4",
                "Staff Group": "Additional Clinical Services",
                "Pay Band": "Band 4",
                "Occupation Code": "H1A",
            },
        )
        for number in ASSISTANTS
    ]
    return rows


def competence_rows() -> list[dict[str, str]]:
    awarded = ["01/06/2025", "15/01/2026", "02/12/2024", "20/11/2024", "", "01/03/2026", "30-Nov-2025", "2026/02/02"]
    rows = []
    for number, when in zip(PARAMEDICS, awarded, strict=True):
        if when:
            rows.append(competence_row(number, FIRE, when))
        rows.append(competence_row(number, RESUS, "01/10/2026" if number != "10000003" else "01/10/2025"))
    for number in ASSISTANTS:
        rows.append(competence_row(number, FIRE, "10/10/2025"))
        rows.append(competence_row(number, IG, "12/12/2025", "12/12/2026", rag="AMBER"))
    return rows


def certification(user: str, status: str, completed: str = "", expires: str = "", cert: str = "CERT-FIRE") -> dict:
    return {
        "User's Fullname": "Siân O'Brien-Jones",
        "User ID Number": user,
        "Username": f"u{user}",
        "User's Email": f"{user}@nhs.net",
        "Certification Name": "Fire Safety",
        "Certification ID Number": cert,
        "Status": status,
        "Date Completed": completed,
        "Window Opens": "",
        "Expiry Date": expires,
    }


def certification_rows() -> list[dict[str, str]]:
    rows = [certification(number, "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028") for number in PARAMEDICS[:6]]
    rows.append(certification("10000009", "Expired since 01 Jan 2024", "01 Jan 2022", "01 Jan 2024"))
    rows.append(certification("10000010", "Assigned"))
    return rows


def course(user: str, status: str, completed: str = "", course_id: str = "CRS-BLS") -> dict[str, str]:
    return {
        "User's Fullname": "Zoë Adams",
        "User ID Number": user,
        "Username": f"u{user}",
        "User's Email": f"{user}@nhs.net",
        "Course Name": "Basic Life Support",
        "Course Shortname": "BLS",
        "Course ID Number": course_id,
        "Completion Status": status,
        "Date Enrolled": "01 Jan 2026",
        "Date Started": "",
        "Date Completed": completed,
        "Grade": "",
    }


def course_rows() -> list[dict[str, str]]:
    return [course(number, "Complete", "15 Jan 2026") for number in PARAMEDICS[:6]] + [
        course("10000007", "In progress")
    ]


def training_needs_rows() -> list[list[str]]:
    return [
        ["All", "", FIRE],
        ["Staff Group", "Allied Health Professionals", RESUS],
        ["Job Role", "Emergency Care Assistant", IG],
        ["Org Level 3", "457 Operations", FIRE],
        ["Position Title", "Paramedic - Band 6", RESUS],
        ["Pay Band", "Band 4", IG],
    ]


def framework_rows() -> list[list[str]]:
    return [
        ["STAT-FIRE", "Fire safety", "Statutory and mandatory", "esr_competence", FIRE, "24"],
        ["STAT-FIRE", "Fire safety", "Statutory and mandatory", "totara_certification", "cert-fire", "24"],
        ["STAT-BLS", "Basic life support", "Statutory and mandatory", "esr_competence", RESUS, "12"],
        ["STAT-BLS", "Basic life support", "Statutory and mandatory", "totara_course", "CRS-BLS", "12"],
        ["STAT-IG", "Information governance", "Statutory and mandatory", "esr_competence", IG, "12"],
        ["CLIN-ECG", "12-lead ECG", "Clinical", "totara_competency", "COMP-ECG", ""],
    ]


def profile_rows() -> list[list[str]]:
    return [
        ["Paramedic", "STAT-FIRE", "essential", ""],
        ["Paramedic", "STAT-BLS", "essential", ""],
        ["Paramedic", "CLIN-ECG", "desirable", "31/03/2027"],
        ["Emergency Care Assistant", "STAT-FIRE", "essential", ""],
        ["Emergency Care Assistant", "STAT-IG", "essential", ""],
        ["Emergency Care Assistant", "CLIN-ECG", "desirable", ""],
    ]


def write_baseline(landing: Path, surveys: bool = True) -> None:
    """Write the small trust's files under `landing` in the folders and names the pipeline discovers."""
    files = {
        f"esr/esr_staff_in_post_457_{EXTRACT}_full.csv": csv_bytes(STAFF_HEADINGS, staff_rows()),
        f"esr/esr_competences_457_{EXTRACT}_full.csv": csv_bytes(COMPETENCE_HEADINGS, competence_rows()),
        f"totara/totara_certification_completion_{EXTRACT}.csv": csv_bytes(CERT_HEADINGS, certification_rows()),
        f"totara/totara_course_completion_{EXTRACT}.csv": csv_bytes(COURSE_HEADINGS, course_rows()),
        "trust/training_needs_analysis.csv": csv_bytes(TNA_HEADINGS, training_needs_rows()),
        "trust/skills_framework.csv": csv_bytes(FRAMEWORK_HEADINGS, framework_rows()),
        "trust/role_skill_profiles.csv": csv_bytes(PROFILE_HEADINGS, profile_rows()),
    }
    for relative, content in files.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if surveys:
        write_sample_surveys(
            landing / "surveys", SURVEY_ORG, DIRECTORATES, STAFF_GROUPS, respondents=120, seed=7, as_of=AS_OF
        )
