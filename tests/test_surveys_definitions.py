"""The survey definitions kept as data: question map, answer scales, local items and locality map."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import schemas
from connectors.surveys import SurveySchemaError, load_locality_map, load_survey_definitions
from connectors.surveys.definitions import LOCAL_ITEMS_FILE, QUESTIONS_FILE, SCALES_FILE

# 21 NSS items a year (3 motivation, 3 involvement, 4 appraisal, 5 development, 3 advocacy, 3 thinking of
# leaving) for 2021, 2022 and 2023, plus the nine pulse engagement items.
EXPECTED_QUESTION_ROWS = 21 * 3 + 9


@pytest.fixture(scope="module")
def definitions():
    return load_survey_definitions()


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    for name in (QUESTIONS_FILE, SCALES_FILE, LOCAL_ITEMS_FILE):
        shutil.copy(schemas.path(name), tmp_path / name)
    return tmp_path


def _rewrite_questions(folder: Path, old: str, new: str) -> None:
    path = folder / QUESTIONS_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_question_map_loads_every_row_of_the_file(definitions):
    data_rows = [line for line in schemas.path(QUESTIONS_FILE).read_text().splitlines()[1:] if line.strip()]
    assert len(definitions.questions) == EXPECTED_QUESTION_ROWS
    assert len(data_rows) == EXPECTED_QUESTION_ROWS


def test_same_development_item_is_q20c_in_2021_q22c_in_2022_and_q24c_in_2023(definitions):
    assert definitions.item_for("NSS", 2021, "q20c") == "development_knowledge_skills"
    assert definitions.item_for("NSS", 2022, "Q22C") == "development_knowledge_skills"
    assert definitions.item_for("NSS", 2023, "q24c") == "development_knowledge_skills"


def test_q23a_means_advocacy_in_2022_but_the_appraisal_question_in_2023(definitions):
    assert definitions.item_for("NSS", 2022, "q23a") == "advocacy_care_top_priority"
    assert definitions.item_for("NSS", 2023, "q23a") == "appraisal_had"


@pytest.mark.parametrize(
    ("year", "codes"),
    [
        (2021, ["q19a", "q19b", "q19c", "q19d"]),
        (2022, ["q21a", "q21b", "q21c", "q21d"]),
        (2023, ["q23a", "q23b", "q23c", "q23d"]),
    ],
)
def test_appraisal_block_follows_the_published_numbering(definitions, year, codes):
    items = [definitions.item_for("NSS", year, code) for code in codes]
    assert items == ["appraisal_had", "appraisal_improve_job", "appraisal_clear_objectives", "appraisal_feel_valued"]


def test_a_question_code_the_map_does_not_hold_for_that_year_is_unknown(definitions):
    assert definitions.item_for("NSS", 2023, "q20c") is None
    assert definitions.item_for("NSS", 2024, "q24c") is None


def test_pulse_items_hold_for_every_financial_year(definitions):
    assert definitions.item_for("NQPS", 2024, "q1a") == "motivation_look_forward"
    assert definitions.item_for("NQPS", 2031, "q3b") == "advocacy_recommend_work"


def test_engagement_and_learning_elements_are_built_from_the_documented_sub_scores(definitions):
    items = definitions.items.dropna(subset=["element"])
    parts = {element: set(group["sub_score"]) for element, group in items.groupby("element")}
    assert parts == {
        "always_learning": {"development", "appraisals"},
        "staff_engagement": {"motivation", "involvement", "advocacy"},
    }


def test_thinking_of_leaving_items_are_negatively_worded(definitions):
    leaving = definitions.items[definitions.items["sub_score"] == "thinking_of_leaving"]
    assert len(leaving) == 3
    assert set(leaving["direction"]) == {"negative"}


def test_appraisal_quality_items_are_scored_only_after_a_yes_to_having_had_an_appraisal(definitions):
    quality = definitions.items[definitions.items["sub_score"] == "appraisals"]
    assert set(quality["scored_only_if_item"]) == {"appraisal_had"}
    assert set(quality["scored_only_if_code"]) == {1}


def test_five_point_scale_maps_codes_to_quarter_steps_of_ten(definitions):
    assert dict(definitions.scales["agree5"].scores) == {1: 0.0, 2: 2.5, 3: 5.0, 4: 7.5, 5: 10.0}
    assert dict(definitions.scales["frequency5"].scores) == {1: 0.0, 2: 2.5, 3: 5.0, 4: 7.5, 5: 10.0}


def test_appraisal_yes3_reads_definitely_as_ten_to_some_extent_as_five_and_no_as_zero(definitions):
    assert dict(definitions.scales["yes3"].scores) == {1: 10.0, 2: 5.0, 3: 0.0}


def test_having_had_an_appraisal_is_a_routing_question_with_no_score(definitions):
    scale = definitions.scales["appraisal_had"]
    assert scale.scoring == "routing"
    assert set(scale.scores.values()) == {None}
    assert scale.labels[3] == "Can't remember"


def test_local_learning_nps_item_is_declared_with_its_scale_and_measure(definitions):
    item = definitions.local_item_for("local_nps_learning", "NQPS")
    assert item is not None
    assert (item.item_id, item.scale, item.measure) == ("learning_offer_recommend", "nps11", "learning_nps")
    assert definitions.scales["nps11"].describe_codes() == "0-10"


def test_malformed_question_row_stops_loading_and_names_its_row(schema_copy):
    _rewrite_questions(schema_copy, "NSS,2022,q22c,", "NSS,2022,22c,")
    with pytest.raises(SurveySchemaError) as caught:
        load_survey_definitions(schema_copy)
    assert caught.value.field == "question_code"
    assert caught.value.value == "22c"
    assert caught.value.row is not None and caught.value.row > 1
    assert QUESTIONS_FILE in str(caught.value)


def test_question_row_with_a_missing_cell_is_refused_not_dropped(schema_copy):
    _rewrite_questions(schema_copy, "positive,development,always_learning,\n", "positive,development\n")
    with pytest.raises(SurveySchemaError, match="cells, expected 10"):
        load_survey_definitions(schema_copy)


def test_same_question_code_mapped_twice_in_a_year_is_refused(schema_copy):
    _rewrite_questions(schema_copy, "NSS,2023,q24b,", "NSS,2023,q24a,")
    with pytest.raises(SurveySchemaError, match="mapped twice"):
        load_survey_definitions(schema_copy)


def test_an_item_cannot_change_direction_between_years(schema_copy):
    _rewrite_questions(
        schema_copy,
        "NSS,2022,q24a,leaving_often_think,I often think about leaving this organisation,agree5,negative",
        "NSS,2022,q24a,leaving_often_think,I often think about leaving this organisation,agree5,positive",
    )
    with pytest.raises(SurveySchemaError, match="different direction"):
        load_survey_definitions(schema_copy)


def test_unknown_scale_is_refused(schema_copy):
    _rewrite_questions(schema_copy, "Time passes quickly when I am working,frequency5", "Time passes,frequency7")
    with pytest.raises(SurveySchemaError) as caught:
        load_survey_definitions(schema_copy)
    assert (caught.value.field, caught.value.value) == ("scale", "frequency7")


def test_local_item_without_a_measure_for_its_nps_scale_is_refused(schema_copy):
    path = schema_copy / LOCAL_ITEMS_FILE
    path.write_text(path.read_text().replace("    measure: learning_nps\n", ""))
    with pytest.raises(SurveySchemaError, match="needs a `measure`"):
        load_survey_definitions(schema_copy)


def test_locality_map_names_units_the_way_esr_does():
    localities = load_locality_map()
    directorate, department = localities.levels
    assert (directorate.column, directorate.org_level) == ("LOCALITY1", "directorate")
    assert (department.column, department.org_level, department.parent) == ("LOCALITY2", "department", "LOCALITY1")
    assert localities.unit_for(directorate, "Ops") == "457 Operations"
    assert localities.unit_for(directorate, "Clinical Education") == "457 Clinical Education"
    assert localities.unit_for(directorate, "457 Clinical Education") == "457 Clinical Education"
    assert localities.unit_for(directorate, "  ") is None
    assert localities.staff_group_for("Registered Nurses and Midwives") == "Nursing and Midwifery Registered"
    assert localities.staff_group_for("Allied Health Professionals") == "Allied Health Professionals"


def test_locality_map_without_a_prefix_leaves_unlisted_labels_unmapped(tmp_path):
    path = tmp_path / "survey_localities.yaml"
    path.write_text(
        "unit_prefix: null\nlocalities:\n  - column: LOCALITY1\n    org_level: directorate\n"
        "    labels:\n      Ops: 457 Operations\nstaff_groups: {}\n"
    )
    localities = load_locality_map(path)
    assert localities.unit_for(localities.levels[0], "ops") == "457 Operations"
    assert localities.unit_for(localities.levels[0], "Finance") is None


def test_locality_column_outside_locality1_to_8_is_refused(tmp_path):
    path = tmp_path / "survey_localities.yaml"
    path.write_text("unit_prefix: '457 '\nlocalities:\n  - column: LOCALITY9\n    org_level: directorate\n")
    with pytest.raises(SurveySchemaError, match="LOCALITY1 to LOCALITY8"):
        load_locality_map(path)
