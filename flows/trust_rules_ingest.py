"""Ingesting the trust's rule files. Today: the training needs analysis (who must hold which competence)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from connectors.esr.competency_names import competency_catalogue
from connectors.trust_rules.files import TrustRuleFileError, read_rule_file
from flows.logs import run_logger
from flows.outcomes import LoadOutcome
from transforms.validation.gx_runner import GxValidator
from transforms.validation.row_checks import row_failures
from transforms.validation.suites import load_suite
from warehouse.bulk import insert_frame
from warehouse.esr import add_to_catalogue
from warehouse.load_log import BatchOrigin, already_loaded, finish_load, start_load
from warehouse.models import rejected_row
from warehouse.trust_rules import replace_training_needs

SOURCE = "training_needs_analysis"
HEADINGS = {
    "applies_to": "Applies To",
    "applies_to_folded": "Applies To",
    "match_value": "Value",
    "competency_name": "Competency Name",
}


def ingest_training_needs(
    engine: Engine, path, validator: GxValidator, received_on: date, run_id: str | None = None
) -> LoadOutcome:
    log = run_logger()
    try:
        rule_file = read_rule_file(path)
    except TrustRuleFileError as error:
        origin = BatchOrigin(source=SOURCE, source_file=path.name, source_path=str(path), checksum_sha256="-")
        load_id = start_load(engine, origin, run_id)
        with engine.begin() as connection:
            finish_load(connection, load_id, "refused", message=str(error))
        return LoadOutcome(SOURCE, path.name, "refused", load_id=load_id, message=str(error))
    with engine.connect() as connection:
        earlier = already_loaded(connection, SOURCE, rule_file.sha256)
    if earlier is not None:
        return LoadOutcome(SOURCE, path.name, "duplicate", load_id=earlier)
    origin = BatchOrigin(
        source=SOURCE,
        source_file=path.name,
        source_path=str(path),
        checksum_sha256=rule_file.sha256,
        size_bytes=rule_file.size_bytes,
        encoding=rule_file.encoding,
    )
    load_id = start_load(engine, origin, run_id)
    rows = rule_file.rows.assign(applies_to_folded=rule_file.rows["applies_to"].str.casefold())
    suite = load_suite(SOURCE)
    failures = row_failures(rows, suite, HEADINGS)
    accepted = rows.loc[~rows["row_number"].isin(failures["row_number"])]
    verdict = validator.validate(suite, accepted.drop(columns="row_number"), path.name)
    counts = {
        "rows_in": len(rows),
        "rows_accepted": len(accepted),
        "rows_rejected": rows["row_number"].isin(failures["row_number"]).sum().item(),
    }
    refusal = None
    if not verdict.success:
        refusal = verdict.describe()
    elif rows.empty:
        refusal = "the file has headings but no rules"
    elif counts["rows_rejected"] > suite.max_rejected_share * len(rows):
        refusal = f"{counts['rows_rejected']} of {len(rows)} rules failed validation"
    with engine.begin() as connection:
        if not failures.empty:
            insert_frame(connection, rejected_row, failures.assign(load_id=load_id, source_file=path.name))
        if refusal:
            finish_load(connection, load_id, "refused", message=refusal, **counts)
            log.warning("%s: refused: %s", path.name, refusal)
            return LoadOutcome(SOURCE, path.name, "refused", load_id=load_id, message=refusal, **counts)
        add_to_catalogue(connection, competency_catalogue(accepted["competency_name"].unique()), load_id)
        applied = replace_training_needs(connection, accepted, load_id, received_on)
        finish_load(connection, load_id, "loaded", rows_applied=applied, **counts)
    log.info("%s: %d training needs rules loaded (%d rejected)", path.name, applied, counts["rows_rejected"])
    return LoadOutcome(SOURCE, path.name, "loaded", load_id=load_id, rows_applied=applied, **counts)
