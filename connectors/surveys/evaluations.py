"""Post-course evaluations from the learning hub's feedback forms (Kirkpatrick levels 1-4), anonymised at
read.

`evaluations_<yyyymmdd>.csv`, long format, one row per evaluation form x item:
`evaluation_id,course_id,session_id,learner_ref,submitted_at,kirkpatrick_level,item_id,item_text,scale,
response_value,free_text`. `learner_ref` (present for level 2-3 follow-up) and `free_text` are dropped while
the file is parsed and never enter a frame: published tables aggregate by course and period, never by person,
and free text can name people. A column the layout does not know is refused for the same reason.

A file with headings and no rows is a day on which nobody submitted a form, and reads as empty; a row with a
blank `response_value` is an item the learner skipped and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from connectors.surveys.constants import (
    EVALUATION_COLUMNS,
    EVALUATION_DROPPED_COLUMNS,
    EVALUATION_SCALES,
    EVALUATIONS_NAME,
)
from connectors.surveys.errors import SurveyFileError
from connectors.surveys.tables import ProblemLog, read_table

EVALUATION_FRAME_COLUMNS = (
    "evaluation_id",
    "course_id",
    "session_id",
    "submitted_at",
    "kirkpatrick_level",
    "item_id",
    "item_text",
    "scale",
    "response_value",
)
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class CourseEvaluations:
    """One evaluations file: `responses` has one row per answered item of a form — evaluation_id, course_id,
    session_id, submitted_at (datetime), kirkpatrick_level (1-4), item_id, item_text (the question as asked),
    scale, response_value (float; yes_no read as 1.0/0.0) — and `problems` the rows set aside."""

    source: Path
    file_date: date
    responses: pd.DataFrame
    problems: pd.DataFrame


def _is_dropped(heading: str) -> bool:
    return heading.strip().casefold() in EVALUATION_DROPPED_COLUMNS


def read_evaluations(path: Path) -> CourseEvaluations:
    """Read `evaluations_<yyyymmdd>.csv`."""
    path = Path(path)
    match = EVALUATIONS_NAME.match(path.name)
    if not match:
        raise SurveyFileError(path, "file name must be evaluations_<yyyymmdd>.csv")
    try:
        file_date = datetime.strptime(match["date"], "%Y%m%d").date()
    except ValueError as error:
        raise SurveyFileError(path, f"file name date {match['date']} is not a real date") from error
    table = read_table(path, drop=_is_dropped)
    by_key = {heading.casefold(): heading for heading in table.headings}
    for heading in table.headings:
        if heading.casefold() not in EVALUATION_COLUMNS:
            raise SurveyFileError(
                path,
                "column is not part of the evaluations layout and may hold personal data; refused",
                row=1,
                field=heading,
            )
    missing = [column for column in EVALUATION_FRAME_COLUMNS if column not in by_key]
    if missing:
        raise SurveyFileError(path, f"required columns missing: {', '.join(missing)}", row=1, field=missing[0])
    text = pd.DataFrame({column: table.rows[by_key[column]] for column in EVALUATION_FRAME_COLUMNS})
    problems = ProblemLog()
    responses = _validated(text[text["response_value"] != ""], problems)
    return CourseEvaluations(source=path, file_date=file_date, responses=responses, problems=problems.frame())


def _validated(text: pd.DataFrame, problems: ProblemLog) -> pd.DataFrame:
    bad = pd.Series(False, index=text.index)

    def reject(failed: pd.Series, column: str, reason: str) -> None:
        nonlocal bad
        failed = failed & ~bad
        problems.add_many(text.index[failed], column, text.loc[failed, column], reason + "; row set aside")
        bad |= failed

    for column in ("evaluation_id", "course_id", "item_id"):
        reject(text[column] == "", column, f"{column} is blank")
    level = pd.to_numeric(text["kirkpatrick_level"], errors="coerce")
    reject(~level.isin([1, 2, 3, 4]), "kirkpatrick_level", "Kirkpatrick level must be 1, 2, 3 or 4")
    submitted = pd.to_datetime(text["submitted_at"], format="ISO8601", errors="coerce")
    if isinstance(submitted.dtype, pd.DatetimeTZDtype):
        submitted = submitted.dt.tz_convert("Europe/London").dt.tz_localize(None)
    reject(
        submitted.isna(),
        "submitted_at",
        "submitted_at must be an ISO date and time, e.g. 2025-03-14T10:22:00",
    )
    scale = text["scale"].str.casefold()
    reject(~scale.isin(EVALUATION_SCALES), "scale", f"scale must be one of {', '.join(EVALUATION_SCALES)}")

    raw = text["response_value"].str.strip()
    folded = raw.str.casefold()
    value = pd.to_numeric(raw, errors="coerce")
    is_yes_no = scale == "yes_no"
    value = value.where(~is_yes_no, folded.map(lambda word: 1.0 if word in _YES else 0.0 if word in _NO else None))
    low = scale.map(lambda name: EVALUATION_SCALES.get(name, (0.0, 0.0))[0]).astype("float64")
    high = scale.map(lambda name: EVALUATION_SCALES.get(name, (0.0, 0.0))[1]).astype("float64")
    whole = scale.isin(["rating5", "nps11"])
    invalid = value.isna() | (value < low) | (value > high) | (whole & (value % 1 != 0))
    reject(invalid, "response_value", "value is not a valid answer on the row's scale")
    reject(
        text.duplicated(["evaluation_id", "item_id"], keep="first"),
        "item_id",
        "the same item appears twice in one evaluation",
    )

    kept = ~bad
    responses = pd.DataFrame(
        {
            "evaluation_id": text["evaluation_id"],
            "course_id": text["course_id"],
            "session_id": text["session_id"].replace("", pd.NA).astype("string"),
            "submitted_at": submitted,
            "kirkpatrick_level": level.astype("Int64"),
            "item_id": text["item_id"],
            "item_text": text["item_text"],
            "scale": scale,
            "response_value": value.astype("float64"),
        }
    )[kept]
    return responses.reset_index(drop=True)[list(EVALUATION_FRAME_COLUMNS)]
