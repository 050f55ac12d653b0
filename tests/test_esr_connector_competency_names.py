"""Competence names: scope, framework, subject, level and refresher period read from the name itself."""

from __future__ import annotations

import pandas as pd
import pytest

from connectors.esr.competency_names import CompetencyName, competency_catalogue, parse_competency_name


def test_fire_safety_every_two_years():
    assert parse_competency_name("NHS|CSTF|Fire Safety - 2 Years|") == CompetencyName(
        name="NHS|CSTF|Fire Safety - 2 Years|",
        scope="NHS",
        framework="CSTF",
        subject="Fire Safety",
        level=None,
        refresher_months=24,
    )


def test_resuscitation_level_keeps_its_description_and_is_yearly():
    parsed = parse_competency_name("NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|")

    assert (parsed.subject, parsed.level, parsed.refresher_months) == (
        "Resuscitation",
        "Level 2 - Adult Basic Life Support",
        12,
    )


def test_infection_prevention_level_2_is_yearly():
    parsed = parse_competency_name("NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|")

    assert (parsed.subject, parsed.level, parsed.refresher_months) == (
        "Infection Prevention and Control",
        "Level 2",
        12,
    )


def test_safeguarding_adults_level_3_every_three_years():
    parsed = parse_competency_name("NHS|CSTF|Safeguarding Adults - Level 3 - 3 Years|")

    assert (parsed.subject, parsed.level, parsed.refresher_months) == ("Safeguarding Adults", "Level 3", 36)


def test_local_competence_is_scoped_to_the_trust_vpd():
    parsed = parse_competency_name("457|LOCAL|Clinical Risk (PAR) - 3 Years|")

    assert (parsed.scope, parsed.framework, parsed.subject, parsed.level, parsed.refresher_months) == (
        "457",
        "LOCAL",
        "Clinical Risk (PAR)",
        None,
        36,
    )


@pytest.mark.parametrize(
    ("name", "months"),
    [
        ("457|LOCAL|Driving Assessment - 6 Months|", 6),
        ("457|LOCAL|Driving Assessment - 1 Month|", 1),
        ("457|LOCAL|Driving Assessment -18 months|", 18),
        ("457|LOCAL|Driving Assessment - 5 YEARS|", 60),
        ("457|LOCAL|Driving Assessment  -  4 years |", 48),
        ("457|LOCAL|Driving Assessment - 2 Yrs|", 24),
    ],
)
def test_refresher_period_is_read_with_a_pattern_tolerant_of_case_and_spacing(name, months):
    parsed = parse_competency_name(name)

    assert parsed.subject == "Driving Assessment"
    assert parsed.refresher_months == months


def test_name_without_a_period_has_no_refresher():
    parsed = parse_competency_name("457|LOCAL|Self-Harm Awareness|")

    assert (parsed.subject, parsed.level, parsed.refresher_months) == ("Self-Harm Awareness", None, None)


def test_number_inside_the_title_without_a_dash_is_not_a_period():
    parsed = parse_competency_name("457|LOCAL|Care of Children Under 5 Years|")

    assert (parsed.subject, parsed.refresher_months) == ("Care of Children Under 5 Years", None)


def test_name_without_the_trailing_pipe_is_accepted():
    assert parse_competency_name("NHS|CSTF|Fire Safety - 1 Year").refresher_months == 12


@pytest.mark.parametrize("name", ["Fire Safety - 2 Years", "NHS|Fire Safety - 2 Years|", "NHS||Fire Safety|", ""])
def test_malformed_name_raises_value_error_naming_it(name):
    with pytest.raises(ValueError, match="competence name") as raised:
        parse_competency_name(name)

    assert repr(name) in str(raised.value)


def test_catalogue_has_one_row_per_distinct_name_in_order_of_first_appearance():
    names = [
        "NHS|CSTF|Fire Safety - 2 Years|",
        "457|LOCAL|Clinical Risk (PAR) - 3 Years|",
        " NHS|CSTF|Fire Safety - 2 Years| ",
        None,
        "",
        "NHS|CSTF|Safeguarding Adults - Level 3 - 3 Years|",
    ]

    catalogue = competency_catalogue(names)

    assert catalogue["name"].tolist() == [
        "NHS|CSTF|Fire Safety - 2 Years|",
        "457|LOCAL|Clinical Risk (PAR) - 3 Years|",
        "NHS|CSTF|Safeguarding Adults - Level 3 - 3 Years|",
    ]
    assert catalogue["subject"].tolist() == ["Fire Safety", "Clinical Risk (PAR)", "Safeguarding Adults"]
    assert catalogue["refresher_months"].tolist() == [24, 36, 36]
    assert catalogue["refresher_months"].dtype == "Int64"
    assert catalogue["problem"].isna().all()


def test_catalogue_marks_a_malformed_name_instead_of_failing():
    catalogue = competency_catalogue(["NHS|CSTF|Fire Safety - 2 Years|", "Fire Safety"])

    bad = catalogue.set_index("name").loc["Fire Safety"]
    assert "not in the form" in bad["problem"]
    assert pd.isna(bad["subject"])


def test_catalogue_of_nothing_is_empty_with_its_columns():
    catalogue = competency_catalogue([])

    assert catalogue.empty
    assert list(catalogue.columns) == [
        "name",
        "scope",
        "framework",
        "subject",
        "level",
        "refresher_months",
        "problem",
    ]
