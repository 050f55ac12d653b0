"""The learning_engagement mart: local cuts by directorate, department and staff group, published results beside
them, and suppression that holds on realistic data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from connectors.surveys import (
    load_locality_map,
    load_survey_definitions,
    read_nss_responses,
    read_published_results,
    read_pulse_responses,
)
from sample_trust.surveys import write_sample_surveys
from transforms.suppression import hidden_count_by_family
from transforms.survey_scoring import (
    ENGAGEMENT_COLUMNS,
    learning_engagement,
    respondent_units,
    suppression_links,
    unit_node,
)

TRUST = "Sample Ambulance Service NHS Trust"
DIRECTORATES = [
    "457 Operations",
    "457 Emergency Operations Centres",
    "457 Clinical Education",
    "457 Corporate Services",
    "457 Quality Governance",
]
STAFF_GROUPS = [
    "Allied Health Professionals",
    "Additional Clinical Services",
    "Administrative and Clerical",
    "Nursing and Midwifery Registered",
    "Medical and Dental",
]


@pytest.fixture(scope="module")
def definitions():
    return load_survey_definitions()


@pytest.fixture(scope="module")
def localities():
    return load_locality_map()


def hand_respondents() -> pd.DataFrame:
    """Twelve in Operations, twelve in Quality Governance, five in Corporate Services; all answer q24a = 4."""
    people = [("Operations", "Allied Health Professionals")] * 12
    people += [("Quality Governance", "Registered Nurses and Midwives")] * 12
    people += [("Corporate Services", "Administrative and Clerical")] * 5
    frame = pd.DataFrame(people, columns=["locality1", "staff_group"])
    frame["response_id"] = [f"NSS-2023-R1F-{row:06d}" for row in range(2, len(frame) + 2)]
    frame["survey"], frame["year"], frame["period"] = "NSS", 2023, "2023"
    frame["locality2"] = pd.NA
    return frame


def hand_answers(respondents: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": respondents["response_id"],
            "item_id": "development_challenging_work",
            "question_code": "q24a",
            "code": pd.array([4] * len(respondents), dtype="Int64"),
        }
    )


def published_2023() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey": "NSS",
            "year": 2023,
            "org_code": "R1F",
            "benchmark_group": "Ambulance Trusts",
            "level": ["organisation", "benchmark_average", "organisation", "organisation"],
            "measure_type": ["element", "element", "question", "sub_score"],
            "measure_id": ["always_learning", "always_learning", "development_challenging_work", "appraisals"],
            "source_code": [pd.NA, pd.NA, "q24a", pd.NA],
            "score_0_10": pd.array([5.1, 5.3, None, 4.87], dtype="Float64"),
            "pct_positive": pd.array([None, None, 61.2, None], dtype="Float64"),
            "n": pd.array([2876, None, 2870, 8], dtype="Int64"),
            "suppressed": [False, False, False, False],
        }
    )


class TestHandBuiltMart:
    @pytest.fixture
    def mart(self, definitions, localities):
        respondents = hand_respondents()
        return learning_engagement(
            respondents,
            hand_answers(respondents),
            definitions,
            localities,
            organisation_unit=TRUST,
            published=published_2023(),
        )

    def test_mart_has_the_published_columns(self, mart):
        assert tuple(mart.columns) == ENGAGEMENT_COLUMNS

    def test_locality_labels_become_esr_org_units_and_staff_groups_esr_names(self, mart):
        units = set(zip(mart["org_level"], mart["org_unit"], strict=True))
        assert ("directorate", "457 Operations") in units
        assert ("staff_group", "Nursing and Midwifery Registered") in units
        assert ("organisation", TRUST) in units

    def test_organisation_score_is_the_mean_over_all_respondents(self, mart):
        row = mart[
            (mart["org_level"] == "organisation") & (mart["source"] == "local") & (mart["measure"] == "development")
        ].iloc[0]
        assert (row["score"], row["n"], row["suppressed"]) == (7.5, 29, False)

    def test_small_directorate_is_hidden_and_so_is_one_sibling_to_stop_subtraction(self, mart):
        directorates = mart[(mart["org_level"] == "directorate") & (mart["measure"] == "development")]
        state = dict(zip(directorates["org_unit"], directorates["suppressed"], strict=True))
        assert state == {"457 Corporate Services": True, "457 Operations": True, "457 Quality Governance": False}
        shown = directorates[~directorates["suppressed"]].iloc[0]
        assert (shown["score"], shown["n"]) == (7.5, 12)

    def test_element_is_reported_beside_its_sub_score(self, mart):
        organisation = mart[(mart["org_level"] == "organisation") & (mart["source"] == "local")]
        assert set(organisation["measure"]) == {"development", "always_learning"}

    def test_published_organisation_scores_sit_beside_local_ones_untouched(self, mart):
        published = mart[mart["source"] == "published"].set_index("measure")
        assert set(published.index) == {"always_learning", "appraisals"}
        assert published.loc["always_learning", "score"] == 5.1
        assert published.loc["always_learning", "n"] == 2876
        assert (published.loc["always_learning", "org_level"], published.loc["always_learning", "org_unit"]) == (
            "organisation",
            TRUST,
        )

    def test_published_row_under_the_threshold_is_hidden_even_if_published_unflagged(self, mart):
        appraisals = mart[(mart["source"] == "published") & (mart["measure"] == "appraisals")].iloc[0]
        assert appraisals["suppressed"]
        assert pd.isna(appraisals["score"])


@pytest.fixture(scope="module")
def sample(tmp_path_factory, definitions, localities):
    folder = tmp_path_factory.mktemp("surveys")
    paths = write_sample_surveys(folder, "R1F", DIRECTORATES, STAFF_GROUPS, 420, 11, date(2026, 3, 31))
    responses = [read_nss_responses(path, definitions) for path in paths if path.name.endswith("_responses.csv")]
    responses += [read_pulse_responses(path, definitions) for path in paths if path.name.startswith("pulse_")]
    published = read_published_results(next(path for path in paths if "_results" in path.name), definitions)
    respondents = pd.concat([item.respondents for item in responses], ignore_index=True)
    answers = pd.concat([item.answers for item in responses], ignore_index=True)
    mart = learning_engagement(
        respondents, answers, definitions, localities, organisation_unit=TRUST, published=published.results
    )
    return respondents, mart


class TestMartOnSampleTrust:
    def test_every_survey_and_period_is_present(self, sample):
        _, mart = sample
        periods = set(zip(mart["survey"], mart["period"], strict=True))
        assert {("NSS", "2021"), ("NSS", "2022"), ("NSS", "2023")} <= periods
        assert {("NQPS", "2025-26 Q1"), ("NQPS", "2025-26 Q2"), ("NQPS", "2025-26 Q4")} <= periods

    def test_learning_measures_and_the_learning_nps_are_published(self, sample):
        _, mart = sample
        nss = set(mart.loc[mart["survey"] == "NSS", "measure"])
        assert {
            "always_learning",
            "development",
            "appraisals",
            "staff_engagement",
            "motivation",
            "involvement",
            "advocacy",
        } <= nss
        pulse = mart[mart["survey"] == "NQPS"]
        assert "learning_nps" in set(pulse["measure"])
        assert pulse["score"].dropna().between(-100, 100).all()

    def test_2021_labels_without_the_esr_prefix_land_on_the_same_units(self, sample):
        _, mart = sample
        units_2021 = set(mart.loc[(mart["period"] == "2021") & (mart["org_level"] == "directorate"), "org_unit"])
        assert units_2021 == set(DIRECTORATES)

    def test_suppression_bites_on_the_small_directorate_and_staff_group(self, sample):
        _, mart = sample
        local = mart[mart["source"] == "local"]
        assert local.loc[local["org_unit"] == "457 Quality Governance", "suppressed"].all()
        assert local.loc[local["org_unit"] == "Medical and Dental", "suppressed"].all()
        assert (~local["suppressed"]).sum() > 100

    def test_no_visible_local_cell_rests_on_fewer_than_eleven_respondents(self, sample):
        _, mart = sample
        shown = mart[~mart["suppressed"]]
        assert (shown["n"] >= 11).all()
        assert shown["score"].notna().all()

    def test_no_family_of_groups_has_exactly_one_hidden_cell(self, sample):
        respondents, mart = sample
        links = suppression_links(respondent_units(respondents, load_locality_map(), TRUST))
        local = mart[mart["source"] == "local"].assign(
            node=lambda frame: unit_node(frame["org_level"], frame["org_unit"])
        )
        audit = hidden_count_by_family(local, links, node_column="node", slice_columns=["period", "survey", "measure"])
        assert len(audit) > 50
        assert not (audit["hidden"] == 1).any()

    def test_elements_are_hidden_wherever_a_sub_score_is(self, sample):
        _, mart = sample
        local = mart[mart["source"] == "local"]
        flags = local.pivot_table(
            index=["period", "survey", "org_level", "org_unit"], columns="measure", values="suppressed", aggfunc="first"
        )
        nss = flags.xs("NSS", level="survey")
        assert not (~nss["always_learning"] & (nss["development"] | nss["appraisals"])).any()
        assert not (~flags["staff_engagement"] & (flags["motivation"] | flags["involvement"] | flags["advocacy"])).any()

    def test_local_and_published_organisation_scores_are_close_but_not_recomputed(self, sample):
        _, mart = sample
        organisation = mart[(mart["period"] == "2023") & (mart["org_level"] == "organisation")]
        scores = organisation.pivot(index="measure", columns="source", values="score").dropna()
        assert set(scores.index) >= {"always_learning", "development", "appraisals", "staff_engagement"}
        assert ((scores["published"] - scores["local"]).abs() < 0.5).all()
        assert (scores["published"].round(1) == scores["published"]).all()
