"""The trust's rules files: training needs analysis, skills framework and role skill profiles.

They are what the education team keeps beside the exports (see `trust-rules.md`). The skills framework names
every catalogue competence as an `esr_competence` evidence row and, under the same Skill Code, the Totara
certification or course that also evidences it, so a Totara completion counts towards the ESR competence. Role
profiles list each job role's statutory skills (from the TNA, as a typical post of that role would need them)
and its clinical, driving, leadership and digital skills, some needed by a future date.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sample_trust.catalogue import TrainingNeeds
from sample_trust.dates import days
from sample_trust.organisation import StaffingPlan, assignment_fields
from sample_trust.reference import role_skill_extras, skill_evidence

TNA_FILE = "training_needs_analysis.csv"
SKILLS_FRAMEWORK_FILE = "skills_framework.csv"
ROLE_PROFILES_FILE = "role_skill_profiles.csv"
TNA_HEADINGS = ("Applies To", "Value", "Competency Name")
SKILLS_HEADINGS = ("Skill Code", "Skill Name", "Category", "Evidence Source", "Evidence Key", "Valid For Months")
PROFILE_HEADINGS = ("Job Role", "Skill Code", "Priority", "Needed By")


@dataclass(frozen=True)
class SkillEvidence:
    """One row of the skills framework: a piece of evidence that shows a person has a skill."""

    skill_code: str
    skill_name: str
    category: str
    evidence_source: str  # esr_competence, totara_certification, totara_course, totara_competency, student_module
    evidence_key: str
    valid_for_months: int | None


def skills_framework(needs: TrainingNeeds) -> tuple[SkillEvidence, ...]:
    """Every skill's evidence rows: catalogue competences with their Totara items, then the other skills."""
    rows = []
    for competence in needs.competences:
        shared = (competence.skill_code, competence.skill_name, competence.category)
        rows.append(SkillEvidence(*shared, "esr_competence", competence.name, competence.period_months))
        if competence.certification_id:
            rows.append(
                SkillEvidence(*shared, "totara_certification", competence.certification_id, competence.period_months)
            )
        if competence.course_id:
            rows.append(SkillEvidence(*shared, "totara_course", competence.course_id, competence.period_months))
    for record in skill_evidence():
        rows.append(
            SkillEvidence(
                record.skill_code,
                record.skill_name,
                record.category,
                record.evidence_source,
                record.evidence_key,
                record.valid_for_months,
            )
        )
    return tuple(rows)


def role_skill_profiles(needs: TrainingNeeds, staffing: StaffingPlan, as_of: date) -> list[tuple[str, str, str, str]]:
    """(Job Role, Skill Code, Priority, Needed By) for every job role in the trust, in first-seen order."""
    statutory: dict[str, list[str]] = {}
    for role, unit in staffing.representative_postings():
        if role.job_role in statutory:
            continue
        fields = assignment_fields(role, unit, "Permanent")
        codes = []
        for competence in needs.required_for(fields):
            if competence.skill_code not in codes:
                codes.append(competence.skill_code)
        statutory[role.job_role] = codes
    rows = []
    extras = role_skill_extras()
    for job_role, codes in statutory.items():
        for code in codes:
            rows.append((job_role, code, "essential", ""))
        for extra in extras:
            if extra.job_role == job_role and extra.skill_code not in codes:
                needed_by = "" if extra.needed_by_offset_days is None else (as_of + days(extra.needed_by_offset_days))
                rows.append((job_role, extra.skill_code, extra.priority, str(needed_by)))
    return rows


def write_trust_rules(folder: Path, needs: TrainingNeeds, staffing: StaffingPlan, as_of: date) -> dict[Path, int]:
    """Write the three rules files into `folder`; returns rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    framework = skills_framework(needs)
    known_codes = {row.skill_code for row in framework}
    profiles = role_skill_profiles(needs, staffing, as_of)
    for job_role, code, _, _ in profiles:
        if code not in known_codes:
            raise ValueError(
                f"sample_trust/data/role_skill_extras.csv: job role {job_role!r} lists skill {code!r}, "
                f"which is not in the skills framework"
            )
    tables = (
        (TNA_FILE, TNA_HEADINGS, [(rule.applies_to, rule.value, rule.competency_name) for rule in needs.rules]),
        (
            SKILLS_FRAMEWORK_FILE,
            SKILLS_HEADINGS,
            [
                (
                    row.skill_code,
                    row.skill_name,
                    row.category,
                    row.evidence_source,
                    row.evidence_key,
                    "" if row.valid_for_months is None else str(row.valid_for_months),
                )
                for row in framework
            ],
        ),
        (ROLE_PROFILES_FILE, PROFILE_HEADINGS, profiles),
    )
    counts = {}
    for name, headings, rows in tables:
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headings)
            writer.writerows(rows)
        counts[path] = len(rows)
    return counts
