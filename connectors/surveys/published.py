"""Published NHS Staff Survey organisation results, from the long CSV or the official detailed XLSX workbook.

Published scores are weighted by the survey's coordination centre, so they are kept exactly as published and
are never recomputed; local scoring only adds cuts the national results do not publish.

Long CSV `nss_<year>_<org code>_results.csv`, one row per year x organisation x comparator level x measure:
`survey,year,org_code,benchmark_group,level,measure_type,measure_id,source_code,score_0_10,pct_positive,n,
suppressed`. `level` is `organisation` for the trust's own figures (`benchmark_best`, `benchmark_average`,
`benchmark_worst` for its benchmark group); question rows carry the year's question code in `source_code` and
may leave `measure_id` blank, in which case the question map supplies the stable item id.

Detailed workbook `nss_<year>_<org code>_results.xlsx`: one sheet per question block (`People Promise`,
`Motivation`, `Development`, ...; sheets called Contents or Notes are skipped). Rows 1-4 are a preamble —
title (`NHS Staff Survey 2023 - Detailed spreadsheet`), organisation (`R1F - Sample Ambulance Service NHS
Trust`), benchmark group (`Benchmark group: Ambulance Trusts`), notes — and row 5 holds the headings
`Measure type | Measure | Question | Comparator | Score (0-10) | % positive | Base | Weighting`, one row per
measure and comparator below it. `*` in a figure marks a suppressed group; `Base` is the number of responses
behind the figure; `Weighting` says whether it is `Weighted` or `Unweighted`. Both layouts read into the same
long frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from connectors.surveys.constants import (
    NSS,
    NSS_RESULTS_NAME,
    PUBLISHED_COLUMNS,
    PUBLISHED_MEASURE_LABELS,
    PUBLISHED_MEASURE_TYPES,
    RESULTS_XLSX_COMPARATORS,
    RESULTS_XLSX_HEADING_ROW,
    RESULTS_XLSX_HEADINGS,
    RESULTS_XLSX_MEASURE_TYPES,
    RESULTS_XLSX_SKIPPED_SHEETS,
    RESULTS_XLSX_SUPPRESSED,
    RESULTS_XLSX_WEIGHTINGS,
)
from connectors.surveys.definitions import SurveyDefinitions, load_survey_definitions
from connectors.surveys.errors import SurveyFileError
from connectors.surveys.tables import ProblemLog, read_table, table_from_records, xlsx_sheets

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PublishedResults:
    """One published results file: `results` in the long layout (one row per comparator level and measure,
    figures as published: score_0_10 and pct_positive Float64, n Int64, suppressed bool) and `problems`."""

    source: Path
    year: int
    org_code: str
    results: pd.DataFrame
    problems: pd.DataFrame


def read_published_results(path: Path, definitions: SurveyDefinitions | None = None) -> PublishedResults:
    """Read `nss_<year>_<org code>_results.csv` or the detailed `.xlsx` workbook into the long layout."""
    path = Path(path)
    match = NSS_RESULTS_NAME.match(path.name)
    if not match:
        raise SurveyFileError(path, "file name must be nss_<year>_<org code>_results.csv (or .xlsx)")
    year, org_code = int(match["year"]), match["org"].upper()
    definitions = definitions or load_survey_definitions()
    problems = ProblemLog()
    if match["ext"].lower() == "xlsx":
        text = _workbook_rows(path, year, org_code, definitions, problems)
    else:
        text = _csv_rows(path, problems)
    results = _validated(path, text, year, org_code, definitions, problems)
    return PublishedResults(source=path, year=year, org_code=org_code, results=results, problems=problems.frame())


def _csv_rows(path: Path, problems: ProblemLog) -> pd.DataFrame:
    """The long CSV as text, with `_row` (spreadsheet row) and `_where` (field prefix, blank for CSV)."""
    table = read_table(path)
    by_key = {heading.casefold(): heading for heading in table.headings}
    missing = [column for column in PUBLISHED_COLUMNS if column not in by_key]
    if missing:
        raise SurveyFileError(path, f"required columns missing: {', '.join(missing)}", row=1, field=missing[0])
    for heading in table.headings:
        if heading.casefold() not in PUBLISHED_COLUMNS:
            problems.add(1, heading, "", "column is not part of the published results layout; ignored")
    if table.rows.empty:
        raise SurveyFileError(path, "has headings but no results")
    text = pd.DataFrame({column: table.rows[by_key[column]] for column in PUBLISHED_COLUMNS})
    text["_row"] = table.rows.index
    text["_where"] = ""
    return text.reset_index(drop=True)


def _workbook_rows(
    path: Path, year: int, org_code: str, definitions: SurveyDefinitions, problems: ProblemLog
) -> pd.DataFrame:
    """The detailed workbook's sheets, translated to the long layout's columns as text."""
    frames = []
    for sheet, records in xlsx_sheets(path).items():
        if sheet.strip().casefold() in RESULTS_XLSX_SKIPPED_SHEETS:
            continue
        preamble = {row_number: cells for row_number, cells in records if row_number < RESULTS_XLSX_HEADING_ROW}
        title = " ".join(preamble.get(1, []))
        title_year = re.search(r"\b(20\d{2})\b", title)
        if title_year and int(title_year[1]) != year:
            raise SurveyFileError(
                path,
                f"sheet {sheet!r}: the title names {title_year[1]} but the file name says {year}",
                row=1,
                value=title,
            )
        benchmark = " ".join(cell for cell in preamble.get(3, []) if cell)
        benchmark = re.sub(r"^benchmark group:\s*", "", benchmark, flags=re.IGNORECASE)
        table = table_from_records(
            path,
            [record for record in records if record[0] >= RESULTS_XLSX_HEADING_ROW],
            heading_row=RESULTS_XLSX_HEADING_ROW,
            sheet=sheet,
        )
        if tuple(heading.casefold() for heading in table.headings) != tuple(
            heading.casefold() for heading in RESULTS_XLSX_HEADINGS
        ):
            raise SurveyFileError(
                path,
                f"sheet {sheet!r}: row {RESULTS_XLSX_HEADING_ROW} must hold the headings "
                f"{' | '.join(RESULTS_XLSX_HEADINGS)} (after four preamble rows)",
                row=RESULTS_XLSX_HEADING_ROW,
                value=" | ".join(table.headings),
            )
        rows = table.rows.set_axis(list(RESULTS_XLSX_HEADINGS), axis=1)
        frames.append(_sheet_as_long(rows, sheet, year, org_code, benchmark, problems))
    if not frames or all(frame.empty for frame in frames):
        raise SurveyFileError(path, "workbook has no result rows on any question-block sheet")
    return pd.concat(frames, ignore_index=True)


def _sheet_as_long(
    rows: pd.DataFrame, sheet: str, year: int, org_code: str, benchmark: str, problems: ProblemLog
) -> pd.DataFrame:
    where = f"{sheet}: "
    level = rows["Comparator"].str.casefold().map(RESULTS_XLSX_COMPARATORS)
    measure_type = rows["Measure type"].str.casefold().map(RESULTS_XLSX_MEASURE_TYPES)
    label_id = rows["Measure"].str.strip().str.casefold().map(PUBLISHED_MEASURE_LABELS)
    is_question = measure_type == "question"
    weighting_ok = rows["Weighting"].str.casefold().isin(RESULTS_XLSX_WEIGHTINGS)
    checks = (
        (level.isna(), "Comparator", f"comparator must be one of {', '.join(RESULTS_XLSX_COMPARATORS)}"),
        (
            measure_type.isna(),
            "Measure type",
            f"measure type must be one of {', '.join(RESULTS_XLSX_MEASURE_TYPES)}",
        ),
        (
            measure_type.notna() & ~is_question & label_id.isna(),
            "Measure",
            "not a published element, theme or sub-score name this reader knows",
        ),
        (~weighting_ok, "Weighting", "weighting must be Weighted or Unweighted"),
    )
    bad = pd.Series(False, index=rows.index)
    for failed, heading, reason in checks:
        failed = failed & ~bad
        problems.add_many(rows.index[failed], where + heading, rows.loc[failed, heading], reason + "; row set aside")
        bad |= failed
    rows = rows[~bad]
    score, pct, base = rows["Score (0-10)"], rows["% positive"], rows["Base"]
    suppressed = (score == RESULTS_XLSX_SUPPRESSED) | (pct == RESULTS_XLSX_SUPPRESSED)
    return pd.DataFrame(
        {
            "survey": NSS,
            "year": str(year),
            "org_code": org_code,
            "benchmark_group": benchmark,
            "level": level[~bad],
            "measure_type": measure_type[~bad],
            "measure_id": label_id[~bad].where(~is_question[~bad], "").fillna(""),
            "source_code": rows["Question"],
            "score_0_10": score.replace(RESULTS_XLSX_SUPPRESSED, ""),
            "pct_positive": pct.replace(RESULTS_XLSX_SUPPRESSED, ""),
            "n": base.replace(RESULTS_XLSX_SUPPRESSED, ""),
            "suppressed": suppressed.map({True: "true", False: "false"}),
            "_row": rows.index,
            "_where": where,
        }
    ).reset_index(drop=True)


def _validated(
    path: Path,
    text: pd.DataFrame,
    year: int,
    org_code: str,
    definitions: SurveyDefinitions,
    problems: ProblemLog,
) -> pd.DataFrame:
    """Check every row of the long layout, set aside bad rows with a problem each, and type the columns."""
    bad = pd.Series(False, index=text.index)

    def reject(failed: pd.Series, column: str, reason: str) -> None:
        nonlocal bad
        failed = failed & ~bad
        for index in text.index[failed]:
            problems.add(
                int(text.at[index, "_row"]),
                text.at[index, "_where"] + column,
                text.at[index, column],
                reason + "; row set aside",
            )
        bad |= failed

    reject(text["survey"].str.upper() != NSS, "survey", f"survey must be {NSS}")
    reject(text["year"] != str(year), "year", f"year must be {year}, the year in the file name")
    reject(
        text["org_code"].str.upper() != org_code,
        "org_code",
        f"org_code must be {org_code}, as in the file name",
    )
    reject(text["level"] == "", "level", "level is blank")
    reject(
        ~text["measure_type"].isin(PUBLISHED_MEASURE_TYPES),
        "measure_type",
        f"measure_type must be one of {', '.join(PUBLISHED_MEASURE_TYPES)}",
    )

    is_question = text["measure_type"] == "question"
    mapped = text["source_code"].map(lambda code: definitions.item_for(NSS, year, code) if code else None)
    reject(
        is_question & mapped.isna(),
        "source_code",
        f"question code is not in schemas/survey_questions.csv for {NSS} {year}",
    )
    disagrees = is_question & mapped.notna() & (text["measure_id"] != "") & (text["measure_id"] != mapped)
    reject(disagrees, "measure_id", "measure_id disagrees with the question map for this question code")
    measure_id = text["measure_id"].where(~is_question | (text["measure_id"] != ""), mapped)
    text = text.assign(measure_id=measure_id.fillna(""))
    reject(~text["measure_id"].str.match(_SLUG), "measure_id", "measure_id must be a lower-case id")

    score = pd.to_numeric(text["score_0_10"].replace("", None), errors="coerce")
    reject(
        (text["score_0_10"] != "") & ~score.between(0, 10),
        "score_0_10",
        "score must be a number from 0 to 10",
    )
    pct = pd.to_numeric(text["pct_positive"].replace("", None), errors="coerce")
    reject(
        (text["pct_positive"] != "") & ~pct.between(0, 100),
        "pct_positive",
        "pct_positive must be a number from 0 to 100",
    )
    n = pd.to_numeric(text["n"].replace("", None), errors="coerce")
    reject((text["n"] != "") & ~((n >= 0) & (n % 1 == 0)), "n", "n must be a whole number of responses")
    flag = text["suppressed"].str.strip().str.casefold()
    reject(~flag.isin(_TRUE | _FALSE), "suppressed", "suppressed must be true or false")
    duplicate = text.duplicated(["level", "measure_type", "measure_id"], keep="first")
    reject(duplicate, "measure_id", "the same level and measure appear twice")

    kept = ~bad
    results = pd.DataFrame(
        {
            "survey": NSS,
            "year": year,
            "org_code": org_code,
            "benchmark_group": text["benchmark_group"].replace("", pd.NA).astype("string"),
            "level": text["level"].str.strip().str.lower(),
            "measure_type": text["measure_type"],
            "measure_id": text["measure_id"],
            "source_code": text["source_code"].str.lower().replace("", pd.NA).astype("string"),
            "score_0_10": score.astype("Float64"),
            "pct_positive": pct.astype("Float64"),
            "n": n.astype("Int64"),
            "suppressed": flag.isin(_TRUE),
        }
    )[kept]
    return results[list(PUBLISHED_COLUMNS)].reset_index(drop=True)
