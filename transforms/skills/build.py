"""Composing the skills rules into the published skills tables for one reporting date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from transforms.skills.evidence import evidenced_skills, skills_log
from transforms.skills.forecast import ENROLMENT_COLUMNS, PIPELINE_COLUMNS, forecast_counts, forecast_from_counts
from transforms.skills.gap import skills_gap_person
from transforms.skills.summary import gap_summary_counts, gap_summary_from_counts


def _no_pipeline() -> pd.DataFrame:
    return pd.DataFrame(columns=list(PIPELINE_COLUMNS))


def _no_enrolments() -> pd.DataFrame:
    return pd.DataFrame(columns=list(ENROLMENT_COLUMNS))


@dataclass(frozen=True)
class SkillsInputs:
    """The trust as known on the reporting date.

    evidence: learning evidence from every source, one row per piece (vpd, employee_number, evidence_source,
    evidence_key, achieved_on, expires_on, no_expiry); framework: the skills framework (skill_code, skill_name,
    category, evidence_source, evidence_key, valid_for_months); people: people in post, one row per person at
    their primary assignment (vpd, employee_number, assignment_number, job_role, organisation, org_level_3..5,
    staff_group, assignment_end_date); profiles: role skill profiles (job_role, skill_code, priority, needed_by);
    pipeline: students due to qualify (job_role, skill_code, expected_on), one row per student and skill;
    enrolments: incomplete enrolments on courses mapped to a skill (employee_number, skill_code[, vpd]).
    """

    evidence: pd.DataFrame
    framework: pd.DataFrame
    people: pd.DataFrame
    profiles: pd.DataFrame
    pipeline: pd.DataFrame = field(default_factory=_no_pipeline)
    enrolments: pd.DataFrame = field(default_factory=_no_enrolments)


@dataclass(frozen=True)
class SkillsTables:
    """The published skills tables: the skills log, the per-person gaps, the gap summary and the forecast."""

    log: pd.DataFrame
    gap_person: pd.DataFrame
    gap_summary: pd.DataFrame
    forecast: pd.DataFrame


@dataclass(frozen=True)
class SkillsPart:
    """The skills tables of some of the people: their rows, and summary and forecast counts still to be added up."""

    log: pd.DataFrame
    gap_person: pd.DataFrame
    gap_summary_counts: pd.DataFrame
    forecast_counts: pd.DataFrame


def build_skills(inputs: SkillsInputs, as_of: date, window_days: int = 90) -> SkillsTables:
    """The skills tables for reporting date `as_of`, with an expiring window of `window_days` days."""
    part = build_skills_part(inputs, as_of, window_days)
    return SkillsTables(
        log=part.log,
        gap_person=part.gap_person,
        gap_summary=gap_summary_from_counts(part.gap_summary_counts, as_of),
        forecast=forecast_from_counts(part.forecast_counts, inputs.profiles, inputs.framework, inputs.pipeline, as_of),
    )


def build_skills_part(inputs: SkillsInputs, as_of: date, window_days: int = 90) -> SkillsPart:
    """The tables for the people `inputs` holds. Every rule works person by person, so a trust built a part of its
    people at a time gives the same rows; the summary and the forecast wait for every part (their `add_*` counts),
    and the student pipeline, which belongs to no one in post, joins the forecast only then."""
    evidenced = evidenced_skills(inputs.evidence, inputs.framework, as_of)
    gap_person = skills_gap_person(inputs.people, inputs.profiles, evidenced, inputs.framework, as_of, window_days)
    return SkillsPart(
        log=skills_log(evidenced, as_of),
        gap_person=gap_person,
        gap_summary_counts=gap_summary_counts(gap_person, inputs.people, as_of, window_days),
        forecast_counts=forecast_counts(
            inputs.people, inputs.profiles, evidenced, inputs.framework, inputs.enrolments, as_of
        ),
    )
