"""Ingesting Totara Report Builder exports (course completion, certification completion, competency status).

Each export is read, validated (failing rows quarantined with row, heading and reason), staged, and applied as
the source's snapshot on its export date. An export older than one already applied is superseded and skipped;
one that would end an implausible share of the records held is refused as truncated.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine

from connectors.esr.errors import EsrFileError
from connectors.esr.fingerprint import fingerprint_file
from connectors.totara.errors import TotaraExportError
from connectors.totara.exports import TotaraExportFile, read_totara_export_chunks
from flows.logs import run_logger
from flows.outcomes import BatchRefused, LoadOutcome, refuse_unreadable
from learnscape.config import LearnscapeConfig
from transforms.validation.gx_runner import GxValidator
from transforms.validation.row_checks import combine_failures, row_failures
from transforms.validation.suites import load_suite
from warehouse import learning_records
from warehouse.load_log import BatchOrigin, already_loaded, finish_load, start_load
from warehouse.quarantine import write_rejected_rows

SOURCES = {
    "course_completion": "totara_course",
    "certification_completion": "totara_certification",
    "competency_status": "totara_competency",
}
HEADINGS = {"user_key": "User ID Number", "item_key": "ID Number", "expires_on": "Expiry Date"}


def learning_rows(kind: str, records: pd.DataFrame) -> pd.DataFrame:
    """An export's rows in the one shape every learning record takes in the warehouse."""
    source = SOURCES[kind]
    if kind == "course_completion":
        complete = records["is_complete"].fillna(False).astype(bool)
        achieved = records["completed_on"].where(complete, None)
        frame = {
            "item_key": records["course_idnumber"],
            "item_name": records["course_name"],
            "status": records["completion_status"],
            "achieved_on": achieved,
            "expires_on": None,
        }
    elif kind == "certification_completion":
        frame = {
            "item_key": records["certification_idnumber"],
            "item_name": records["certification_name"],
            "status": records["status"],
            "achieved_on": records["completed_on"],
            "expires_on": records["expires_on"],
        }
    else:
        proficient = records["is_proficient"].fillna(False).astype(bool)
        frame = {
            "item_key": records["competency_idnumber"],
            "item_name": records["competency_name"],
            "status": proficient.map({True: "Proficient", False: "Not proficient"}),
            "achieved_on": records["achieved_on"].where(proficient, None),
            "expires_on": None,
        }
    rows = pd.DataFrame(
        {"source": source, "user_key": records["user_idnumber"], **frame, "row_number": records["row_number"]},
        index=records.index,
    )
    rows["is_evidence"] = rows["achieved_on"].notna() & (
        records["is_evidence"].fillna(False).astype(bool) if "is_evidence" in records else True
    )
    for column in ("achieved_on", "expires_on"):
        rows[column] = pd.to_datetime(rows[column]).dt.date.astype(object).where(rows[column].notna(), None)
    return rows


def ingest_totara_export(
    engine: Engine,
    export_file: TotaraExportFile,
    config: LearnscapeConfig,
    validator: GxValidator,
    run_id: str | None = None,
) -> LoadOutcome:
    log = run_logger()
    source = SOURCES[export_file.kind]
    name = export_file.path.name
    try:
        fingerprint = fingerprint_file(export_file.path)
    except EsrFileError as error:
        return refuse_unreadable(engine, source, export_file.path, error.reason, run_id)
    with engine.connect() as connection:
        earlier = already_loaded(connection, source, fingerprint.sha256)
        latest = learning_records.latest_export_date(connection, source)
    if earlier is not None:
        return LoadOutcome(source, name, "duplicate", load_id=earlier)
    origin = BatchOrigin(
        source=source,
        source_file=name,
        source_path=str(export_file.path),
        checksum_sha256=fingerprint.sha256,
        size_bytes=fingerprint.size_bytes,
        encoding=fingerprint.encoding,
        file_date=export_file.export_date,
        file_mode="full",
    )
    load_id = start_load(engine, origin, run_id)
    counts = {"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0}
    quarantined: list[pd.DataFrame] = []
    try:
        if latest is not None and export_file.export_date < latest:
            raise BatchRefused(f"superseded: an export dated {latest} is already applied")
        suite = load_suite("totara_learning_records")
        received_at = datetime.now(UTC)
        chunks = read_totara_export_chunks(
            export_file,
            config.sources.totara.chunk_rows,
            timezone=config.sources.totara.timezone,
            encoding=fingerprint.encoding,
        )
        with engine.begin() as connection:
            for export in chunks:
                rows = learning_rows(export_file.kind, export.records)
                failures = combine_failures(export.problems, row_failures(rows, suite, HEADINGS))
                rejected = rows["row_number"].isin(failures["row_number"])
                accepted = rows.loc[~rejected]
                counts["rows_in"] += len(rows)
                counts["rows_accepted"] += len(accepted)
                counts["rows_rejected"] += int(rejected.sum())
                if not failures.empty:
                    quarantined.append(failures.assign(load_id=load_id, source_file=name))
                verdict = validator.validate(suite, accepted.drop(columns="row_number"), name)
                if not verdict.success:
                    raise BatchRefused(f"Great Expectations refused the accepted rows: {verdict.describe()}")
                learning_records.stage_records(
                    connection, accepted.assign(load_id=load_id, source_file=name, received_at=received_at)
                )
            if not counts["rows_in"]:
                raise BatchRefused("the export has headings but no rows")
            if counts["rows_rejected"] > suite.max_rejected_share * counts["rows_in"]:
                raise BatchRefused(f"{counts['rows_rejected']} of {counts['rows_in']} rows failed validation")
            write_rejected_rows(connection, quarantined)
            quarantined = []
        with engine.begin() as connection:
            held = learning_records.count_open(connection, source)
            ending = learning_records.count_would_end(connection, source, load_id)
            limit = config.compliance.max_full_file_end_share
            if held and ending / held > limit:
                raise BatchRefused(
                    f"export would end {ending} of {held} learning records held ({ending / held:.0%}), more than "
                    f"the {limit:.0%} allowed: it looks truncated and was not applied"
                )
            applied = learning_records.apply_export(connection, source, load_id, export_file.export_date)
            finish_load(connection, load_id, "loaded", rows_applied=applied, **counts)
    except (BatchRefused, TotaraExportError) as error:
        message = getattr(error, "reason", None) or str(error)
        with engine.begin() as connection:
            write_rejected_rows(connection, quarantined)
            finish_load(connection, load_id, "refused", message=message, **counts)
        log.warning("%s: refused: %s", name, message)
        return LoadOutcome(source, name, "refused", load_id=load_id, message=message, **counts)
    except Exception as error:
        with engine.begin() as connection:
            finish_load(connection, load_id, "failed", message=f"{type(error).__name__}: {error}", **counts)
        raise
    log.info(
        "%s: %d records accepted (%d quarantined), %d new",
        name,
        counts["rows_accepted"],
        counts["rows_rejected"],
        applied,
    )
    return LoadOutcome(source, name, "loaded", load_id=load_id, rows_applied=applied, **counts)
