"""Several trusts in one landing area (a region, or the whole NHS), with work partitioned by trust and by stage
onto a Dask cluster: each trust's ESR files load in their own task, each trust's compliance is built in its own
task, and the results are combined and published once, exactly as a single-process run would publish them.

On one machine the cluster is a local Dask cluster; on several, pass the scheduler's address and run Prefect
workers beside the Dask workers against the same PostgreSQL warehouse (see docs/performance.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from connectors.esr.files import discover_esr_files
from connectors.esr.headings import load_heading_map
from connectors.trust_rules.files import find_rule_files
from flows.context import resolve_run, warehouse_engine
from flows.esr_ingest import ingest_esr_file, prune_staging
from flows.outcomes import LoadOutcome
from flows.publish import publish_feed_task
from flows.trust_rules_ingest import ingest_rule_file
from learnscape.config import LearnscapeConfig
from transforms.compliance.build import ComplianceInputs, ComplianceTables, build_compliance
from transforms.compliance.summary import compliance_summary
from transforms.validation.gx_runner import shared_validator, write_shared_data_docs
from warehouse.engine import open_warehouse
from warehouse.marts import replace_marts_for_date
from warehouse.snapshot import compliance_inputs


@task(name="ingest-trust-partition", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[5, 30])
def ingest_trust_partition(config: LearnscapeConfig, landing: str, vpd: str, run_id: str) -> list[LoadOutcome]:
    """Load one trust's ESR files in extract-date order (a trust's files depend on each other; trusts do not)."""
    engine = open_warehouse(config.warehouse_url())
    try:
        validator = shared_validator(str(config.reports_dir / "data_docs"))
        headings = load_heading_map(overrides=config.sources.esr.headings or None)
        outcomes = [
            ingest_esr_file(engine, esr_file, config, headings, validator, run_id, config.sources.esr.chunk_rows)
            for esr_file in discover_esr_files(Path(landing))
            if esr_file.vpd == vpd
        ]
        for kind in ("staff_in_post", "competences"):
            prune_staging(engine, kind, config.warehouse.staging_loads_kept)
        return outcomes
    finally:
        write_shared_data_docs(str(config.reports_dir / "data_docs"))
        engine.dispose()


def _for_trust(inputs: ComplianceInputs, vpd: str) -> ComplianceInputs:
    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["vpd"] == vpd] if "vpd" in frame.columns else frame

    return ComplianceInputs(
        assignments=mine(inputs.assignments),
        training_needs=inputs.training_needs,
        evidence=mine(inputs.evidence),
        catalogue=inputs.catalogue,
        esr_records=mine(inputs.esr_records),
    )


@task(name="build-trust-partition", cache_policy=NO_CACHE)
def build_trust_partition(config: LearnscapeConfig, as_of: date, vpd: str) -> ComplianceTables:
    """One trust's compliance_person and reconciliation (the summary is made once, over every trust)."""
    engine = open_warehouse(config.warehouse_url())
    try:
        with engine.connect() as connection:
            inputs = _for_trust(compliance_inputs(connection, as_of, config.trust.vpd), vpd)
        return build_compliance(inputs, as_of, config.compliance)
    finally:
        engine.dispose()


def combine(partitions: list[ComplianceTables], as_of: date, config: LearnscapeConfig) -> ComplianceTables:
    """The trusts' tables as one: people and reconciliation concatenated in the single-process order, and the
    summary computed over everyone (a staff group spans trusts)."""
    person = pd.concat([p.person for p in partitions], ignore_index=True)
    person = person.sort_values(["vpd", "employee_number", "competency_name"]).reset_index(drop=True)
    reconciliation = pd.concat([p.reconciliation for p in partitions], ignore_index=True)
    return ComplianceTables(
        person=person, summary=compliance_summary(person, as_of, config.compliance), reconciliation=reconciliation
    )


@flow(name="multi-trust-nightly")
def multi_trust_flow(
    config_file: str | None = None,
    landing: str | None = None,
    as_of: str | None = None,
    outbox: str | None = None,
) -> dict[str, int]:
    """Ingest, build and publish compliance for every trust (VPD) in the landing area, partitioned by trust."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file, landing, as_of, outbox)
    engine = warehouse_engine(settings.config)
    run_id = str(flow_run.id)
    validator = shared_validator(str(settings.config.reports_dir / "data_docs"))
    for rule_file in find_rule_files(settings.landing).values():
        ingest_rule_file(engine, rule_file, validator, date.today(), run_id)
    vpds = sorted({esr_file.vpd for esr_file in discover_esr_files(settings.landing)})
    loads = [ingest_trust_partition.submit(settings.config, str(settings.landing), vpd, run_id) for vpd in vpds]
    for future in loads:
        future.result()
    builds = [build_trust_partition.submit(settings.config, settings.as_of, vpd) for vpd in vpds]
    tables = combine([future.result() for future in builds], settings.as_of, settings.config)
    written = replace_marts_for_date(
        engine,
        settings.as_of,
        {
            "compliance_person": tables.person,
            "compliance_summary": tables.summary,
            "compliance_reconciliation": tables.reconciliation,
        },
    )
    workers = settings.config.warehouse.publish_worker_processes
    publish_feed_task(engine, settings.outbox, settings.as_of, run_id, workers)
    return written


def dask_task_runner(address: str | None = None, workers: int = 2, processes: bool = True):
    """A Dask task runner: the cluster at `address`, or a local cluster of `workers` workers."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": processes,
            "dashboard_address": None,
        }
    )


def run_multi_trust(
    config_file: str | None,
    landing: str,
    as_of: str,
    outbox: str,
    address: str | None = None,
    workers: int = 2,
    processes: bool = True,
) -> dict[str, int]:
    """Run the multi-trust flow on Dask (a local cluster unless `address` names a scheduler)."""
    runner = dask_task_runner(address, workers, processes)
    return multi_trust_flow.with_options(task_runner=runner)(config_file, landing, as_of, outbox)
