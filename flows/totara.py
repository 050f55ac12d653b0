"""Pulling Totara users and job assignments over the external API into the warehouse."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from connectors.totara.client import TotaraClient
from connectors.totara.pull import PullStats, iter_job_assignments, iter_users
from flows.context import resolve_run, warehouse_engine
from flows.events import announce_load_outcomes, announce_run_failed
from flows.logs import run_logger
from flows.outcomes import LoadOutcome
from learnscape.config import LearnscapeConfig
from learnscape.secrets import read_secret
from transforms.validation.gx_runner import shared_validator
from transforms.validation.row_checks import row_failures
from transforms.validation.suites import load_suite
from warehouse import totara_api
from warehouse.bulk import insert_frame
from warehouse.load_log import BatchOrigin, finish_load, start_load
from warehouse.models import rejected_row


def users_frame(users) -> pd.DataFrame:
    rows = [
        {
            "user_id": u.id,
            "idnumber": u.idnumber or None,
            "username": u.username,
            "firstname": u.firstname,
            "lastname": u.lastname,
            "email": u.email,
            "suspended": u.suspended,
        }
        for u in users
    ]
    columns = ["user_id", "idnumber", "username", "firstname", "lastname", "email", "suspended"]
    return pd.DataFrame(rows, columns=columns)


def job_assignments_frame(job_assignments, timezone: str) -> pd.DataFrame:
    from connectors.totara.models import local_date

    rows = [
        {
            "job_assignment_id": ja.id,
            "idnumber": ja.idnumber or None,
            "user_id": ja.user_id,
            "fullname": ja.fullname,
            "start_date": local_date(ja.starts_at, timezone) if ja.starts_at else None,
            "end_date": local_date(ja.ends_at, timezone) if ja.ends_at else None,
            "position_idnumber": ja.position_idnumber,
            "organisation_idnumber": ja.organisation_idnumber,
            "manager_idnumber": ja.manager_idnumber,
        }
        for ja in job_assignments
    ]
    columns = [
        "job_assignment_id",
        "idnumber",
        "user_id",
        "fullname",
        "start_date",
        "end_date",
        "position_idnumber",
        "organisation_idnumber",
        "manager_idnumber",
    ]
    return pd.DataFrame(rows, columns=columns)


def _checksum(frame: pd.DataFrame) -> str:
    body = frame.sort_values(frame.columns[0]).to_json(orient="records", date_format="iso")
    return hashlib.sha256(body.encode()).hexdigest()


def store_pull(
    engine: Engine,
    config: LearnscapeConfig,
    kind: str,
    frame: pd.DataFrame,
    pulled_on: date,
    run_id: str | None,
    endpoint: str,
) -> LoadOutcome:
    """Validate one pulled list and apply it; a pull that would delete an implausible share is refused."""
    source = f"totara_{kind}"
    key = totara_api.TABLES[kind][1]
    origin = BatchOrigin(
        source=source,
        source_file=endpoint,
        source_path=endpoint,
        checksum_sha256=_checksum(frame),
        file_date=pulled_on,
        file_mode="full",
    )
    load_id = start_load(engine, origin, run_id)
    suite = load_suite(source)
    failures = row_failures(frame.assign(row_number=range(1, len(frame) + 1)), suite, {})
    rejected = frame.index.isin(failures["row_number"] - 1) if not failures.empty else [False] * len(frame)
    accepted = frame.loc[~pd.Series(rejected, index=frame.index)]
    counts = {"rows_in": len(frame), "rows_accepted": len(accepted), "rows_rejected": len(frame) - len(accepted)}
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    verdict = validator.validate(suite, accepted, f"{source}-{pulled_on}")
    validator.write_data_docs()
    with engine.begin() as connection:
        held, deleting = totara_api.count_would_delete(connection, kind, set(accepted[key]))
        limit = config.compliance.max_full_file_end_share
        refusal = None
        if not verdict.success:
            refusal = verdict.describe()
        elif counts["rows_rejected"] > suite.max_rejected_share * max(len(frame), 1):
            refusal = f"{counts['rows_rejected']} of {len(frame)} records failed validation"
        elif held and deleting / held > limit:
            refusal = (
                f"the pull would mark {deleting} of {held} {kind.replace('_', ' ')} deleted "
                f"({deleting / held:.0%}, more than {limit:.0%}): it looks incomplete and was not applied"
            )
        if not failures.empty:
            insert_frame(connection, rejected_row, failures.assign(load_id=load_id, source_file=endpoint))
        if refusal:
            finish_load(connection, load_id, "refused", message=refusal, **counts)
            return LoadOutcome(source, endpoint, "refused", load_id=load_id, message=refusal, **counts)
        applied = totara_api.apply_pull(connection, kind, accepted, pulled_on, load_id)
        message = f"{applied['new']} new, {applied['deleted']} no longer listed (deleted in Totara)"
        finish_load(connection, load_id, "loaded", rows_applied=applied["listed"], message=message, **counts)
    return LoadOutcome(
        source, endpoint, "loaded", load_id=load_id, rows_applied=applied["listed"], message=message, **counts
    )


@task(name="pull-totara-api", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[30, 120])
def pull_totara_task(engine, config: LearnscapeConfig, pulled_on: date, run_id: str | None) -> list[LoadOutcome]:
    log = run_logger()
    settings = config.sources.totara
    client = TotaraClient(
        settings.base_url, read_secret(settings.client_id_env), read_secret(settings.client_secret_env)
    )
    endpoint = f"{settings.base_url.rstrip('/')}/api/graphql.php"
    outcomes = []
    with client:
        user_stats, ja_stats = PullStats(), PullStats()
        users = users_frame(iter_users(client, stats=user_stats))
        outcomes.append(store_pull(engine, config, "users", users, pulled_on, run_id, f"{endpoint}#core_user_users"))
        jobs = job_assignments_frame(iter_job_assignments(client, stats=ja_stats), settings.timezone)
        outcomes.append(
            store_pull(
                engine, config, "job_assignments", jobs, pulled_on, run_id, f"{endpoint}#totara_job_job_assignments"
            )
        )
    for name, stats in (("users", user_stats), ("job assignments", ja_stats)):
        log.info("Totara %s: %s", name, json.dumps(asdict(stats)))
    return outcomes


@flow(name="pull-totara", on_failure=[announce_run_failed])
def pull_totara_flow(config_file: str | None = None) -> list[LoadOutcome]:
    """Pull Totara users and job assignments from the external API (scheduled every few hours)."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file)
    engine = warehouse_engine(settings.config)
    outcomes = pull_totara_task(engine, settings.config, date.today(), str(flow_run.id))
    announce_load_outcomes(outcomes)
    return outcomes
