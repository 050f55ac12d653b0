"""The trust as the warehouse knew it on a reporting date: the inputs compliance and skills are computed from.

Each dataset is read as of its knowledge date K = max(D, the dataset's earliest version): the version valid on
K (`valid_from <= K < valid_to`), and awards or learning records the warehouse had seen by K and not seen
withdrawn by then. A reporting date before the first snapshot is therefore computed from the first snapshot, with
the business dates (assignment start and end, award dates) applied to D.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Table, and_, func, literal, or_, select, true

from learnscape.config import LearnscapeConfig
from transforms.compliance.build import ComplianceInputs
from transforms.compliance.evidence import COMPETENCE_EVIDENCE_SOURCES, learning_evidence
from transforms.compliance.population import in_scope_assignments, primary_assignments
from transforms.skills.build import SkillsInputs
from warehouse.models import (
    assignment,
    competence,
    competence_achievement,
    esr_competence_record,
    learner_crosswalk,
    learning_record,
    person,
    role_skill_profile,
    skills_framework,
    student_enrolment,
    student_module_result,
    training_requirement,
)
from warehouse.reads import read_frame

LEARNING_SOURCES = ("totara_certification", "totara_course", "totara_competency")


@dataclass(frozen=True)
class PeopleRange:
    """Employee Numbers from `low` (inclusive) up to `high` (exclusive), as the database orders them; `None`
    leaves that side open, so the default range is everyone.

    A build reads the trust one range at a time to hold a part of it in memory. The comparisons run in the
    database, with the same ordering that chose the boundaries (`people_ranges`), so every key, including a
    learning record's user key that matches nobody in ESR, falls in exactly one range.

    `vpds` lists every VPD the ESR tables hold when the range was made. Tables keyed by VPD first and then
    Employee Number are read through that index by naming the VPDs: a range of Employee Numbers alone cannot
    use it, and would scan the whole table once for every part of the build.
    """

    low: str | None = None
    high: str | None = None
    vpds: tuple[str, ...] = ()

    def holds(self, column, vpd_column=None):
        bounds = []
        if self.low is not None:
            bounds.append(column >= self.low)
        if self.high is not None:
            bounds.append(column < self.high)
        if bounds and self.vpds and vpd_column is not None:
            bounds.append(vpd_column.in_(self.vpds))
        return and_(true(), *bounds)


EVERYONE = PeopleRange()


def people_ranges(connection: Connection, as_of: date, people_per_range: int) -> list[PeopleRange]:
    """Ranges of about `people_per_range` people each, covering every Employee Number (boundaries from the
    people with an assignment known on the date, split evenly by the database's `NTILE`)."""
    day = knowledge_date(connection, assignment, as_of)
    people = select(assignment.c.employee_number).where(_valid_on(assignment, day)).distinct().subquery()
    count = connection.execute(select(func.count()).select_from(people)).scalar_one()
    ranges = math.ceil(count / people_per_range)
    if ranges <= 1:
        return [EVERYONE]
    tiled = select(
        people.c.employee_number, func.ntile(ranges).over(order_by=people.c.employee_number).label("tile")
    ).subquery()
    lows = connection.execute(
        select(func.min(tiled.c.employee_number)).group_by(tiled.c.tile).order_by(tiled.c.tile)
    ).scalars()
    boundaries = list(lows)[1:]
    edges = [None, *boundaries, None]
    vpds = sorted(
        {
            vpd
            for table in (assignment, competence_achievement, esr_competence_record)
            for vpd in _vpds(connection, table)
        }
    )
    return [PeopleRange(low, high, tuple(vpds)) for low, high in itertools.pairwise(edges)]


def _vpds(connection: Connection, table: Table) -> list[str]:
    """The VPDs in a table whose index starts with the VPD, one index lookup each (`SELECT DISTINCT` would read
    the whole index: seconds at regional size, a minute at national)."""
    found: list[str] = []
    following = select(func.min(table.c.vpd))
    while (vpd := connection.execute(following).scalar()) is not None:
        found.append(vpd)
        following = select(func.min(table.c.vpd)).where(table.c.vpd > vpd)
    return found


def knowledge_date(connection: Connection, table: Table, as_of: date, column: str = "valid_from") -> date:
    """The date to read the table's history at: the reporting date, or the first date the table knows anything
    if the reporting date is earlier than that (a reporting date before the first extract reads the first one).

    Asked for every table and part of a build, so the usual case is answered by finding one row known by the
    date, which stops at the first match, instead of the earliest date, which scans the whole table."""
    known = connection.execute(select(literal(1)).where(table.c[column] <= as_of).limit(1)).first()
    if known is not None:
        return as_of
    earliest = connection.execute(select(func.min(table.c[column]))).scalar()
    if earliest is None:
        return as_of
    if isinstance(earliest, str):
        earliest = date.fromisoformat(earliest[:10])
    return max(as_of, earliest)


def _valid_on(table: Table, day: date):
    return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))


