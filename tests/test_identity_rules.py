"""Which records are one learner: exact keys, then unique email, then surname + date of birth + initial."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.identity_cases import RUN_1, RUN_2, esr, learner, link, people, review_pairs, student, totara
from transforms.identity import MATCH_CONFIDENCE, match_learners, normalise_email, normalise_name


def test_an_apprentice_joins_their_esr_record_by_employee_number():
    result = match_learners(
        people(
            esr("10000001", "Grace", "Okafor", "1998-04-02", "grace.okafor@nhs.net"),
            student("S0000001", "Grace", "Okafor-Reid", "1998-04-02", "g.reid@student.ac.uk", esr_number="10000001"),
        ),
        matched_at=RUN_1,
    )
    assert link(result, "esr", "10000001") == ("L00000001", "new", 1.0)
    assert link(result, "student_system", "S0000001") == ("L00000001", "exact", 1.0)


def test_esr_totara_and_student_records_of_one_apprentice_make_one_learner():
    result = match_learners(
        people(
            esr("10000001", "Grace", "Okafor", "1998-04-02"),
            totara("731", "10000001", "Grace", "Okafor"),
            student("S0000001", "Grace", "Okafor", "1998-04-02", esr_number="10000001"),
        ),
        matched_at=RUN_1,
    )
    assert result.crosswalk["learner_id"].tolist() == ["L00000001"] * 3
    assert result.crosswalk["match_method"].tolist() == ["new", "exact", "exact"]
    assert result.review.empty


def test_email_links_ignoring_case_and_surrounding_spaces():
    result = match_learners(
        people(
            esr("10000002", "Rhys", "Evans", "1996-08-30", "rhys.evans@nhs.net"),
            student("S0000002", "Rhys", "Evans", "1996-08-31", " Rhys.Evans@NHS.net "),
        ),
        matched_at=RUN_1,
    )
    assert link(result, "student_system", "S0000002") == ("L00000001", "email", 0.95)


def test_a_changed_surname_is_linked_by_the_unchanged_email():
    result = match_learners(
        people(
            esr("10000003", "Megan", "Hughes", "1994-01-12", "megan.hughes@nhs.net"),
            student("S0000003", "Megan", "Price", "1994-01-12", "megan.hughes@nhs.net"),
        ),
        matched_at=RUN_1,
    )
    assert link(result, "student_system", "S0000003") == ("L00000001", "email", 0.95)


def test_an_email_two_esr_people_share_is_not_used():
    result = match_learners(
        people(
            esr("10000004", "Tom", "Green", "1980-02-02", "fulham.station@nhs.net"),
            esr("10000005", "Ruby", "Wright", "1985-03-03", "fulham.station@nhs.net"),
            student("S0000004", "Ruth", "Walker", "1999-09-09", "Fulham.Station@nhs.net"),
        ),
        matched_at=RUN_1,
    )
    assert result.crosswalk["learner_id"].nunique() == 3
    assert result.review.empty


def test_a_shared_email_does_not_stop_the_name_and_birth_date_rule():
    result = match_learners(
        people(
            esr("10000004", "Tom", "Green", "1980-02-02", "fulham.station@nhs.net"),
            esr("10000005", "Ruby", "Wright", "1985-03-03", "fulham.station@nhs.net"),
            student("S0000005", "Ruby", "Wright", "1985-03-03", "fulham.station@nhs.net"),
        ),
        matched_at=RUN_1,
    )
    assert learner(result, "student_system", "S0000005") == learner(result, "esr", "10000005")
    assert link(result, "student_system", "S0000005")[1:] == ("name_dob", 0.85)


def test_names_match_after_normalising_accents_hyphens_apostrophes_spaces_and_case():
    result = match_learners(
        people(
            esr("10000006", "Siân", "O'Brien-Jones", "1989-02-14", "sian.obrien-jones@nhs.net"),
            student("S0000006", "Sian", "Obrien Jones", "1989-02-14", "sian.oj@student.northbridge.ac.uk"),
        ),
        matched_at=RUN_1,
    )
    assert link(result, "student_system", "S0000006") == ("L00000001", "name_dob", 0.85)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Siân", "sian"),
        ("O'Brien-Jones", "obrienjones"),
        ("Obrien Jones", "obrienjones"),
        ("O\u2019BRIEN  JONES", "obrienjones"),
        ("Ní Bhriain", "nibhriain"),
        ("Søren", "soren"),
        ("Zoë", "zoe"),
        (None, ""),
    ],
)
def test_normalise_name(written, normalised):
    assert normalise_name(written) == normalised


def test_normalise_email_trims_and_ignores_case():
    assert normalise_email("  Sian.OBrien-Jones@NHS.net\t") == "sian.obrien-jones@nhs.net"
    assert normalise_email(None) == ""


def test_a_person_with_no_email_links_by_name_and_date_of_birth():
    result = match_learners(
        people(
            esr("10000007", "Kacper", "Kowalski", "1992-06-06", None),
            student("S0000007", "Kacper", "Kowalski", "1992-06-06", None),
        ),
        matched_at=RUN_1,
    )
    assert link(result, "student_system", "S0000007") == ("L00000001", "name_dob", 0.85)


def test_twins_with_different_initials_are_not_merged():
    result = match_learners(
        people(
            esr("10000010", "Amy", "Patel", "1995-05-05", "amy.patel@nhs.net"),
            esr("10000011", "Ben", "Patel", "1995-05-05", "ben.patel@nhs.net"),
            student("S0000010", "Amy", "Patel", "1995-05-05", "a.patel@student.northbridge.ac.uk"),
        ),
        matched_at=RUN_1,
    )
    assert learner(result, "student_system", "S0000010") == learner(result, "esr", "10000010")
    assert learner(result, "esr", "10000011") != learner(result, "esr", "10000010")
    assert result.review.empty


def test_twins_with_the_same_initial_go_to_review_and_stay_apart():
    result = match_learners(
        people(
            esr("10000010", "Amy", "Patel", "1995-05-05", "amy.patel@nhs.net"),
            esr("10000012", "Anna", "Patel", "1995-05-05", "anna.patel@nhs.net"),
            student("S0000010", "Amy", "Patel", "1995-05-05", "a.patel@student.northbridge.ac.uk"),
        ),
        matched_at=RUN_1,
    )
    assert result.crosswalk["learner_id"].nunique() == 3
    assert review_pairs(result) == [
        ("10000010", "S0000010", "ambiguous_name_dob"),
        ("10000012", "S0000010", "ambiguous_name_dob"),
    ]
    assert result.review["detail"].iloc[0] == (
        "the same surname, date of birth and first initial are shared by 2 esr and 1 student_system records"
    )
    assert result.review["learner_id_b"].tolist() == [learner(result, "student_system", "S0000010")] * 2


def test_shared_surnames_with_other_birth_dates_or_initials_stay_apart():
    result = match_learners(
        people(
            esr("10000020", "John", "Smith", "1970-01-01"),
            esr("10000021", "James", "Smith", "1988-07-19"),
            esr("10000022", "Jo", "Smith", "1993-11-30"),
            student("S0000020", "Harry", "Smith", "1970-01-01"),
            student("S0000021", "Jane", "Smith", "1988-07-20"),
            student("S0000022", "Oliver", "Smith", "1993-11-30"),
        ),
        matched_at=RUN_1,
    )
    assert result.crosswalk["learner_id"].nunique() == 6
    assert result.review.empty


def test_one_employee_number_on_two_students_is_ambiguous():
    result = match_learners(
        people(
            esr("10000030", "Noah", "Lewis", "1990-10-10"),
            student("S0000030", "Noah", "Lewis", "1990-10-10", esr_number="10000030"),
            student("S0000031", "Noah", "Lewis", "1990-10-10", esr_number="10000030"),
        ),
        matched_at=RUN_1,
    )
    assert result.crosswalk["learner_id"].nunique() == 3
    assert review_pairs(result) == [
        ("10000030", "S0000030", "ambiguous_exact"),
        ("10000030", "S0000031", "ambiguous_exact"),
    ]
    assert result.review["detail"].iloc[0] == "employee number 10000030 is held by 1 esr and 2 student_system records"


def test_a_weaker_match_to_a_second_esr_record_is_a_conflict_for_review():
    result = match_learners(
        people(
            esr("10000040", "Ella", "Roberts", "1997-12-01", "ella.roberts@nhs.net"),
            esr("10000041", "Ella", "Roberts-Khan", "1979-04-04", "ella.rk@nhs.net"),
            student("S0000040", "Ella", "Roberts", "1997-12-01", "ella.rk@nhs.net", esr_number="10000040"),
        ),
        matched_at=RUN_1,
    )
    assert learner(result, "student_system", "S0000040") == learner(result, "esr", "10000040")
    assert learner(result, "esr", "10000041") != learner(result, "esr", "10000040")
    assert review_pairs(result) == [("10000041", "S0000040", "conflicting_match")]
    assert "more than one esr record into one learner (esr 10000040, esr 10000041)" in result.review["detail"].iloc[0]


def test_date_of_birth_appears_in_neither_output():
    result = match_learners(
        people(
            esr("10000010", "Amy", "Patel", "1995-05-05"),
            esr("10000012", "Anna", "Patel", "1995-05-05"),
            student("S0000010", "Amy", "Patel", "1995-05-05"),
            student("S0000011", "Priya", "Khan", "2001-09-17"),
        ),
        matched_at=RUN_1,
    )
    assert len(result.review) == 2
    for frame in (result.crosswalk, result.review, result.retired):
        assert not any("birth" in column or "dob" in column for column in frame.columns)
        cells = frame.astype(str).to_numpy().ravel().tolist()
        assert not any(day in cell for cell in cells for day in ("1995-05-05", "2001-09-17", "05/05/1995"))


def test_confidence_per_method_is_data_not_scattered_literals():
    assert dict(MATCH_CONFIDENCE) == {"new": 1.0, "steward": 1.0, "exact": 1.0, "email": 0.95, "name_dob": 0.85}


def test_a_candidate_from_an_unknown_system_is_refused():
    frame = people(esr("10000001", "Grace", "Okafor", "1998-04-02"))
    frame.loc[0, "source_system"] = "sits"
    with pytest.raises(ValueError, match="candidates row 0: source_system 'sits' is not one of esr, totara"):
        match_learners(frame, matched_at=RUN_1)


def test_a_record_given_twice_is_refused():
    frame = people(esr("10000001", "Grace", "Okafor", "1998-04-02"), esr("10000001", "Grace", "Okafor", "1998-04-02"))
    with pytest.raises(ValueError, match="candidates row 1: esr record '10000001' appears more than once"):
        match_learners(frame, matched_at=RUN_1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"learner_id": "  "}, "crosswalk row 1: totara 731 has no learner_id"),
        ({"learner_id": None}, "crosswalk row 1: totara 731 has no learner_id"),
        ({"source_key": "10000001", "source_system": "esr"}, "crosswalk row 1: esr 10000001 appears more than once"),
    ],
    ids=["blank-learner", "missing-learner", "record-twice"],
)
def test_a_damaged_stored_crosswalk_is_refused_naming_its_row(change, message):
    candidates = people(esr("10000001", "Grace", "Okafor", "1998-04-02"), totara("731", "10000001", "Grace", "Okafor"))
    stored = match_learners(candidates, matched_at=RUN_1).crosswalk.astype(object)
    for column, value in change.items():
        stored.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        match_learners(candidates, stored, matched_at=RUN_2)


def test_a_stored_crosswalk_is_kept_value_for_value_on_the_next_run():
    candidates = people(
        esr("10000001", "Grace", "Okafor", "1998-04-02", "grace.okafor@nhs.net"),
        totara("731", "10000001", "Grace", "Okafor"),
        esr("10000002", "Amir", "Haddad", "1990-01-01", "amir.haddad@nhs.net"),
        totara("732", None, "Amir", "Haddad", "Amir.Haddad@nhs.net"),
    )
    first = match_learners(candidates, matched_at=RUN_1).crosswalk
    again = match_learners(candidates, first, matched_at=RUN_2).crosswalk
    pd.testing.assert_frame_equal(again, first)
    assert set(again["match_method"]) == {"new", "exact", "email"}


def test_no_candidates_give_empty_frames_with_their_columns():
    result = match_learners(people(), matched_at=RUN_1)
    assert list(result.crosswalk.columns) == [
        "source_system",
        "source_key",
        "learner_id",
        "match_method",
        "confidence",
        "matched_at",
    ]
    assert result.review.empty and result.retired.empty


def test_employee_numbers_read_as_numbers_still_match():
    frame = people(
        esr("10000050", "Zofia", "Nowak", "1991-01-01"),
        student("S0000050", "Zofia", "Nowak", "1991-01-01", esr_number="10000050"),
    )
    frame["employee_number"] = pd.to_numeric(frame["employee_number"]).astype("float64")
    result = match_learners(frame, matched_at=RUN_1)
    assert link(result, "student_system", "S0000050")[1] == "exact"
