"""Hand-worked cases for turning learning evidence into skills (reporting date 2026-03-31 unless stated)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.skills_cases import FIRE_COMPETENCE, FRAMEWORK, D, build, evidence, inputs, need, person
from transforms.skills.evidence import LOG_COLUMNS, evidenced_skills, skills_log


def log_of(*evidence_rows, as_of=D):
    return build(inputs([person("10000001")], [need("Paramedic", "CSTF-FIRE")], list(evidence_rows)), as_of).log


def evidenced_of(*evidence_rows, as_of=D):
    frame = inputs([], [], list(evidence_rows)).evidence
    return evidenced_skills(frame, FRAMEWORK, as_of)


def only_row(frame, skill_code):
    rows = frame.loc[frame.skill_code == skill_code]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_later_totara_certification_gives_the_validity_over_an_older_esr_competence():
    log = log_of(
        evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2024, 5, 1)),
        evidence("10000001", "totara_certification", "CERT-CSTF-FIRE", date(2025, 11, 20), expires=date(2027, 11, 20)),
    )
    row = only_row(log, "CSTF-FIRE")
    assert (row.evidenced_on, row.valid_until, row.evidence_source, row.evidence_key) == (
        date(2025, 11, 20),
        date(2027, 11, 20),
        "totara_certification",
        "CERT-CSTF-FIRE",
    )


def test_the_longest_validity_wins_even_from_the_older_achievement_and_evidenced_on_stays_the_latest():
    log = log_of(
        evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2025, 2, 1), expires=date(2027, 2, 1)),
        evidence("10000001", "totara_certification", "CERT-CSTF-FIRE", date(2025, 6, 1), expires=date(2026, 6, 1)),
    )
    row = only_row(log, "CSTF-FIRE")
    assert (row.evidenced_on, row.valid_until, row.evidence_source, row.evidence_key) == (
        date(2025, 6, 1),
        date(2027, 2, 1),
        "esr_competence",
        FIRE_COMPETENCE,
    )


def test_never_lapsing_evidence_beats_any_date():
    log = log_of(
        evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2019, 9, 2), no_expiry=True),
        evidence("10000001", "totara_certification", "CERT-CSTF-FIRE", date(2026, 1, 5), expires=date(2099, 1, 5)),
    )
    row = only_row(log, "CSTF-FIRE")
    assert (row.valid_until, row.evidence_source, row.evidenced_on) == (None, "esr_competence", date(2026, 1, 5))


def test_equal_validity_goes_to_the_later_achievement():
    log = log_of(
        evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2025, 1, 1), expires=date(2027, 1, 1)),
        evidence("10000001", "totara_certification", "CERT-CSTF-FIRE", date(2025, 3, 1), expires=date(2027, 1, 1)),
    )
    assert only_row(log, "CSTF-FIRE").evidence_source == "totara_certification"


def test_equal_validity_and_achievement_go_to_esr_as_the_system_of_record_whatever_the_row_order():
    certification = evidence(
        "10000001", "totara_certification", "CERT-CSTF-FIRE", date(2025, 3, 1), expires=date(2027, 3, 1)
    )
    competence = evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2025, 3, 1), expires=date(2027, 3, 1))
    assert only_row(log_of(certification, competence), "CSTF-FIRE").evidence_source == "esr_competence"
    assert only_row(log_of(competence, certification), "CSTF-FIRE").evidence_source == "esr_competence"


def test_the_sources_own_expiry_beats_valid_for_months():
    row = only_row(
        log_of(
            evidence(
                "10000001",
                "totara_certification",
                "CERT-LDR-INCIDENT",
                date(2025, 6, 1),
                expires=date(2026, 9, 30),
            )
        ),
        "LDR-INCIDENT",
    )
    assert row.valid_until == date(2026, 9, 30)


def test_without_an_expiry_validity_is_the_achievement_plus_valid_for_months():
    row = only_row(log_of(evidence("10000001", "totara_course", "CRS-ECG12", date(2024, 1, 31))), "CLIN-ECG12")
    assert (row.evidenced_on, row.valid_until, row.category) == (date(2024, 1, 31), date(2027, 1, 31), "Clinical")


def test_valid_for_months_from_a_month_end_clips_to_the_shorter_month():
    row = only_row(
        evidenced_of(evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2024, 2, 29))), "CSTF-FIRE"
    )
    assert row.valid_until == date(2026, 2, 28)


def test_blank_valid_for_months_never_lapses():
    row = only_row(
        log_of(evidence("10000001", "totara_competency", "COMP-CANNULATION", date(2012, 4, 16))), "CLIN-CANNULA"
    )
    assert (row.evidenced_on, row.valid_until) == (date(2012, 4, 16), None)


def test_no_expiry_never_lapses_even_where_the_skill_has_a_validity_period():
    row = only_row(
        log_of(evidence("10000001", "esr_competence", FIRE_COMPETENCE, date(2015, 7, 1), no_expiry=True)),
        "CSTF-FIRE",
    )
    assert row.valid_until is None


def test_no_expiry_wins_over_an_expiry_date_on_the_same_row():
    row = only_row(
        log_of(
            evidence(
                "10000001",
                "esr_competence",
                FIRE_COMPETENCE,
                date(2015, 7, 1),
                expires=date(2017, 7, 1),
                no_expiry=True,
            )
        ),
        "CSTF-FIRE",
    )
    assert row.valid_until is None


def test_evidence_keys_and_sources_match_ignoring_case_and_surrounding_spaces():
    row = only_row(log_of(evidence("10000001", " Totara_Course ", "  crs-ecg12 ", date(2025, 10, 14))), "CLIN-ECG12")
    assert (row.evidence_source, row.evidence_key) == ("totara_course", "CRS-ECG12")


def test_an_esr_competence_name_matches_in_another_case():
    row = only_row(
        log_of(evidence("10000001", "esr_competence", FIRE_COMPETENCE.upper(), date(2025, 10, 14))), "CSTF-FIRE"
    )
    assert row.evidence_key == FIRE_COMPETENCE


def test_a_key_under_the_wrong_source_is_not_evidence():
    assert log_of(evidence("10000001", "totara_course", "CERT-CSTF-FIRE", date(2025, 10, 14))).empty


def test_evidence_dated_after_the_reporting_date_is_ignored():
    row = only_row(
        evidenced_of(
            evidence("10000001", "totara_course", "CRS-ECG12", date(2022, 3, 1)),
            evidence("10000001", "totara_course", "CRS-ECG12", D + timedelta(days=1)),
        ),
        "CLIN-ECG12",
    )
    assert (row.evidenced_on, row.valid_until) == (date(2022, 3, 1), date(2025, 3, 1))


def test_only_future_dated_evidence_means_no_skill():
    assert evidenced_of(evidence("10000001", "totara_course", "CRS-ECG12", date(2026, 4, 2))).empty


def test_evidence_dated_on_the_reporting_date_counts():
    row = only_row(log_of(evidence("10000001", "student_module", "PARA5012", D)), "CLIN-ECG12")
    assert (row.evidenced_on, row.valid_until, row.evidence_source) == (D, date(2029, 3, 31), "student_module")


def test_evidence_without_an_achievement_date_is_not_evidence():
    assert evidenced_of(evidence("10000001", "totara_certification", "CERT-CSTF-FIRE", None)).empty


def test_a_skill_lapsing_on_the_reporting_date_is_not_in_the_log():
    lapsing_today = evidence("10000001", "totara_course", "CRS-ECG12", date(2023, 3, 31))
    assert only_row(evidenced_of(lapsing_today), "CLIN-ECG12").valid_until == D
    assert log_of(lapsing_today).empty


def test_a_skill_lapsing_the_day_after_the_reporting_date_is_in_the_log():
    row = only_row(log_of(evidence("10000001", "totara_course", "CRS-ECG12", date(2023, 4, 1))), "CLIN-ECG12")
    assert row.valid_until == D + timedelta(days=1)


def test_the_log_has_one_row_per_person_and_skill_in_a_stable_order():
    log = build(
        inputs(
            [person("10000002"), person("10000001")],
            [need("Paramedic", "CSTF-FIRE")],
            [
                evidence("10000002", "totara_course", "CRS-DIG-EPCR", date(2025, 5, 5)),
                evidence("10000001", "totara_course", "CRS-ECG12", date(2025, 1, 1)),
                evidence("10000001", "student_module", "PARA5012", date(2024, 6, 1)),
                evidence("10000001", "totara_course", "CRS-DIG-EPCR", date(2025, 5, 5)),
                evidence("10000001", "totara_course", "CRS-NOT-IN-FRAMEWORK", date(2025, 5, 5)),
            ],
        )
    ).log
    assert list(log.columns) == LOG_COLUMNS
    assert list(zip(log.employee_number, log.skill_code, strict=True)) == [
        ("10000001", "CLIN-ECG12"),
        ("10000001", "DIG-EPCR"),
        ("10000002", "DIG-EPCR"),
    ]
    assert log.loc[0, "skill_name"] == "12-lead ECG acquisition and interpretation"


def test_the_log_covers_people_not_in_post_too_since_it_records_evidence_not_requirements():
    log = log_of(evidence("20000009", "totara_course", "CRS-DIG-DATA", date(2025, 5, 5)))
    assert list(log.employee_number) == ["20000009"]


def test_skills_log_keeps_held_skills_of_the_evidenced_frame():
    evidenced = evidenced_of(
        evidence("10000001", "totara_course", "CRS-ECG12", date(2022, 1, 10)),
        evidence("10000001", "totara_competency", "COMP-CANNULATION", date(2022, 1, 10)),
    )
    assert sorted(evidenced.skill_code) == ["CLIN-CANNULA", "CLIN-ECG12"]
    assert list(skills_log(evidenced, D).skill_code) == ["CLIN-CANNULA"]