def _frame(connection: Connection, query) -> pd.DataFrame:
    return read_frame(connection, query)


def _current_columns(table: Table, hidden: set[str]):
    return [c for c in table.c if c.name not in hidden]


def assignments_on(connection: Connection, as_of: date, people: PeopleRange = EVERYONE) -> pd.DataFrame:
    """Every ESR assignment as known on the date (any status), one row each."""
    day = knowledge_date(connection, assignment, as_of)
    hidden = {"assignment_version_id", "row_hash", "valid_from", "valid_to", "confirmed_on", "load_id"}
    return _frame(
        connection,
        select(*_current_columns(assignment, hidden)).where(
            _valid_on(assignment, day), people.holds(assignment.c.employee_number, assignment.c.vpd)
        ),
    )


def esr_awards_on(connection: Connection, as_of: date, people: PeopleRange = EVERYONE) -> pd.DataFrame:
    """ESR awards known on the date and dated on or before it."""
    day = knowledge_date(connection, esr_competence_record, as_of)
    awards = competence_achievement
    return _frame(
        connection,
        select(
            awards.c.vpd,
            awards.c.employee_number,
            awards.c.competency_name,
            awards.c.achieved_on,
            awards.c.expires_on,
            awards.c.no_expiry,
            awards.c.source,
        ).where(
            awards.c.first_seen_on <= day,
            or_(awards.c.ended_on.is_(None), awards.c.ended_on > day),
            awards.c.achieved_on <= as_of,
            people.holds(awards.c.employee_number, awards.c.vpd),
        ),
    )


def esr_records_on(connection: Connection, as_of: date, people: PeopleRange = EVERYONE) -> pd.DataFrame:
    day = knowledge_date(connection, esr_competence_record, as_of)
    record = esr_competence_record
    return _frame(
        connection,
        select(
            record.c.vpd,
            record.c.employee_number,
            record.c.competency_name,
            record.c.compliance_status,
            record.c.expiry_date,
            record.c.no_expiry,
            record.c.essential,
        ).where(_valid_on(record, day), people.holds(record.c.employee_number, record.c.vpd)),
    )


def learning_on(
    connection: Connection,
    as_of: date,
    sources: tuple[str, ...],
    completed: bool = True,
    people: PeopleRange = EVERYONE,
) -> pd.DataFrame:
    """Learning records of the given sources as known on the date: completed ones dated on or before it, or
    (completed=False) the ones still open without a completion, such as courses in progress. The user key is
    the ESR Employee Number, so `people` selects by it."""
    day = knowledge_date(connection, learning_record, as_of, column="first_seen_on")
    record = learning_record
    known = and_(
        record.c.source.in_(sources),
        record.c.first_seen_on <= day,
        or_(record.c.ended_on.is_(None), record.c.ended_on > day),
        people.holds(record.c.user_key),
    )
    if completed:
        condition = and_(known, record.c.is_evidence.is_(True), record.c.achieved_on <= as_of)
    else:
        condition = and_(known, record.c.is_evidence.is_(False))
    return _frame(
        connection,
        select(
            record.c.source,
            record.c.user_key,
            record.c.item_key,
            record.c.achieved_on,
            record.c.expires_on,
        ).where(condition),
    )


def _rule_file_on(connection: Connection, table: Table, as_of: date, hidden: set[str]) -> pd.DataFrame:
    day = knowledge_date(connection, table, as_of)
    return _frame(
        connection,
        select(*_current_columns(table, hidden | {"valid_from", "valid_to", "load_id"})).where(_valid_on(table, day)),
    )


def skills_framework_on(connection: Connection, as_of: date) -> pd.DataFrame:
    return _rule_file_on(connection, skills_framework, as_of, {"framework_row_id"})


def compliance_inputs(
    connection: Connection, as_of: date, vpd: str, people: PeopleRange = EVERYONE
) -> ComplianceInputs:
    """What the compliance rules need for the people in `people` (everyone by default); the rules and the
    competence catalogue are read whole."""
    evidence = esr_awards_on(connection, as_of, people)
    totara = learning_evidence(
        learning_on(connection, as_of, COMPETENCE_EVIDENCE_SOURCES, people=people),
        skills_framework_on(connection, as_of),
        vpd,
    )
    if not totara.empty:
        evidence = pd.concat([evidence, totara], ignore_index=True)
    return ComplianceInputs(
        assignments=assignments_on(connection, as_of, people),
        training_needs=_rule_file_on(connection, training_requirement, as_of, {"requirement_id"}),
        evidence=evidence,
        catalogue=_frame(
            connection, select(competence.c.competency_name, competence.c.subject, competence.c.refresher_months)
        ),
        esr_records=esr_records_on(connection, as_of, people),
    )


