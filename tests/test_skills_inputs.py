"""The skills rules refuse inputs they cannot read, naming the file, row, field and value."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from tests.skills_cases import FRAMEWORK, FRAMEWORK_COLUMNS, FRAMEWORK_ROWS, build, inputs, need, person
from transforms.skills.frames import SkillsInputError
from transforms.skills.framework import framework_evidence


def framework_with(row: tuple) -> pd.DataFrame:
    """The test framework with one more row at the end (row 11 of the file, counting the heading)."""
    return pd.DataFrame([*FRAMEWORK_ROWS, row], columns=FRAMEWORK_COLUMNS)


@pytest.mark.parametrize(
    "row,message",
    [
        (
            ("DRV-BLUE", "Blue light driving", "Driving", "esr_record", "C1 Blue Light", None),
            "skills_framework.csv row 11: Evidence Source 'esr_record' is not one of esr_competence",
        ),
        (
            ("DRV-BLUE", "Blue light driving", "Driving", "totara_course", "  ", None),
            "skills_framework.csv row 11: Evidence Key '  ' is blank",
        ),
        (
            ("DRV-BLUE", "Blue light driving", "Driving", "totara_course", "CRS-DRV-BLUE", "three years"),
            "skills_framework.csv row 11: Valid For Months 'three years' is not a whole number of months",
        ),
        (
            ("DRV-BLUE", "Blue light driving", "Driving", "totara_course", "CRS-DRV-BLUE", 1.5),
            "skills_framework.csv row 11: Valid For Months 1.5 is not a whole number",
        ),
        (
            (None, "Blue light driving", "Driving", "totara_course", "CRS-DRV-BLUE", 36),
            "skills_framework.csv row 11: Skill Code '' is blank",
        ),
    ],
)
def test_a_framework_row_the_rules_cannot_use_is_named(row, message):
    with pytest.raises(SkillsInputError, match=re.escape(message)):
        framework_evidence(framework_with(row))


def test_a_framework_error_counts_further_rows_like_it():
    framework = pd.DataFrame(
        [*FRAMEWORK_ROWS, *[("DRV-BLUE", "Blue light driving", "Driving", "dvla", "C1", None)] * 3],
        columns=FRAMEWORK_COLUMNS,
    )
    with pytest.raises(SkillsInputError, match=r"row 11: .*'dvla'.*\(2 more row\(s\) like it\)"):
        framework_evidence(framework)


def test_blank_valid_for_months_may_be_an_empty_string_and_whole_floats_are_accepted():
    framework = framework_with(("DRV-BLUE", "Blue light driving", "Driving", "totara_course", "CRS-DRV-BLUE", ""))
    framework.loc[0, "valid_for_months"] = 24.0
    mapping = framework_evidence(framework)
    assert mapping.loc[mapping.skill_code == "DRV-BLUE", "valid_for_months"].isna().all()
    assert mapping.loc[0, "valid_for_months"] == 24.0


def test_a_missing_framework_column_is_named():
    with pytest.raises(SkillsInputError, match="skills_framework.csv: missing column.*valid_for_months"):
        framework_evidence(FRAMEWORK.drop(columns="valid_for_months"))


def test_a_profile_naming_a_skill_outside_the_framework_is_named():
    case = inputs([person("10000001")], [need("Paramedic", "DIG-EPCR"), need("Paramedic", "clin-ecg12")])
    with pytest.raises(SkillsInputError, match="role_skill_profiles.csv row 3: Skill Code 'clin-ecg12' is not in"):
        build(case)


def test_a_profile_priority_other_than_essential_or_desirable_is_named():
    case = inputs([person("10000001")], [need("Paramedic", "DIG-EPCR", "mandatory")])
    with pytest.raises(SkillsInputError, match="row 2: Priority 'mandatory' is not one of essential, desirable"):
        build(case)


def test_a_needed_by_that_is_not_a_date_is_named():
    case = inputs([person("10000001")], [need("Paramedic", "DIG-EPCR", needed_by="next spring")])
    with pytest.raises(SkillsInputError, match="row 2: Needed By 'next spring' is not a date"):
        build(case)


def test_needed_by_may_be_an_iso_date_string_or_blank():
    case = inputs(
        [person("10000001")],
        [need("Paramedic", "DIG-EPCR", needed_by="2026-12-31"), need("Paramedic", "DIG-DATA", needed_by="")],
    )
    gap = build(case).gap_person.set_index("skill_code")
    assert gap.loc["DIG-EPCR", "needed_by"] == date(2026, 12, 31)
    assert gap.loc["DIG-DATA", "needed_by"] is None


def test_a_role_listing_a_skill_twice_differently_is_refused_with_both_rows():
    case = inputs(
        [person("10000001")],
        [
            need("Paramedic", "DIG-EPCR"),
            need("Paramedic", "CLIN-ECG12"),
            need("PARAMEDIC", "DIG-EPCR", "desirable"),
        ],
    )
    with pytest.raises(SkillsInputError, match="rows 2, 4: job role 'Paramedic' lists skill 'DIG-EPCR' more than"):
        build(case)


def test_a_profile_row_repeated_exactly_counts_once():
    case = inputs(
        [person("10000001")],
        [need("Paramedic", "DIG-EPCR", needed_by=date(2026, 9, 1))] * 2,
    )
    assert len(build(case).gap_person) == 1


def test_a_person_listed_twice_is_refused():
    case = inputs([person("10000001"), person("10000001", job_role="Clinical Team Leader")], [])
    with pytest.raises(SkillsInputError, match="employee '10000001' .* appears 2 times; pass one row per person"):
        build(case)


def test_people_without_a_column_the_rules_need_are_refused_by_name():
    case = inputs([person("10000001")], [need("Paramedic", "DIG-EPCR")])
    broken = type(case)(
        evidence=case.evidence,
        framework=case.framework,
        people=case.people.drop(columns="assignment_end_date"),
        profiles=case.profiles,
    )
    with pytest.raises(SkillsInputError, match="people in post: missing column.*assignment_end_date"):
        build(broken)
