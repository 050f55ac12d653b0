"""The same seed and date always give the same trust, byte for byte; people can be regenerated alone."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import timedelta

import pytest

from sample_trust import generate_sample_trust, iter_people
from sample_trust.people import TrustPlan, build_person
from tests.sample_trust_support import AS_OF, SMALL_STAFF, esr_files, sample_trust


def _contents(summary) -> dict[str, bytes]:
    return {path.relative_to(summary.out_dir).as_posix(): path.read_bytes() for path in summary.files}


def test_same_seed_and_date_give_byte_identical_files(tmp_path):
    again = generate_sample_trust(tmp_path / "again", staff=SMALL_STAFF, seed=457, as_of=AS_OF)
    assert _contents(again) == _contents(sample_trust(SMALL_STAFF))


def test_different_seed_gives_different_people():
    first = esr_files(sample_trust(SMALL_STAFF, seed=457), "staff_in_post")[-1].read_bytes()
    second = esr_files(sample_trust(SMALL_STAFF, seed=458), "staff_in_post")[-1].read_bytes()
    assert first != second


def test_regenerating_over_an_earlier_run_replaces_its_files(tmp_path):
    out_dir = tmp_path / "trust"
    generate_sample_trust(out_dir, staff=SMALL_STAFF, seed=457, as_of=AS_OF.replace(year=2024))
    summary = generate_sample_trust(out_dir, staff=SMALL_STAFF, seed=457, as_of=AS_OF)
    on_disk = {path for path in out_dir.rglob("*") if path.is_file()}
    assert on_disk == set(summary.files)


def test_final_snapshot_does_not_depend_on_whether_history_was_written():
    with_history = sample_trust(SMALL_STAFF, history=True)
    snapshot_only = sample_trust(SMALL_STAFF, history=False)
    for kind in ("staff_in_post", "competences"):
        assert esr_files(with_history, kind)[-1].read_bytes() == esr_files(snapshot_only, kind)[-1].read_bytes()


def test_any_person_can_be_regenerated_alone():
    plan = TrustPlan.build(SMALL_STAFF, 457, AS_OF, "457")
    everyone = list(iter_people(SMALL_STAFF, seed=457, as_of=AS_OF))
    assert len(everyone) == plan.people_count
    for index in (0, 1, 150, SMALL_STAFF - 1, SMALL_STAFF, plan.people_count - 1):
        assert build_person(plan, index) == everyone[index]


def test_iter_people_without_leavers_gives_exactly_the_staff_in_post():
    people = list(iter_people(SMALL_STAFF, seed=457, as_of=AS_OF, leavers=False))
    final_on = AS_OF - timedelta(days=1)
    assert len(people) == SMALL_STAFF
    assert all(person.present_on(final_on) for person in people)


def test_people_are_frozen_records():
    person = next(iter_people(SMALL_STAFF, seed=457, as_of=AS_OF))
    assert replace(person, first_name="Changed") != person
    with pytest.raises(FrozenInstanceError):
        person.first_name = "Changed"  # type: ignore[misc]
