"""Orchestration against a real Prefect server on a free loopback port.

`prefect deploy --all` must register every deployment of `prefect.yaml` with its work pool, schedules, concurrency
and triggers. Then the deployments are served (`flows.serve.serve_all`) and an ESR drop is followed through the
event chain: the watcher announces three files, ingestion loads them, the debounced trigger starts exactly one
build, and publishing writes a new feed with its compliance report. Everything started here is stopped here.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml

from flows.serve import read_deployment_specs
from learnscape.config import LearnscapeConfig, dump_config
from tests.esr_files import FIRE, IG, competence_row, staff_row, write_competences, write_staff, write_training_needs
from tests.orchestration_support import documented_alert_automations

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).parent / "prefect")
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class PrefectServer:
    """A `prefect server start` subprocess: its API and the environment child processes need to reach it."""

    api_url: str
    env: dict[str, str]
    home: Path

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.post(f"{self.api_url}{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def events(self, name: str) -> list[dict[str, Any]]:
        """Events of one name, oldest first (the API returns at most 50 a page; these tests need fewer)."""
        query = {"filter": {"event": {"name": [name]}, "order": "ASC"}, "limit": 50}
        return self.post("/events/filter", query)["events"]

    def deployments(self) -> dict[str, dict[str, Any]]:
        return {deployment["name"]: deployment for deployment in self.post("/deployments/filter")}

    def flow_runs(self, deployment_id: str) -> list[dict[str, Any]]:
        return self.post("/flow_runs/filter", {"deployments": {"id": {"any_": [deployment_id]}}})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], Any], seconds: float, what: str, logs: tuple[Path, ...] = ()) -> Any:
    """Poll `check` until it returns something truthy; fail naming what did not happen, with the logs' tails."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except requests.RequestException:
            found = None
        if found:
            return found
        time.sleep(1)
    tails = "\n".join(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}" for log in logs if log.exists())
    pytest.fail(f"Within {seconds:.0f} s: {what}\n{tails}")


def stop(process: subprocess.Popen, seconds: float = 20) -> None:
    """Stop a process started here, and the processes it started, by its own process group id."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(seconds)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[PrefectServer]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = str(free_port())
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "GX_ANALYTICS_ENABLED": "False",
    }
    log = home / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: requests.get(f"{api_url}/health", timeout=2).ok, 90, "the Prefect server answers /health", (log,)
        )
        yield PrefectServer(api_url, env, home)
    finally:
        stop(server)


def installation(folder: Path) -> Path:
    """A trust's installation folder: learnscape.yaml with its landing, outbox, state and SQLite warehouse."""
    folder.mkdir(parents=True, exist_ok=True)
    config = LearnscapeConfig(base_dir=str(folder), warehouse={"url": "sqlite:///warehouse.db"})
    (folder / "learnscape.yaml").write_text(dump_config(config), encoding="utf-8")
    return folder