def skills_inputs(
    connection: Connection, as_of: date, config: LearnscapeConfig, people_range: PeopleRange = EVERYONE
) -> SkillsInputs:
    """Everything the skills tables need: people in post (primary assignment), evidence from every source,
    the skills framework and role profiles in force, and people enrolled on mapped courses; for the people in
    `people_range` (everyone by default). The student pipeline belongs to no one in post and is always whole."""
    vpd = config.trust.vpd
    people = primary_assignments(
        in_scope_assignments(assignments_on(connection, as_of, people_range), as_of, config.compliance)
    )
    esr = esr_awards_on(connection, as_of, people_range)
    learning = learning_on(connection, as_of, LEARNING_SOURCES, people=people_range)
    evidence = pd.concat(
        [
            pd.DataFrame(
                {
                    "vpd": esr["vpd"],
                    "employee_number": esr["employee_number"],
                    "evidence_source": "esr_competence",
                    "evidence_key": esr["competency_name"],
                    "achieved_on": esr["achieved_on"],
                    "expires_on": esr["expires_on"],
                    "no_expiry": esr["no_expiry"].astype(bool),
                }
            ),
            pd.DataFrame(
                {
                    "vpd": vpd,
                    "employee_number": learning["user_key"],
                    "evidence_source": learning["source"],
                    "evidence_key": learning["item_key"],
                    "achieved_on": learning["achieved_on"],
                    "expires_on": learning["expires_on"],
                    "no_expiry": False,
                }
            ),
        ],
        ignore_index=True,
    )
    modules = passed_modules_of_employees(connection, as_of, people_range)
    if not modules.empty:
        evidence = pd.concat(
            [
                evidence,
                pd.DataFrame(
                    {
                        "vpd": vpd,
                        "employee_number": modules["employee_number"],
                        "evidence_source": "student_module",
                        "evidence_key": modules["module_code"],
                        "achieved_on": modules["ratified_on"],
                        "expires_on": None,
                        "no_expiry": False,
                    }
                ),
            ],
            ignore_index=True,
        )
    framework = skills_framework_on(connection, as_of)
    profiles = _rule_file_on(connection, role_skill_profile, as_of, {"profile_row_id"})
    in_progress = learning_on(connection, as_of, ("totara_course",), completed=False, people=people_range)
    return SkillsInputs(
        evidence=evidence,
        framework=framework,
        people=people[
            [
                "vpd",
                "employee_number",
                "assignment_number",
                "job_role",
                "organisation",
                "org_level_3",
                "org_level_4",
                "org_level_5",
                "staff_group",
                "assignment_end_date",
            ]
        ],
        profiles=profiles,
        enrolments=_enrolled_on_mapped_courses(in_progress, framework, vpd),
        pipeline=student_pipeline_into_roles(
            connection, as_of, config.sources.student_system.programme_roles, framework, profiles
        ),
    )


def linked_students(connection: Connection, people: PeopleRange = EVERYONE) -> pd.DataFrame:
    """student_id → the ESR Employee Number of the same learner (from the unified learner record)."""
    employees = select(learner_crosswalk.c.learner_id).where(
        learner_crosswalk.c.source_system == "esr", people.holds(learner_crosswalk.c.source_key)
    )
    crosswalk = _frame(connection, select(learner_crosswalk).where(learner_crosswalk.c.learner_id.in_(employees)))
    if crosswalk.empty:
        return pd.DataFrame(columns=["student_id", "employee_number"])
    students = crosswalk.loc[crosswalk["source_system"] == "student_system", ["learner_id", "source_key"]]
    esr = crosswalk.loc[crosswalk["source_system"] == "esr", ["learner_id", "source_key"]]
    joined = students.merge(esr, on="learner_id", suffixes=("_student", "_esr"))
    return pd.DataFrame({"student_id": joined["source_key_student"], "employee_number": joined["source_key_esr"]})


