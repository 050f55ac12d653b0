"""prefect.yaml as Learnscape relies on it, and serving it: checked without a Prefect server."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from flows import events
from flows.outcomes import LoadOutcome
from flows.serve import PREFECT_FILE, DeploymentFileError, read_deployment_specs, runner_deployments
from flows.watch import source_of
from tests.orchestration_support import documented_alert_automations

TEMPLATE = re.compile(r"\{\{\s*event\.payload\.(\w+)\s*\}\}")


@pytest.fixture(scope="module")
def specs() -> dict[str, dict]:
    return {spec["name"]: spec for spec in read_deployment_specs()}


@pytest.fixture(scope="module")
def served() -> dict[str, object]:
    return {
        deployment.name: deployment for deployment in runner_deployments(config_file=Path("/srv/trust/learnscape.yaml"))
    }


def test_every_deployment_is_named_after_its_flow_and_runs_in_the_learnscape_pool(specs, served):
    assert set(specs) == {
        "nightly",
        "watch-landing",
        "ingest-esr",
        "build-warehouse",
        "publish-feed",
        "pull-totara",
        "pull-student-system",
    }
    for name, deployment in served.items():
        assert deployment.flow_name == name
        assert specs[name]["work_pool"]["name"] == "learnscape"


def test_nightly_runs_at_two_in_the_morning_london_time(served):
    [schedule] = served["nightly"].schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Europe/London")


def test_the_api_pulls_run_every_four_hours_half_an_hour_apart(served):
    [totara] = served["pull-totara"].schedules
    [students] = served["pull-student-system"].schedules
    assert (totara.schedule.cron, students.schedule.cron) == ("0 */4 * * *", "30 */4 * * *")


def test_the_watcher_stops_before_its_next_run_is_due_and_never_runs_twice_at_once(served):
    watcher = served["watch-landing"]
    [schedule] = watcher.schedules
    watching = timedelta(seconds=watcher.parameters["poll_seconds"] * watcher.parameters["max_polls"])
    assert watching < schedule.schedule.interval
    assert (watcher.concurrency_limit, watcher.concurrency_options.collision_strategy) == (1, "CANCEL_NEW")


def test_event_driven_deployments_run_one_at_a_time_and_queue_the_rest(served):
    for name in ("ingest-esr", "build-warehouse", "publish-feed", "nightly"):
        assert (served[name].concurrency_limit, served[name].concurrency_options.collision_strategy) == (
            1,
            "ENQUEUE",
        ), name


def test_serving_gives_every_run_the_installation_config(served):
    assert {d.parameters.get("config_file") for d in served.values()} == {"/srv/trust/learnscape.yaml"}


def test_the_watcher_labels_every_source_ingestion_is_triggered_by(specs):
    [trigger] = specs["ingest-esr"]["triggers"]
    labelled = {
        source_of(Path(name))
        for name in (
            "esr_staff_in_post_457_20261101_full.csv",
            "training_needs_analysis.csv",
            "totara_course_completion_20261101.csv",
        )
    }
    assert set(trigger["match"]["learnscape.source"]) == labelled
    assert source_of(Path("staff_survey_2026.csv")) not in trigger["match"]["learnscape.source"]


def test_every_trigger_parameter_reads_a_field_its_event_carries(specs):
    samples = {
        events.FILE_LANDED: events.file_landed(
            Path("/l/a.csv"), Path("/l"), "0" * 64, 1, "esr", datetime(2026, 11, 1, tzinfo=UTC)
        ),
        events.BATCH_LOADED: events.batch_outcome(LoadOutcome("esr_staff_in_post", "a.csv", "loaded", 1)),
        events.BUILD_COMPLETED: events.build_completed(date(2026, 11, 23), {}),
    }
    checked = 0
    for spec in specs.values():
        for trigger in spec.get("triggers") or []:
            [expected] = trigger["expect"]
            sample = samples[expected]
            assert re.fullmatch(
                trigger["match"]["prefect.resource.id"].replace(".", r"\.").replace("*", ".*"),
                sample.resource["prefect.resource.id"],
            )
            for value in (trigger.get("parameters") or {}).values():
                for field in TEMPLATE.findall(value):
                    assert field in sample.payload, f"{spec['name']}: {expected} carries no {field!r}"
                    checked += 1
    assert checked == 2  # ingest-esr's landing and publish-feed's as_of


def test_the_debounced_build_waits_for_a_load_before_its_window_opens(specs):
    [trigger] = specs["build-warehouse"]["triggers"]
    assert trigger["posture"] == "Proactive"
    assert trigger["after"] == trigger["expect"] == [events.BATCH_LOADED]
    [grouping] = trigger["for_each"]
    role = grouping.split(":")[1]
    loaded = events.batch_outcome(LoadOutcome("esr_staff_in_post", "a.csv", "loaded", 1))
    built = events.build_completed(date(2026, 11, 23), {})
    assert [r["prefect.resource.role"] for r in loaded.related] == [role]
    assert [r["prefect.resource.id"] for r in loaded.related] == [r["prefect.resource.id"] for r in built.related]


def test_a_prefect_file_without_deployments_is_refused_by_name(tmp_path):
    empty = tmp_path / "prefect.yaml"
    empty.write_text("name: learnscape\n", encoding="utf-8")
    with pytest.raises(DeploymentFileError, match=r"prefect\.yaml has no `deployments:` list"):
        read_deployment_specs(empty)
    with pytest.raises(DeploymentFileError, match=r"missing\.yaml does not exist"):
        read_deployment_specs(tmp_path / "missing.yaml")


def test_a_schedule_serving_cannot_reproduce_is_refused_naming_the_deployment(tmp_path):
    spec = yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8"))
    spec["deployments"] = [d for d in spec["deployments"] if d["name"] == "nightly"]
    spec["deployments"][0]["schedules"] = [{"rrule": "FREQ=DAILY"}]
    odd = tmp_path / "prefect.yaml"
    odd.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(DeploymentFileError, match=r"deployment 'nightly' has a schedule .* neither `cron` nor"):
        runner_deployments(odd)


def test_the_documented_alert_automations_are_valid_prefect_automations():
    from prefect.events.schemas.automations import AutomationCore

    document = yaml.safe_load(documented_alert_automations(str(uuid.uuid4())))
    automations = [AutomationCore.model_validate(a) for a in document["automations"]]
    assert [set(a.trigger.expect) for a in automations] == [{events.BATCH_REFUSED}, {events.RUN_FAILED}]
    assert all(a.actions[0].type == "send-notification" for a in automations)
