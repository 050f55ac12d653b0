"""Writing small ESR exports and trust rule files for tests, in the real headings and awkward formats."""

from __future__ import annotations

import csv
from pathlib import Path

STAFF_HEADINGS = [
    "Employee Number",
    "Assignment Number",
    "Title",
    "First Name",
    "Last Name",
    "Work Email",
    "Date of Birth",
    "VPD",
    "Organisation",
    "Org Level 3",
    "Org Level 4",
    "Org Level 5",
    "Position Title",
    "Job Role",
    "Occupation Code",
    "Staff Group",
    "Pay Band",
    "Assignment Category",
    "Assignment Status",
    "Contracted WTE",
    "Hire Date",
    "Assignment Start Date",
    "Assignment End Date",
    "Supervisor Employee Number",
    "Last Updated",
]
COMPETENCE_HEADINGS = [
    "Employee Number",
    "Competency Name",
    "Competence Level",
    "Min Requirement",
    "Essential",
    "Expiry Date",
    "Compliance Status",
    "Description",
    "Date Start",
    "Date Last Awarded",
    "Title",
    "Last Updated By",
    "VPD",
]
FIRE = "NHS|CSTF|Fire Safety - 2 Years|"
IG = "NHS|CSTF|Information Governance and Data Security - 1 Year|"
RESUS = "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|"


def staff_row(employee: str, assignment: str | None = None, **overrides: str) -> dict[str, str]:
    row = {
        "Employee Number": employee,
        "Assignment Number": assignment or employee,
        "Title": "Mrs",
        "First Name": "Siân",
        "Last Name": "O'Brien-Jones",
        "Work Email": f"{employee}@nhs.net",
        "Date of Birth": "14/02/1989",
        "VPD": "457",
        "Organisation": "457 Fulham Station",
        "Org Level 3": "457 Operations",
        "Org Level 4": "457 South West",
        "Org Level 5": "457 Fulham Station",
        "Position Title": "Paramedic - Band 6",
        "Job Role": "Paramedic",
        "Occupation Code": "S41",
        "Staff Group": "Allied Health Professionals",
        "Pay Band": "Band 6",
        "Assignment Category": "Permanent",
        "Assignment Status": "Active Assignment",
        "Contracted WTE": "1.00",
        "Hire Date": "01/04/2019",
        "Assignment Start Date": "01/04/2019",
        "Assignment End Date": "",
        "Supervisor Employee Number": "87654321",
        "Last Updated": "2026/11/20 18:02:11",
    }
    row.update(overrides)
    return row


def competence_row(employee: str, name: str, awarded: str, expiry: str = "", rag: str = "GREEN", **overrides):
    row = {
        "Employee Number": employee,
        "Competency Name": name,
        "Competence Level": "1 - Attended",
        "Min Requirement": "",
        "Essential": "Y",
        "Expiry Date": expiry,
        "Compliance Status": rag,
        "Description": "Statutory training, refreshed as set",
        "Date Start": awarded,
        "Date Last Awarded": awarded,
        "Title": "457 Statutory",
        "Last Updated By": "457RTALUKD01|Talukdar, Dr Raihan",
        "VPD": "457",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, headings: list[str], rows: list[dict], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headings, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)
        handle.write("\r\n\r\n")
    return path


def write_staff(landing: Path, stamp: str, mode: str, rows: list[dict], encoding: str = "utf-8") -> Path:
    return write_csv(
        landing / "esr" / f"esr_staff_in_post_457_{stamp}_{mode}.csv", STAFF_HEADINGS, rows, encoding
    )


def write_competences(
    landing: Path, stamp: str, mode: str, rows: list[dict], encoding: str = "utf-8"
) -> Path:
    return write_csv(
        landing / "esr" / f"esr_competences_457_{stamp}_{mode}.csv", COMPETENCE_HEADINGS, rows, encoding
    )


def write_training_needs(landing: Path, rules: list[tuple[str, str, str]]) -> Path:
    rows = [{"Applies To": a, "Value": v, "Competency Name": c} for a, v, c in rules]
    return write_csv(
        landing / "trust" / "training_needs_analysis.csv", ["Applies To", "Value", "Competency Name"], rows
    )
