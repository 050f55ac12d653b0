"""Survey scoring, worked by hand: item scores, sub-scores, elements, n, NPS and Kirkpatrick summaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from connectors.surveys import load_survey_definitions, read_nss_responses
from transforms.survey_scoring import (
    course_evaluation,
    group_nps,
    group_scores,
    item_scores,
    kirkpatrick_summary,
    net_promoter_score,
    period_label,
    respondent_scores,
)


@pytest.fixture(scope="module")
def definitions():
    return load_survey_definitions()


def answers(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["response_id", "item_id", "code"])
    frame["question_code"] = ""
    frame["code"] = frame["code"].astype("Int64")
    return frame[["response_id", "item_id", "question_code", "code"]]


def respondents(ids: list[str], group: str = "457 Operations") -> pd.DataFrame:
    return pd.DataFrame({"response_id": ids, "directorate": group})


def measures(frame: pd.DataFrame) -> dict[str, tuple[float, int]]:
    return {row.measure: (row.score, row.n) for row in frame.itertuples()}


THREE_RESPONDENTS = answers(
    [
        ("r1", "development_challenging_work", 5),  # 10
        ("r1", "development_career_opportunities", 4),  # 7.5
        ("r1", "appraisal_had", 1),  # Yes
        ("r1", "appraisal_improve_job", 1),  # Yes definitely: 10
        ("r1", "appraisal_clear_objectives", 2),  # Yes to some extent: 5
        ("r2", "development_challenging_work", 3),  # 5
        ("r2", "appraisal_had", 2),  # No: routed past the quality items
        ("r2", "appraisal_improve_job", 1),  # answered anyway: ignored
        ("r3", "appraisal_had", 1),  # Yes
        ("r3", "appraisal_improve_job", 3),  # No: 0
        ("r3", "appraisal_clear_objectives", 3),  # 0
        ("r3", "appraisal_feel_valued", 3),  # 0
    ]
)


class TestLearningElement:
    def test_sub_score_is_the_mean_over_respondents_of_the_items_each_answered(self, definitions):
        scores = respondent_scores(item_scores(THREE_RESPONDENTS, definitions))
        group = measures(group_scores(respondents(["r1", "r2", "r3"]), scores, ["directorate"]))
        # r1 = (10 + 7.5) / 2 = 8.75, r2 = 5, r3 answered no development item.
        assert group["development"] == (pytest.approx(6.875), 2)

    def test_appraisal_sub_score_counts_only_respondents_who_had_an_appraisal(self, definitions):
        scores = respondent_scores(item_scores(THREE_RESPONDENTS, definitions))
        group = measures(group_scores(respondents(["r1", "r2", "r3"]), scores, ["directorate"]))
        # r1 = (10 + 5) / 2 = 7.5, r3 = 0; r2 said No, so their answer to q23b is ignored.
        assert group["appraisals"] == (pytest.approx(3.75), 2)

    def test_element_is_the_mean_over_respondents_of_their_mean_sub_score(self, definitions):
        scores = respondent_scores(item_scores(THREE_RESPONDENTS, definitions))
        group = measures(group_scores(respondents(["r1", "r2", "r3"]), scores, ["directorate"]))
        # r1 = (8.75 + 7.5) / 2 = 8.125, r2 = 5 (development only), r3 = 0 (appraisals only); mean 4.375.
        # (The mean of the group's two sub-scores would be 5.3125: respondents, not sub-scores, are averaged.)
        assert group["always_learning"] == (pytest.approx(4.375), 3)

    def test_n_counts_respondents_with_a_score_not_rows_in_the_group(self, definitions):
        scores = respondent_scores(item_scores(THREE_RESPONDENTS, definitions))
        group = measures(group_scores(respondents(["r1", "r2", "r3", "r4"]), scores, ["directorate"]))
        assert {measure: n for measure, (_, n) in group.items()} == {
            "development": 2,
            "appraisals": 2,
            "always_learning": 3,
        }

    def test_cant_remember_an_appraisal_is_answered_but_not_scored(self, definitions):
        scores = item_scores(answers([("r1", "appraisal_had", 3), ("r1", "appraisal_improve_job", 1)]), definitions)
        assert scores.empty


class TestEngagementTheme:
    def test_engagement_is_the_mean_of_motivation_involvement_and_advocacy_per_respondent(self, definitions):
        frame = answers(
            [
                ("r1", "motivation_look_forward", 5),  # 10
                ("r1", "motivation_enthusiastic", 4),  # 7.5
                ("r1", "involvement_suggest_improvements", 3),  # 5
                ("r2", "advocacy_recommend_work", 1),  # 0
            ]
        )
        scores = respondent_scores(item_scores(frame, definitions))
        group = measures(group_scores(respondents(["r1", "r2"]), scores, ["directorate"]))
        # r1 = (8.75 + 5) / 2 = 6.875, r2 = 0.
        assert group["staff_engagement"] == (pytest.approx(3.4375), 2)
        assert group["motivation"] == (pytest.approx(8.75), 1)
        assert group["advocacy"] == (pytest.approx(0.0), 1)


class TestNegativeItems:
    def test_thinking_of_leaving_items_are_reversed_so_higher_is_better(self, definitions):
        frame = answers(
            [
                ("r1", "leaving_often_think", 5),  # strongly agree I often think of leaving: 10 -> 0
                ("r1", "leaving_look_next_12_months", 1),  # strongly disagree: 0 -> 10
                ("r1", "leaving_as_soon_as_possible", 2),  # disagree: 2.5 -> 7.5
            ]
        )
        scores = item_scores(frame, definitions)
        assert list(scores["score"]) == [0.0, 10.0, 7.5]
        sub = respondent_scores(scores)
        assert sub.loc[sub["measure"] == "thinking_of_leaving", "score"].item() == pytest.approx(17.5 / 3)

    def test_thinking_of_leaving_joins_no_element(self, definitions):
        scores = respondent_scores(item_scores(answers([("r1", "leaving_often_think", 1)]), definitions))
        assert list(scores["measure"]) == ["thinking_of_leaving"]


def write_nss(folder: Path, year: int, codes: dict[str, int]) -> Path:
    path = folder / f"nss_{year}_R1F_responses.csv"
    headings = ["Sample ID", "Organisation code", "Organisation Name", "LOCALITY1", "STAFFGROUP", *codes]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        writer.writerow(
            ["S1", "R1F", "Sample Ambulance Service NHS Trust", "Operations", "Medical and Dental", *codes.values()]
        )
    return path


class TestRenumberedQuestions:
    @pytest.mark.parametrize(
        ("year", "appraisal", "development", "leaving"),
        [(2021, "q19", "q20", "q22"), (2022, "q21", "q22", "q24"), (2023, "q23", "q24", "q26")],
    )
    def test_the_same_answers_under_each_years_numbers_score_the_same(
        self, tmp_path, definitions, year, appraisal, development, leaving
    ):
        codes = {
            f"{appraisal}a": 1,
            f"{appraisal}b": 2,
            f"{development}c": 4,
            f"{development}e": 5,
            f"{leaving}a": 4,
        }
        responses = read_nss_responses(write_nss(tmp_path, year, codes), definitions)
        scores = respondent_scores(item_scores(responses.answers, definitions))
        assert dict(zip(scores["measure"], scores["score"], strict=True)) == {
            "appraisals": 5.0,
            "development": 8.75,
            "thinking_of_leaving": 2.5,
            "always_learning": 6.875,
        }
        assert set(responses.answers["item_id"]) == {
            "appraisal_had",
            "appraisal_improve_job",
            "development_knowledge_skills",
            "development_access_learning",
            "leaving_often_think",
        }


class TestNetPromoterScore:
    def test_all_promoters_score_100(self):
        assert net_promoter_score([9, 10, 10]) == 100.0

    def test_all_detractors_score_minus_100(self):
        assert net_promoter_score([0, 3, 6]) == -100.0

    @pytest.mark.parametrize(("answer", "nps"), [(6, -100.0), (7, 0.0), (8, 0.0), (9, 100.0)])
    def test_boundaries_six_is_a_detractor_seven_and_eight_passive_nine_a_promoter(self, answer, nps):
        assert net_promoter_score([answer]) == nps

    def test_passives_count_in_the_denominator(self):
        # 2 promoters, 1 detractor, 1 passive out of 4: 50% - 25%.
        assert net_promoter_score([9, 10, 8, 6]) == 25.0

    def test_no_answers_has_no_score(self):
        assert net_promoter_score([]) is None

    def test_an_answer_outside_0_to_10_is_refused(self):
        with pytest.raises(ValueError, match="0 to 10"):
            net_promoter_score([11])

    def test_learning_nps_per_group_from_the_local_item(self, definitions):
        frame = answers(
            [
                ("p1", "learning_offer_recommend", 10),
                ("p2", "learning_offer_recommend", 9),
                ("p3", "learning_offer_recommend", 3),
                ("p3", "motivation_look_forward", 4),
            ]
        )
        nps = group_nps(respondents(["p1", "p2", "p3", "p4"]), frame, definitions, ["directorate"])
        row = nps.iloc[0]
        assert (row["measure"], row["measure_type"], row["n"]) == ("learning_nps", "nps", 3)
        assert row["score"] == pytest.approx(100 / 3)

    def test_nps_items_never_join_a_mean_sub_score(self, definitions):
        scores = item_scores(answers([("p1", "learning_offer_recommend", 10)]), definitions)
        assert scores.empty


class TestPeriods:
    @pytest.mark.parametrize(
        ("moment", "quarter", "month"),
        [
            ("2025-03-31 23:59", "2024-25 Q4", "2025-03"),
            ("2025-04-01 00:00", "2025-26 Q1", "2025-04"),
            ("2025-12-31 12:00", "2025-26 Q3", "2025-12"),
            ("2026-01-01 08:00", "2025-26 Q4", "2026-01"),
            ("2099-07-01 08:00", "2099-00 Q2", "2099-07"),
        ],
    )
    def test_financial_quarters_start_in_april(self, moment, quarter, month):
        stamps = pd.Series(pd.to_datetime([moment]))
        assert period_label(stamps, "quarter").item() == quarter
        assert period_label(stamps, "month").item() == month


def evaluation_rows() -> pd.DataFrame:
    rows = [
        ("EV1", 1, "satisfaction", "rating5", 4, "2025-03-05 16:00"),
        ("EV1", 1, "recommend", "nps11", 10, "2025-03-05 16:00"),
        ("EV2", 1, "satisfaction", "rating5", 5, "2025-03-05 16:05"),
        ("EV2", 1, "recommend", "nps11", 6, "2025-03-05 16:05"),
        ("EV3", 1, "recommend", "nps11", 8, "2025-03-05 16:10"),
        ("EV4", 2, "pre_test_pct", "percent", 50, "2025-03-05 16:00"),
        ("EV4", 2, "post_test_pct", "percent", 80, "2025-03-05 16:00"),
        ("EV5", 2, "pre_test_pct", "percent", 60, "2025-03-05 16:00"),
        ("EV5", 2, "post_test_pct", "percent", 70, "2025-03-05 16:00"),
        ("EV6", 2, "pre_test_pct", "percent", 40, "2025-03-05 16:00"),
        ("EV7", 3, "applied_in_practice", "yes_no", 1, "2025-02-01 09:00"),
        ("EV8", 3, "applied_in_practice", "yes_no", 0, "2025-02-02 09:00"),
        ("EV9", 3, "applied_in_practice", "yes_no", 1, "2025-02-03 09:00"),
        ("EV10", 3, "applied_in_practice", "yes_no", 1, "2025-03-04 09:00"),
        ("K2", 4, "kpi_cardiac_arrest_rosc_pct", "number", 28.0, "2025-03-20 09:00"),
        ("K1", 4, "kpi_cardiac_arrest_rosc_pct", "number", 30.0, "2025-01-10 09:00"),
    ]
    frame = pd.DataFrame(
        rows, columns=["evaluation_id", "kirkpatrick_level", "item_id", "scale", "response_value", "submitted_at"]
    )
    return frame.assign(
        course_id="ILS-1DAY",
        session_id="ILS-1DAY-20250305",
        item_text="",
        submitted_at=pd.to_datetime(frame["submitted_at"]),
        kirkpatrick_level=frame["kirkpatrick_level"].astype("Int64"),
        response_value=frame["response_value"].astype(float),
    )


class TestKirkpatrick:
    def summary(self) -> dict[tuple[int, str], tuple[float, int]]:
        frame = kirkpatrick_summary(evaluation_rows(), period="quarter")
        assert set(frame["period"]) == {"2024-25 Q4"}
        return {(row.kirkpatrick_level, row.measure): (row.value, row.n) for row in frame.itertuples()}

    def test_level_1_mean_satisfaction_and_course_nps(self):
        summary = self.summary()
        assert summary[(1, "satisfaction_mean")] == (4.5, 2)
        # one promoter (10), one detractor (6), one passive (8): NPS 0 from 3 answers.
        assert summary[(1, "recommend_nps")] == (0.0, 3)

    def test_level_2_pre_and_post_means_and_the_gain_within_each_evaluation(self):
        summary = self.summary()
        assert summary[(2, "pre_test_pct_mean")] == (50.0, 3)
        assert summary[(2, "post_test_pct_mean")] == (75.0, 2)
        # (80 - 50) and (70 - 60); EV6 has no post-test so no gain.
        assert summary[(2, "test_gain_mean")] == (20.0, 2)

    def test_level_3_percent_applied_in_practice(self):
        assert self.summary()[(3, "applied_in_practice_pct")] == (75.0, 4)

    def test_level_4_reports_the_latest_figure_given_in_the_period(self):
        assert self.summary()[(4, "kpi_cardiac_arrest_rosc_pct")] == (28.0, 2)

    def test_by_month_splits_the_quarter(self):
        frame = kirkpatrick_summary(evaluation_rows(), period="month")
        level_3 = frame[frame["measure"] == "applied_in_practice_pct"]
        assert dict(zip(level_3["period"], level_3["value"], strict=True)) == {
            "2025-02": pytest.approx(200 / 3),
            "2025-03": 100.0,
        }

    def test_course_evaluation_mart_suppresses_learner_measures_under_eleven(self):
        mart = course_evaluation(evaluation_rows())
        assert list(mart.columns) == ["course_id", "period", "kirkpatrick_level", "measure", "value", "n", "suppressed"]
        learner = mart[mart["kirkpatrick_level"] < 4]
        assert learner["suppressed"].all()
        assert learner["value"].isna().all() and learner["n"].isna().all()
        kpi = mart[mart["kirkpatrick_level"] == 4].iloc[0]
        assert (kpi["value"], kpi["n"], kpi["suppressed"]) == (28.0, 2, False)

    def test_course_evaluation_threshold_is_a_parameter(self):
        mart = course_evaluation(evaluation_rows(), threshold=3)
        shown = mart[~mart["suppressed"]].set_index("measure")
        assert set(shown.index) == {
            "recommend_nps",
            "pre_test_pct_mean",
            "applied_in_practice_pct",
            "kpi_cardiac_arrest_rosc_pct",
        }
        assert shown.loc["applied_in_practice_pct", "value"] == 75.0


def test_answers_for_an_item_the_definitions_do_not_know_are_refused(definitions):
    with pytest.raises(ValueError, match="not in the survey definitions"):
        item_scores(answers([("r1", "made_up_item", 3)]), definitions)
