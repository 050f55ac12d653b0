"""The sample trust's reference data, read from the CSV files in `sample_trust/data/` into frozen records.

Keeping stations, roles, proportions, the competence catalogue and the training needs analysis as data means a
new scenario (another trust's structure, a different TNA) is a data change, and other generators (students,
surveys) read the same catalogue. Every loader checks its file and names the file, row, field and value when
something is wrong. Names of org units and local competences are stored without the VPD; callers add it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

DATA_PACKAGE = "sample_trust.data"
STAFF_GROUPS: tuple[str, ...] = (
    "Add Prof Scientific and Technic",
    "Additional Clinical Services",
    "Administrative and Clerical",
    "Allied Health Professionals",
    "Estates and Ancillary",
    "Healthcare Scientists",
    "Medical and Dental",
    "Nursing and Midwifery Registered",
    "Students",
)


class ReferenceDataError(ValueError):
    """A reference data file has a missing column or a value the generator cannot use."""

    def __init__(self, file_name: str, row: int, field: str, value: object, problem: str) -> None:
        super().__init__(f"sample_trust/data/{file_name}, row {row}, field {field!r}, value {value!r}: {problem}")


@dataclass(frozen=True)
class RoleSpec:
    """What an assignment is: the ESR fields that describe the post, as they appear in staff in post."""

    staff_group: str
    job_role: str
    position_title: str
    pay_band: str
    occupation_code: str


@dataclass(frozen=True)
class StationRecord:
    """One ambulance station and the operational sector (Org Level 4) it belongs to."""

    name: str
    sector: str
    weight: float


@dataclass(frozen=True)
class UnitRecord:
    """An org unit other than a station: its kind (which roles work there) and its place in the hierarchy."""

    kind: str
    org_level_3: str
    org_level_4: str
    org_level_5: str
    organisation: str
    weight: float


@dataclass(frozen=True)
class DirectorateRecord:
    """An Org Level 3 directorate: its office, its director's post and the post heading each Org Level 4."""

    org_level_3: str
    office: str
    director: RoleSpec
    head: RoleSpec


@dataclass(frozen=True)
class UnitKindRecord:
    """A kind of org unit, the team leader post its staff report to and how many staff one leader has."""

    kind: str
    team_leader: RoleSpec
    span: int


@dataclass(frozen=True)
class JobRoleRecord:
    """A post ordinary staff hold: its share of the workforce, where it works (kind → weight) and ages."""

    role: RoleSpec
    share: float
    unit_kinds: tuple[tuple[str, float], ...]
    age_from: int
    age_to: int


@dataclass(frozen=True)
class NameRecord:
    """A forename or surname and how common it is (gender only for forenames)."""

    name: str
    gender: str
    weight: int


@dataclass(frozen=True)
class CompetenceRecord:
    """One competence of the catalogue as stored (local names carry a `{vpd}` placeholder)."""

    name: str
    title: str
    category: str
    skill_code: str
    skill_name: str
    level: str
    description: str
    certification_id: str
    certification_name: str
    course_id: str
    course_name: str


@dataclass(frozen=True)
class TnaRuleRecord:
    """One rule of the default training needs analysis (values may carry a `{vpd}` placeholder)."""

    applies_to: str
    value: str
    competency_name: str


@dataclass(frozen=True)
class SkillEvidenceRecord:
    """One evidence row of a skill that is not an ESR competence (clinical, driving, leadership, digital)."""

    skill_code: str
    skill_name: str
    category: str
    evidence_source: str
    evidence_key: str
    valid_for_months: int | None


@dataclass(frozen=True)
class LearningItemRecord:
    """A Totara course, certification or competency outside the catalogue, who takes it and how many do."""

    kind: str
    id_number: str
    name: str
    shortname: str
    valid_for_months: int | None
    job_roles: frozenset[str] | None  # None: everyone
    take_up: float


@dataclass(frozen=True)
class RoleSkillExtraRecord:
    """A skill a job role's profile holds beyond its statutory and mandatory training."""

    job_role: str
    skill_code: str
    priority: str
    needed_by_offset_days: int | None


