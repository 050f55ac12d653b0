"""Composing the compliance rules into the published tables for one reporting date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from learnscape.config import ComplianceSettings
from transforms.compliance.evidence import latest_evidence
from transforms.compliance.population import in_scope_assignments, primary_assignments
from transforms.compliance.reconciliation import reconcile
from transforms.compliance.requirements import assignment_requirements, person_requirements
from transforms.compliance.status import days_to_expiry, requirement_status
from transforms.compliance.summary import summary_counts, summary_from_counts

PERSON_COLUMNS = [
    "as_of_date",
    "employee_number",
    "assignment_number",
    "organisation",
    "org_level_3",
    "staff_group",
    "job_role",
    "assignment_category",
    "competency_name",
    "subject",
    "status",
    "achieved_on",
    "expires_on",
    "days_to_expiry",
    "evidence_source",
    "vpd",
]


@dataclass(frozen=True)
class ComplianceInputs:
    """The trust as known on the reporting date.

    assignments: ESR assignments (one version each); training_needs: applies_to, match_value, competency_name;
    evidence: vpd, employee_number, competency_name, achieved_on, expires_on, no_expiry, source;
    catalogue: competency_name, subject, refresher_months; esr_records: ESR competence records with
    compliance_status, expiry_date, no_expiry, essential.
    """

    assignments: pd.DataFrame
    training_needs: pd.DataFrame
    evidence: pd.DataFrame
    catalogue: pd.DataFrame
    esr_records: pd.DataFrame


@dataclass(frozen=True)
class ComplianceTables:
    person: pd.DataFrame
    summary: pd.DataFrame
    reconciliation: pd.DataFrame


@dataclass(frozen=True)
class CompliancePart:
    """The compliance tables of some of the people: their rows, summary counts still to be added up, and the
    assignments in scope that were counted (for the org unit dimension)."""

    person: pd.DataFrame
    summary_counts: pd.DataFrame
    reconciliation: pd.DataFrame
    in_scope: pd.DataFrame


def build_compliance(inputs: ComplianceInputs, as_of: date, rules: ComplianceSettings) -> ComplianceTables:
    """compliance_person, compliance_summary and the ESR reconciliation for reporting date `as_of`."""
    part = build_compliance_part(inputs, as_of, rules)
    return ComplianceTables(
        person=part.person,
        summary=summary_from_counts(part.summary_counts, as_of, rules),
        reconciliation=part.reconciliation,
    )


def build_compliance_part(inputs: ComplianceInputs, as_of: date, rules: ComplianceSettings) -> CompliancePart:
    """The tables for the people `inputs` holds. Every rule works person by person, so a trust built a part of
    its people at a time gives the same rows; only the summary waits for every part (`add_summary_counts`)."""
    in_scope = in_scope_assignments(inputs.assignments, as_of, rules)
    per_assignment = assignment_requirements(in_scope, inputs.training_needs, as_of, rules)
    essential = None
    if rules.requirements_from_esr_essential:
        essential = _essential_for_people_in_scope(inputs.esr_records, in_scope)
    required = person_requirements(per_assignment, essential)
    primary = primary_assignments(in_scope)
    person = required.merge(primary, on=["vpd", "employee_number"], how="inner")
    evidence = latest_evidence(inputs.evidence, inputs.catalogue, as_of)
    person = person.merge(evidence, on=["vpd", "employee_number", "competency_name"], how="left")
    person = person.merge(inputs.catalogue[["competency_name", "subject"]], on="competency_name", how="left")
    person["status"] = requirement_status(
        person["achieved_on"], person["expires_on"], as_of, rules.expiring_window_days
    )
    person["days_to_expiry"] = days_to_expiry(person["expires_on"], as_of)
    person["as_of_date"] = as_of
    person["achieved_on"] = pd.to_datetime(person["achieved_on"]).dt.date
    person["expires_on"] = pd.to_datetime(person["expires_on"]).dt.date
    person = person[PERSON_COLUMNS].sort_values(["vpd", "employee_number", "competency_name"]).reset_index(drop=True)
    person = _nulls_as_none(person)
    return CompliancePart(
        person=person,
        summary_counts=summary_counts(person),
        reconciliation=reconcile(person, inputs.esr_records).assign(as_of_date=as_of),
        in_scope=in_scope,
    )


def _essential_for_people_in_scope(esr_records: pd.DataFrame, in_scope: pd.DataFrame) -> pd.DataFrame:
    essential = esr_records.loc[esr_records["essential"].fillna(False).astype(bool)]
    people = in_scope[["vpd", "employee_number"]].drop_duplicates()
    return essential.merge(people, on=["vpd", "employee_number"])[["vpd", "employee_number", "competency_name"]]


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Every missing value as None, so published rows carry SQL NULLs rather than NaN/NaT/NA."""
    as_objects = frame.astype(object)
    return as_objects.where(frame.notna(), None)
