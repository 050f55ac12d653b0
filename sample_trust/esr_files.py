"""Writers for the ESR extracts: staff in post and competences, full and delta, with real exports' quirks.

Every extract's two files are open at once and each person's rows go to every file as the person is generated,
so nothing bigger than one person is ever held. A full file holds each row as it stood on the extract date; a
delta holds only rows whose `Last Updated` (staff) or award (competences) falls since the previous extract,
with leavers as `Terminate Assignment`. The awkward parts are deliberate: the final full staff file carries a
UTF-8 byte-order mark, one delta's staff file is Windows-1252, several files end in blank lines, and dates come
in the shapes ESR mixes within one file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from sample_trust.competences import EXPIRING_WINDOW_DAYS, CompetenceHistory
from sample_trust.dates import DAY_MONTH_NAME, UK, days, format_date, format_esr_timestamp
from sample_trust.people import TERMINATED, Assignment, AssignmentVersion, Person
from sample_trust.schedule import Extract, ExtractSchedule, TrustCalendar

STAFF_HEADINGS = (
    "Employee Number", "Assignment Number", "Title", "First Name", "Last Name", "Work Email", "Date of Birth",
    "VPD", "Organisation", "Org Level 3", "Org Level 4", "Org Level 5", "Position Title", "Job Role",
    "Occupation Code", "Staff Group", "Pay Band", "Assignment Category", "Assignment Status", "Contracted WTE",
    "Hire Date", "Assignment Start Date", "Assignment End Date", "Supervisor Employee Number", "Last Updated",
)  # fmt: skip
COMPETENCE_HEADINGS = (
    "Employee Number", "Competency Name", "Competence Level", "Min Requirement", "Essential", "Expiry Date",
    "Compliance Status", "Description", "Date Start", "Date Last Awarded", "Title", "Last Updated By", "VPD",
)  # fmt: skip
STAFF_KIND = "staff_in_post"
COMPETENCES_KIND = "competences"
NO_EXPIRY = "No Expiry"
WRITE_BUFFER_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileStyle:
    """How one extract file is encoded and whether it ends in blank lines."""

    encoding: str
    trailing_blank_lines: int


def esr_file_name(kind: str, vpd: str, extract: Extract) -> str:
    """The product's name for an ESR extract file, e.g. `esr_staff_in_post_457_20251202_full.csv`."""
    return f"esr_{kind}_{vpd}_{extract.extract_date:%Y%m%d}_{extract.mode}.csv"


def file_style(kind: str, extract: Extract, schedule: ExtractSchedule, calendar: TrustCalendar) -> FileStyle:
    """The encoding and trailing blank lines of one file, as the trust's exports happen to arrive."""
    if kind == STAFF_KIND and extract == schedule.final:
        return FileStyle("utf-8-sig", 2)  # re-saved in Excel before it was dropped in the folder
    if kind == STAFF_KIND and extract.is_delta and extract.extract_date == calendar.windows_1252_delta_on:
        return FileStyle("cp1252", 1)
    if kind == COMPETENCES_KIND and extract.position == 0 and len(schedule.extracts) > 1:
        return FileStyle("utf-8", 1)
    return FileStyle("utf-8", 1 if extract.is_delta and extract.position % 2 else 0)


def compliance_status(expires_on: date | None, on: date) -> str:
    """ESR's RAG for a held competence on day `on`: RED expired, AMBER within 90 days, GREEN otherwise."""
    if expires_on is None:
        return "GREEN"
    if expires_on <= on:
        return "RED"
    if expires_on <= on + days(EXPIRING_WINDOW_DAYS):
        return "AMBER"
    return "GREEN"


class _OpenFile:
    def __init__(self, path: Path, style: FileStyle, headings: tuple[str, ...]) -> None:
        self.path = path
        self.style = style
        self.handle: IO[str] = path.open(
            "w", encoding=style.encoding, errors="strict", newline="", buffering=WRITE_BUFFER_BYTES
        )
        self.writer = csv.writer(self.handle)
        self.writer.writerow(headings)
        self.rows = 0

    def write(self, row: list[str]) -> None:
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.handle.write("\r\n" * self.style.trailing_blank_lines)
        self.handle.close()


