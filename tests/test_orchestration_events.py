"""Learnscape's events: names, resources and payloads that triggers and alerts depend on, and quiet sending."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.schemas.objects import FlowRun
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Failed

from flows import events
from flows.nightly import nightly_flow
from flows.outcomes import LoadOutcome

SHA = "3f" * 32


def test_event_names_are_distinct_and_in_the_learnscape_namespace():
    names = [
        events.FILE_LANDED,
        events.BATCH_LOADED,
        events.BATCH_REFUSED,
        events.BUILD_COMPLETED,
        events.FEED_PUBLISHED,
        events.RUN_FAILED,
    ]
    assert len(set(names)) == 6
    assert all(name.startswith("learnscape.") for name in names)


def test_a_landed_file_is_the_resource_of_its_content_with_path_and_checksum_in_the_payload():
    event = events.file_landed(
        Path("/srv/landing/esr/esr_staff_in_post_457_20261101_full.csv"),
        Path("/srv/landing"),
        SHA,
        48_211,
        "esr",
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    )
    assert event.name == "learnscape.file.landed"
    assert dict(event.resource) == {
        "prefect.resource.id": f"learnscape.file.{SHA}",
        "prefect.resource.name": "esr_staff_in_post_457_20261101_full.csv",
        "learnscape.source": "esr",
    }
    assert dict(event.payload) == {
        "path": "/srv/landing/esr/esr_staff_in_post_457_20261101_full.csv",
        "file_name": "esr_staff_in_post_457_20261101_full.csv",
        "landing": "/srv/landing",
        "checksum_sha256": SHA,
        "size_bytes": 48_211,
        "modified_at": "2026-11-01T06:30:00+00:00",
        "source": "esr",
    }


def test_a_loaded_batch_is_announced_with_its_counts():
    outcome = LoadOutcome(
        "esr_competences",
        "esr_competences_457_20261101_full.csv",
        "loaded",
        load_id=12,
        rows_in=1000,
        rows_accepted=997,
        rows_rejected=3,
        rows_applied=41,
    )
    event = events.batch_outcome(outcome)
    assert event.name == "learnscape.batch.loaded"
    assert event.resource["prefect.resource.id"] == "learnscape.batch.12"
    assert event.resource["learnscape.source"] == "esr_competences"
    assert (event.payload["rows_in"], event.payload["rows_accepted"], event.payload["rows_rejected"]) == (1000, 997, 3)
    assert event.payload["rows_applied"] == 41 and event.payload["message"] is None
    assert [dict(r) for r in event.related] == [
        {"prefect.resource.id": "learnscape.warehouse", "prefect.resource.role": "warehouse"}
    ]


def test_a_refused_batch_is_announced_with_the_reason():
    reason = "full file would end 900 of 1000 current records (90%), more than the 20% allowed"
    outcome = LoadOutcome("esr_staff_in_post", "esr_staff_in_post_457_20261101_full.csv", "refused", 13, message=reason)
    event = events.batch_outcome(outcome)
    assert event.name == "learnscape.batch.refused"
    assert event.payload["message"] == reason and event.payload["status"] == "refused"


def test_a_duplicate_batch_is_not_news():
    assert events.batch_outcome(LoadOutcome("esr_staff_in_post", "x.csv", "duplicate", load_id=3)) is None


def test_a_batch_refused_before_it_had_a_load_id_is_named_by_source_and_file():
    event = events.batch_outcome(LoadOutcome("training_needs_analysis", "training_needs_analysis.csv", "refused"))
    assert (
        event.resource["prefect.resource.id"] == "learnscape.batch.training_needs_analysis.training_needs_analysis.csv"
    )


def test_a_build_is_announced_for_its_reporting_date_with_rows_per_mart():
    event = events.build_completed(date(2026, 11, 23), {"compliance_person": 22_384, "compliance_summary": 5_120})
    assert event.name == "learnscape.build.completed"
    assert event.resource["prefect.resource.id"] == "learnscape.build.2026-11-23"
    assert dict(event.payload) == {
        "as_of": "2026-11-23",
        "rows_written": {"compliance_person": 22_384, "compliance_summary": 5_120},
    }
    assert [r["prefect.resource.role"] for r in event.related] == ["warehouse"]


def test_a_published_feed_carries_its_manifest_but_only_the_count_of_source_loads():
    manifest = {
        "as_of_date": "2026-11-23",
        "schema_version": "1.0",
        "run_id": "r-1",
        "files": {"compliance_person.csv": {"rows": 6, "sha256": SHA}},
        "source_loads": [{"load_id": n, "source_file": f"f{n}.csv"} for n in range(1, 4001)],
    }
    event = events.feed_published(
        date(2026, 11, 23), Path("/srv/outbox/2026-11-23"), Path("/srv/outbox/.versions/2026-11-23-x"), manifest
    )
    assert event.resource["prefect.resource.id"] == "learnscape.feed.2026-11-23"
    assert event.payload["manifest"] == {
        "as_of_date": "2026-11-23",
        "schema_version": "1.0",
        "run_id": "r-1",
        "files": {"compliance_person.csv": {"rows": 6, "sha256": SHA}},
        "source_load_count": 4000,
    }
    assert len(json.dumps(dict(event.payload))) < 2_000


def test_a_failed_run_is_announced_with_the_flow_the_message_and_the_parameters():
    flow_run = FlowRun(
        id=UUID("0b6f3a52-8d7e-4d35-9d63-6c36c1c0f9a1"),
        name="brave-otter",
        flow_id=UUID("4f1c1b1e-2b8a-4d0a-8c51-9f0f8c9e3a11"),
        parameters={"config_file": "/srv/learnscape/learnscape.yaml", "as_of": date(2026, 11, 23)},
    )
    state = Failed(message="Flow run encountered an exception: OperationalError: database is locked")
    event = events.run_failed(nightly_flow, flow_run, state)
    assert event.name == "learnscape.run.failed"
    assert event.resource["prefect.resource.id"] == "learnscape.run.0b6f3a52-8d7e-4d35-9d63-6c36c1c0f9a1"
    assert event.payload["flow_name"] == "nightly"
    assert event.payload["message"].endswith("database is locked")
    assert event.payload["parameters"] == {"config_file": "/srv/learnscape/learnscape.yaml", "as_of": "2026-11-23"}


def test_every_payload_is_plain_json():
    outcome = LoadOutcome("esr_staff_in_post", "a.csv", "loaded", 1)
    for event in (
        events.file_landed(Path("/l/a.csv"), Path("/l"), SHA, 1, "esr", datetime(2026, 1, 1, tzinfo=UTC)),
        events.batch_outcome(outcome),
        events.build_completed(date(2026, 1, 1), {"compliance_person": 1}),
        events.feed_published(date(2026, 1, 1), Path("/o/2026-01-01"), Path("/o/.v"), {"files": {}}),
    ):
        assert json.loads(json.dumps(dict(event.payload))) == dict(event.payload)


@pytest.fixture
def no_prefect_api():
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


def test_outside_a_run_with_no_prefect_api_nothing_is_sent_and_no_server_is_started(no_prefect_api):
    servers_before = dict(SubprocessASGIServer._instances)
    started = time.perf_counter()
    sent = events.announce_load_outcomes(
        [
            LoadOutcome("esr_staff_in_post", "a.csv", "loaded", 1),
            LoadOutcome("esr_staff_in_post", "b.csv", "refused", 2, message="no data rows"),
        ]
    )
    assert sent == 0
    assert time.perf_counter() - started < 1.0
    assert SubprocessASGIServer._instances == servers_before
