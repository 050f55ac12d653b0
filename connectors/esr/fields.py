"""The canonical fields of each ESR file kind, their types, and which ones a file must have.

These are the pipeline's own names (snake_case) for ESR's report columns; `schemas/esr_headings.yaml` says
which headings in a file feed each field. The types decide how the reader converts text, so they live in code.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

EsrKind = Literal["staff_in_post", "competences"]
KINDS: tuple[EsrKind, ...] = ("staff_in_post", "competences")


class FieldType(Enum):
    """How a field's text becomes a typed value."""

    TEXT = "text"  # stripped string; blank is null
    KEY = "key"  # an ESR number kept exactly as written (the validator checks its shape)
    DATE = "date"  # a calendar date in any of ESR's formats, as datetime64[ns] at midnight
    EXPIRY = "expiry"  # a DATE that may also say "No Expiry"; gives a companion `no_expiry` flag
    DATETIME = "datetime"  # a timestamp, time of day kept
    NUMBER = "number"  # a decimal such as a WTE
    FLAG = "flag"  # Y/N


FIELD_TYPES: dict[EsrKind, dict[str, FieldType]] = {
    # One row per assignment: a person with two jobs has two rows sharing the employee number.
    "staff_in_post": {
        "employee_number": FieldType.KEY,
        "assignment_number": FieldType.KEY,
        "title": FieldType.TEXT,
        "first_name": FieldType.TEXT,
        "last_name": FieldType.TEXT,
        "work_email": FieldType.TEXT,
        "date_of_birth": FieldType.DATE,
        "vpd": FieldType.TEXT,
        "organisation": FieldType.TEXT,
        "org_level_3": FieldType.TEXT,
        "org_level_4": FieldType.TEXT,
        "org_level_5": FieldType.TEXT,
        "position_title": FieldType.TEXT,
        "job_role": FieldType.TEXT,
        "occupation_code": FieldType.TEXT,
        "staff_group": FieldType.TEXT,
        "pay_band": FieldType.TEXT,
        "assignment_category": FieldType.TEXT,
        "assignment_status": FieldType.TEXT,
        "contracted_wte": FieldType.NUMBER,
        "hire_date": FieldType.DATE,
        "assignment_start_date": FieldType.DATE,
        "assignment_end_date": FieldType.DATE,
        "supervisor_employee_number": FieldType.KEY,
        "last_updated": FieldType.DATETIME,
    },
    # One row per person and competence. `last_updated_by` is who edited the record, never the learner.
    "competences": {
        "employee_number": FieldType.KEY,
        "competency_name": FieldType.TEXT,
        "competence_level": FieldType.TEXT,
        "min_requirement": FieldType.TEXT,
        "essential": FieldType.FLAG,
        "expiry_date": FieldType.EXPIRY,
        "compliance_status": FieldType.TEXT,
        "description": FieldType.TEXT,
        "date_start": FieldType.DATE,
        "date_last_awarded": FieldType.DATE,
        "title": FieldType.TEXT,
        "last_updated_by": FieldType.TEXT,
        "vpd": FieldType.TEXT,
    },
}

REQUIRED_FIELDS: dict[EsrKind, tuple[str, ...]] = {
    "staff_in_post": (
        "employee_number",
        "assignment_number",
        "vpd",
        "organisation",
        "staff_group",
        "job_role",
        "assignment_category",
        "assignment_status",
        "assignment_start_date",
    ),
    "competences": ("employee_number", "competency_name", "date_last_awarded", "expiry_date"),
}

NO_EXPIRY_COLUMN = "no_expiry"
ROW_NUMBER_COLUMN = "row_number"
ROW_FIELD = "(row)"


def record_columns(kind: EsrKind) -> list[str]:
    """The columns of a chunk's records frame, in order: row number, the canonical fields, expiry flags."""
    columns = [ROW_NUMBER_COLUMN]
    for field, field_type in FIELD_TYPES[kind].items():
        columns.append(field)
        if field_type is FieldType.EXPIRY:
            columns.append(NO_EXPIRY_COLUMN)
    return columns
