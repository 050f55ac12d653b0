"""Ingesting the trust's rule files: training needs analysis, skills framework and role skill profiles.

Each file is validated against its suite; failing rules are quarantined; a file with too many bad rules, or none,
is refused and the previous version stays in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.esr.competency_names import competency_catalogue
from connectors.trust_rules.files import RULE_FILES, TrustRuleFileError, read_rule_file
from flows.logs import run_logger
from flows.outcomes import LoadOutcome
from transforms.validation.gx_runner import GxValidator
from transforms.validation.row_checks import combine_failures, row_failures
from transforms.validation.suites import load_suite
from warehouse.bulk import insert_frame
from warehouse.esr import add_to_catalogue
from warehouse.load_log import BatchOrigin, already_loaded, finish_load, start_load
from warehouse.models import rejected_row
from warehouse.trust_rules import replace_rule_version


@dataclass(frozen=True)
class RuleFileKind:
    source: str
    suite: str


RULE_KINDS = {
    "training_needs_analysis.csv": RuleFileKind("training_needs_analysis", "training_needs_analysis"),
    "skills_framework.csv": RuleFileKind("skills_framework", "skills_framework"),
    "role_skill_profiles.csv": RuleFileKind("role_skill_profiles", "role_skill_profiles"),
    "steward_decisions.csv": RuleFileKind("steward_decisions", "steward_decisions"),
}


def _typed(name: str, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Columns typed for validation and loading, and problems for cells that do not convert."""
    problems = []
    if name == "training_needs_analysis.csv":
        rows = rows.assign(applies_to_folded=rows["applies_to"].str.casefold())
    elif name == "skills_framework.csv":
        months = pd.to_numeric(rows["valid_for_months"], errors="coerce")
        bad = rows["valid_for_months"].notna() & (months.isna() | (months % 1 != 0))
        problems.append(_problem(rows, bad, "Valid For Months", "valid_for_months", "not a whole number of months"))
        rows = rows.assign(
            valid_for_months=months.where(~bad).astype("Int64"),
            evidence_source=rows["evidence_source"].str.casefold(),
        )
    elif name == "steward_decisions.csv":
        decided = pd.to_datetime(rows["decided_on"], errors="coerce", dayfirst=True, format="mixed")
        bad = rows["decided_on"].notna() & decided.isna()
        problems.append(_problem(rows, bad, "Decided On", "decided_on", "unrecognised date"))
        rows = rows.assign(
            decided_on=decided.dt.date.where(decided.notna(), None),
            decision=rows["decision"].str.casefold(),
            source_system_a=rows["source_system_a"].str.casefold(),
            source_system_b=rows["source_system_b"].str.casefold(),
        )
    elif name == "role_skill_profiles.csv":
        needed = pd.to_datetime(rows["needed_by"], errors="coerce", dayfirst=True, format="mixed")
        bad = rows["needed_by"].notna() & needed.isna()
        problems.append(_problem(rows, bad, "Needed By", "needed_by", "unrecognised date"))
        rows = rows.assign(
            needed_by=needed.dt.date.where(needed.notna(), None), priority=rows["priority"].str.casefold()
        )
    failures = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()
    return rows, failures


def _problem(rows: pd.DataFrame, mask: pd.Series, heading: str, column: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": rows.loc[mask, "row_number"],
            "field": heading,
            "value": rows.loc[mask, column],
            "reason": reason,
        }
    )


def ingest_rule_file(
    engine: Engine, path: Path, validator: GxValidator, received_on: date, run_id: str | None = None
) -> LoadOutcome:
    log = run_logger()
    kind = RULE_KINDS[path.name]
    try:
        rule_file = read_rule_file(path)
    except TrustRuleFileError as error:
        origin = BatchOrigin(source=kind.source, source_file=path.name, source_path=str(path), checksum_sha256="-")
        load_id = start_load(engine, origin, run_id)
        with engine.begin() as connection:
            finish_load(connection, load_id, "refused", message=str(error))
        return LoadOutcome(kind.source, path.name, "refused", load_id=load_id, message=str(error))
    with engine.connect() as connection:
        earlier = already_loaded(connection, kind.source, rule_file.sha256)
    if earlier is not None:
        return LoadOutcome(kind.source, path.name, "duplicate", load_id=earlier)
    origin = BatchOrigin(
        source=kind.source,
        source_file=path.name,
        source_path=str(path),
        checksum_sha256=rule_file.sha256,
        size_bytes=rule_file.size_bytes,
        encoding=rule_file.encoding,
    )
    load_id = start_load(engine, origin, run_id)
    rows, conversion_failures = _typed(path.name, rule_file.rows)
    suite = load_suite(kind.suite)
    headings = {field: heading for field, heading in RULE_FILES[path.name].items()}
    headings["applies_to_folded"] = "Applies To"
    failures = combine_failures(conversion_failures, row_failures(rows, suite, headings))
    rejected = rows["row_number"].isin(failures["row_number"]) if not failures.empty else rows["row_number"] < 0
    accepted = rows.loc[~rejected]
    verdict = validator.validate(suite, accepted.drop(columns="row_number"), path.name)
    counts = {"rows_in": len(rows), "rows_accepted": len(accepted), "rows_rejected": int(rejected.sum())}
    refusal = None
    if not verdict.success:
        refusal = verdict.describe()
    elif rows.empty:
        refusal = "the file has headings but no rules"
    elif counts["rows_rejected"] > suite.max_rejected_share * len(rows):
        refusal = f"{counts['rows_rejected']} of {len(rows)} rows failed validation; see quarantine for load {load_id}"
    with engine.begin() as connection:
        if not failures.empty:
            insert_frame(connection, rejected_row, failures.assign(load_id=load_id, source_file=path.name))
        if refusal:
            finish_load(connection, load_id, "refused", message=refusal, **counts)
            log.warning("%s: refused: %s", path.name, refusal)
            return LoadOutcome(kind.source, path.name, "refused", load_id=load_id, message=refusal, **counts)
        if path.name == "training_needs_analysis.csv":
            add_to_catalogue(connection, competency_catalogue(accepted["competency_name"].unique()), load_id)
        applied = replace_rule_version(connection, path.name, accepted, load_id, received_on)
        finish_load(connection, load_id, "loaded", rows_applied=applied, **counts)
    log.info("%s: %d rows loaded (%d rejected)", path.name, applied, counts["rows_rejected"])
    return LoadOutcome(kind.source, path.name, "loaded", load_id=load_id, rows_applied=applied, **counts)
