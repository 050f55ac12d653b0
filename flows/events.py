"""Learnscape's events: what happened in the pipeline, announced to Prefect so that deployments and alerts react.

Each event says one thing happened to one resource: a file landed, a batch was loaded or refused, the marts were
built, a feed was published, a run failed. The deployments in `prefect.yaml` are triggered by these names and the
trust's alerting automations match on them, so the names and resource ids here are a published interface.

An event is sent only when there is a Prefect API to receive it: inside a flow or task run there always is one;
outside a run, only when `PREFECT_API_URL` is set. Without that check Prefect would start a temporary local server
(about ten seconds) just to receive an event nobody is listening for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flows.outcomes import LoadOutcome

FILE_LANDED = "learnscape.file.landed"
BATCH_LOADED = "learnscape.batch.loaded"
BATCH_REFUSED = "learnscape.batch.refused"
BUILD_COMPLETED = "learnscape.build.completed"
FEED_PUBLISHED = "learnscape.feed.published"
RUN_FAILED = "learnscape.run.failed"

#: Resource label naming the source system of a file or batch (`esr`, `trust_rules`, `totara`, ...).
SOURCE_LABEL = "learnscape.source"
#: Batches and builds are related to the warehouse they changed. The debounced build trigger groups its events by
#: this related resource (`for_each`): a proactive trigger with no grouping keeps a standing window open and
#: fires at the end of every quiet window, whether or not anything was loaded.
WAREHOUSE = {"prefect.resource.id": "learnscape.warehouse", "prefect.resource.role": "warehouse"}

log = logging.getLogger("learnscape.events")


@dataclass(frozen=True)
class LearnscapeEvent:
    """One event ready to send: its name, the resource it is about (Prefect labels) and what happened."""

    name: str
    resource: Mapping[str, str]
    payload: Mapping[str, Any] = field(default_factory=dict)
    related: tuple[Mapping[str, str], ...] = ()


def file_landed(
    path: Path, landing: Path, sha256: str, size_bytes: int, source: str, modified_at: datetime
) -> LearnscapeEvent:
    """A file in the landing folder has stopped changing and its content is new to the watcher.

    The resource is the content (`learnscape.file.<sha256>`), so the same bytes under two names are one resource.
    """
    return LearnscapeEvent(
        FILE_LANDED,
        {"prefect.resource.id": f"learnscape.file.{sha256}", "prefect.resource.name": path.name, SOURCE_LABEL: source},
        {
            "path": str(path),
            "file_name": path.name,
            "landing": str(landing),
            "checksum_sha256": sha256,
            "size_bytes": size_bytes,
            "modified_at": modified_at.isoformat(),
            "source": source,
        },
    )


def batch_outcome(outcome: LoadOutcome) -> LearnscapeEvent | None:
    """`learnscape.batch.loaded` or `learnscape.batch.refused` for a batch; None for a duplicate (nothing new)."""
    names = {"loaded": BATCH_LOADED, "refused": BATCH_REFUSED}
    if outcome.status not in names:
        return None
    resource_id = (
        f"learnscape.batch.{outcome.load_id}"
        if outcome.load_id is not None
        else f"learnscape.batch.{outcome.source}.{outcome.source_file}"
    )
    return LearnscapeEvent(
        names[outcome.status],
        {
            "prefect.resource.id": resource_id,
            "prefect.resource.name": outcome.source_file,
            SOURCE_LABEL: outcome.source,
        },
        {
            "load_id": outcome.load_id,
            "source": outcome.source,
            "source_file": outcome.source_file,
            "status": outcome.status,
            "rows_in": outcome.rows_in,
            "rows_accepted": outcome.rows_accepted,
            "rows_rejected": outcome.rows_rejected,
            "rows_applied": outcome.rows_applied,
            "message": outcome.message,
        },
        (WAREHOUSE,),
    )


def build_completed(as_of: date, rows_written: Mapping[str, int]) -> LearnscapeEvent:
    """The compliance marts for a reporting date were rebuilt; the payload counts rows written per mart."""
    return LearnscapeEvent(
        BUILD_COMPLETED,
        {"prefect.resource.id": f"learnscape.build.{as_of.isoformat()}", "prefect.resource.name": f"marts {as_of}"},
        {"as_of": as_of.isoformat(), "rows_written": dict(rows_written)},
        (WAREHOUSE,),
    )


def feed_published(as_of: date, path: Path, version_path: Path, manifest: Mapping[str, Any]) -> LearnscapeEvent:
    """The feed for a reporting date is visible in the outbox.

    The payload carries the manifest without its list of source loads (it grows with every load the warehouse has
    ever taken, and Prefect caps an event's size); `source_load_count` says how many there were.
    """
    summary = {key: value for key, value in manifest.items() if key != "source_loads"}
    summary["source_load_count"] = len(manifest.get("source_loads", []))
    return LearnscapeEvent(
        FEED_PUBLISHED,
        {"prefect.resource.id": f"learnscape.feed.{as_of.isoformat()}", "prefect.resource.name": f"feed {as_of}"},
        {"as_of": as_of.isoformat(), "path": str(path), "version_path": str(version_path), "manifest": summary},
    )


def run_failed(flow: Any, flow_run: Any, state: Any) -> LearnscapeEvent:
    """A Learnscape flow run ended in failure; the payload says which run, why, and with which parameters.

    Takes what Prefect hands an `on_failure` hook: the flow, its flow run and the final state.
    """
    return LearnscapeEvent(
        RUN_FAILED,
        {"prefect.resource.id": f"learnscape.run.{flow_run.id}", "prefect.resource.name": flow_run.name},
        {
            "flow_name": flow.name,
            "flow_run_id": str(flow_run.id),
            "flow_run_name": flow_run.name,
            "message": state.message,
            "parameters": {key: _plain(value) for key, value in (flow_run.parameters or {}).items()},
        },
    )


def prefect_api_available() -> bool:
    """True inside a flow or task run, or when `PREFECT_API_URL` names a server."""
    from prefect.context import FlowRunContext, TaskRunContext
    from prefect.settings import PREFECT_API_URL

    return bool(FlowRunContext.get() or TaskRunContext.get() or PREFECT_API_URL.value())


def announce(event: LearnscapeEvent) -> bool:
    """Send one event to Prefect; False (and nothing sent) when no Prefect API is available."""
    if not prefect_api_available():
        log.debug("No Prefect API configured; %s for %s not sent", event.name, event.resource["prefect.resource.id"])
        return False
    from prefect.events import emit_event

    sent = emit_event(
        event.name,
        resource=dict(event.resource),
        related=[dict(resource) for resource in event.related] or None,
        payload=dict(event.payload),
    )
    return sent is not None


def announce_load_outcomes(outcomes: Iterable[LoadOutcome]) -> int:
    """Announce every loaded and refused batch (duplicates are not news); returns how many were sent."""
    events = [event for event in map(batch_outcome, outcomes) if event is not None]
    return sum(announce(event) for event in events)


def announce_refusals(outcomes: Iterable[LoadOutcome]) -> int:
    """Announce only the refused batches: for runs that build and publish themselves (the nightly run), where a
    `learnscape.batch.loaded` event would start a second build."""
    return announce_load_outcomes(outcome for outcome in outcomes if outcome.refused)


def announce_build(as_of: date, rows_written: Mapping[str, int]) -> bool:
    return announce(build_completed(as_of, rows_written))


def announce_feed(as_of: date, path: Path, version_path: Path, manifest: Mapping[str, Any]) -> bool:
    return announce(feed_published(as_of, path, version_path, manifest))


def announce_run_failed(flow: Any, flow_run: Any, state: Any) -> None:
    """A flow `on_failure` hook: `@flow(on_failure=[announce_run_failed])` sends `learnscape.run.failed`."""
    announce(run_failed(flow, flow_run, state))


def _plain(value: Any) -> Any:
    """A parameter value as JSON can carry it (paths and dates as text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