def passed_modules_of_employees(connection: Connection, as_of: date, people: PeopleRange = EVERYONE) -> pd.DataFrame:
    """Modules passed (result P, ratified on or before the date) by students who are ESR people."""
    modules = _frame(
        connection,
        select(
            student_module_result.c.student_id, student_module_result.c.module_code, student_module_result.c.ratified_on
        ).where(student_module_result.c.result == "P", student_module_result.c.ratified_on <= as_of),
    )
    return modules.merge(linked_students(connection, people), on="student_id")


def student_pipeline_into_roles(
    connection: Connection,
    as_of: date,
    programme_roles: dict[str, str],
    framework: pd.DataFrame,
    profiles: pd.DataFrame,
) -> pd.DataFrame:
    """Students due to qualify into a job role: active enrolments on a programme mapped to the role, one row per
    skill of that role's profile that student modules can evidence, expected on the enrolment's end date."""
    columns = ["job_role", "skill_code", "expected_on"]
    if not programme_roles or framework.empty or profiles.empty:
        return pd.DataFrame(columns=columns)
    enrolments = _frame(
        connection,
        select(student_enrolment.c.programme_code, student_enrolment.c.expected_end_date).where(
            student_enrolment.c.status == "active"
        ),
    )
    enrolments = enrolments.assign(job_role=enrolments["programme_code"].map(programme_roles)).dropna(
        subset=["job_role"]
    )
    module_skills = set(framework.loc[framework["evidence_source"] == "student_module", "skill_code"])
    role_skills = profiles.loc[profiles["skill_code"].isin(module_skills), ["job_role", "skill_code"]].assign(
        _role=lambda f: f["job_role"].str.casefold()
    )
    joined = enrolments.assign(_role=enrolments["job_role"].str.casefold()).merge(
        role_skills.drop(columns="job_role"), on="_role"
    )
    return joined.rename(columns={"expected_end_date": "expected_on"})[columns]


def _enrolled_on_mapped_courses(in_progress: pd.DataFrame, framework: pd.DataFrame, vpd: str) -> pd.DataFrame:
    columns = ["vpd", "employee_number", "skill_code"]
    if in_progress.empty or framework.empty:
        return pd.DataFrame(columns=columns)
    courses = framework.loc[framework["evidence_source"] == "totara_course"].assign(
        _key=lambda f: f["evidence_key"].str.strip().str.casefold()
    )
    enrolled = in_progress.assign(_key=in_progress["item_key"].str.strip().str.casefold()).merge(courses, on="_key")
    return pd.DataFrame(
        {"vpd": vpd, "employee_number": enrolled["user_key"], "skill_code": enrolled["skill_code"]}
    ).drop_duplicates()[columns]


def esr_keys_on(connection: Connection, as_of: date) -> tuple[pd.Series, pd.Series]:
    """Employee Numbers and Assignment Numbers held in ESR on the date (any status): two columns, never the whole
    assignment, because every person of a region or the nation is read at once."""
    day = knowledge_date(connection, assignment, as_of)
    keys = _frame(
        connection,
        select(assignment.c.employee_number, assignment.c.assignment_number).where(_valid_on(assignment, day)),
    )
    if keys.empty:
        return pd.Series(dtype=str), pd.Series(dtype=str)
    return keys["employee_number"], keys["assignment_number"]


def first_hire_dates_on(connection: Connection, as_of: date) -> pd.DataFrame:
    """Each ESR person's earliest hire date over their assignments known on the date (employee_number,
    hire_date), aggregated in the database."""
    day = knowledge_date(connection, assignment, as_of)
    return _frame(
        connection,
        select(assignment.c.employee_number, func.min(assignment.c.hire_date).label("hire_date"))
        .where(_valid_on(assignment, day))
        .group_by(assignment.c.employee_number),
    )


def learning_user_keys(connection: Connection) -> pd.DataFrame:
    return _frame(
        connection,
        select(learning_record.c.source, learning_record.c.user_key)
        .where(learning_record.c.ended_on.is_(None))
        .distinct(),
    )


def people_on(connection: Connection, as_of: date) -> pd.DataFrame:
    """ESR people in ESR on the date (holding an assignment of any status), as known then, with what identity
    matching compares: Employee Number, names, work email, date of birth. For identity matching only; the
    database keeps to people with an assignment, because every person of a region or the nation is read at once."""
    day = knowledge_date(connection, person, as_of)
    assignment_day = knowledge_date(connection, assignment, as_of)
    with_assignment = select(assignment.c.employee_number).where(_valid_on(assignment, assignment_day))
    compared = ("employee_number", "first_name", "last_name", "work_email", "date_of_birth")
    return _frame(
        connection,
        select(*(person.c[name] for name in compared)).where(
            _valid_on(person, day), person.c.employee_number.in_(with_assignment)
        ),
    )
