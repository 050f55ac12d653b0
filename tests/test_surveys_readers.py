"""Reading survey and evaluation files: anonymisation at read, the question map by year, and malformed files."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from connectors.surveys import (
    SurveyFileError,
    load_survey_definitions,
    read_evaluations,
    read_nss_responses,
    read_published_results,
    read_pulse_responses,
)
from connectors.surveys.constants import RESULTS_XLSX_HEADINGS

TRUST = "Sample Ambulance Service NHS Trust"
NSS_HEADINGS = ["Sample ID", "Organisation code", "Organisation Name", "LOCALITY1", "LOCALITY2", "STAFFGROUP"]


@pytest.fixture(scope="module")
def definitions():
    return load_survey_definitions()


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def nss_2023_file(folder: Path, name: str = "nss_2023_R1F_responses.csv") -> Path:
    return write_csv(
        folder / name,
        [
            [*NSS_HEADINGS, "Q2a", "q24c", "Q23A", "q23b"],
            [
                "S1000001",
                "R1F",
                TRUST,
                "Operations",
                "Operations North West",
                "Allied Health Professionals",
                4,
                5,
                1,
                2,
            ],
            ["S1000002", "R1F", TRUST, "Operations", "", "Administrative and Clerical", 3, "", 2, ""],
            ["S1000003", "R1F", TRUST, "Quality Governance", "", "Medical and Dental", "x", 7, 3, ""],
            ["S1000004", "RXX", "Another Trust", "Operations", "", "Medical and Dental", 5, 5, 1, 1],
        ],
    )


def all_text(*frames) -> str:
    return "\n".join(frame.to_csv(index=False) for frame in frames)


class TestNssResponses:
    def test_sample_id_never_reaches_any_frame(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        for frame in (responses.respondents, responses.answers, responses.problems):
            assert not [column for column in frame.columns if "sample" in column.lower()]
        assert "S100000" not in all_text(responses.respondents, responses.answers, responses.problems)

    def test_question_columns_map_to_stable_items_for_the_year_in_the_file_name(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        first = responses.answers[responses.answers["response_id"] == "NSS-2023-R1F-000002"]
        assert dict(zip(first["item_id"], first["code"], strict=True)) == {
            "motivation_look_forward": 4,
            "development_knowledge_skills": 5,
            "appraisal_had": 1,
            "appraisal_improve_job": 2,
        }
        assert set(first["question_code"]) == {"q2a", "q24c", "q23a", "q23b"}

    def test_respondent_keeps_only_group_labels_and_a_file_local_key(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        first = responses.respondents.iloc[0]
        assert first["response_id"] == "NSS-2023-R1F-000002"
        assert (first["survey"], first["year"], first["period"], first["org_code"]) == ("NSS", 2023, "2023", "R1F")
        assert (first["locality1"], first["locality2"]) == ("Operations", "Operations North West")
        assert first["staff_group"] == "Allied Health Professionals"
        assert responses.respondents["locality2"].isna().sum() == 2

    def test_blank_answer_is_not_answered_and_not_a_problem(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        second = responses.answers[responses.answers["response_id"] == "NSS-2023-R1F-000003"]
        assert set(second["item_id"]) == {"motivation_look_forward", "appraisal_had"}
        assert not (responses.problems["row_number"] == 3).any()

    def test_non_numeric_and_out_of_range_codes_are_reported_with_row_and_field(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        row_four = responses.problems[responses.problems["row_number"] == 4]
        assert list(zip(row_four["field"], row_four["value"], strict=True)) == [("Q2a", "x"), ("q24c", "7")]
        assert "not a numeric code" in row_four["reason"].iloc[0]
        assert "out of range for scale agree5 (1-5)" in row_four["reason"].iloc[1]
        third = responses.answers[responses.answers["response_id"] == "NSS-2023-R1F-000004"]
        assert list(third["item_id"]) == ["appraisal_had"]

    def test_response_from_another_organisation_is_set_aside(self, tmp_path, definitions):
        responses = read_nss_responses(nss_2023_file(tmp_path), definitions)
        assert len(responses.respondents) == 3
        problem = responses.problems[responses.problems["row_number"] == 5].iloc[0]
        assert (problem["field"], problem["value"]) == ("Organisation code", "RXX")
        assert "NSS-2023-R1F-000005" not in set(responses.answers["response_id"])

    def test_the_same_file_named_for_2022_fails_on_a_code_2022_did_not_use(self, tmp_path, definitions):
        path = nss_2023_file(tmp_path, "nss_2022_R1F_responses.csv")
        with pytest.raises(SurveyFileError) as caught:
            read_nss_responses(path, definitions)
        assert caught.value.field == "q23b"
        assert "NSS 2022" in str(caught.value)

    def test_unmapped_question_code_names_file_column_year_and_the_map_to_fix(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [[*NSS_HEADINGS, "Q2a", "Q99a"], ["S1", "R1F", TRUST, "Operations", "", "Medical and Dental", 4, 4]],
        )
        with pytest.raises(SurveyFileError) as caught:
            read_nss_responses(path, definitions)
        message = str(caught.value)
        assert "nss_2023_R1F_responses.csv" in message
        assert "unmapped question code Q99a for NSS 2023" in message
        assert "schemas/survey_questions.csv" in message
        assert (caught.value.row, caught.value.field) == (1, "Q99a")

    def test_undeclared_extra_column_is_an_error_that_does_not_echo_its_contents(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [
                [*NSS_HEADINGS, "Q2a", "Comments"],
                ["S1", "R1F", TRUST, "Operations", "", "Medical and Dental", 4, "My manager, Jo Bloggs, is great"],
            ],
        )
        with pytest.raises(SurveyFileError, match="undeclared column") as caught:
            read_nss_responses(path, definitions)
        assert caught.value.field == "Comments"
        assert "Bloggs" not in str(caught.value)

    def test_declared_local_item_is_read_from_an_nss_file_too(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [[*NSS_HEADINGS, "q2a", "Local_NPS_Learning"], ["S1", "R1F", TRUST, "Ops", "", "Medical and Dental", 4, 9]],
        )
        answers = read_nss_responses(path, definitions).answers
        assert dict(zip(answers["item_id"], answers["code"], strict=True)) == {
            "motivation_look_forward": 4,
            "learning_offer_recommend": 9,
        }

    def test_empty_file_is_refused(self, tmp_path, definitions):
        path = tmp_path / "nss_2023_R1F_responses.csv"
        path.write_bytes(b"")
        with pytest.raises(SurveyFileError, match="is empty"):
            read_nss_responses(path, definitions)

    def test_headings_without_responses_are_an_incomplete_export(self, tmp_path, definitions):
        path = write_csv(tmp_path / "nss_2023_R1F_responses.csv", [[*NSS_HEADINGS, "Q2a"]])
        with pytest.raises(SurveyFileError, match="no responses"):
            read_nss_responses(path, definitions)

    def test_heading_repeated_in_another_case_is_refused(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [[*NSS_HEADINGS, "Q2a", "q2A"], ["S1", "R1F", TRUST, "Ops", "", "Medical and Dental", 4, 4]],
        )
        with pytest.raises(SurveyFileError, match="appears twice") as caught:
            read_nss_responses(path, definitions)
        assert caught.value.field == "q2A"

    def test_missing_staff_group_column_is_refused(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [["Sample ID", "Organisation code", "Q2a"], ["S1", "R1F", 4]],
        )
        with pytest.raises(SurveyFileError, match="'STAFFGROUP' is missing"):
            read_nss_responses(path, definitions)

    def test_row_longer_than_the_heading_row_names_its_row(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "nss_2023_R1F_responses.csv",
            [
                [*NSS_HEADINGS, "Q2a"],
                ["S1", "R1F", TRUST, "Ops", "", "Medical and Dental", 4],
                ["S2", "R1F", TRUST, "Ops", "", "Medical and Dental", 4, 5],
            ],
        )
        with pytest.raises(SurveyFileError) as caught:
            read_nss_responses(path, definitions)
        assert caught.value.row == 3

    def test_file_name_without_a_year_is_refused(self, tmp_path, definitions):
        path = write_csv(tmp_path / "nss_R1F_responses.csv", [[*NSS_HEADINGS, "Q2a"]])
        with pytest.raises(SurveyFileError, match="nss_<year>_<org code>_responses"):
            read_nss_responses(path, definitions)

    def test_excel_resave_in_windows_1252_with_blank_trailing_lines_reads(self, tmp_path, definitions):
        path = tmp_path / "nss_2023_R1F_responses.csv"
        write_csv(
            path,
            [[*NSS_HEADINGS, "Q2a"], ["S1", "R1F", "Ysbyty Gwynedd – Bangor", "Ops", "", "Medical and Dental", 4]],
            encoding="cp1252",
        )
        path.write_bytes(path.read_bytes() + b"\r\n\r\n")
        responses = read_nss_responses(path, definitions)
        assert responses.respondents["organisation_name"].iloc[0] == "Ysbyty Gwynedd – Bangor"
        assert len(responses.respondents) == 1

    def test_xlsx_response_file_reads_like_the_csv(self, tmp_path, definitions):
        from_csv = read_nss_responses(nss_2023_file(tmp_path), definitions)
        workbook = Workbook()
        sheet = workbook.active
        with (tmp_path / "nss_2023_R1F_responses.csv").open(newline="") as handle:
            for row in csv.reader(handle):
                sheet.append([int(cell) if cell.isdigit() else (cell or None) for cell in row])
        xlsx = tmp_path / "nss_2023_R1F_responses.xlsx"
        workbook.save(xlsx)
        from_xlsx = read_nss_responses(xlsx, definitions)
        assert from_xlsx.answers.equals(from_csv.answers)
        assert from_xlsx.respondents.equals(from_csv.respondents)
        assert from_xlsx.problems.equals(from_csv.problems)


PULSE_HEADINGS = [*NSS_HEADINGS, "Period", "Q1a", "Q3b", "LOCAL_NPS_LEARNING"]


class TestPulseResponses:
    def pulse_file(self, folder: Path) -> Path:
        return write_csv(
            folder / "pulse_R1F_2024-25.csv",
            [
                PULSE_HEADINGS,
                ["S1", "R1F", TRUST, "Operations", "", "Medical and Dental", "2024-25 Q1", 4, 5, 10],
                ["S2", "R1F", TRUST, "Operations", "", "Medical and Dental", "2024-25 Q4", 2, "", 0],
                ["S3", "R1F", TRUST, "Operations", "", "Medical and Dental", "2023-24 Q4", 3, 3, 9],
                ["S4", "R1F", TRUST, "Operations", "", "Medical and Dental", "2024-25 Q2", 3, 3, 11],
            ],
        )

    def test_period_and_financial_year_are_kept_and_the_local_nps_item_is_read(self, tmp_path, definitions):
        pulse = read_pulse_responses(self.pulse_file(tmp_path), definitions)
        assert list(pulse.respondents["period"]) == ["2024-25 Q1", "2024-25 Q4", "2024-25 Q2"]
        assert set(pulse.respondents["year"]) == {2024}
        nps = pulse.answers[pulse.answers["item_id"] == "learning_offer_recommend"]
        assert list(nps["code"]) == [10, 0]

    def test_period_outside_the_files_financial_year_is_set_aside(self, tmp_path, definitions):
        pulse = read_pulse_responses(self.pulse_file(tmp_path), definitions)
        problem = pulse.problems[pulse.problems["row_number"] == 4].iloc[0]
        assert (problem["field"], problem["value"]) == ("Period", "2023-24 Q4")
        assert "2024-25" in problem["reason"]

    def test_local_nps_of_eleven_is_out_of_range(self, tmp_path, definitions):
        pulse = read_pulse_responses(self.pulse_file(tmp_path), definitions)
        problem = pulse.problems[pulse.problems["row_number"] == 5].iloc[0]
        assert (problem["field"], problem["value"]) == ("LOCAL_NPS_LEARNING", "11")
        assert "nps11 (0-10)" in problem["reason"]

    def test_sample_id_is_dropped_from_pulse_files_too(self, tmp_path, definitions):
        pulse = read_pulse_responses(self.pulse_file(tmp_path), definitions)
        assert "S1" not in set(all_text(pulse.respondents, pulse.answers).split(","))

    def test_local_item_not_declared_in_configuration_is_an_error(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "pulse_R1F_2024-25.csv",
            [
                [*NSS_HEADINGS, "Period", "Q1a", "LOCAL_WELLBEING"],
                ["S1", "R1F", TRUST, "Ops", "", "Medical", "2024-25 Q1", 4, 7],
            ],
        )
        with pytest.raises(SurveyFileError, match="survey_local_items.yaml") as caught:
            read_pulse_responses(path, definitions)
        assert caught.value.field == "LOCAL_WELLBEING"

    def test_pulse_file_without_a_period_column_is_refused(self, tmp_path, definitions):
        path = write_csv(
            tmp_path / "pulse_R1F_2024-25.csv",
            [[*NSS_HEADINGS, "Q1a"], ["S1", "R1F", TRUST, "Ops", "", "Medical", 4]],
        )
        with pytest.raises(SurveyFileError, match="'Period' is missing"):
            read_pulse_responses(path, definitions)

    def test_financial_year_in_the_name_must_be_consecutive_years(self, tmp_path, definitions):
        path = write_csv(tmp_path / "pulse_R1F_2024-26.csv", [PULSE_HEADINGS])
        with pytest.raises(SurveyFileError, match="two consecutive years"):
            read_pulse_responses(path, definitions)


RESULTS_HEADINGS = [
    "survey", "year", "org_code", "benchmark_group", "level", "measure_type", "measure_id", "source_code",
    "score_0_10", "pct_positive", "n", "suppressed",
]  # fmt: skip


def result_row(
    level: str, kind: str, measure: str, code: str, score: str, pct: str, n: object, flag: str, year: int = 2023
) -> list[object]:
    return ["NSS", year, "R1F", "Ambulance Trusts", level, kind, measure, code, score, pct, n, flag]


class TestPublishedResultsCsv:
    def results_file(self, folder: Path) -> Path:
        return write_csv(
            folder / "nss_2023_R1F_results.csv",
            [
                RESULTS_HEADINGS,
                result_row("organisation", "element", "always_learning", "", "5.1", "", 2876, "false"),
                result_row("benchmark_average", "element", "always_learning", "", "5.3", "", "", "false"),
                result_row("organisation", "question", "", "q24c", "", "61.27", 2801, "false"),
                result_row("organisation", "sub_score", "appraisals", "", "", "", 9, "true"),
                result_row("organisation", "sub_score", "development", "", "11", "", 2876, "false"),
                result_row("organisation", "sub_score", "motivation", "", "5.9", "", 2876, "false", year=2022),
            ],
        )

    def test_published_figures_are_kept_exactly_as_published(self, tmp_path, definitions):
        results = read_published_results(self.results_file(tmp_path), definitions).results
        own = results[(results["level"] == "organisation") & (results["measure_id"] == "always_learning")].iloc[0]
        assert own["score_0_10"] == 5.1
        assert own["n"] == 2876
        assert not own["suppressed"]
        assert own["benchmark_group"] == "Ambulance Trusts"

    def test_question_row_gets_its_stable_item_id_from_the_years_question_map(self, tmp_path, definitions):
        results = read_published_results(self.results_file(tmp_path), definitions).results
        question = results[results["measure_type"] == "question"].iloc[0]
        assert (question["measure_id"], question["source_code"]) == ("development_knowledge_skills", "q24c")
        assert question["pct_positive"] == 61.27

    def test_suppressed_row_keeps_its_flag_and_blank_score(self, tmp_path, definitions):
        results = read_published_results(self.results_file(tmp_path), definitions).results
        appraisals = results[results["measure_id"] == "appraisals"].iloc[0]
        assert appraisals["suppressed"]
        assert pd.isna(appraisals["score_0_10"])
        assert appraisals["n"] == 9

    def test_impossible_score_and_a_row_for_another_year_are_set_aside(self, tmp_path, definitions):
        published = read_published_results(self.results_file(tmp_path), definitions)
        assert len(published.results) == 4
        reasons = dict(zip(published.problems["row_number"], published.problems["field"], strict=True))
        assert reasons == {6: "score_0_10", 7: "year"}

    def test_missing_column_is_refused(self, tmp_path, definitions):
        path = write_csv(tmp_path / "nss_2023_R1F_results.csv", [RESULTS_HEADINGS[:-1]])
        with pytest.raises(SurveyFileError, match="required columns missing: suppressed"):
            read_published_results(path, definitions)


def detailed_workbook(path: Path, *, preamble_rows: int = 4) -> Path:
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents.append(["NHS Staff Survey 2023 - Detailed spreadsheet"])
    contents.append(["People Promise", "Development"])
    sheets = {
        "People Promise": [
            ["Element", "We are always learning", None, "Your organisation", 5.1, None, 2876, "Weighted"],
            ["Element", "We are always learning", None, "Benchmark average", 5.3, None, None, "Weighted"],
            ["Sub-score", "Appraisals", None, "Your organisation", "*", None, 9, "Weighted"],
            ["Theme", "Staff engagement", None, "Your organisation", 6.42, None, 2876, "Weighted"],
        ],
        "Development": [
            ["Question", "I have opportunities to improve my knowledge and skills", "q24c", "Your organisation",
             None, 61.27, 2801, "Weighted"],
            ["Question", "Something else", "q24c", "Our friends", None, 50, 10, "Weighted"],
        ],
    }  # fmt: skip
    preamble = [
        ["NHS Staff Survey 2023 - Detailed spreadsheet"],
        ["R1F - Sample Ambulance Service NHS Trust"],
        ["Benchmark group: Ambulance Trusts"],
        ["Groups of fewer than 11 responses are suppressed (*)."],
    ]
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for line in preamble[:preamble_rows]:
            sheet.append(line)
        sheet.append(list(RESULTS_XLSX_HEADINGS))
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


class TestPublishedResultsWorkbook:
    def test_detailed_workbook_reads_into_the_long_layout(self, tmp_path, definitions):
        published = read_published_results(detailed_workbook(tmp_path / "nss_2023_R1F_results.xlsx"), definitions)
        results = published.results.set_index(["level", "measure_id"])
        assert results.loc[("organisation", "always_learning"), "score_0_10"] == 5.1
        assert results.loc[("organisation", "always_learning"), "n"] == 2876
        assert results.loc[("benchmark_average", "always_learning"), "score_0_10"] == 5.3
        assert results.loc[("organisation", "staff_engagement"), "measure_type"] == "theme"
        assert results.loc[("organisation", "development_knowledge_skills"), "pct_positive"] == 61.27
        assert results.loc[("organisation", "development_knowledge_skills"), "source_code"] == "q24c"
        assert set(published.results["benchmark_group"]) == {"Ambulance Trusts"}
        assert set(published.results["year"]) == {2023}

    def test_star_marks_a_suppressed_figure(self, tmp_path, definitions):
        results = read_published_results(detailed_workbook(tmp_path / "nss_2023_R1F_results.xlsx"), definitions)
        appraisals = results.results[results.results["measure_id"] == "appraisals"].iloc[0]
        assert appraisals["suppressed"]
        assert appraisals["n"] == 9

    def test_unknown_comparator_is_reported_with_its_sheet_and_row(self, tmp_path, definitions):
        published = read_published_results(detailed_workbook(tmp_path / "nss_2023_R1F_results.xlsx"), definitions)
        problem = published.problems.iloc[0]
        assert (problem["row_number"], problem["field"], problem["value"]) == (
            7,
            "Development: Comparator",
            "Our friends",
        )

    def test_headings_not_on_row_five_are_refused_naming_the_sheet(self, tmp_path, definitions):
        path = detailed_workbook(tmp_path / "nss_2023_R1F_results.xlsx", preamble_rows=3)
        with pytest.raises(SurveyFileError) as caught:
            read_published_results(path, definitions)
        assert "sheet 'People Promise'" in str(caught.value)
        assert caught.value.row == 5


EVALUATION_HEADINGS = [
    "evaluation_id", "course_id", "session_id", "learner_ref", "submitted_at", "kirkpatrick_level", "item_id",
    "item_text", "scale", "response_value", "free_text",
]  # fmt: skip


def evaluation_row(
    evaluation_id: str,
    level: int,
    item: str,
    scale: str,
    value: object,
    *,
    at: str = "2025-03-05T16:20:00",
    learner: str = "",
    free_text: str = "",
) -> list[object]:
    return [
        evaluation_id,
        "ILS-1DAY",
        "ILS-1DAY-20250305",
        learner,
        at,
        level,
        item,
        f"{item}?",
        scale,
        value,
        free_text,
    ]


class TestEvaluations:
    def evaluations_file(self, folder: Path) -> Path:
        return write_csv(
            folder / "evaluations_20250401.csv",
            [
                EVALUATION_HEADINGS,
                evaluation_row("EV1", 1, "satisfaction", "rating5", 5, free_text="Great, thanks to Sam Patel"),
                evaluation_row("EV1", 1, "recommend", "nps11", 9),
                evaluation_row("EV2", 2, "pre_test_pct", "percent", 55, learner="L12345678"),
                evaluation_row(
                    "EV3", 3, "applied_in_practice", "yes_no", "Yes", learner="L12345678", at="2025-06-20T09:00:00"
                ),
                evaluation_row("EV4", 1, "satisfaction", "rating5", 6),
                evaluation_row("EV5", 1, "satisfaction", "rating5", 4, at="5 March 2025"),
                evaluation_row("EV6", 5, "satisfaction", "rating5", 4),
                evaluation_row("EV1", 1, "satisfaction", "rating5", 3),
                evaluation_row("EV7", 1, "relevance", "rating5", ""),
            ],
        )

    def test_learner_ref_and_free_text_never_reach_a_frame(self, tmp_path):
        evaluations = read_evaluations(self.evaluations_file(tmp_path))
        assert "learner_ref" not in evaluations.responses.columns
        assert "free_text" not in evaluations.responses.columns
        text = all_text(evaluations.responses, evaluations.problems)
        assert "L12345678" not in text
        assert "Sam Patel" not in text

    def test_valid_answers_are_typed_by_scale(self, tmp_path):
        responses = read_evaluations(self.evaluations_file(tmp_path)).responses
        values = dict(
            zip(responses["evaluation_id"] + "/" + responses["item_id"], responses["response_value"], strict=True)
        )
        assert values == {
            "EV1/satisfaction": 5.0,
            "EV1/recommend": 9.0,
            "EV2/pre_test_pct": 55.0,
            "EV3/applied_in_practice": 1.0,
        }
        assert str(responses["submitted_at"].iloc[0]) == "2025-03-05 16:20:00"

    def test_bad_rows_are_set_aside_with_their_row_field_and_reason(self, tmp_path):
        problems = read_evaluations(self.evaluations_file(tmp_path)).problems
        assert list(zip(problems["row_number"], problems["field"], strict=True)) == [
            (6, "response_value"),
            (7, "submitted_at"),
            (8, "kirkpatrick_level"),
            (9, "item_id"),
        ]

    def test_skipped_item_is_left_out_without_a_problem(self, tmp_path):
        evaluations = read_evaluations(self.evaluations_file(tmp_path))
        assert "EV7" not in set(evaluations.responses["evaluation_id"])
        assert 10 not in set(evaluations.problems["row_number"])

    def test_headings_only_is_a_day_without_evaluations(self, tmp_path):
        evaluations = read_evaluations(write_csv(tmp_path / "evaluations_20250401.csv", [EVALUATION_HEADINGS]))
        assert evaluations.responses.empty
        assert evaluations.problems.empty
        assert "learner_ref" not in evaluations.responses.columns

    def test_unknown_column_is_refused_as_possible_personal_data(self, tmp_path):
        path = write_csv(tmp_path / "evaluations_20250401.csv", [[*EVALUATION_HEADINGS, "learner_name"]])
        with pytest.raises(SurveyFileError, match="personal data") as caught:
            read_evaluations(path)
        assert caught.value.field == "learner_name"

    def test_empty_evaluations_file_is_refused(self, tmp_path):
        path = tmp_path / "evaluations_20250401.csv"
        path.write_text("\n\n")
        with pytest.raises(SurveyFileError, match="is empty"):
            read_evaluations(path)

    def test_impossible_date_in_the_file_name_is_refused(self, tmp_path):
        path = write_csv(tmp_path / "evaluations_20250231.csv", [EVALUATION_HEADINGS])
        with pytest.raises(SurveyFileError, match="not a real date"):
            read_evaluations(path)