class EsrExtractWriter:
    """All ESR extract files of the schedule, open together; `write_person` adds one person's rows to each."""

    def __init__(self, folder: Path, vpd: str, schedule: ExtractSchedule, calendar: TrustCalendar) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.vpd = vpd
        self.schedule = schedule
        self._staff: dict[int, _OpenFile] = {}
        self._competences: dict[int, _OpenFile] = {}
        try:
            for extract in schedule.extracts:
                for kind, files, headings in (
                    (STAFF_KIND, self._staff, STAFF_HEADINGS),
                    (COMPETENCES_KIND, self._competences, COMPETENCE_HEADINGS),
                ):
                    path = folder / esr_file_name(kind, vpd, extract)
                    files[extract.position] = _OpenFile(path, file_style(kind, extract, schedule, calendar), headings)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> EsrExtractWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish every file (trailing blank lines where the style has them) and close it."""
        for open_file in (*self._staff.values(), *self._competences.values()):
            if not open_file.handle.closed:
                open_file.close()

    def row_counts(self) -> dict[Path, int]:
        """Data rows written to each file so far."""
        return {f.path: f.rows for f in (*self._staff.values(), *self._competences.values())}

    def paths(self, kind: str) -> dict[int, Path]:
        """File path per extract position for `kind` (`staff_in_post` or `competences`)."""
        files = self._staff if kind == STAFF_KIND else self._competences
        return {position: open_file.path for position, open_file in files.items()}

    def write_person(self, person: Person, histories: tuple[CompetenceHistory, ...]) -> None:
        """Write the person's assignment rows and competence rows to every extract that shows them."""
        fulls = self.schedule.fulls
        for assignment in person.assignments:
            for extract in fulls:
                version = assignment.version_at(extract.extract_date)
                if version is not None and version.status != TERMINATED:
                    self._staff[extract.position].write(self._staff_row(person, assignment, version))
            changed: dict[int, AssignmentVersion] = {}
            for version in assignment.versions:
                extract = self.schedule.first_showing(version.recorded_on)
                if extract is not None and extract.is_delta:
                    changed[extract.position] = version
            for position, version in changed.items():
                self._staff[position].write(self._staff_row(person, assignment, version))

        present = [extract for extract in fulls if person.present_on(extract.extract_date)]
        employee_number = person.employee_number
        for history in histories:
            for extract in present:
                row = self._competence_row(employee_number, history, extract.extract_date)
                if row is not None:
                    self._competences[extract.position].write(row)
            changed_on: dict[int, date] = {}
            if history.placeholder_on is not None:
                extract = self.schedule.first_showing(history.placeholder_on)
                if extract is not None and extract.is_delta:
                    changed_on[extract.position] = extract.extract_date
            for award in history.awards:
                if award.in_esr:
                    extract = self.schedule.first_showing(award.recorded_on)
                    if extract is not None and extract.is_delta:
                        changed_on[extract.position] = extract.extract_date
            for position, extract_date in changed_on.items():
                row = self._competence_row(employee_number, history, extract_date)
                if row is not None:
                    self._competences[position].write(row)

    def _staff_row(self, person: Person, assignment: Assignment, version: AssignmentVersion) -> list[str]:
        unit = assignment.unit
        role = assignment.role
        style = person.date_style
        return [
            person.employee_number,
            assignment.number,
            person.title,
            person.first_name,
            person.last_name,
            person.work_email,
            format_date(person.date_of_birth, UK),
            self.vpd,
            unit.organisation,
            unit.org_level_3,
            unit.org_level_4,
            unit.org_level_5,
            role.position_title,
            role.job_role,
            role.occupation_code,
            role.staff_group,
            role.pay_band,
            assignment.category,
            version.status,
            version.wte,
            format_date(person.hire_date, style),
            format_date(assignment.start_date, style),
            "" if version.end_date is None else format_date(version.end_date, style),
            assignment.supervisor,
            format_esr_timestamp(version.recorded_on, version.recorded_seconds),
        ]

    def _competence_row(self, employee_number: str, history: CompetenceHistory, on: date) -> list[str] | None:
        competence = history.competence
        award = history.esr_award_at(on)
        if award is None:
            if history.placeholder_on is None or history.placeholder_on > on:
                return None
            return [
                employee_number, competence.name, competence.level, "", "Y", "", "RED", competence.description,
                format_date(history.placeholder_on, DAY_MONTH_NAME), "", competence.title, history.placeholder_by,
                self.vpd,
            ]  # fmt: skip
        expires_on = history.expires_on(award)
        if expires_on is None:
            expiry_text = NO_EXPIRY
        elif history.blank_expiry:
            expiry_text = ""
        else:
            expiry_text = format_date(expires_on, history.expiry_style)
        if not history.essential:
            status = ""
        elif history.stale_status:
            status = compliance_status(expires_on, award.awarded_on)
        else:
            status = compliance_status(expires_on, on)
        return [
            employee_number,
            competence.name,
            competence.level,
            "",
            "Y" if history.essential else "N",
            expiry_text,
            status,
            competence.description,
            format_date(award.awarded_on, DAY_MONTH_NAME),
            format_date(award.awarded_on, history.award_style),
            competence.title,
            award.updated_by,
            self.vpd,
        ]
