"""Serving every Learnscape deployment from one local process, with the schedules and triggers of `prefect.yaml`.

`prefect deploy` sends the deployments to a work pool for workers to run; serving runs them here instead, which
suits a single server at the trust and the demo. Both read the same `prefect.yaml`, so the two ways cannot drift
apart: what is scheduled or triggered is written down once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

PREFECT_FILE = Path(__file__).resolve().parent.parent / "prefect.yaml"


class DeploymentFileError(ValueError):
    """`prefect.yaml` is missing, or a deployment in it uses something serving cannot reproduce."""


def read_deployment_specs(prefect_file: Path = PREFECT_FILE) -> list[dict[str, Any]]:
    """The `deployments:` entries of a prefect.yaml, anchors resolved."""
    if not prefect_file.exists():
        raise DeploymentFileError(
            f"{prefect_file} does not exist; pass the prefect.yaml of the Learnscape checkout (prefect_file=...)"
        )
    raw = yaml.safe_load(prefect_file.read_text(encoding="utf-8")) or {}
    specs = raw.get("deployments") if isinstance(raw, dict) else None
    if not isinstance(specs, list) or not specs:
        raise DeploymentFileError(f"{prefect_file} has no `deployments:` list")
    return specs


def runner_deployments(prefect_file: Path = PREFECT_FILE, config_file: Path | None = None) -> list[Any]:
    """A RunnerDeployment per prefect.yaml entry; with `config_file`, every flow run is given that config."""
    from prefect.deployments.runner import EntrypointType
    from prefect.flows import load_flow_from_entrypoint

    deployments = []
    for spec in read_deployment_specs(prefect_file):
        name = spec["name"]
        flow = load_flow_from_entrypoint(spec["entrypoint"])
        parameters = dict(spec.get("parameters") or {})
        if config_file is not None and "config_file" in flow.parameters.properties:
            parameters["config_file"] = str(Path(config_file).resolve())
        deployments.append(
            flow.to_deployment(
                name=name,
                description=spec.get("description"),
                tags=spec.get("tags"),
                parameters=parameters,
                schedules=[_schedule(prefect_file, name, schedule) for schedule in spec.get("schedules") or []],
                triggers=[_trigger(prefect_file, name, trigger) for trigger in spec.get("triggers") or []],
                concurrency_limit=_concurrency(spec.get("concurrency_limit")),
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return deployments


def serve_all(config_file: Path | None = None, prefect_file: Path = PREFECT_FILE, limit: int | None = None) -> None:
    """Serve every deployment until interrupted; schedules are paused again when serving stops."""
    from prefect import serve

    serve(*runner_deployments(prefect_file, config_file), limit=limit)


def _schedule(prefect_file: Path, name: str, spec: Mapping[str, Any]) -> Any:
    from prefect.schedules import Cron, Interval

    if "cron" in spec:
        return Cron(spec["cron"], timezone=spec.get("timezone"))
    if "interval" in spec:
        return Interval(timedelta(seconds=float(spec["interval"])), timezone=spec.get("timezone"))
    raise DeploymentFileError(
        f"{prefect_file}: deployment {name!r} has a schedule {dict(spec)} with neither `cron` nor `interval`; "
        "serving supports those two"
    )


def _trigger(prefect_file: Path, name: str, spec: Mapping[str, Any]) -> Any:
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(DeploymentTriggerTypes).validate_python(dict(spec))
    except ValidationError as error:
        raise DeploymentFileError(f"{prefect_file}: deployment {name!r} has an invalid trigger: {error}") from error


def _concurrency(spec: int | Mapping[str, Any] | None) -> Any:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    if spec is None or isinstance(spec, int):
        return spec
    return ConcurrencyLimitConfig(**spec)
