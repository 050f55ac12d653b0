"""Typed records for the student system's five collections, and pandas frames of them.

Each API record becomes a frozen dataclass following the spec (SITS equivalents in the docstrings).
Parsing never guesses: a record missing a key field or holding a value of the wrong shape is left out and
reported as a `RecordProblem` naming the collection, record key, field and value. An enrolment whose status
code the configuration does not list is the one exception: it is kept, with `status` None beside the raw
`status_code`, and reported, so that adding the code to `schemas/student_status_codes.yaml` re-maps it from
the stored code without pulling it again (the watermark has already moved past it).

Dates of birth serve identity matching only: they never appear in a problem's value or raw record, nor in a
record's repr.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import pandas as pd

from connectors.student_system.constants import (
    ASSESSMENT_EVENTS,
    ASSESSMENT_OUTCOMES,
    COLLECTIONS,
    MODULE_RESULTS,
    PLACEMENT_STATUSES,
    RECORD_KEYS,
    ROUTES,
    STUDY_MODES,
)
from connectors.student_system.status_codes import EnrolmentStatusCodes, load_enrolment_status_codes
from connectors.student_system.timestamps import parse_updated_at

REDACTED = "<redacted>"
PERSONAL_FIELDS = frozenset({"date_of_birth"})


@dataclass(frozen=True)
class Student:
    """A person known to the education team (SITS student, `stu_code`); apprentices carry their ESR number."""

    student_id: str
    title: str | None
    forenames: str | None
    surname: str | None
    preferred_name: str | None
    date_of_birth: date | None = field(repr=False)
    email: str | None
    esr_employee_number: str | None
    hcpc_number: str | None
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class Enrolment:
    """One student on one programme in one cohort (SITS course join); `status` maps the institution code."""

    enrolment_id: str
    student_id: str
    programme_code: str | None
    programme_name: str | None
    route: str | None
    cohort: str | None
    academic_year: str | None
    year_of_study: int | None
    mode: str | None
    status_code: str | None
    status: str | None
    start_date: date | None
    expected_end_date: date | None
    end_date: date | None
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class ModuleResult:
    """A student's agreed result in one module in one academic year (SITS student module result)."""

    student_id: str
    module_code: str
    academic_year: str
    module_title: str | None
    credits: int | None
    agreed_mark: float | None
    agreed_grade: str | None
    result: str | None
    ratified_on: date | None
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class Placement:
    """A block of practice at a station, hospital or control room, with its planned and attended hours."""

    placement_id: str
    student_id: str
    provider_org_code: str | None
    site: str | None
    area: str | None
    start_date: date | None
    end_date: date | None
    planned_hours: float | None
    attended_hours: float | None
    practice_assessor_id: str | None
    status: str | None
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class Assessment:
    """One practice-assessment event of a placement: initial, midpoint, final or cause for concern."""

    assessment_id: str
    placement_id: str | None
    student_id: str
    event: str | None
    assessed_on: date | None
    assessor_id: str | None
    outcome: str | None
    proficiencies_signed: int | None
    updated_at: datetime
    deleted: bool


StudentSystemRecord = Student | Enrolment | ModuleResult | Placement | Assessment
R = TypeVar("R", Student, Enrolment, ModuleResult, Placement, Assessment)


@dataclass(frozen=True)
class RecordProblem:
    """Why one API record (or one of its fields) could not be taken as it came.

    `record_kept` is True when the record still loads (an unlisted enrolment status code) and False when it
    was left out. `raw_record` is the record as JSON, personal fields redacted, for the quarantine table.
    """

    collection: str
    record_key: str
    field: str
    value: str
    message: str
    record_kept: bool
    raw_record: str


@dataclass(frozen=True)
class ParsedCollection(Generic[R]):
    """The typed records of one pulled collection and the problems met on the way."""

    collection: str
    records: tuple[R, ...]
    problems: tuple[RecordProblem, ...]


@dataclass(frozen=True)
class _Field:
    """How one JSON field becomes one attribute: its kind, whether it is required, its allowed values."""

    source: str
    name: str
    kind: str
    required: bool = False
    choices: frozenset[str] = frozenset()
    minimum: float | None = None
    maximum: float | None = None


def _text(source: str, *, required: bool = False, name: str | None = None) -> _Field:
    return _Field(source, name or source, "text", required)


def _choice(source: str, choices: frozenset[str]) -> _Field:
    return _Field(source, source, "choice", choices=choices)


def _date(source: str, name: str | None = None) -> _Field:
    return _Field(source, name or source, "date")


_TAIL = (_Field("updated_at", "updated_at", "timestamp", required=True), _Field("deleted", "deleted", "flag"))

