"""Ingesting staff survey and evaluation files: NHS Staff Survey responses and published results, pulse
surveys and post-course evaluations. Readers drop every person identifier as they read; what is stored is
anonymous, and only suppressed aggregates are published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.esr.errors import EsrFileError
from connectors.esr.fingerprint import fingerprint_file
from connectors.landing import landing_files
from connectors.surveys import (
    SurveyFileError,
    read_evaluations,
    read_nss_responses,
    read_published_results,
    read_pulse_responses,
)
from connectors.surveys.constants import EVALUATIONS_NAME, NSS_RESPONSES_NAME, NSS_RESULTS_NAME, PULSE_NAME
from flows.logs import run_logger
from flows.outcomes import BatchRefused, LoadOutcome, refuse_unreadable
from transforms.validation.gx_runner import GxValidator
from transforms.validation.row_checks import combine_failures
from transforms.validation.suites import load_suite
from warehouse.bulk import insert_frame
from warehouse.load_log import BatchOrigin, already_loaded, finish_load, start_load
from warehouse.models import rejected_row
from warehouse.surveys import replace_file_rows


@dataclass(frozen=True)
class SurveyFile:
    path: Path
    source: str  # survey_responses, survey_results, course_evaluations
    reader: str  # nss, pulse, results, evaluations


def discover_survey_files(landing: Path) -> list[SurveyFile]:
    found = []
    for path in landing_files(landing):
        if not isinstance(path, Path):
            continue
        if NSS_RESPONSES_NAME.match(path.name):
            found.append(SurveyFile(path, "survey_responses", "nss"))
        elif PULSE_NAME.match(path.name):
            found.append(SurveyFile(path, "survey_responses", "pulse"))
        elif NSS_RESULTS_NAME.match(path.name):
            found.append(SurveyFile(path, "survey_results", "results"))
        elif EVALUATIONS_NAME.match(path.name):
            found.append(SurveyFile(path, "course_evaluations", "evaluations"))
    return found


def _read(survey_file: SurveyFile, load_id: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, str, pd.DataFrame]:
    """Frames by core table name, the reader's problems, and the suite and frame GX validates."""
    path = survey_file.path
    if survey_file.reader in ("nss", "pulse"):
        read = read_nss_responses if survey_file.reader == "nss" else read_pulse_responses
        responses = read(path)
        key = responses.respondents["response_id"].map(lambda r: f"{load_id}:{r}")
        respondents = responses.respondents.assign(respondent_key=key).drop(columns=["response_id"])
        answers = responses.answers.assign(
            respondent_key=responses.answers["response_id"].map(lambda r: f"{load_id}:{r}")
        ).drop(columns=["response_id"])
        frames = {"survey_respondent": respondents, "survey_answer": answers}
        return frames, responses.problems, "survey_answers", answers
    if survey_file.reader == "results":
        results = read_published_results(path)
        return {"survey_published_result": results.results}, results.problems, "survey_results", results.results
    evaluations = read_evaluations(path)
    frame = evaluations.responses
    return {"course_evaluation_response": frame}, evaluations.problems, "course_evaluations", frame


def _kept_rows(frame: pd.DataFrame) -> set[int]:
    """Spreadsheet rows a reader kept: respondents carry theirs at the end of their anonymous key (a respondent
    kept with one unusable answer is not a rejected row); other files' readers keep no row that had a problem."""
    if "respondent_key" not in frame.columns:
        return set()
    return set(frame["respondent_key"].str.rsplit("-", n=1).str[-1].astype(int))


def ingest_survey_file(
    engine: Engine, survey_file: SurveyFile, validator: GxValidator, run_id: str | None = None
) -> LoadOutcome:
    log = run_logger()
    path, source = survey_file.path, survey_file.source
    try:
        fingerprint = fingerprint_file(path)
    except EsrFileError as error:
        return refuse_unreadable(engine, source, path, error.reason, run_id)
    with engine.connect() as connection:
        earlier = already_loaded(connection, source, fingerprint.sha256)
    if earlier is not None:
        return LoadOutcome(source, path.name, "duplicate", load_id=earlier)
    origin = BatchOrigin(
        source=source,
        source_file=path.name,
        source_path=str(path),
        checksum_sha256=fingerprint.sha256,
        size_bytes=fingerprint.size_bytes,
        encoding=fingerprint.encoding,
    )
    load_id = start_load(engine, origin, run_id)
    counts = {"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0}
    try:
        frames, problems, suite_name, validated = _read(survey_file, load_id)
        failures = combine_failures(problems)
        main = next(iter(frames.values()))
        kept = _kept_rows(main)
        set_aside = set(failures["row_number"].dropna().astype(int)) - kept if not failures.empty else set()
        rejected_rows = len(set_aside)
        counts = {"rows_in": len(main) + rejected_rows, "rows_accepted": len(main), "rows_rejected": rejected_rows}
        suite = load_suite(suite_name)
        verdict = validator.validate(suite, validated, path.name)
        if not verdict.success:
            raise BatchRefused(f"Great Expectations refused the file: {verdict.describe()}")
        if rejected_rows > suite.max_rejected_share * max(counts["rows_in"], 1):
            raise BatchRefused(f"{rejected_rows} of {counts['rows_in']} rows failed validation")
        with engine.begin() as connection:
            if not failures.empty:
                insert_frame(connection, rejected_row, failures.assign(load_id=load_id, source_file=path.name))
            applied = replace_file_rows(connection, source, path.name, load_id, frames)
            finish_load(connection, load_id, "loaded", rows_applied=applied, **counts)
    except (BatchRefused, SurveyFileError) as error:
        message = str(error)
        with engine.begin() as connection:
            finish_load(connection, load_id, "refused", message=message, **counts)
        log.warning("%s: refused: %s", path.name, message)
        return LoadOutcome(source, path.name, "refused", load_id=load_id, message=message, **counts)
    except Exception as error:
        with engine.begin() as connection:
            finish_load(connection, load_id, "failed", message=f"{type(error).__name__}: {error}", **counts)
        raise
    log.info("%s: %d rows loaded (%d rejected)", path.name, counts["rows_accepted"], counts["rows_rejected"])
    return LoadOutcome(source, path.name, "loaded", load_id=load_id, rows_applied=applied, **counts)
