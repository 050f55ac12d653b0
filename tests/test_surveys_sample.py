"""The sample survey generator: deterministic, realistic, readable, and anonymous once read."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from connectors.surveys import (
    load_locality_map,
    load_survey_definitions,
    read_evaluations,
    read_nss_responses,
    read_published_results,
    read_pulse_responses,
)
from sample_trust.surveys import write_published_results_xlsx, write_sample_surveys
from transforms.survey_scoring import course_evaluation, learning_engagement

TRUST = "Sample Ambulance Service NHS Trust"
DIRECTORATES = ["457 Operations", "457 Clinical Education", "457 Corporate Services", "457 Quality Governance"]
STAFF_GROUPS = ["Allied Health Professionals", "Administrative and Clerical", "Medical and Dental"]
AS_OF = date(2026, 3, 31)


def generate(folder: Path, seed: int = 3) -> list[Path]:
    return write_sample_surveys(folder, "r1f", DIRECTORATES, STAFF_GROUPS, 300, seed, AS_OF)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def definitions():
    return load_survey_definitions()


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_writes_three_survey_years_results_pulse_and_evaluations(written):
    assert [path.name for path in written] == [
        "nss_2021_R1F_responses.csv",
        "nss_2022_R1F_responses.csv",
        "nss_2023_R1F_responses.csv",
        "nss_2023_R1F_results.csv",
        "pulse_R1F_2025-26.csv",
        "evaluations_20260331.csv",
    ]


def test_same_seed_writes_identical_files_and_another_seed_does_not(tmp_path, written):
    again = generate(tmp_path / "again")
    assert [path.read_bytes() for path in again] == [path.read_bytes() for path in written]
    other = generate(tmp_path / "other", seed=4)
    assert other[2].read_bytes() != written[2].read_bytes()


def test_questions_are_numbered_as_each_year_numbered_them(written):
    headings = {path.name[4:8]: next(csv.reader(path.open())) for path in written[:3]}
    assert "Q20c" in headings["2021"] and "Q24c" not in headings["2021"]
    assert "Q22c" in headings["2022"]
    assert "q24c" in headings["2023"] and "q26c" in headings["2023"]


def test_every_file_reads_without_problems(written, definitions):
    for path in written[:3]:
        assert read_nss_responses(path, definitions).problems.empty
    assert read_published_results(written[3], definitions).problems.empty
    pulse = read_pulse_responses(written[4], definitions)
    assert pulse.problems.empty
    assert set(pulse.respondents["period"]) == {"2025-26 Q1", "2025-26 Q2", "2025-26 Q4"}
    assert "learning_offer_recommend" in set(pulse.answers["item_id"])
    assert read_evaluations(written[5]).problems.empty


def test_small_directorate_and_staff_group_fall_under_the_threshold(written, definitions):
    respondents = read_nss_responses(written[2], definitions).respondents
    assert (respondents["locality1"] == "457 Quality Governance").sum() < 11
    assert (respondents["staff_group"] == "Medical and Dental").sum() < 11
    assert len(respondents) > 250


def test_appraisal_quality_items_are_only_answered_after_a_yes(written, definitions):
    answers = read_nss_responses(written[2], definitions).answers
    had = answers[answers["item_id"] == "appraisal_had"].set_index("response_id")["code"]
    quality = answers[answers["item_id"] == "appraisal_improve_job"]
    assert (quality["response_id"].map(had) == 1).all()
    assert set(had) == {1, 2, 3}


def test_evaluations_cover_all_four_kirkpatrick_levels(written):
    responses = read_evaluations(written[5]).responses
    assert set(responses["kirkpatrick_level"]) == {1, 2, 3, 4}
    mart = course_evaluation(responses)
    assert mart["suppressed"].any() and (~mart["suppressed"]).any()
    assert {"satisfaction_mean", "recommend_nps", "test_gain_mean", "applied_in_practice_pct"} <= set(mart["measure"])


def test_detailed_workbook_of_the_published_results_reads_back_identically(tmp_path, written, definitions):
    from_csv = read_published_results(written[3], definitions).results
    workbook = write_published_results_xlsx(tmp_path / "nss_2023_R1F_results.xlsx", from_csv, TRUST)
    from_xlsx = read_published_results(workbook, definitions)
    assert from_xlsx.problems.empty
    key = ["level", "measure_type", "measure_id"]
    pd.testing.assert_frame_equal(
        from_xlsx.results.sort_values(key).reset_index(drop=True),
        from_csv.sort_values(key).reset_index(drop=True),
    )


def test_no_person_identifier_or_free_text_survives_into_any_frame(written, definitions):
    secrets = set()
    for path in written[:3] + written[4:5]:
        secrets |= {row["Sample ID"] for row in raw_rows(path)}
    evaluation_rows = raw_rows(written[5])
    secrets |= {row["learner_ref"] for row in evaluation_rows if row["learner_ref"]}
    secrets |= {row["free_text"] for row in evaluation_rows if row["free_text"]}
    assert len(secrets) > 1000

    responses = [read_nss_responses(path, definitions) for path in written[:3]]
    responses.append(read_pulse_responses(written[4], definitions))
    published = read_published_results(written[3], definitions)
    evaluations = read_evaluations(written[5])
    respondents = pd.concat([item.respondents for item in responses], ignore_index=True)
    answers = pd.concat([item.answers for item in responses], ignore_index=True)
    frames = [respondents, answers, published.results, evaluations.responses, evaluations.problems]
    frames += [item.problems for item in responses]
    frames.append(
        learning_engagement(
            respondents, answers, definitions, load_locality_map(), organisation_unit=TRUST, published=published.results
        )
    )
    frames.append(course_evaluation(evaluations.responses))
    forbidden_columns = {"sample id", "sample_id", "learner_ref", "free_text"}
    for frame in frames:
        assert not forbidden_columns & {str(column).lower() for column in frame.columns}
        cells = set(frame.astype(str).to_numpy().ravel())
        assert not cells & secrets


def test_given_departments_are_used_for_locality2_and_map_to_the_same_units(tmp_path, definitions):
    departments = {"457 Operations": ["457 North West", "457 North East"]}
    paths = write_sample_surveys(tmp_path, "R1F", DIRECTORATES, STAFF_GROUPS, 200, 5, AS_OF, departments=departments)
    operations = read_nss_responses(paths[2], definitions).respondents
    operations = operations[operations["locality1"] == "457 Operations"]
    assert set(operations["locality2"].dropna()) == {"457 North West", "457 North East"}
    labels_2021 = set(read_nss_responses(paths[0], definitions).respondents["locality2"].dropna())
    assert {"North West", "North East"} <= labels_2021


def test_pulse_year_is_the_last_one_whose_january_quarter_has_run(tmp_path):
    paths = write_sample_surveys(tmp_path, "R1F", DIRECTORATES, STAFF_GROUPS, 100, 5, date(2025, 12, 1))
    assert paths[4].name == "pulse_R1F_2024-25.csv"