_FIELDS: Mapping[str, tuple[_Field, ...]] = {
    "students": (
        _text("student_id", required=True),
        _text("title"),
        _text("forenames"),
        _text("surname"),
        _text("preferred_name"),
        _date("date_of_birth"),
        _text("email"),
        _text("esr_employee_number"),
        _text("hcpc_number"),
        *_TAIL,
    ),
    "enrolments": (
        _text("enrolment_id", required=True),
        _text("student_id", required=True),
        _text("programme_code"),
        _text("programme_name"),
        _choice("route", ROUTES),
        _text("cohort"),
        _text("academic_year"),
        _Field("year_of_study", "year_of_study", "int", minimum=1, maximum=10),
        _choice("mode", STUDY_MODES),
        _text("status", name="status_code"),
        _date("start_date"),
        _date("expected_end_date"),
        _date("end_date"),
        *_TAIL,
    ),
    "module-results": (
        _text("student_id", required=True),
        _text("module_code", required=True),
        _text("academic_year", required=True),
        _text("module_title"),
        _Field("credits", "credits", "int", minimum=0, maximum=360),
        _Field("agreed_mark", "agreed_mark", "number", minimum=0, maximum=100),
        _text("agreed_grade"),
        _choice("result", MODULE_RESULTS),
        _date("ratified_on"),
        *_TAIL,
    ),
    "placements": (
        _text("placement_id", required=True),
        _text("student_id", required=True),
        _text("provider_org_code"),
        _text("site"),
        _text("area"),
        _date("start_date"),
        _date("end_date"),
        _Field("planned_hours", "planned_hours", "number", minimum=0),
        _Field("attended_hours", "attended_hours", "number", minimum=0),
        _text("practice_assessor_id"),
        _choice("status", PLACEMENT_STATUSES),
        *_TAIL,
    ),
    "assessments": (
        _text("assessment_id", required=True),
        _text("placement_id"),
        _text("student_id", required=True),
        _choice("event", ASSESSMENT_EVENTS),
        _date("date", name="assessed_on"),
        _text("assessor_id"),
        _choice("outcome", ASSESSMENT_OUTCOMES),
        _Field("proficiencies_signed", "proficiencies_signed", "int", minimum=0),
        *_TAIL,
    ),
}

RECORD_TYPES: Mapping[str, type] = {
    "students": Student,
    "enrolments": Enrolment,
    "module-results": ModuleResult,
    "placements": Placement,
    "assessments": Assessment,
}

_DTYPES = {
    "text": "string",
    "choice": "string",
    "int": "Int64",
    "number": "Float64",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns, UTC]",
    "flag": "boolean",
}


class _BadValue(Exception):
    """One field's value does not fit its rule; the message says what was expected."""


def parse_records(
    collection: str,
    raw_records: Iterable[Mapping[str, Any]],
    *,
    status_codes: EnrolmentStatusCodes | None = None,
) -> ParsedCollection[Any]:
    """Type the API records of one collection; see the module docstring for what becomes a problem.

    `status_codes` maps enrolment status codes (default: `schemas/student_status_codes.yaml`).
    """
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}; expected one of {', '.join(COLLECTIONS)}")
    if collection == "enrolments" and status_codes is None:
        status_codes = load_enrolment_status_codes()
    record_type = RECORD_TYPES[collection]
    records: list[Any] = []
    problems: list[RecordProblem] = []
    for raw in raw_records:
        key = _record_key(collection, raw)
        values: dict[str, Any] = {}
        bad: list[RecordProblem] = []
        for rule in _FIELDS[collection]:
            try:
                values[rule.name] = _convert(rule, raw.get(rule.source))
            except _BadValue as error:
                bad.append(_problem(collection, key, rule.source, raw.get(rule.source), str(error), False, raw))
        if bad:
            problems.extend(bad)
            continue
        if collection == "enrolments":
            values["status"] = _map_status(values["status_code"], status_codes, key, raw, problems)
        records.append(record_type(**values))
    return ParsedCollection(collection, tuple(records), tuple(problems))


def _map_status(
    code: str | None,
    status_codes: EnrolmentStatusCodes | None,
    key: str,
    raw: Mapping[str, Any],
    problems: list[RecordProblem],
) -> str | None:
    if code is None or status_codes is None:
        return None
    status = status_codes.status_for(code)
    if status is None:
        message = (
            f"enrolment status code {code!r} is not listed in {status_codes.source}; "
            "add it under active, interrupted, withdrawn or completed"
        )
        problems.append(_problem("enrolments", key, "status", code, message, True, raw))
    return status


