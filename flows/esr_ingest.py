"""Ingesting one ESR export: fingerprint → read in chunks → validate → stage → batch checks → apply, atomically.

Rows that fail validation go to quarantine with file, row, field and reason. A batch that fails a batch-level
check (missing headings, undecodable file, too many bad rows, a full file that would end an implausible share of
what the warehouse holds, a Great Expectations verdict) is refused whole: its staged rows never reach core, and
the marts and feeds keep what they had.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, select

from connectors.esr.competency_names import competency_catalogue
from connectors.esr.errors import EsrFileError
from connectors.esr.files import EsrFile
from connectors.esr.fingerprint import fingerprint_file
from connectors.esr.headings import HeadingMap
from connectors.esr.reader import read_esr_file
from flows.logs import run_logger
from flows.outcomes import BatchRefused, LoadOutcome
from learnscape.config import LearnscapeConfig
from transforms.validation.gx_runner import GxValidator
from transforms.validation.row_checks import (
    FAILURE_COLUMNS,
    combine_failures,
    conflicting_duplicates,
    row_failures,
    too_long,
)
from transforms.validation.suites import load_suite
from warehouse import esr as esr_tables
from warehouse.bulk import text_lengths
from warehouse.load_log import BatchOrigin, abandon_unfinished_loads, already_loaded, finish_load, start_load
from warehouse.models import load_log
from warehouse.quarantine import write_rejected_rows

SOURCE = {"staff_in_post": "esr_staff_in_post", "competences": "esr_competences"}
ROW_KEYS = {
    "staff_in_post": ["vpd", "assignment_number"],
    "competences": ["vpd", "employee_number", "competency_name"],
}


def ingest_esr_file(
    engine: Engine,
    esr_file: EsrFile,
    config: LearnscapeConfig,
    headings: HeadingMap,
    validator: GxValidator,
    run_id: str | None = None,
    chunk_rows: int = 100_000,
) -> LoadOutcome:
    log = run_logger()
    source = SOURCE[esr_file.kind]
    try:
        fingerprint = fingerprint_file(esr_file.path)
    except EsrFileError as error:
        return _refuse_unread(engine, esr_file, source, str(error), run_id)
    origin = BatchOrigin(
        source=source,
        source_file=esr_file.path.name,
        source_path=str(esr_file.path),
        checksum_sha256=fingerprint.sha256,
        size_bytes=fingerprint.size_bytes,
        encoding=fingerprint.encoding,
        file_date=esr_file.file_date,
        file_mode=esr_file.mode,
        vpd=esr_file.vpd,
    )
    with engine.connect() as connection:
        earlier = already_loaded(connection, source, fingerprint.sha256)
    if earlier is not None:
        log.info("%s: already loaded as load %s; skipped", esr_file.path.name, earlier)
        return LoadOutcome(source, esr_file.path.name, "duplicate", load_id=earlier)

    abandon_unfinished_loads(engine, source, fingerprint.sha256, esr_tables.STAGING_TABLES[esr_file.kind])
    load_id = start_load(engine, origin, run_id)
    counts = {"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0}
    suite = load_suite(source)
    received_at = datetime.now(UTC)
    display = _display_headings(headings, esr_file.kind)
    text_limits = text_lengths(esr_tables.STAGING_TABLE[esr_file.kind])
    quarantined: list[pd.DataFrame] = []
    try:
        later_full = _later_full_file_date(engine, esr_file)
        for chunk in read_esr_file(esr_file, headings, chunk_rows=chunk_rows, encoding=fingerprint.encoding):
            records = chunk.records
            failures = combine_failures(
                chunk.problems,
                row_failures(records, suite, display),
                too_long(records, text_limits, display),
                conflicting_duplicates(
                    records,
                    ROW_KEYS[esr_file.kind],
                    [c for c in records.columns if c != "row_number"],
                    display,
                ),
            )
            rejected_numbers = set(failures["row_number"].dropna().astype(int))
            accepted = records.loc[~records["row_number"].isin(rejected_numbers)]
            counts["rows_in"] += len(records) + len(rejected_numbers - set(records["row_number"]))
            counts["rows_accepted"] += len(accepted)
            counts["rows_rejected"] += len(rejected_numbers)
            accepted = accepted.drop_duplicates([c for c in accepted.columns if c != "row_number"])
            verdict = validator.validate(suite, accepted.drop(columns="row_number"), f"{esr_file.path.name}")
            if not verdict.success:
                raise BatchRefused(f"Great Expectations refused the accepted rows: {verdict.describe()}")
            quarantined.append(_quarantine_rows(load_id, esr_file.path.name, failures, records))
            with engine.begin() as connection:
                esr_tables.stage_rows(
                    connection,
                    esr_file.kind,
                    accepted.assign(load_id=load_id, source_file=esr_file.path.name, received_at=received_at),
                )
        _check_batch(engine, esr_file, config, suite.max_rejected_share, counts, load_id, later_full)
        with engine.begin() as connection:
            write_rejected_rows(connection, quarantined)
            applied = _apply(connection, esr_file, load_id, later_full)
            finish_load(connection, load_id, "loaded", rows_applied=applied, **counts)
    except (BatchRefused, EsrFileError) as error:
        message = getattr(error, "reason", None) or str(error)
        with engine.begin() as connection:
            write_rejected_rows(connection, quarantined)
            finish_load(connection, load_id, "refused", message=message, **counts)
        log.warning("%s: refused: %s", esr_file.path.name, message)
        return LoadOutcome(source, esr_file.path.name, "refused", load_id=load_id, message=message, **counts)
    except Exception as error:
        with engine.begin() as connection:
            finish_load(connection, load_id, "failed", message=f"{type(error).__name__}: {error}", **counts)
        raise
    log.info(
        "%s: loaded %d rows (%d rejected to quarantine), %d changes applied",
        esr_file.path.name,
        counts["rows_accepted"],
        counts["rows_rejected"],
        applied,
    )
    return LoadOutcome(source, esr_file.path.name, "loaded", load_id=load_id, rows_applied=applied, **counts)


def _display_headings(headings: HeadingMap, kind: str) -> dict[str, str]:
    return {field: aliases[0] for field, aliases in headings.aliases[kind].items()}


def _later_full_file_date(engine: Engine, esr_file: EsrFile) -> date | None:
    """The extract date of a full file of this kind and trust already applied after this file's date, if any.

    A file arriving after such a full file (late, or replayed out of order) is the past: it may add history and
    awards, but what the newer full file left out stays ended.
    """
    with engine.connect() as connection:
        newer = connection.execute(
            select(func.max(load_log.c.file_date)).where(
                load_log.c.source == SOURCE[esr_file.kind],
                load_log.c.vpd == esr_file.vpd,
                load_log.c.file_mode == "full",
                load_log.c.status == "loaded",
            )
        ).scalar()
    if isinstance(newer, str):
        newer = date.fromisoformat(newer[:10])
    return newer if newer is not None and newer > esr_file.file_date else None


def _quarantine_rows(load_id: int, file_name: str, failures: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    if failures.empty:
        return failures
    raw = records.set_index("row_number")
    by_row = {
        number: json.dumps(
            {k: (None if pd.isna(v) else str(v)) for k, v in raw.loc[number].items()}, ensure_ascii=False
        )
        for number in failures["row_number"].dropna().astype(int).unique()
        if number in raw.index and not isinstance(raw.loc[number], pd.DataFrame)
    }
    rows = failures[FAILURE_COLUMNS].assign(
        load_id=load_id,
        source_file=file_name,
        record_json=failures["row_number"].map(lambda n: by_row.get(int(n)) if pd.notna(n) else None),
    )
    return rows


def _check_batch(
    engine: Engine,
    esr_file: EsrFile,
    config: LearnscapeConfig,
    max_rejected_share: float,
    counts: dict[str, int],
    load_id: int,
    later_full: date | None = None,
) -> None:
    """Batch-level expectations that need the whole file: rejected share, emptiness and truncation."""
    if counts["rows_in"] == 0:
        raise BatchRefused("the file has headings but no data rows")
    rejected_share = counts["rows_rejected"] / counts["rows_in"]
    if rejected_share > max_rejected_share:
        raise BatchRefused(
            f"{counts['rows_rejected']} of {counts['rows_in']} rows ({rejected_share:.0%}) failed validation, "
            f"more than the {max_rejected_share:.0%} a usable file may have; see quarantine for load {load_id}"
        )
    if esr_file.mode != "full" or later_full is not None:
        return
    merge = esr_tables.FULL_FILE_GUARD[esr_file.kind]
    with engine.connect() as connection:
        current = merge.count_current(connection, esr_file.vpd)
        would_end = merge.count_would_end(connection, load_id, esr_file.file_date, esr_file.vpd)
    limit = config.compliance.max_full_file_end_share
    if current and would_end / current > limit:
        raise BatchRefused(
            f"full file would end {would_end} of {current} current records ({would_end / current:.0%}), more than "
            f"the {limit:.0%} allowed: it looks truncated. Check the export; it was not applied"
        )


def _apply(connection, esr_file: EsrFile, load_id: int, later_full: date | None) -> int:
    full = esr_file.mode == "full" and later_full is None
    if esr_file.kind == "staff_in_post":
        return esr_tables.apply_staff_in_post(connection, load_id, esr_file.file_date, esr_file.vpd, full, later_full)
    names = esr_tables.staged_competency_names(connection, load_id)
    esr_tables.add_to_catalogue(connection, competency_catalogue(names), load_id)
    return esr_tables.apply_competences(connection, load_id, esr_file.file_date, esr_file.vpd, full, later_full)


def _refuse_unread(engine: Engine, esr_file: EsrFile, source: str, message: str, run_id: str | None) -> LoadOutcome:
    origin = BatchOrigin(
        source=source,
        source_file=esr_file.path.name,
        source_path=str(esr_file.path),
        checksum_sha256="-",
        file_date=esr_file.file_date,
        file_mode=esr_file.mode,
        vpd=esr_file.vpd,
    )
    load_id = start_load(engine, origin, run_id)
    with engine.begin() as connection:
        finish_load(connection, load_id, "refused", message=message)
    return LoadOutcome(source, esr_file.path.name, "refused", load_id=load_id, message=message)


def prune_staging(engine: Engine, kind: str, loads_kept: int) -> int:
    """Drop staged rows of all but the newest `loads_kept` loads of a kind.

    Core holds their history, and the load log and quarantine keep the record of what came in, so staging need
    not grow with every nightly full file.
    """
    with engine.begin() as connection:
        kept = list(
            connection.execute(
                select(load_log.c.load_id)
                .where(load_log.c.source == SOURCE[kind])
                .order_by(load_log.c.load_id.desc())
                .limit(loads_kept)
            ).scalars()
        )
        return sum(
            connection.execute(delete(table).where(table.c.load_id.not_in(kept))).rowcount or 0
            for table in esr_tables.STAGING_TABLES[kind]
        )
