"""Totara for the sample trust: Report Builder exports and the seed data of the Totara stand-in server.

Exports (course completion, certification completion, competency status) are dated the day before the as-of
date and use Totara's default headings, status texts (`Expires 05 Mar 2027`, `Overdue since ...`,
`Complete via rpl`) and date texts. CSTF certifications and face-to-face courses come from the same awards as
the ESR competences, so a Totara completion not yet fed to ESR is real evidence. The stand-in server's users
and job assignments are JSON lines in the GraphQL item shapes (`core_user`, `totara_job_job_assignments`), with
`idnumber` holding the ESR employee and assignment numbers. Contractors are Totara users with no ESR record.
"""

from __future__ import annotations

import csv
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from sample_trust.catalogue import TrainingNeeds
from sample_trust.competences import CompetenceHistory
from sample_trust.dates import TOTARA, add_months, days, epoch_seconds, format_date, format_totara_datetime
from sample_trust.people import Assignment, Person, TrustPlan
from sample_trust.reference import LearningItemRecord, learning_items

USER_HEADINGS = ("User's Fullname", "User ID Number", "Username", "User's Email")
COURSE_HEADINGS = USER_HEADINGS + (
    "Course Name", "Course Shortname", "Course ID Number", "Completion Status", "Date Enrolled", "Date Started",
    "Date Completed", "Grade",
)  # fmt: skip
CERTIFICATION_HEADINGS = USER_HEADINGS + (
    "Certification Name", "Certification ID Number", "Status", "Date Completed", "Window Opens", "Expiry Date",
)  # fmt: skip
COMPETENCY_HEADINGS = USER_HEADINGS + (
    "Competency", "Competency ID Number", "Proficient", "Scale Value", "Date Achieved",
)  # fmt: skip
FIRST_PERSON_USER_ID = 3  # 1 is guest, 2 is admin
RECERTIFICATION_WINDOW_MONTHS = 3
WINDOW_OPENS_NOTICE_DAYS = 60  # within this many days of the window opening, Totara says `Window opens ...`
DUE_AFTER_ASSIGNMENT_DAYS = 84
CONTRACTOR_DOMAIN = "agency-staffing.example"
CONTRACTOR_UNKNOWN_NUMBER_EVERY = 3  # every third contractor carries a number ESR does not know
CONTRACTOR_SUSPENDED_EVERY = 7
DELETED_LEAVER_SHARE = 0.5  # of leavers gone more than 60 days
WRITE_BUFFER_BYTES = 256 * 1024
# What contractors must complete through the learning hub before they get system access.
CONTRACTOR_COMPETENCES = (
    "NHS|CSTF|Information Governance and Data Security - 1 Year|",
    "NHS|CSTF|Fire Safety - 2 Years|",
)


def _user_id(index: int) -> str:
    return str(FIRST_PERSON_USER_ID + index)


@lru_cache(maxsize=512)
def position_id_number(vpd: str, position_title: str) -> str:
    """Totara position ID number for an ESR position title, e.g. `457-POS-PARAMEDIC-BAND-6`."""
    plain = unicodedata.normalize("NFKD", position_title).encode("ascii", "ignore").decode("ascii").upper()
    slug = re.sub(r"[^A-Z0-9]+", "-", plain).strip("-")
    return f"{vpd}-POS-{slug}"


def certification_status(completed_on: date | None, expires_on: date | None, due_on: date, on: date) -> str:
    """Totara's Status text for a certification on day `on`, from its latest completion (None if never)."""
    if completed_on is None or expires_on is None:
        return f"Overdue since {format_date(due_on, TOTARA)}" if due_on < on else "Assigned"
    if expires_on <= on:
        return f"Expired since {format_date(expires_on, TOTARA)}"
    window_opens = add_months(expires_on, -RECERTIFICATION_WINDOW_MONTHS)
    if window_opens <= on:
        return f"Due {format_date(expires_on, TOTARA)}"
    if window_opens <= on + days(WINDOW_OPENS_NOTICE_DAYS):
        return f"Window opens {format_date(window_opens, TOTARA)}"
    return f"Expires {format_date(expires_on, TOTARA)}"


@dataclass(frozen=True)
class Contractor:
    """A Totara user with no ESR record (agency staff, contractors); `idnumber` is blank or an unknown number."""

    index: int
    first_name: str
    last_name: str
    email: str
    idnumber: str
    suspended: bool