def _record_key(collection: str, raw: Mapping[str, Any]) -> str:
    return "|".join(str(raw.get(name, "")) for name in RECORD_KEYS[collection])


def _problem(
    collection: str,
    key: str,
    source_field: str,
    value: Any,
    message: str,
    kept: bool,
    raw: Mapping[str, Any],
) -> RecordProblem:
    shown = REDACTED if source_field in PERSONAL_FIELDS and value is not None else repr(value)
    redacted = {name: (REDACTED if name in PERSONAL_FIELDS else item) for name, item in raw.items()}
    return RecordProblem(
        collection=collection,
        record_key=key,
        field=source_field,
        value=shown,
        message=message,
        record_kept=kept,
        raw_record=json.dumps(redacted, sort_keys=True, default=str),
    )


def _convert(rule: _Field, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        if rule.required:
            raise _BadValue(f"{rule.source} is missing; every record needs it")
        return False if rule.kind == "flag" else None
    converted = _CONVERTERS[rule.kind](value)
    if rule.choices and converted not in rule.choices:
        raise _BadValue(f"{rule.source} must be one of {', '.join(sorted(rule.choices))}, not {value!r}")
    if rule.minimum is not None and converted < rule.minimum:
        raise _BadValue(f"{rule.source} must be at least {rule.minimum:g}, not {value!r}")
    if rule.maximum is not None and converted > rule.maximum:
        raise _BadValue(f"{rule.source} must be at most {rule.maximum:g}, not {value!r}")
    return converted


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _BadValue(f"expected text, got {type(value).__name__}")
    return str(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _BadValue("expected a whole number, got true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _BadValue(f"expected a whole number, got {value!r}")


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        raise _BadValue("expected a number, got true/false")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        raise _BadValue(f"expected a number, got {value!r}") from None


def _as_date(value: Any) -> date:
    if not isinstance(value, str):
        raise _BadValue(f"expected an ISO date (YYYY-MM-DD), got {type(value).__name__}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _BadValue("expected an ISO date (YYYY-MM-DD)") from None


def _as_timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _BadValue(f"expected an ISO 8601 UTC timestamp, got {type(value).__name__}")
    try:
        return parse_updated_at(value)
    except ValueError:
        raise _BadValue("expected an ISO 8601 UTC timestamp such as 2026-11-20T08:15:00Z") from None


def _as_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(f"expected true or false, got {value!r}")
    return value


_CONVERTERS = {
    "text": _as_text,
    "choice": _as_text,
    "int": _as_int,
    "number": _as_number,
    "date": _as_date,
    "timestamp": _as_timestamp,
    "flag": _as_flag,
}


def records_frame(collection: str, records: Sequence[StudentSystemRecord]) -> pd.DataFrame:
    """One row per record, a typed column per dataclass field (nullable dtypes, dates as datetime64)."""
    record_type = RECORD_TYPES[collection]
    kinds = {rule.name: rule.kind for rule in _FIELDS[collection]}
    columns = [item.name for item in fields(record_type)]
    for record in records:
        if not isinstance(record, record_type):
            raise TypeError(f"records_frame({collection!r}) got a {type(record).__name__}")
    frame = pd.DataFrame.from_records(
        [tuple(getattr(record, name) for name in columns) for record in records], columns=columns
    )
    for name in columns:
        dtype = _DTYPES[kinds.get(name, "text")]
        if dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name], utc="UTC" in dtype).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def problems_frame(problems: Sequence[RecordProblem]) -> pd.DataFrame:
    """One row per problem, ready for a quarantine table."""
    columns = [item.name for item in fields(RecordProblem)]
    frame = pd.DataFrame.from_records(
        [tuple(getattr(problem, name) for name in columns) for problem in problems], columns=columns
    )
    return frame.astype({name: ("boolean" if name == "record_kept" else "string") for name in columns})


def person_candidates(students: Iterable[Student]) -> pd.DataFrame:
    """The live students as identity-matching candidates (the input of `transforms.identity.match_learners`).

    `employee_number` is the apprentice's ESR employee number; tombstones are left out.
    """
    rows = [
        (
            "student_system",
            student.student_id,
            student.esr_employee_number,
            student.email,
            student.forenames,
            student.surname,
            student.date_of_birth,
        )
        for student in students
        if not student.deleted
    ]
    columns = [
        "source_system",
        "source_key",
        "employee_number",
        "email",
        "forenames",
        "surname",
        "date_of_birth",
    ]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    text_columns = columns[:-1]
    frame[text_columns] = frame[text_columns].astype("string")
    frame["date_of_birth"] = pd.to_datetime(frame["date_of_birth"]).astype("datetime64[ns]")
    return frame