@dataclass(frozen=True)
class AdminRecord:
    """A learning administrator who edits ESR competence records (`Last Updated By`)."""

    surname: str
    title: str
    forename: str


def _rows(file_name: str, headings: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    text = files(DATA_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    missing = [heading for heading in headings if heading not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceDataError(file_name, 1, missing[0], reader.fieldnames, "heading missing")
    for row_number, row in enumerate(reader, start=2):
        yield row_number, {key: (value or "").strip() for key, value in row.items() if key is not None}


def _number(file_name: str, row: int, field: str, value: str, kind: type[int] | type[float]) -> int | float:
    try:
        number = kind(value)
    except ValueError as error:
        raise ReferenceDataError(file_name, row, field, value, f"not a {kind.__name__}") from error
    if number < 0:
        raise ReferenceDataError(file_name, row, field, value, "must not be negative")
    return number


def _optional_int(file_name: str, row: int, field: str, value: str) -> int | None:
    return None if value == "" else int(_number(file_name, row, field, value, int))


def _role(file_name: str, row: int, values: dict[str, str], prefix: str) -> RoleSpec:
    staff_group = values[f"{prefix}Staff Group"]
    if staff_group not in STAFF_GROUPS:
        raise ReferenceDataError(file_name, row, f"{prefix}Staff Group", staff_group, "not an ESR staff group")
    code = values[f"{prefix}Occupation Code"]
    if len(code) != 3:
        raise ReferenceDataError(file_name, row, f"{prefix}Occupation Code", code, "must be 3 characters")
    medical_code = code[0] in "01289"
    if medical_code != (staff_group == "Medical and Dental"):
        raise ReferenceDataError(
            file_name, row, f"{prefix}Occupation Code", code, "medical codes (0,1,2,8,9) are for medical staff only"
        )
    return RoleSpec(
        staff_group=staff_group,
        job_role=values[f"{prefix}Job Role"],
        position_title=values[f"{prefix}Position Title"],
        pay_band=values[f"{prefix}Pay Band"],
        occupation_code=code,
    )


@lru_cache(maxsize=1)
def stations() -> tuple[StationRecord, ...]:
    """The trust's stations, in the file's order (the first of each sector is its hub)."""
    name = "stations.csv"
    return tuple(
        StationRecord(row["Station"], row["Sector"], float(_number(name, number, "Weight", row["Weight"], float)))
        for number, row in _rows(name, ("Station", "Sector", "Weight"))
    )


@lru_cache(maxsize=1)
def org_units() -> tuple[UnitRecord, ...]:
    """Every org unit that is not a station (sector offices, control rooms, corporate teams, ...)."""
    name = "org_units.csv"
    headings = ("Unit Kind", "Org Level 3", "Org Level 4", "Org Level 5", "Organisation", "Weight")
    kinds = {record.kind for record in unit_kinds()}
    units = []
    for number, row in _rows(name, headings):
        if row["Unit Kind"] not in kinds:
            raise ReferenceDataError(name, number, "Unit Kind", row["Unit Kind"], "not listed in unit_kinds.csv")
        units.append(
            UnitRecord(
                kind=row["Unit Kind"],
                org_level_3=row["Org Level 3"],
                org_level_4=row["Org Level 4"],
                org_level_5=row["Org Level 5"],
                organisation=row["Organisation"],
                weight=float(_number(name, number, "Weight", row["Weight"], float)),
            )
        )
    return tuple(units)


@lru_cache(maxsize=1)
def directorates() -> tuple[DirectorateRecord, ...]:
    """The directorates (Org Level 3); the first is the Chief Executive's office."""
    name = "directorates.csv"
    role_headings = ("Position Title", "Job Role", "Staff Group", "Pay Band", "Occupation Code")
    headings = ("Org Level 3", "Office") + tuple(
        f"{who} {heading}" for who in ("Director", "Head") for heading in role_headings
    )
    return tuple(
        DirectorateRecord(
            org_level_3=row["Org Level 3"],
            office=row["Office"],
            director=_role(name, number, row, "Director "),
            head=_role(name, number, row, "Head "),
        )
        for number, row in _rows(name, headings)
    )


@lru_cache(maxsize=1)
def unit_kinds() -> tuple[UnitKindRecord, ...]:
    """Unit kinds with their team leader posts and spans of control."""
    name = "unit_kinds.csv"
    role_headings = ("Position Title", "Job Role", "Staff Group", "Pay Band", "Occupation Code")
    headings = ("Unit Kind", "Span") + tuple(f"Team Leader {heading}" for heading in role_headings)
    return tuple(
        UnitKindRecord(
            kind=row["Unit Kind"],
            team_leader=_role(name, number, row, "Team Leader "),
            span=max(1, int(_number(name, number, "Span", row["Span"], int))),
        )
        for number, row in _rows(name, headings)
    )


@lru_cache(maxsize=1)
def job_roles() -> tuple[JobRoleRecord, ...]:
    """Posts ordinary staff hold, with their workforce shares (percent) and where they work."""
    name = "job_roles.csv"
    headings = (
        "Staff Group", "Job Role", "Position Title", "Pay Band", "Occupation Code", "Share", "Unit Kinds",
        "Age From", "Age To",
    )  # fmt: skip
    kinds = {record.kind for record in unit_kinds()}
    records = []
    for number, row in _rows(name, headings):
        weights = []
        for part in row["Unit Kinds"].split(";"):
            kind, _, weight = part.partition("=")
            if kind not in kinds:
                raise ReferenceDataError(name, number, "Unit Kinds", row["Unit Kinds"], f"unknown unit kind {kind!r}")
            weights.append((kind, float(_number(name, number, "Unit Kinds", weight, float))))
        age_from = int(_number(name, number, "Age From", row["Age From"], int))
        age_to = int(_number(name, number, "Age To", row["Age To"], int))
        if not 16 <= age_from < age_to <= 75:
            raise ReferenceDataError(name, number, "Age To", row["Age To"], "ages must satisfy 16 <= from < to <= 75")
        records.append(
            JobRoleRecord(
                role=_role(name, number, row, ""),
                share=float(_number(name, number, "Share", row["Share"], float)),
                unit_kinds=tuple(weights),
                age_from=age_from,
                age_to=age_to,
            )
        )
    return tuple(records)


def _names(file_name: str, heading: str, with_gender: bool) -> tuple[NameRecord, ...]:
    headings = (heading, "Gender", "Weight") if with_gender else (heading, "Weight")
    records = []
    for number, row in _rows(file_name, headings):
        gender = row["Gender"] if with_gender else ""
        if with_gender and gender not in ("F", "M"):
            raise ReferenceDataError(file_name, number, "Gender", gender, "must be F or M")
        try:
            row[heading].encode("cp1252")
        except UnicodeEncodeError as error:
            raise ReferenceDataError(
                file_name, number, heading, row[heading], "must be encodable in Windows-1252 (ESR re-saves)"
            ) from error
        weight = int(_number(file_name, number, "Weight", row["Weight"], int))
        if weight < 1:
            raise ReferenceDataError(file_name, number, "Weight", row["Weight"], "must be at least 1")
        records.append(NameRecord(row[heading], gender, weight))
    return tuple(records)


@lru_cache(maxsize=1)
def first_names() -> tuple[NameRecord, ...]:
    """Forenames with gender and frequency weight."""
    return _names("first_names.csv", "First Name", with_gender=True)


@lru_cache(maxsize=1)
def last_names() -> tuple[NameRecord, ...]:
    """Surnames with frequency weight."""
    return _names("last_names.csv", "Last Name", with_gender=False)


@lru_cache(maxsize=1)
def competence_records() -> tuple[CompetenceRecord, ...]:
    """The competence catalogue: every CSTF subject at every level the trust uses, and its local competences."""
    name = "competences.csv"
    headings = (
        "Competency Name", "Title", "Category", "Skill Code", "Skill Name", "Competence Level", "Description",
        "Totara Certification ID", "Totara Certification Name", "Totara Course ID", "Totara Course Name",
    )  # fmt: skip
    return tuple(
        CompetenceRecord(
            name=row["Competency Name"],
            title=row["Title"],
            category=row["Category"],
            skill_code=row["Skill Code"],
            skill_name=row["Skill Name"],
            level=row["Competence Level"],
            description=row["Description"],
            certification_id=row["Totara Certification ID"],
            certification_name=row["Totara Certification Name"],
            course_id=row["Totara Course ID"],
            course_name=row["Totara Course Name"],
        )
        for _, row in _rows(name, headings)
    )


@lru_cache(maxsize=1)
def tna_rules() -> tuple[TnaRuleRecord, ...]:
    """The trust's default training needs analysis."""
    return tuple(
        TnaRuleRecord(row["Applies To"], row["Value"], row["Competency Name"])
        for _, row in _rows("training_needs_analysis.csv", ("Applies To", "Value", "Competency Name"))
    )


@lru_cache(maxsize=1)
def skill_evidence() -> tuple[SkillEvidenceRecord, ...]:
    """Skills beyond the competence catalogue, one row per evidence source."""
    name = "skills.csv"
    headings = ("Skill Code", "Skill Name", "Category", "Evidence Source", "Evidence Key", "Valid For Months")
    return tuple(
        SkillEvidenceRecord(
            skill_code=row["Skill Code"],
            skill_name=row["Skill Name"],
            category=row["Category"],
            evidence_source=row["Evidence Source"],
            evidence_key=row["Evidence Key"],
            valid_for_months=_optional_int(name, number, "Valid For Months", row["Valid For Months"]),
        )
        for number, row in _rows(name, headings)
    )


@lru_cache(maxsize=1)
def learning_items() -> tuple[LearningItemRecord, ...]:
    """Totara learning outside the catalogue (clinical, leadership, digital courses, certifications, competencies)."""
    name = "learning_items.csv"
    headings = ("Kind", "ID Number", "Name", "Shortname", "Valid For Months", "Job Roles", "Take Up")
    records = []
    for number, row in _rows(name, headings):
        if row["Kind"] not in ("course", "certification", "competency"):
            raise ReferenceDataError(name, number, "Kind", row["Kind"], "must be course, certification or competency")
        take_up = float(_number(name, number, "Take Up", row["Take Up"], float))
        if take_up > 1:
            raise ReferenceDataError(name, number, "Take Up", row["Take Up"], "is a share between 0 and 1")
        roles = None if row["Job Roles"] == "*" else frozenset(row["Job Roles"].split(";"))
        records.append(
            LearningItemRecord(
                kind=row["Kind"],
                id_number=row["ID Number"],
                name=row["Name"],
                shortname=row["Shortname"],
                valid_for_months=_optional_int(name, number, "Valid For Months", row["Valid For Months"]),
                job_roles=roles,
                take_up=take_up,
            )
        )
    return tuple(records)


@lru_cache(maxsize=1)
def role_skill_extras() -> tuple[RoleSkillExtraRecord, ...]:
    """Skills each job role's profile holds beyond statutory and mandatory training."""
    name = "role_skill_extras.csv"
    records = []
    for number, row in _rows(name, ("Job Role", "Skill Code", "Priority", "Needed By Offset Days")):
        if row["Priority"] not in ("essential", "desirable"):
            raise ReferenceDataError(name, number, "Priority", row["Priority"], "must be essential or desirable")
        offset = _optional_int(name, number, "Needed By Offset Days", row["Needed By Offset Days"])
        records.append(RoleSkillExtraRecord(row["Job Role"], row["Skill Code"], row["Priority"], offset))
    return tuple(records)


@lru_cache(maxsize=1)
def admins() -> tuple[AdminRecord, ...]:
    """Learning administrators who key competence records into ESR."""
    return tuple(
        AdminRecord(row["Surname"], row["Title"], row["Forename"])
        for _, row in _rows("admins.csv", ("Surname", "Title", "Forename"))
    )
