"""The landing watcher: a file is announced once, when it has stopped changing and its content is new."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from flows.watch import (
    STATE_FILE_NAME,
    LandedFile,
    LandingWatcher,
    source_of,
    watch_landing,
    watch_landing_flow,
)
from learnscape.config import LearnscapeConfig, dump_config
from tests.esr_files import FIRE, competence_row, staff_row, write_competences, write_staff, write_training_needs


class Announcements(list):
    """Collects what the watcher announces, in order (the watcher's only way out to Prefect)."""

    def __call__(self, landed: LandedFile) -> None:
        self.append(landed)

    @property
    def names(self) -> list[str]:
        return [landed.path.name for landed in self]


@pytest.fixture
def landing(tmp_path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def state_file(tmp_path) -> Path:
    return tmp_path / "state" / STATE_FILE_NAME


def watcher_for(landing: Path, state_file: Path) -> tuple[LandingWatcher, Announcements]:
    heard = Announcements()
    return LandingWatcher(landing, state_file, heard), heard


def touch(path: Path, mtime_s: int) -> None:
    os.utime(path, ns=(mtime_s * 1_000_000_000, mtime_s * 1_000_000_000))


def test_a_file_is_announced_on_the_second_poll_that_sees_it_unchanged(landing, state_file):
    staff = write_staff(landing, "20261101", "full", [staff_row("10000001")])
    watcher, heard = watcher_for(landing, state_file)
    assert watcher.poll() == []
    landed = watcher.poll()
    assert heard.names == ["esr_staff_in_post_457_20261101_full.csv"]
    assert landed == list(heard)
    only = landed[0]
    assert only.path == staff.resolve()
    assert only.landing == landing.resolve()
    assert only.sha256 == hashlib.sha256(staff.read_bytes()).hexdigest()
    assert only.size_bytes == staff.stat().st_size
    assert only.source == "esr"


def test_a_file_still_being_written_waits_until_two_polls_agree(landing, state_file):
    growing = landing / "esr_competences_457_20261101_full.csv"
    growing.write_text("Employee Number,Competency Name\n", encoding="utf-8")
    touch(growing, 1_700_000_000)
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    with growing.open("a", encoding="utf-8") as handle:
        handle.write(f'10000001,"{FIRE}"\n')
    touch(growing, 1_700_000_030)
    assert watcher.poll() == []
    assert heard == []
    watcher.poll()
    assert heard.names == [growing.name]
    assert heard[0].sha256 == hashlib.sha256(growing.read_bytes()).hexdigest()


def test_a_file_is_announced_only_once_however_many_polls_see_it(landing, state_file):
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    watcher, heard = watcher_for(landing, state_file)
    for _ in range(5):
        watcher.poll()
    assert len(heard) == 1


def test_the_same_content_under_a_second_name_is_not_announced_again(landing, state_file):
    first = write_staff(landing, "20261101", "full", [staff_row("10000001")])
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    watcher.poll()
    (landing / "resent").mkdir()
    (landing / "resent" / first.name).write_bytes(first.read_bytes())
    watcher.poll()
    watcher.poll()
    assert heard.names == [first.name]


def test_a_file_rewritten_with_new_content_is_announced_again(landing, state_file):
    rules = write_training_needs(landing, [("All", "", FIRE)])
    touch(rules, 1_700_000_000)
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    watcher.poll()
    write_training_needs(landing, [("All", "", FIRE), ("Job Role", "Paramedic", FIRE)])
    touch(rules, 1_700_000_600)
    watcher.poll()
    watcher.poll()
    assert heard.names == ["training_needs_analysis.csv", "training_needs_analysis.csv"]
    assert heard[0].sha256 != heard[1].sha256
    assert {landed.source for landed in heard} == {"trust_rules"}


def test_uploads_in_progress_and_hidden_files_are_left_alone(landing, state_file):
    (landing / "esr_staff_in_post_457_20261101_full.csv.part").write_text("Employee Number\n", encoding="utf-8")
    (landing / "esr_competences_457_20261101_full.csv.filepart").write_text("Employee Number\n", encoding="utf-8")
    (landing / ".esr_staff_in_post_457_20261102_full.csv").write_text("Employee Number\n", encoding="utf-8")
    (landing / ".sftp").mkdir()
    (landing / ".sftp" / "esr_staff_in_post_457_20261103_full.csv").write_text("Employee Number\n", encoding="utf-8")
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    watcher.poll()
    assert heard == []


def test_an_upload_renamed_into_place_is_announced_under_its_final_name(landing, state_file):
    partial = landing / "esr_staff_in_post_457_20261101_full.csv.part"
    partial.write_text("Employee Number,Assignment Number\n10000001,10000001\n", encoding="utf-8")
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    final = partial.rename(landing / "esr_staff_in_post_457_20261101_full.csv")
    watcher.poll()
    watcher.poll()
    assert heard.names == [final.name]


def test_a_restarted_watcher_remembers_what_it_announced(landing, state_file):
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    first, heard_before = watcher_for(landing, state_file)
    first.poll()
    first.poll()
    write_competences(landing, "20261101", "full", [competence_row("10000001", FIRE, "01/06/2025")])
    restarted, heard_after = watcher_for(landing, state_file)
    restarted.poll()
    restarted.poll()
    assert heard_before.names == ["esr_staff_in_post_457_20261101_full.csv"]
    assert heard_after.names == ["esr_competences_457_20261101_full.csv"]


def test_the_state_file_is_json_listing_each_file_and_each_checksum_announced(landing, state_file):
    staff = write_staff(landing, "20261101", "full", [staff_row("10000001")])
    watcher, _ = watcher_for(landing, state_file)
    watcher.poll()
    assert not state_file.exists()  # nothing is settled after one poll
    watcher.poll()
    state = json.loads(state_file.read_text(encoding="utf-8"))
    checksum = hashlib.sha256(staff.read_bytes()).hexdigest()
    assert state["files"] == {
        str(staff.resolve()): {
            "size_bytes": staff.stat().st_size,
            "mtime_ns": staff.stat().st_mtime_ns,
            "sha256": checksum,
        }
    }
    assert state["announced"][checksum]["path"] == str(staff.resolve())


def test_a_file_removed_from_landing_is_forgotten_but_its_content_stays_announced(landing, state_file):
    staff = write_staff(landing, "20261101", "full", [staff_row("10000001")])
    content = staff.read_bytes()
    watcher, heard = watcher_for(landing, state_file)
    watcher.poll()
    watcher.poll()
    staff.unlink()
    watcher.poll()
    assert json.loads(state_file.read_text(encoding="utf-8"))["files"] == {}
    staff.write_bytes(content)
    watcher.poll()
    watcher.poll()
    assert len(heard) == 1


def test_an_announcement_that_fails_is_made_again_on_later_polls(landing, state_file):
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    attempts: list[str] = []

    def unreachable_then_fine(landed: LandedFile) -> None:
        attempts.append(landed.path.name)
        if len(attempts) == 1:
            raise ConnectionError("Prefect API unreachable")

    watcher = LandingWatcher(landing, state_file, unreachable_then_fine)
    watcher.poll()
    with pytest.raises(ConnectionError):
        watcher.poll()
    watcher.poll()
    watcher.poll()
    watcher.poll()
    assert attempts == ["esr_staff_in_post_457_20261101_full.csv"] * 2


def test_an_unreadable_state_file_is_refused_with_its_path_and_what_to_do(landing, state_file):
    state_file.parent.mkdir(parents=True)
    state_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"landing_watch\.json.*move it aside"):
        LandingWatcher(landing, state_file, Announcements())


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("esr_staff_in_post_457_20261101_full.csv", "esr"),
        ("ESR_Competences_457_20261101_DELTA.XLSX", "esr"),
        ("esr_competences_457_20261399_full.csv", "esr"),
        ("training_needs_analysis.csv", "trust_rules"),
        ("role_skill_profiles.csv", "trust_rules"),
        ("totara_course_completion_20261101.csv", "totara"),
        ("staff_survey_2026.csv", "other"),
    ],
)
def test_each_landed_file_is_labelled_with_its_source_system(name, source):
    assert source_of(Path("/landing") / name) == source


def test_watch_landing_polls_max_polls_times_sleeping_between_polls(landing, state_file):
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    heard = Announcements()
    sleeps: list[float] = []
    landed = watch_landing(landing, state_file, heard, poll_seconds=2.5, max_polls=3, sleep=sleeps.append)
    assert sleeps == [2.5, 2.5]
    assert (
        [landed_file.path.name for landed_file in landed] == heard.names == ["esr_staff_in_post_457_20261101_full.csv"]
    )


def test_the_watch_flow_keeps_its_state_in_the_configured_state_folder(tmp_path):
    config = LearnscapeConfig(base_dir=str(tmp_path), paths={"landing": "in", "state": "state"})
    config_file = tmp_path / "learnscape.yaml"
    config_file.write_text(dump_config(config), encoding="utf-8")
    write_staff(tmp_path / "in", "20261101", "full", [staff_row("10000001")])
    announced = watch_landing_flow.fn(config_file=str(config_file), poll_seconds=0, max_polls=2)
    assert announced == 1
    state = json.loads((tmp_path / "state" / STATE_FILE_NAME).read_text(encoding="utf-8"))
    assert list(state["files"]) == [str(tmp_path / "in" / "esr" / "esr_staff_in_post_457_20261101_full.csv")]
