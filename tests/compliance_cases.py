"""Small hand-built trusts for compliance rule tests: one function call per assignment or award."""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.compliance.build import ComplianceInputs

FIRE = "NHS|CSTF|Fire Safety - 2 Years|"
IG = "NHS|CSTF|Information Governance and Data Security - 1 Year|"
RESUS = "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|"
INDUCTION = "457|LOCAL|Corporate Induction|"

CATALOGUE = pd.DataFrame(
    [
        (FIRE, "Fire Safety", 24),
        (IG, "Information Governance and Data Security", 12),
        (RESUS, "Resuscitation", 12),
        (INDUCTION, "Corporate Induction", None),
    ],
    columns=["competency_name", "subject", "refresher_months"],
)


def assignment(
    employee: str,
    number: str | None = None,
    *,
    status: str = "Active Assignment",
    start: date = date(2020, 1, 6),
    end: date | None = None,
    wte: float = 1.0,
    staff_group: str = "Allied Health Professionals",
    job_role: str = "Paramedic",
    organisation: str = "457 Fulham Station",
    org_level_3: str = "457 Operations",
    category: str = "Permanent",
) -> dict:
    return {
        "vpd": "457",
        "assignment_number": number or employee,
        "employee_number": employee,
        "organisation": organisation,
        "org_level_3": org_level_3,
        "org_level_4": "457 South West",
        "org_level_5": organisation,
        "position_title": f"{job_role} - Band 6",
        "job_role": job_role,
        "occupation_code": "S41",
        "staff_group": staff_group,
        "pay_band": "Band 6",
        "assignment_category": category,
        "assignment_status": status,
        "contracted_wte": wte,
        "hire_date": start,
        "assignment_start_date": start,
        "assignment_end_date": end,
    }


def award(
    employee: str,
    competency: str,
    achieved: date,
    *,
    expires: date | None = None,
    no_expiry: bool = False,
    source: str = "esr",
) -> dict:
    return {
        "vpd": "457",
        "employee_number": employee,
        "competency_name": competency,
        "achieved_on": achieved,
        "expires_on": expires,
        "no_expiry": no_expiry,
        "source": source,
    }


def need(applies_to: str, value: str | None, competency: str) -> dict:
    return {"applies_to": applies_to, "match_value": value, "competency_name": competency}


def esr_record(employee: str, competency: str, rag: str, expiry: date | None = None) -> dict:
    return {
        "vpd": "457",
        "employee_number": employee,
        "competency_name": competency,
        "compliance_status": rag,
        "expiry_date": expiry,
        "no_expiry": False,
        "essential": True,
    }


def inputs(assignments: list[dict], needs: list[dict], awards: list[dict] = (), records: list[dict] = ()):
    award_columns = [
        "vpd",
        "employee_number",
        "competency_name",
        "achieved_on",
        "expires_on",
        "no_expiry",
        "source",
    ]
    record_columns = [
        "vpd",
        "employee_number",
        "competency_name",
        "compliance_status",
        "expiry_date",
        "no_expiry",
        "essential",
    ]
    return ComplianceInputs(
        assignments=pd.DataFrame(assignments),
        training_needs=pd.DataFrame(needs, columns=["applies_to", "match_value", "competency_name"]),
        evidence=pd.DataFrame(list(awards), columns=award_columns),
        catalogue=CATALOGUE,
        esr_records=pd.DataFrame(list(records), columns=record_columns),
    )
