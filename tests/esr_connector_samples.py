"""Small realistic ESR exports for the ESR connector tests, written the way ESR and Excel write them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from connectors.esr.files import EsrFile, parse_esr_file_name

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


def staff_row(**changes: str) -> dict[str, str]:
    """A paramedic's assignment as ESR exports it; keyword arguments (spaces as underscores) replace cells."""
    row = {
        "Employee Number": "12345678",
        "Assignment Number": "12345678",
        "Title": "Mrs",
        "First Name": "Siân",
        "Last Name": "O'Brien-Jones",
        "Work Email": "sian.obrien-jones@nhs.net",
        "Date of Birth": "14/02/1989",
        "VPD": "457",
        "Organisation": "457 Sector North West Ops",
        "Org Level 3": "457 Operations",
        "Org Level 4": "457 North West",
        "Org Level 5": "457 Fulham Station",
        "Position Title": "Paramedic - Band 6",
        "Job Role": "Paramedic",
        "Occupation Code": "S41",
        "Staff Group": "Allied Health Professionals",
        "Pay Band": "Band 6",
        "Assignment Category": "Permanent",
        "Assignment Status": "Active Assignment",
        "Contracted WTE": "0.80",
        "Hire Date": "01/04/2019",
        "Assignment Start Date": "01/04/2019",
        "Assignment End Date": "",
        "Supervisor Employee Number": "87654321",
        "Last Updated": "2026/11/20 18:02:11",
    }
    row.update({heading.replace("_", " "): value for heading, value in changes.items()})
    return row


def competence_row(**changes: str) -> dict[str, str]:
    """A fire safety award as ESR exports it; keyword arguments replace headings (spaces as underscores)."""
    row = {
        "Employee Number": "12345678",
        "Competency Name": "NHS|CSTF|Fire Safety - 2 Years|",
        "Competence Level": "1 - Attended",
        "Min Requirement": "",
        "Essential": "Y",
        "Expiry Date": "30-Nov-2027",
        "Compliance Status": "GREEN",
        "Description": "Fire safety awareness, evacuation and extinguishers",
        "Date Start": "02-Dec-2025",
        "Date Last Awarded": "2025/12/02 00:00:00",
        "Title": "457 Fire Safety",
        "Last Updated By": "457RTALUKD01|Talukdar, Dr Raihan",
        "VPD": "457",
    }
    row.update({heading.replace("_", " "): value for heading, value in changes.items()})
    return row


def csv_text(headings: list[str], rows: list[dict[str, str]], line_end: str = "\r\n") -> str:
    """The export as text: comma-separated, double quotes only where needed (pipes alone need none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(heading, "") for heading in headings])
    return buffer.getvalue()


def write_export(folder: Path, name: str, text: str, encoding: str = "utf-8") -> EsrFile:
    """Write `text` to `folder/name` in `encoding` and describe it as an ESR file."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    esr_file = parse_esr_file_name(path)
    assert esr_file is not None, name
    return esr_file
