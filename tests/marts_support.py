"""Small published-mart contents and PostgreSQL-only databases for the warehouse access and publishing tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from learnscape.config import ComplianceSettings
from tests.esr_files import FIRE, IG
from tests.postgres_server import fresh_database
from transforms.compliance.summary import compliance_summary

D = date(2026, 11, 23)


def postgres_database(admin_url: str | None) -> Iterator[str]:
    """A fresh PostgreSQL database for a test that only makes sense on PostgreSQL (roles, concurrent readers)."""
    if admin_url is None:
        if os.environ.get("LEARNSCAPE_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (LEARNSCAPE_REQUIRE_POSTGRES) but no server could be started")
        pytest.skip("no PostgreSQL server available on this machine")
    with fresh_database(admin_url) as url:
        yield url


def compliance_person_rows(as_of: date = D) -> pd.DataFrame:
    """Two paramedics in the North West sector: one compliant and expiring, one expired and missing."""
    return pd.DataFrame(
        {
            "as_of_date": [as_of] * 4,
            "employee_number": ["10234567", "10234567", "20345678", "20345678"],
            "assignment_number": ["10234567", "10234567", "20345678-2", "20345678-2"],
            "organisation": ["457 Sector North West Ops"] * 4,
            "org_level_3": ["457 Operations"] * 4,
            "staff_group": ["Allied Health Professionals"] * 4,
            "job_role": ["Paramedic"] * 4,
            "assignment_category": ["Permanent", "Permanent", "Bank", "Bank"],
            "competency_name": [FIRE, IG, FIRE, IG],
            "subject": ["Fire Safety", "Information Governance and Data Security"] * 2,
            "status": ["compliant", "expiring", "expired", "missing"],
            "achieved_on": [date(2025, 6, 2), date(2025, 12, 20), date(2024, 11, 1), None],
            "expires_on": [date(2027, 6, 2), date(2026, 12, 20), date(2026, 11, 1), None],
            "days_to_expiry": [191, 27, -22, None],
            "evidence_source": ["esr", "totara_certification", "esr", None],
            "vpd": ["457"] * 4,
        }
    )


def compliance_summary_rows(as_of: date = D, groups: int = 3) -> pd.DataFrame:
    """Fire safety per organisation: `groups` rows whose counts add up (in date + expired + missing = required)."""
    required = [20 + g for g in range(groups)]
    in_date = [r - 3 for r in required]
    return pd.DataFrame(
        {
            "as_of_date": [as_of] * groups,
            "dimension": ["organisation"] * groups,
            "group_value": [f"457 Station {g:03d}" for g in range(groups)],
            "competency_name": [FIRE] * groups,
            "required": required,
            "in_date": in_date,
            "expiring": [2] * groups,
            "expired": [2] * groups,
            "missing": [1] * groups,
            "compliance_pct": [100.0 * i / r for i, r in zip(in_date, required, strict=True)],
            "target_pct": [90.0] * groups,
            "rag": ["green" if 100.0 * i / r >= 90 else "amber" for i, r in zip(in_date, required, strict=True)],
        }
    )


def compliance_reconciliation_rows(as_of: date = D) -> pd.DataFrame:
    """ESR still rates the expired fire safety award GREEN."""
    return pd.DataFrame(
        {
            "as_of_date": [as_of],
            "employee_number": ["20345678"],
            "competency_name": [FIRE],
            "esr_compliance_status": ["GREEN"],
            "learnscape_status": ["expired"],
            "esr_expiry_date": [date(2026, 11, 1)],
            "expires_on": [date(2026, 11, 1)],
            "evidence_source": ["esr"],
            "explanation": ["ESR's status is stale: it was last recalculated before the expiry date passed."],
            "vpd": ["457"],
        }
    )


def skills_gap_summary_rows(as_of: date = D) -> pd.DataFrame:
    """Trust-wide paramedic coverage of two essential skills: ECG nearly covered, maternity emergencies short."""
    return pd.DataFrame(
        {
            "as_of_date": [as_of] * 2,
            "dimension": ["trust"] * 2,
            "org_unit": ["457"] * 2,
            "job_role": ["Paramedic"] * 2,
            "skill_code": ["CLIN-ECG12", "CLIN-MATERNITY"],
            "skill_name": ["12-lead ECG acquisition and interpretation", "Pre-hospital maternity emergencies"],
            "people_in_role": [40, 40],
            "holders": [38, 29],
            "coverage_pct": [95.0, 72.5],
            "gap_count": [2, 11],
            "holders_in_90_days": [36, 25],
            "upcoming_gap_count": [4, 15],
            "coverage_pct_in_90_days": [90.0, 62.5],
        }
    )


def all_marts(as_of: date = D) -> dict[str, pd.DataFrame]:
    """Compliance and skills marts for one date, the compliance summary counted from the people by the real rule."""
    person = compliance_person_rows(as_of)
    return {
        "compliance_person": person,
        "compliance_summary": compliance_summary(person.assign(vpd="457"), as_of, ComplianceSettings()),
        "compliance_reconciliation": compliance_reconciliation_rows(as_of),
        "skills_gap_summary": skills_gap_summary_rows(as_of),
    }