def prefect_cli(server: PrefectServer, arguments: list[str], cwd: Path) -> str:
    result = subprocess.run([PREFECT, *arguments], cwd=cwd, env=server.env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"prefect {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_prefect_deploy_registers_every_deployment_with_its_pool_schedules_and_triggers(prefect_server, tmp_path):
    trust = installation(tmp_path / "trust")
    prefect_cli(prefect_server, ["work-pool", "create", "learnscape", "--type", "process"], trust)
    prefect_cli(prefect_server, ["--no-prompt", "deploy", "--all", "--prefect-file", str(REPO / "prefect.yaml")], trust)

    deployments = prefect_server.deployments()
    assert set(deployments) == {spec["name"] for spec in read_deployment_specs()}
    assert {d["work_pool_name"] for d in deployments.values()} == {"learnscape"}
    assert {d["entrypoint"] for d in deployments.values()} >= {
        "flows.nightly:nightly_flow",
        "flows.watch:watch_landing_flow",
        "flows.ingest:ingest_esr_flow",
        "flows.build:build_flow",
        "flows.publish:publish_flow",
    }
    nightly = deployments["nightly"]["schedules"]
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in nightly] == [
        ("0 2 * * *", "Europe/London", True)
    ]
    watcher = deployments["watch-landing"]
    assert watcher["parameters"] == {"poll_seconds": 15, "max_polls": 38}
    assert watcher["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    for name in ("ingest-esr", "build-warehouse", "publish-feed", "nightly"):
        assert deployments[name]["global_concurrency_limit"]["limit"] == 1, name
        assert deployments[name]["concurrency_options"]["collision_strategy"] == "ENQUEUE", name
    assert deployments["ingest-esr"]["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(trust.resolve())}}
    ]

    scheduled = wait_for(
        lambda: prefect_server.flow_runs(deployments["nightly"]["id"]),
        45,
        "the server's scheduler creates the nightly runs (Prefect 3.8's scheduler fails with SQLAlchemy 2.1: "
        "'Can't evaluate bulk DML statement'; install SQLAlchemy < 2.1 beside the Prefect server)",
        (prefect_server.home / "server.log",),
    )
    starts = [datetime.fromisoformat(run["expected_start_time"]).astimezone(LONDON) for run in scheduled]
    assert {(start.hour, start.minute) for start in starts} == {(2, 0)}
    assert {run["state_name"] for run in scheduled} == {"Scheduled"}

    automations = {a["name"]: a for a in prefect_server.post("/automations/filter")}
    by_deployment = {
        action["deployment_id"]: automation
        for automation in automations.values()
        for action in automation["actions"]
        if action["type"] == "run-deployment"
    }
    ingest = by_deployment[deployments["ingest-esr"]["id"]]["trigger"]
    assert (ingest["posture"], ingest["expect"], ingest["threshold"]) == ("Reactive", ["learnscape.file.landed"], 1)
    assert ingest["match"]["learnscape.source"] == ["esr", "trust_rules", "totara"]
    build = by_deployment[deployments["build-warehouse"]["id"]]["trigger"]
    assert (build["posture"], build["after"], build["expect"], build["within"], build["for_each"]) == (
        "Proactive",
        ["learnscape.batch.loaded"],
        ["learnscape.batch.loaded"],
        120.0,
        ["related:warehouse:prefect.resource.id"],
    )
    publish = by_deployment[deployments["publish-feed"]["id"]]
    assert publish["trigger"]["expect"] == ["learnscape.build.completed"]
    assert publish["actions"][0]["parameters"] == {"as_of": "{{ event.payload.as_of }}"}
    assert deployments["watch-landing"]["id"] not in by_deployment


def quick_prefect_file(folder: Path) -> Path:
    """prefect.yaml as shipped, but with the shortest debounce Prefect allows and no schedules (nothing else runs)."""
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    for deployment in spec["deployments"]:
        deployment["schedules"] = []
        for trigger in deployment.get("triggers") or []:
            if trigger.get("posture") == "Proactive":
                trigger["within"] = 10
    path = folder / "prefect.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def drop_esr_files(landing: Path, extract: date) -> list[Path]:
    stamp = extract.strftime("%Y%m%d")
    awarded = (extract - timedelta(days=200)).strftime("%d/%m/%Y")
    return [
        write_training_needs(landing, [("All", "", FIRE), ("All", "", IG)]),
        write_staff(landing, stamp, "full", [staff_row("10000001"), staff_row("10000002"), staff_row("10000003")]),
        write_competences(
            landing,
            stamp,
            "full",
            [competence_row("10000001", FIRE, awarded), competence_row("10000002", IG, awarded)],
        ),
    ]


@dataclass(frozen=True)
class Served:
    """Learnscape's deployments served from one process for a trust installed in `trust`."""

    server: PrefectServer
    trust: Path
    deployments: dict[str, dict[str, Any]]
    logs: tuple[Path, ...]

    def wait_for(self, check: Callable[[], Any], seconds: float, what: str) -> Any:
        return wait_for(check, seconds, what, self.logs)

    def events_at_least(self, count: int, name: str) -> list[dict[str, Any]] | None:
        found = self.server.events(name)
        return found if len(found) >= count else None

    def finished_runs(self, deployment: str, count: int) -> list[dict[str, Any]] | None:
        runs = self.server.flow_runs(self.deployments[deployment]["id"])
        done = [run for run in runs if run["state_type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}]
        return runs if len(runs) >= count and len(done) == len(runs) else None


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory) -> Iterator[Served]:
    """`serve_all` in a subprocess, with the shipped prefect.yaml made quick (see `quick_prefect_file`)."""
    folder = tmp_path_factory.mktemp("served")
    trust = installation(folder / "trust")
    serve_log = folder / "serve.log"
    with serve_log.open("w") as output:
        serving = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from flows.serve import serve_all; "
                "serve_all(config_file=Path(sys.argv[1]), prefect_file=Path(sys.argv[2]))",
                str(trust / "learnscape.yaml"),
                str(quick_prefect_file(folder)),
            ],
            cwd=trust,
            env=prefect_server.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    logs = (serve_log, prefect_server.home / "server.log")
    try:
        deployments = wait_for(
            lambda: (
                (found := prefect_server.deployments())
                and all(found.get(name, {}).get("status") == "READY" for name in ("watch-landing", "ingest-esr"))
                and all(found[name]["parameters"].get("config_file") for name in ("ingest-esr", "build-warehouse"))
                and found
            ),
            90,
            "the served deployments are registered and polled",
            logs,
        )
        yield Served(prefect_server, trust, deployments, logs)
    finally:
        stop(serving)


def test_a_landed_esr_drop_is_ingested_built_once_and_published(served):
    landing = served.trust / "landing"
    today = date.today()
    started_at = datetime.now(UTC)
    dropped = drop_esr_files(landing, today - timedelta(days=1))
    served.server.post(
        f"/deployments/{served.deployments['watch-landing']['id']}/create_flow_run",
        {"parameters": {"poll_seconds": 1, "max_polls": 6}},
    )

    landed = served.wait_for(
        lambda: served.events_at_least(3, "learnscape.file.landed"),
        90,
        "the watcher announces the three files as learnscape.file.landed",
    )
    assert sorted(event["payload"]["path"] for event in landed) == sorted(str(p.resolve()) for p in dropped)
    assert {event["resource"]["learnscape.source"] for event in landed} == {"esr", "trust_rules"}

    loaded = served.wait_for(
        lambda: served.events_at_least(3, "learnscape.batch.loaded"),
        120,
        "ingestion announces three learnscape.batch.loaded events (ingest-esr must call announce_load_outcomes)",
    )
    assert sorted(event["payload"]["source_file"] for event in loaded) == sorted(p.name for p in dropped)

    published = served.wait_for(
        lambda: served.events_at_least(1, "learnscape.feed.published"),
        120,
        "a debounced build and a publish announce learnscape.feed.published (build-warehouse must call "
        "announce_build, publish-feed announce_feed)",
    )
    feed = Path(published[0]["payload"]["path"])
    assert feed == served.trust / "outbox" / today.isoformat()
    assert (feed / "manifest.json").exists() and (feed / "compliance_person.csv").exists()
    assert (feed / "compliance_report.html").exists(), "publish-feed must call write_compliance_report"
    assert "Trust compliance over time" in (feed / "compliance_report.html").read_text(encoding="utf-8")

    ingests = served.wait_for(
        lambda: served.finished_runs("ingest-esr", 3), 90, "the three triggered ingest-esr runs finish"
    )
    assert [run["state_type"] for run in ingests] == ["COMPLETED"] * 3
    assert {run["parameters"]["landing"] for run in ingests} == {str(landing.resolve())}
    assert len(served.server.events("learnscape.batch.loaded")) == 3, "the runs after the first found duplicates"

    built = served.server.events("learnscape.build.completed")
    assert [event["payload"]["as_of"] for event in built] == [today.isoformat()]
    builds = served.server.flow_runs(served.deployments["build-warehouse"]["id"])
    assert [run["state_type"] for run in builds] == ["COMPLETED"], "three loads, one build: the debounce"
    last_load = max(datetime.fromisoformat(event["occurred"]) for event in loaded)
    assert datetime.fromisoformat(builds[0]["start_time"]) >= last_load + timedelta(seconds=9), "loads went quiet first"
    assert all(datetime.fromisoformat(e["occurred"]) >= started_at for e in landed + loaded + built + published)

    artifacts = served.server.post("/artifacts/filter", {"artifacts": {"key": {"any_": ["compliance-summary"]}}})
    assert [a["type"] for a in artifacts] == ["table"], "publish-feed must call create_compliance_artifact"


@pytest.fixture
def alert_inbox() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A webhook receiver on a free loopback port: the alerts Prefect's automations send arrive here."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", received
    server.shutdown()
    server.server_close()


SAVE_WEBHOOK_BLOCK = (
    "import sys; from prefect.blocks.notifications import CustomWebhookNotificationBlock as Webhook; "
    "print(Webhook(name='learnscape-alerts', url=sys.argv[1], "
    "json_data={'subject': '{{subject}}', 'body': '{{body}}'}).save('learnscape-alerts'))"
)


def subscribe_to_alerts(server: PrefectServer, inbox_url: str, folder: Path) -> None:
    """The documented alert automations, sending through a webhook notification block to `inbox_url`."""
    saved = subprocess.run(
        [sys.executable, "-c", SAVE_WEBHOOK_BLOCK, inbox_url],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    block_id = saved.stdout.strip().splitlines()[-1]
    automations = folder / "learnscape-alerts.yaml"
    automations.write_text(documented_alert_automations(block_id), encoding="utf-8")
    prefect_cli(server, ["automation", "create", "--from-file", str(automations)], folder)


def test_the_nightly_run_reports_refusals_and_its_feed_without_starting_a_second_build(served, alert_inbox, tmp_path):
    inbox_url, alerts = alert_inbox
    subscribe_to_alerts(served.server, inbox_url, tmp_path)
    today = date.today()
    landing = served.trust / "landing"
    empty = write_staff(landing, today.strftime("%Y%m%d"), "delta", [])
    awarded = (today - timedelta(days=30)).strftime("%d/%m/%Y")
    delta = write_competences(landing, today.strftime("%Y%m%d"), "delta", [competence_row("10000003", FIRE, awarded)])
    builds_before = len(served.server.flow_runs(served.deployments["build-warehouse"]["id"]))
    feeds_before = len(served.server.events("learnscape.feed.published"))
    served.server.post(f"/deployments/{served.deployments['nightly']['id']}/create_flow_run", {})

    [nightly] = served.wait_for(lambda: served.finished_runs("nightly", 1), 120, "the nightly run finishes")
    assert nightly["state_type"] == "COMPLETED"
    refused = served.wait_for(
        lambda: served.events_at_least(1, "learnscape.batch.refused"),
        30,
        "the nightly run announces its refused batch (nightly must call announce_refusals)",
    )
    assert [(e["payload"]["source_file"], e["payload"]["message"]) for e in refused] == [
        (empty.name, "the file has headings but no data rows")
    ]
    served.wait_for(
        lambda: served.events_at_least(feeds_before + 1, "learnscape.feed.published"),
        30,
        "the nightly run announces its feed (nightly must call announce_feed)",
    )
    [alert] = served.wait_for(lambda: alerts, 60, "the documented automation sends the refusal to the webhook")
    assert alert["subject"] == f"Learnscape refused {empty.name}"
    assert "Reason: the file has headings but no data rows." in alert["body"]
    [report] = served.server.post("/artifacts/filter", {"artifacts": {"key": {"any_": ["run-report"]}}})
    assert report["type"] == "markdown"
    assert f"- **{empty.name}**: the file has headings but no data rows" in report["data"]
    assert f"| {delta.name} | esr_competences | loaded |" in report["data"]
    assert (served.trust / "outbox" / today.isoformat() / "compliance_report.html").exists()

    time.sleep(12)  # longer than the quick debounce: a load announced by the nightly run would start a build
    loaded_files = {e["payload"]["source_file"] for e in served.server.events("learnscape.batch.loaded")}
    assert delta.name not in loaded_files
    assert len(served.server.flow_runs(served.deployments["build-warehouse"]["id"])) == builds_before
