"""Response-level files of the NHS Staff Survey and the quarterly pulse survey, anonymised as they are read.

One row per respondent: `Sample ID`, `Organisation code`, `Organisation Name`, `LOCALITY1`..`LOCALITY8`,
`STAFFGROUP`, (pulse only) `Period`, then one column per question (`Q2a`, `q24c`) holding the numeric answer
code, blank when not answered, and any trust-local items declared in `schemas/survey_local_items.yaml`.

The `Sample ID` links a response to the contractor's sample of named staff, so it is dropped while the file is
parsed and never enters a frame; a respondent is known afterwards only by `response_id`, a key built from the
file and row that means nothing outside this file. Question columns are looked up in the question map by
survey year (the year comes from the file name only); an unmapped question or an undeclared column stops the
file rather than being guessed, since a wrongly mapped question silently corrupts every trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from connectors.surveys.constants import (
    LOCALITY_COLUMNS,
    NSS,
    NSS_RESPONSES_NAME,
    ORGANISATION_CODE,
    ORGANISATION_NAME,
    PERIOD,
    PULSE,
    PULSE_NAME,
    PULSE_PERIOD,
    QUESTION_CODE,
    SAMPLE_ID,
    STAFF_GROUP,
)
from connectors.surveys.definitions import SurveyDefinitions, load_survey_definitions
from connectors.surveys.errors import SurveyFileError
from connectors.surveys.tables import ProblemLog, RawTable, read_table

RESPONDENT_COLUMNS = (
    "response_id",
    "survey",
    "year",
    "period",
    "org_code",
    "organisation_name",
    *(column.lower() for column in LOCALITY_COLUMNS),
    "staff_group",
)
ANSWER_COLUMNS = ("response_id", "item_id", "question_code", "code")


@dataclass(frozen=True)
class SurveyResponses:
    """One response file after reading.

    `respondents`: one row per respondent kept — response_id, survey, year (survey year; for pulse the first
    calendar year of the financial year), period (`2023` for the NSS, `2024-25 Q1` for pulse), org_code,
    organisation_name, locality1..locality8 (the contractor's labels), staff_group (the contractor's label).
    `answers`: one row per answered, valid question — response_id, item_id (stable across years),
    question_code (as numbered that year), code (the answer code, an integer on the item's scale).
    `problems`: row_number (spreadsheet row, heading = 1), field, value, reason — cells ignored and rows set
    aside.
    """

    source: Path
    survey: str
    year: int
    org_code: str
    respondents: pd.DataFrame
    answers: pd.DataFrame
    problems: pd.DataFrame


def read_nss_responses(path: Path, definitions: SurveyDefinitions | None = None) -> SurveyResponses:
    """Read `nss_<year>_<org code>_responses.csv` (or `.xlsx`)."""
    path = Path(path)
    match = NSS_RESPONSES_NAME.match(path.name)
    if not match:
        raise SurveyFileError(path, "file name must be nss_<year>_<org code>_responses.csv (or .xlsx)")
    year = int(match["year"])
    return _read_responses(path, NSS, year, match["org"].upper(), None, definitions or load_survey_definitions())


def read_pulse_responses(path: Path, definitions: SurveyDefinitions | None = None) -> SurveyResponses:
    """Read `pulse_<org code>_<financial year>.csv` (or `.xlsx`), e.g. `pulse_R1F_2024-25.csv`."""
    path = Path(path)
    match = PULSE_NAME.match(path.name)
    if not match:
        raise SurveyFileError(
            path, "file name must be pulse_<org code>_<financial year>.csv, e.g. pulse_R1F_2024-25.csv"
        )
    financial_year = match["fy"]
    start = int(financial_year[:4])
    if int(financial_year[5:]) != (start + 1) % 100:
        raise SurveyFileError(path, f"financial year {financial_year} in the file name is not two consecutive years")
    return _read_responses(
        path, PULSE, start, match["org"].upper(), financial_year, definitions or load_survey_definitions()
    )


@dataclass(frozen=True)
class _ItemColumn:
    heading: str
    item_id: str
    question_code: str


def _is_sample_id(heading: str) -> bool:
    return heading.strip().casefold() == SAMPLE_ID.casefold()


def _classify_headings(
    table: RawTable, survey: str, year: int, financial_year: str | None, definitions: SurveyDefinitions
) -> tuple[dict[str, str], list[_ItemColumn]]:
    fixed_names = [ORGANISATION_CODE, ORGANISATION_NAME, STAFF_GROUP, *LOCALITY_COLUMNS]
    if survey == PULSE:
        fixed_names.append(PERIOD)
    fixed_by_key = {name.casefold(): name for name in fixed_names}
    fixed: dict[str, str] = {}
    items: list[_ItemColumn] = []
    label = f"{survey} {financial_year or year}"
    for heading in table.headings:
        key = heading.casefold()
        if key in fixed_by_key:
            fixed[fixed_by_key[key]] = heading
        elif QUESTION_CODE.match(heading):
            item_id = definitions.item_for(survey, year, heading)
            if item_id is None:
                raise SurveyFileError(
                    table.path,
                    f"unmapped question code {heading} for {label}: add it to schemas/survey_questions.csv "
                    "(survey, year, question_code -> item_id); question numbers change every year, so it is "
                    "never guessed",
                    row=1,
                    field=heading,
                )
            items.append(_ItemColumn(heading, item_id, heading.lower()))
        else:
            local = definitions.local_item_for(heading, survey)
            if local is None:
                raise SurveyFileError(
                    table.path,
                    f"undeclared column for {label}: it is neither a question in "
                    "schemas/survey_questions.csv nor a local item declared for this survey in "
                    "schemas/survey_local_items.yaml",
                    row=1,
                    field=heading,
                )
            items.append(_ItemColumn(heading, local.item_id, local.column))
    for required in (ORGANISATION_CODE, STAFF_GROUP) + ((PERIOD,) if survey == PULSE else ()):
        if required not in fixed:
            raise SurveyFileError(table.path, f"required column {required!r} is missing", row=1, field=required)
    if not items:
        raise SurveyFileError(table.path, "has no question columns", row=1)
    return fixed, items


def _read_responses(
    path: Path,
    survey: str,
    year: int,
    org_code: str,
    financial_year: str | None,
    definitions: SurveyDefinitions,
) -> SurveyResponses:
    table = read_table(path, drop=_is_sample_id)
    fixed, items = _classify_headings(table, survey, year, financial_year, definitions)
    rows = table.rows
    if rows.empty:
        raise SurveyFileError(
            path, "has headings but no responses: a response file with no respondents is an incomplete export"
        )
    problems = ProblemLog()
    keep = pd.Series(True, index=rows.index)

    org_heading = fixed[ORGANISATION_CODE]
    row_org = rows[org_heading].str.upper()
    other_org = (row_org != "") & (row_org != org_code)
    problems.add_many(
        rows.index[other_org],
        org_heading,
        rows.loc[other_org, org_heading],
        f"response belongs to another organisation, not {org_code} named in the file name; set aside",
    )
    keep &= ~other_org

    if survey == PULSE:
        period_heading = fixed[PERIOD]
        periods = rows[period_heading]
        parsed = periods.str.extract(PULSE_PERIOD)
        bad_period = parsed["fy"].isna() | (parsed["fy"] != financial_year)
        problems.add_many(
            rows.index[bad_period],
            period_heading,
            periods[bad_period],
            f"period must be a quarter of {financial_year} written like '{financial_year} Q1'; response set aside",
        )
        keep &= ~bad_period
        period = periods
        token = financial_year
    else:
        period = pd.Series(str(year), index=rows.index)
        token = str(year)

    response_id = pd.Series(
        [f"{survey}-{token}-{org_code}-{row_number:06d}" for row_number in rows.index], index=rows.index
    )

    def text_column(name: str) -> pd.Series:
        heading = fixed.get(name)
        if heading is None:
            return pd.Series(pd.NA, index=rows.index, dtype="string")
        return rows[heading].replace("", pd.NA).astype("string")

    respondents = pd.DataFrame(
        {
            "response_id": response_id,
            "survey": survey,
            "year": year,
            "period": period,
            "org_code": org_code,
            "organisation_name": text_column(ORGANISATION_NAME),
            **{column.lower(): text_column(column) for column in LOCALITY_COLUMNS},
            "staff_group": text_column(STAFF_GROUP),
        },
        index=rows.index,
    )[keep]

    answers = [_item_answers(rows[keep], response_id[keep], column, definitions, problems) for column in items]
    answer_frame = pd.concat(answers, ignore_index=True)
    answer_frame["code"] = answer_frame["code"].astype("Int64")
    return SurveyResponses(
        source=path,
        survey=survey,
        year=year,
        org_code=org_code,
        respondents=respondents.reset_index(drop=True),
        answers=answer_frame[list(ANSWER_COLUMNS)],
        problems=problems.frame(),
    )


def _item_answers(
    rows: pd.DataFrame,
    response_id: pd.Series,
    column: _ItemColumn,
    definitions: SurveyDefinitions,
    problems: ProblemLog,
) -> pd.DataFrame:
    """The valid answers of one question column; unreadable cells are reported and treated as not answered."""
    scale = definitions.scale_of(column.item_id)
    text = rows[column.heading]
    answered = text != ""
    numbers = pd.to_numeric(text.where(answered), errors="coerce")
    not_number = answered & numbers.isna()
    problems.add_many(
        rows.index[not_number],
        column.heading,
        text[not_number],
        f"answer is not a numeric code on scale {scale.name} ({scale.describe_codes()}); treated as not answered",
    )
    on_scale = numbers.isin(list(scale.scores))
    off_scale = numbers.notna() & ~on_scale
    problems.add_many(
        rows.index[off_scale],
        column.heading,
        text[off_scale],
        f"code is out of range for scale {scale.name} ({scale.describe_codes()}); treated as not answered",
    )
    return pd.DataFrame(
        {
            "response_id": response_id[on_scale].to_numpy(),
            "item_id": column.item_id,
            "question_code": column.question_code,
            "code": numbers[on_scale].astype("int64").to_numpy(),
        }
    )