def build_contractor(plan: TrustPlan, index: int) -> Contractor:
    """Contractor `index` (indexes follow the ESR people); the pattern guarantees both kinds at any size."""
    name = plan.names.name_at(index)
    position = index - plan.people_count
    return Contractor(
        index=index,
        first_name=name.first_name,
        last_name=name.last_name,
        email=f"{name.email_local}@{CONTRACTOR_DOMAIN}",
        idnumber=plan.employee_number(index) if position % CONTRACTOR_UNKNOWN_NUMBER_EVERY == 1 else "",
        suspended=position % CONTRACTOR_SUSPENDED_EVERY == CONTRACTOR_SUSPENDED_EVERY - 1,
    )


class _Csv:
    def __init__(self, path: Path, headings: tuple[str, ...]) -> None:
        self.path = path
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER_BYTES)
        self.writer = csv.writer(self.handle)
        self.writer.writerow(headings)
        self.rows = 0

    def write(self, row: list[str]) -> None:
        self.writer.writerow(row)
        self.rows += 1


class _JsonLines:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER_BYTES)
        self.rows = 0

    def write(self, item: dict[str, Any]) -> None:
        self.handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        self.handle.write("\n")
        self.rows += 1


class TotaraWriter:
    """The three Report Builder exports and the stand-in's users and job assignments, written person by person."""

    def __init__(self, plan: TrustPlan, needs: TrainingNeeds, exports_folder: Path, standin_folder: Path) -> None:
        exports_folder.mkdir(parents=True, exist_ok=True)
        standin_folder.mkdir(parents=True, exist_ok=True)
        self.plan = plan
        self._needs = needs
        self.on = plan.calendar.final_on
        stamp = f"{self.on:%Y%m%d}"
        self._items = learning_items()
        self._items_by_id = {item.id_number: item for item in self._items}
        self._files: list[_Csv | _JsonLines] = []
        try:
            self.courses = self._add(_Csv(exports_folder / f"totara_course_completion_{stamp}.csv", COURSE_HEADINGS))
            self.certifications = self._add(
                _Csv(exports_folder / f"totara_certification_completion_{stamp}.csv", CERTIFICATION_HEADINGS)
            )
            self.competencies = self._add(
                _Csv(exports_folder / f"totara_competency_status_{stamp}.csv", COMPETENCY_HEADINGS)
            )
            self.users = self._add(_JsonLines(standin_folder / "users.jsonl"))
            self.job_assignments = self._add(_JsonLines(standin_folder / "job_assignments.jsonl"))
        except BaseException:
            self.close()
            raise
        self._write_site_users()

    def _add(self, open_file: Any) -> Any:
        self._files.append(open_file)
        return open_file

    def __enter__(self) -> TotaraWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every file."""
        for open_file in self._files:
            if not open_file.handle.closed:
                open_file.handle.close()

    def row_counts(self) -> dict[Path, int]:
        """Rows (or JSON lines) written to each file so far."""
        return {open_file.path: open_file.rows for open_file in self._files}

    def _write_site_users(self) -> None:
        site = (
            ("1", "guest", "Guest user", " ", "root@localhost"),
            ("2", "admin", "Admin", "User", "learninghub.admin@nhs.net"),
        )
        for user_id, username, first, last, email in site:
            self.users.write(
                {
                    "id": user_id, "idnumber": "", "username": username, "firstname": first, "lastname": last,
                    "email": email, "suspended": False, "timezone": "99",
                    "lastaccess": None if username == "guest" else str(epoch_seconds(self.on, 9 * 3600)),
                    "custom_fields": [], "deleted": False,
                }
            )  # fmt: skip

    def write_person(self, person: Person, histories: tuple[CompetenceHistory, ...]) -> None:
        """The person's Totara user, job assignments and (if in post) their rows in the three exports."""
        rng = random.Random(f"{self.plan.seed}:{person.index}:totara")
        on = self.on
        current = person.present_on(on)
        left_long_ago = person.leaves_on is not None and (on - person.leaves_on).days > 60
        deleted = not current and left_long_ago and rng.random() < DELETED_LEAVER_SHARE
        if current:
            last_seen = on - days(rng.randint(0, 120)) if rng.random() < 0.88 else None
        else:
            last_seen = person.leaves_on - days(rng.randint(0, 30)) if person.leaves_on else None
        role = person.primary.role
        self.users.write(
            {
                "id": _user_id(person.index),
                "idnumber": person.employee_number,
                "username": person.email.lower(),
                "firstname": person.first_name,
                "lastname": person.last_name,
                "email": person.email,
                "suspended": not current,
                "timezone": "Europe/London" if rng.random() < 0.9 else "99",
                "lastaccess": None if last_seen is None else str(epoch_seconds(last_seen, rng.randint(25200, 79200))),
                "custom_fields": [
                    {"shortname": "vpd", "data": self.plan.vpd, "data_type": "text"},
                    {"shortname": "staffgroup", "data": role.staff_group, "data_type": "menu"},
                    {"shortname": "hcpcnumber", "data": _registration(rng, role.job_role), "data_type": "text"},
                ],
                "deleted": deleted,
            }
        )
        if not deleted:
            for assignment in person.assignments:
                self._write_job_assignment(person, assignment)
        if not current:
            return
        user = [f"{person.first_name} {person.last_name}", person.employee_number, person.email.lower(), person.email]
        for history in histories:
            if history.competence.certification_id:
                self._write_competence_certification(rng, user, history)
            if history.competence.course_id:
                self._write_competence_course(rng, user, history)
        job_roles = {assignment.role.job_role for assignment in person.assignments}
        for item in self._items:
            if (item.job_roles is None or job_roles & item.job_roles) and rng.random() < item.take_up:
                self._write_learning_item(rng, user, item, person.hire_date)

    def write_contractor(self, contractor: Contractor) -> None:
        """A contractor's Totara user and the mandatory training they did through the learning hub."""
        rng = random.Random(f"{self.plan.seed}:{contractor.index}:contractor-learning")
        self.users.write(
            {
                "id": _user_id(contractor.index),
                "idnumber": contractor.idnumber,
                "username": contractor.email.lower(),
                "firstname": contractor.first_name,
                "lastname": contractor.last_name,
                "email": contractor.email,
                "suspended": contractor.suspended,
                "timezone": "99",
                "lastaccess": str(epoch_seconds(self.on - days(rng.randint(0, 200)), rng.randint(25200, 79200))),
                "custom_fields": [],
                "deleted": False,
            }
        )
        if contractor.suspended:
            return
        user = [
            f"{contractor.first_name} {contractor.last_name}", contractor.idnumber, contractor.email.lower(),
            contractor.email,
        ]  # fmt: skip
        joined = self.on - days(rng.randint(30, 900))
        for name in CONTRACTOR_COMPETENCES:
            competence = self._needs.competence(name)
            months = competence.period_months or 12
            completed_on = self.on - days(rng.randint(0, months * 30 + 120))
            expires_on = add_months(completed_on, months)
            self.certifications.write(
                user + [
                    competence.certification_name, competence.certification_id,
                    certification_status(completed_on, expires_on, joined, self.on),
                    format_totara_datetime(completed_on, rng.randint(25200, 79200)),
                    format_date(add_months(expires_on, -RECERTIFICATION_WINDOW_MONTHS), TOTARA),
                    format_date(expires_on, TOTARA),
                ]
            )  # fmt: skip
        welcome = self._items_by_id.get("CRS-WELCOME")
        if welcome is not None:
            self._write_learning_item(rng, user, welcome, joined)

    def _write_job_assignment(self, person: Person, assignment: Assignment) -> None:
        version = assignment.version_at(self.on)
        if version is None:
            return
        suffix = assignment.number.partition("-")[2] or "1"
        unit = assignment.unit
        role = assignment.role
        self.job_assignments.write(
            {
                "id": str(person.index * 4 + int(suffix)),
                "idnumber": assignment.number,
                "userid": _user_id(person.index),
                "fullname": role.position_title,
                "startdate": str(epoch_seconds(assignment.start_date)),
                "enddate": None if version.end_date is None else str(epoch_seconds(version.end_date)),
                "position": {
                    "idnumber": position_id_number(self.plan.vpd, role.position_title),
                    "fullname": role.position_title,
                },
                "organisation": {"idnumber": unit.code, "fullname": unit.organisation},
                "managerja": {"user": {"idnumber": assignment.supervisor}} if assignment.supervisor else None,
            }
        )

    def _write_competence_certification(self, rng: random.Random, user: list[str], history: CompetenceHistory) -> None:
        competence = history.competence
        award = history.totara_award_at(self.on)
        if award is None and not history.essential:
            if rng.random() < 0.5:
                self.certifications.write(
                    user + [competence.certification_name, competence.certification_id, "N/A", "", "", ""]
                )
            return
        due_on = history.assigned_on + days(DUE_AFTER_ASSIGNMENT_DAYS)
        if award is None:
            status = certification_status(None, None, due_on, self.on)
            self.certifications.write(
                user + [competence.certification_name, competence.certification_id, status, "", "", ""]
            )
            return
        expires_on = history.expires_on(award)
        window_opens = None if expires_on is None else add_months(expires_on, -RECERTIFICATION_WINDOW_MONTHS)
        completed = (
            format_totara_datetime(award.awarded_on, award.completed_seconds)
            if award.completed_seconds % 3
            else format_date(award.awarded_on, TOTARA)
        )
        self.certifications.write(
            user + [
                competence.certification_name,
                competence.certification_id,
                certification_status(award.awarded_on, expires_on, due_on, self.on),
                completed,
                "" if window_opens is None else format_date(window_opens, TOTARA),
                "" if expires_on is None else format_date(expires_on, TOTARA),
            ]
        )  # fmt: skip

    def _write_competence_course(self, rng: random.Random, user: list[str], history: CompetenceHistory) -> None:
        competence = history.competence
        award = history.totara_award_at(self.on)
        course = [competence.course_name, competence.course_id.removeprefix("CRS-"), competence.course_id]
        if award is None:
            if not history.essential:
                return
            enrolled_on = min(self.on, history.assigned_on + days(rng.randint(0, 60)))
            if rng.random() < 0.3:
                started = format_date(min(self.on, enrolled_on + days(rng.randint(0, 30))), TOTARA)
                self.courses.write(user + course + ["In progress", format_date(enrolled_on, TOTARA), started, "", ""])
            else:
                self.courses.write(user + course + ["Not yet started", format_date(enrolled_on, TOTARA), "", "", ""])
            return
        status = "Complete via rpl" if rng.random() < 0.03 else "Complete"
        enrolled_on = award.awarded_on - days(rng.randint(14, 75))
        self.courses.write(
            user + course + [
                status,
                format_date(enrolled_on, TOTARA),
                format_date(award.awarded_on, TOTARA),
                format_totara_datetime(award.awarded_on, award.completed_seconds),
                "",
            ]
        )  # fmt: skip

    def _write_learning_item(self, rng: random.Random, user: list[str], item: LearningItemRecord, since: date) -> None:
        on = self.on
        earliest = max(since - days(365), on - days(4 * 365))
        span = max(0, (on - earliest).days)
        if item.kind == "course":
            draw = rng.random()
            course = [item.name, item.shortname, item.id_number]
            enrolled_on = earliest + days(rng.randint(0, span))
            if draw < 0.07:
                self.courses.write(user + course + ["Not yet started", format_date(enrolled_on, TOTARA), "", "", ""])
                return
            started_on = min(on, enrolled_on + days(rng.randint(0, 14)))
            if draw < 0.18:
                started = format_date(started_on, TOTARA)
                self.courses.write(user + course + ["In progress", format_date(enrolled_on, TOTARA), started, "", ""])
                return
            completed_on = min(on, started_on + days(rng.randint(0, 60)))
            status = "Complete via rpl" if draw < 0.22 else "Complete"
            grade = f"{rng.randint(70, 100)}.00" if status == "Complete" and rng.random() < 0.6 else ""
            self.courses.write(
                user + course + [
                    status, format_date(enrolled_on, TOTARA), format_date(started_on, TOTARA),
                    format_totara_datetime(completed_on, rng.randint(25200, 79200)), grade,
                ]
            )  # fmt: skip
        elif item.kind == "certification":
            months = item.valid_for_months or 12
            completed_on = on - days(rng.randint(0, months * 31 + 90))
            expires_on = add_months(completed_on, months)
            self.certifications.write(
                user + [
                    item.name, item.id_number, certification_status(completed_on, expires_on, since, on),
                    format_date(completed_on, TOTARA),
                    format_date(add_months(expires_on, -RECERTIFICATION_WINDOW_MONTHS), TOTARA),
                    format_date(expires_on, TOTARA),
                ]
            )  # fmt: skip
        elif rng.random() < 0.85:
            achieved_on = earliest + days(rng.randint(0, span))
            self.competencies.write(
                user + [item.name, item.id_number, "Yes", "Competent", format_date(achieved_on, TOTARA)]
            )
        else:
            self.competencies.write(user + [item.name, item.id_number, "No", "Working towards", ""])


def _registration(rng: random.Random, job_role: str) -> str:
    """An HCPC registration number for paramedics (`PA` and digits), blank for everyone else."""
    if job_role in ("Paramedic", "Specialist Paramedic", "Consultant Paramedic", "Clinical Team Leader"):
        return f"PA{rng.randint(10000, 99999)}"
    return ""
