"""Malformed Totara Report Builder exports: unknown statuses, blank ids, unreadable dates and broken files.

Each export is dated the day after the baseline and repeats the baseline's rows, so the good rows change
nothing; the bad row comes last (row 10 of a certification export, row 9 of a course export).
"""

from __future__ import annotations

from tests.reliability.corpus.baseline import (
    CERT_HEADINGS,
    COURSE_HEADINGS,
    certification,
    certification_rows,
    course,
    course_rows,
)
from tests.reliability.corpus.model import BadFile, csv_bytes, loaded, refused

CERTS = "totara/totara_certification_completion_20261123.csv"
COURSES = "totara/totara_course_completion_20261123.csv"
COMPETENCIES = "totara/totara_competency_status_20261123.csv"
COMPETENCY_HEADINGS = [
    "User's Fullname",
    "User ID Number",
    "Username",
    "User's Email",
    "Competency",
    "Competency ID Number",
    "Proficient",
    "Scale Value",
    "Date Achieved",
]


def _certs_with(row: dict[str, str]) -> bytes:
    """The baseline's eight certification rows, then `row` as spreadsheet row 10."""
    return csv_bytes(CERT_HEADINGS, [*certification_rows(), row])


def _courses_with(row: dict[str, str]) -> bytes:
    """The baseline's seven course rows, then `row` as spreadsheet row 9."""
    return csv_bytes(COURSE_HEADINGS, [*course_rows(), row])


def _competency(user: str, proficient: str, achieved: str = "01 Mar 2026") -> dict[str, str]:
    return {
        "User's Fullname": "Aarav Patel",
        "User ID Number": user,
        "Username": f"u{user}",
        "User's Email": f"{user}@nhs.net",
        "Competency": "12-lead ECG",
        "Competency ID Number": "COMP-ECG",
        "Proficient": proficient,
        "Scale Value": "Competent" if proficient == "Yes" else "Not yet competent",
        "Date Achieved": achieved if proficient == "Yes" else "",
    }


def _competencies_with(row: dict[str, str]) -> bytes:
    good = [_competency(f"1000000{n}", "Yes") for n in range(1, 7)]
    return csv_bytes(COMPETENCY_HEADINGS, [*good, row])


def _missing_id_column() -> bytes:
    headings = [h for h in CERT_HEADINGS if h != "User ID Number"]
    return csv_bytes(headings, certification_rows())


TOTARA_CASES: tuple[BadFile, ...] = (
    BadFile(
        "totara-unknown-completion-status",
        "totara_course",
        COURSES,
        lambda: _courses_with(course("10000008", "Finished, probably", "15 Jan 2026")),
        loaded((9, "Completion Status")),
        8,
    ),
    BadFile(
        "totara-blank-user-id",
        "totara_certification",
        CERTS,
        lambda: _certs_with(certification("", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep 2028")),
        loaded((10, "User ID Number")),
        9,
    ),
    BadFile(
        "totara-unknown-certification-status",
        "totara_certification",
        CERTS,
        lambda: _certs_with(certification("10000008", "Certified-ish", "01 Sep 2026", "01 Sep 2028")),
        loaded((10, "Status")),
        9,
    ),
    BadFile(
        "totara-unreadable-completion-date",
        "totara_certification",
        CERTS,
        lambda: _certs_with(certification("10000008", "Expires 01 Sep 2028", "31 Feb 2026", "01 Sep 2028")),
        loaded((10, "Date Completed")),
        9,
    ),
    BadFile(
        "totara-expiry-before-completion",
        "totara_certification",
        CERTS,
        lambda: _certs_with(certification("10000008", "Expires 01 Sep 2025", "01 Sep 2026", "01 Sep 2025")),
        loaded((10, "Expiry Date")),
        9,
    ),
    BadFile(
        "totara-blank-course-id",
        "totara_course",
        COURSES,
        lambda: _courses_with(course("10000008", "Complete", "15 Jan 2026", course_id="")),
        loaded((9, "Course ID Number")),
        8,
    ),
    BadFile(
        "totara-proficiency-not-yes-or-no",
        "totara_competency",
        COMPETENCIES,
        lambda: _competencies_with(_competency("10000008", "Maybe")),
        loaded((8, "Proficient")),
        7,
    ),
    BadFile(
        "totara-headings-only",
        "totara_certification",
        CERTS,
        lambda: csv_bytes(CERT_HEADINGS, []),
        refused("headings but no rows"),
        0,
    ),
    BadFile("totara-empty-file", "totara_certification", CERTS, lambda: b"", refused("empty"), None),
    BadFile(
        "totara-utf16",
        "totara_certification",
        CERTS,
        lambda: csv_bytes(CERT_HEADINGS, certification_rows(), encoding="utf-16"),
        refused("UTF-16"),
        8,
    ),
    BadFile(
        "totara-embedded-nul",
        "totara_certification",
        CERTS,
        lambda: _certs_with(certification("10000008", "Expires 01 Sep 2028", "01 Sep 2026", "01 Sep\x00 2028")),
        refused("NUL byte"),
        9,
    ),
    BadFile(
        "totara-missing-user-id-column",
        "totara_certification",
        CERTS,
        _missing_id_column,
        refused("missing required column", "User ID Number"),
        8,
    ),
    BadFile(
        "totara-export-older-than-the-one-applied",
        "totara_certification",
        "totara/totara_certification_completion_20261101.csv",
        lambda: csv_bytes(CERT_HEADINGS, certification_rows()[:3]),
        refused("superseded"),
        3,
    ),
    BadFile(
        "totara-semicolon-delimiter",
        "totara_course",
        COURSES,
        lambda: csv_bytes(COURSE_HEADINGS, course_rows(), delimiter=";"),
        refused("missing required column"),
        7,
    ),
    BadFile(
        "totara-impossible-date-in-file-name",
        "totara_course",
        "totara/totara_course_completion_20261131.csv",
        lambda: csv_bytes(COURSE_HEADINGS, course_rows()),
        refused("20261131"),
        7,
    ),
)
