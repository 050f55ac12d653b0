"""Across runs: learner ids stay put, and stewards' confirmations and rejections persist."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.identity_cases import (
    RUN_1,
    RUN_2,
    RUN_3,
    decisions,
    esr,
    learner,
    link,
    people,
    review_pairs,
    student,
    totara,
)
from transforms.identity import match_learners

AMY = esr("10000010", "Amy", "Patel", "1995-05-05", "amy.patel@nhs.net")
ANNA = esr("10000012", "Anna", "Patel", "1995-05-05", "anna.patel@nhs.net")
AMY_STUDENT = student("S0000010", "Amy", "Patel", "1995-05-05", "a.patel@student.northbridge.ac.uk")
GRACE = esr("10000001", "Grace", "Okafor", "1998-04-02", "grace.okafor@nhs.net")
GRACE_STUDENT = student("S0000001", "Grace", "Okafor", "1998-04-02", "g.okafor@student.northbridge.ac.uk")


def test_rerunning_with_the_same_inputs_changes_nothing():
    candidates = people(GRACE, GRACE_STUDENT, AMY, ANNA, AMY_STUDENT)
    first = match_learners(candidates, matched_at=RUN_1)
    second = match_learners(candidates, first.crosswalk, matched_at=RUN_2)
    assert_frame_equal(second.crosswalk, first.crosswalk)
    assert review_pairs(second) == review_pairs(first)


def test_a_record_arriving_later_joins_the_existing_learner_without_renumbering_anyone():
    first = match_learners(people(GRACE, AMY), matched_at=RUN_1)
    assert (learner(first, "esr", "10000001"), learner(first, "esr", "10000010")) == ("L00000001", "L00000002")

    second = match_learners(
        people(GRACE, AMY, GRACE_STUDENT, student("S0000099", "Ruby", "Wright", "2002-02-02")),
        first.crosswalk,
        matched_at=RUN_2,
    )
    assert learner(second, "esr", "10000001") == "L00000001"
    assert learner(second, "esr", "10000010") == "L00000002"
    assert link(second, "student_system", "S0000001") == ("L00000001", "name_dob", 0.85)
    assert learner(second, "student_system", "S0000099") == "L00000003"
    kept = second.crosswalk[second.crosswalk["source_system"] == "esr"].reset_index(drop=True)
    assert_frame_equal(kept, first.crosswalk.sort_values("learner_id").reset_index(drop=True))


def test_a_record_missing_from_a_later_run_keeps_its_learner_in_the_crosswalk():
    first = match_learners(people(GRACE, GRACE_STUDENT), matched_at=RUN_1)
    second = match_learners(people(GRACE), first.crosswalk, matched_at=RUN_2)
    assert learner(second, "student_system", "S0000001") == "L00000001"


def test_a_confirmed_pair_is_merged_as_a_steward_link_and_stays_merged():
    candidates = people(AMY, ANNA, AMY_STUDENT)
    first = match_learners(candidates, matched_at=RUN_1)
    assert len(first.review) == 2
    amy_learner = learner(first, "esr", "10000010")
    student_learner = learner(first, "student_system", "S0000010")

    decided = decisions((("esr", "10000010"), ("student_system", "S0000010"), "confirmed", "2026-11-21"))
    second = match_learners(candidates, first.crosswalk, decided, matched_at=RUN_2, retired=first.retired)
    assert link(second, "student_system", "S0000010") == (amy_learner, "steward", 1.0)
    assert learner(second, "esr", "10000012") == learner(first, "esr", "10000012")
    assert second.review.empty
    assert second.retired.to_dict("records") == [
        {"learner_id": student_learner, "merged_into": amy_learner, "retired_at": pd.Timestamp(RUN_2)}
    ]

    third = match_learners(candidates, second.crosswalk, decided, matched_at=RUN_3, retired=second.retired)
    assert_frame_equal(third.crosswalk, second.crosswalk)
    assert third.review.empty


def test_a_retired_learner_id_is_never_issued_again():
    candidates = people(AMY, ANNA, AMY_STUDENT)
    first = match_learners(candidates, matched_at=RUN_1)
    assert learner(first, "student_system", "S0000010") == "L00000003"
    decided = decisions((("esr", "10000010"), ("student_system", "S0000010"), "confirmed", "2026-11-21"))
    second = match_learners(candidates, first.crosswalk, decided, matched_at=RUN_2, retired=first.retired)
    assert "L00000003" not in set(second.crosswalk["learner_id"])

    newcomer = student("S0000077", "Dafydd", "Jones", "2003-03-03")
    third = match_learners(
        people(AMY, ANNA, AMY_STUDENT, newcomer), second.crosswalk, decided, matched_at=RUN_3, retired=second.retired
    )
    assert learner(third, "student_system", "S0000077") == "L00000004"


def test_a_rejected_pair_is_never_merged_by_a_rule():
    decided = decisions((("esr", "10000001"), ("student_system", "S0000001"), "rejected", "2026-11-20"))
    first = match_learners(people(GRACE, GRACE_STUDENT), None, decided, matched_at=RUN_1)
    assert learner(first, "esr", "10000001") != learner(first, "student_system", "S0000001")
    assert first.review.empty

    second = match_learners(people(GRACE, GRACE_STUDENT), first.crosswalk, decided, matched_at=RUN_2)
    assert_frame_equal(second.crosswalk, first.crosswalk)


def test_rejecting_a_pair_already_linked_detaches_the_later_matched_record():
    first = match_learners(people(GRACE, GRACE_STUDENT), matched_at=RUN_1)
    assert learner(first, "student_system", "S0000001") == "L00000001"

    decided = decisions((("student_system", "S0000001"), ("esr", "10000001"), "rejected", "2026-11-21"))
    second = match_learners(people(GRACE, GRACE_STUDENT), first.crosswalk, decided, matched_at=RUN_2)
    assert link(second, "esr", "10000001") == ("L00000001", "new", 1.0)
    assert link(second, "student_system", "S0000001") == ("L00000002", "new", 1.0)

    third = match_learners(people(GRACE, GRACE_STUDENT), second.crosswalk, decided, matched_at=RUN_3)
    assert_frame_equal(third.crosswalk, second.crosswalk)


def test_a_rejection_also_blocks_a_merge_through_a_third_record():
    grace_totara = totara("731", "10000001", "Grace", "Okafor", "g.okafor@student.northbridge.ac.uk")
    decided = decisions((("esr", "10000001"), ("student_system", "S0000001"), "rejected", "2026-11-20"))
    result = match_learners(people(GRACE, grace_totara, GRACE_STUDENT), None, decided, matched_at=RUN_1)
    assert learner(result, "totara", "731") == learner(result, "esr", "10000001")
    assert learner(result, "student_system", "S0000001") != learner(result, "esr", "10000001")
    assert review_pairs(result) == [("731", "S0000001", "conflicts_with_rejection")]


def test_two_existing_learners_that_now_match_are_sent_for_review_not_merged():
    first = match_learners(
        people(
            esr("10000001", "Grace", "Okafor", "1998-04-02", None),
            student("S0000001", "G", "Adeyemi", "1998-04-02", "g.o@nhs.net"),
        ),
        matched_at=RUN_1,
    )
    assert first.crosswalk["learner_id"].nunique() == 2
    second = match_learners(
        people(
            esr("10000001", "Grace", "Okafor", "1998-04-02", "g.o@nhs.net"),
            student("S0000001", "G", "Adeyemi", "1998-04-02", "g.o@nhs.net"),
        ),
        first.crosswalk,
        matched_at=RUN_2,
    )
    assert_frame_equal(second.crosswalk, first.crosswalk)
    assert review_pairs(second) == [("10000001", "S0000001", "would_merge_existing_learners")]
    assert second.review["detail"].iloc[0] == (
        "email links esr 10000001 (learner L00000001) with student_system S0000001 (learner L00000002); "
        "joining two existing learners needs a steward's confirmation"
    )


def test_the_latest_decision_on_a_pair_wins():
    decided = decisions(
        (("esr", "10000001"), ("student_system", "S0000001"), "rejected", "2026-11-22"),
        (("student_system", "S0000001"), ("esr", "10000001"), "confirmed", "2026-11-20"),
    )
    result = match_learners(people(GRACE, GRACE_STUDENT), None, decided, matched_at=RUN_1)
    assert learner(result, "esr", "10000001") != learner(result, "student_system", "S0000001")


def test_a_confirmation_waits_until_both_records_are_seen():
    decided = decisions((("esr", "10000010"), ("student_system", "S0000010"), "confirmed", "2026-11-20"))
    first = match_learners(people(AMY, ANNA), None, decided, matched_at=RUN_1)
    second = match_learners(people(AMY, ANNA, AMY_STUDENT), first.crosswalk, decided, matched_at=RUN_2)
    assert link(second, "student_system", "S0000010") == ("L00000001", "steward", 1.0)
    assert second.review.empty
    assert second.retired.empty


def test_a_confirmation_that_contradicts_a_rejection_goes_to_review():
    grace_totara = totara("731", "10000001", "Grace", "Okafor")
    decided = decisions(
        (("totara", "731"), ("student_system", "S0000001"), "confirmed", "2026-11-20"),
        (("esr", "10000001"), ("student_system", "S0000001"), "rejected", "2026-11-20"),
    )
    first = match_learners(people(GRACE, grace_totara), matched_at=RUN_1)
    second = match_learners(people(GRACE, grace_totara, GRACE_STUDENT), first.crosswalk, decided, matched_at=RUN_2)
    assert learner(second, "student_system", "S0000001") != "L00000001"
    assert review_pairs(second) == [("731", "S0000001", "steward_decisions_conflict")]


def test_a_decision_naming_an_unknown_system_is_refused_with_its_row():
    decided = decisions((("esr", "10000001"), ("sits", "S0000001"), "confirmed", "2026-11-20"))
    with pytest.raises(
        ValueError, match=r"steward decision row 0 \(esr 10000001 / sits S0000001\): source system 'sits'"
    ):
        match_learners(people(GRACE, GRACE_STUDENT), None, decided, matched_at=RUN_1)


def test_a_decision_other_than_confirmed_or_rejected_is_refused():
    decided = decisions((("esr", "10000001"), ("student_system", "S0000001"), "maybe", "2026-11-20"))
    with pytest.raises(ValueError, match=r"decision 'maybe' must be 'confirmed' or 'rejected'"):
        match_learners(people(GRACE, GRACE_STUDENT), None, decided, matched_at=RUN_1)
