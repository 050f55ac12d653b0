"""Sample staff survey and course evaluation files for a trust, deterministic for a seed.

Writes what the survey contractor, the coordination centre and the learning hub would send: NHS Staff Survey
response files for 2021-2023 (questions renumbered each year, headings in the contractor's mixed case, 2021's
contractor labelling directorates without the ESR code prefix), the published 2023 organisation results,
quarterly pulse files for the last complete financial year with the trust's `LOCAL_NPS_LEARNING` item, and one
evaluations file covering all four Kirkpatrick levels. The last directorate, one department per directorate
and the last staff group are kept small so that suppression has work to do.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from connectors.surveys.constants import (
    LOCALITY_COLUMNS,
    NSS,
    ORGANISATION_CODE,
    ORGANISATION_NAME,
    PERIOD,
    PUBLISHED_COLUMNS,
    PULSE,
    RESULTS_XLSX_HEADINGS,
    SAMPLE_ID,
    STAFF_GROUP,
)
from connectors.surveys.definitions import SurveyDefinitions, load_survey_definitions
from transforms.survey_scoring import item_scores, respondent_scores

NSS_YEARS = (2021, 2022, 2023)
PUBLISHED_YEAR = 2023
BENCHMARK_GROUP = "Ambulance Trusts"
PULSE_QUARTERS = (1, 2, 4)
"""The national pulse runs in April, July and January; the annual survey takes the autumn quarter."""
LOCAL_NPS_COLUMN = "LOCAL_NPS_LEARNING"
DEFAULT_ORGANISATION_NAME = "Sample Ambulance Service NHS Trust"
DEFAULT_COURSES = (
    "ILS-1DAY",
    "SAFEGUARDING-ADULTS-L3",
    "MENTAL-HEALTH-AWARENESS",
    "CONFLICT-RESOLUTION",
    "DRIVING-BLUE-LIGHT-REFRESHER",
)
TESTED_COURSES = frozenset({"ILS-1DAY", "SAFEGUARDING-ADULTS-L3", "DRIVING-BLUE-LIGHT-REFRESHER"})
COURSE_KPIS = {
    "ILS-1DAY": ("kpi_cardiac_arrest_rosc_pct", 28.0, 3.0),
    "SAFEGUARDING-ADULTS-L3": ("kpi_safeguarding_referrals_per_1000_incidents", 11.0, 2.0),
    "MENTAL-HEALTH-AWARENESS": ("kpi_mental_health_conveyance_pct", 46.0, 4.0),
    "CONFLICT-RESOLUTION": ("kpi_violence_incidents_per_1000_shifts", 3.1, 0.6),
    "DRIVING-BLUE-LIGHT-REFRESHER": ("kpi_vehicle_incidents_per_100000_miles", 1.8, 0.4),
}
AREAS = ("North", "South", "East", "West", "Central")
PROMPTS = (
    "",
    "",
    "",
    "Really practical, the scenarios were close to what we see on shift.",
    'Trainer was excellent; the "hot debrief" section should be longer.',
    "Room was cold, and the e-learning pre-work didn't load on my phone.",
    "Would like a refresher every year, not every three.",
)


def write_sample_surveys(
    out_dir: Path,
    org_code: str,
    directorates: Sequence[str],
    staff_groups: Sequence[str],
    respondents: int,
    seed: int,
    as_of: date,
    *,
    organisation_name: str = DEFAULT_ORGANISATION_NAME,
    courses: Sequence[str] = DEFAULT_COURSES,
    departments: Mapping[str, Sequence[str]] | None = None,
) -> list[Path]:
    """Write the trust's survey and evaluation files into `out_dir`; returns the paths written, in order.

    `directorates` are org unit names as ESR gives them (`457 Operations`); `staff_groups` ESR staff groups;
    `respondents` the approximate number of NSS respondents a year (pulse quarters get about a third).
    `departments` optionally names each directorate's departments (ESR `Org Level 4` units) for LOCALITY2;
    a directorate without any gets one to three invented ones (`457 Operations North`).
    """
    if len(directorates) < 2 or len(staff_groups) < 2:
        raise ValueError("need at least two directorates and two staff groups")
    if respondents < 60:
        raise ValueError("need at least 60 respondents a year for realistic cuts")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    definitions = load_survey_definitions()
    org_code = org_code.upper()
    invented = {
        directorate: tuple(f"{directorate} {area}" for area in AREAS[: int(rng.integers(1, 4))])
        for directorate in directorates
    }
    departments = {
        directorate: tuple((departments or {}).get(directorate) or invented[directorate])
        for directorate in directorates
    }
    written = []
    for offset, year in enumerate(NSS_YEARS):
        count = int(respondents * rng.uniform(0.92, 1.08))
        people = _respondents(rng, count, directorates, departments, staff_groups, shift=0.08 * offset)
        frame = _nss_answers(rng, people, definitions, year)
        path = out_dir / f"nss_{year}_{org_code}_responses.csv"
        _write_responses(
            path,
            rng,
            people,
            frame,
            org_code,
            organisation_name,
            definitions,
            year,
            strip_unit_code=year == 2021,
        )
        written.append(path)
        if year == PUBLISHED_YEAR:
            results = _published_results(rng, people, frame, definitions, org_code, year)
            results_path = out_dir / f"nss_{year}_{org_code}_results.csv"
            results.to_csv(results_path, index=False, lineterminator="\n")
            written.append(results_path)
    written.append(
        _write_pulse(
            out_dir,
            rng,
            org_code,
            organisation_name,
            directorates,
            departments,
            staff_groups,
            respondents,
            as_of,
            definitions,
        )
    )
    written.append(_write_evaluations(out_dir, rng, courses, as_of))
    return written


def _respondents(
    rng: np.random.Generator,
    count: int,
    directorates: Sequence[str],
    departments: dict[str, tuple[str, ...]],
    staff_groups: Sequence[str],
    shift: float,
) -> pd.DataFrame:
    """Who answered: directorate, department, staff group and a latent engagement level (never written
    out)."""
    small_directorate = 6
    weights = np.array([1.0 / (rank + 1) for rank in range(len(directorates) - 1)])
    big = rng.multinomial(count - small_directorate, weights / weights.sum())
    directorate = np.repeat(np.array(directorates, dtype=object), [*big, small_directorate])
    department = np.empty(count, dtype=object)
    for name in directorates:
        rows = np.flatnonzero(directorate == name)
        units = departments[name]
        if len(units) == 1:
            department[rows] = units[0]
            continue
        shares = np.array([0.12] + [1.0] * (len(units) - 1))
        department[rows] = rng.choice(np.array(units, dtype=object), size=len(rows), p=shares / shares.sum())
    department[rng.random(count) < 0.03] = None
    small_group = 5
    group_weights = np.array([1.0 / (rank + 1) ** 0.7 for rank in range(len(staff_groups) - 1)])
    group = rng.choice(np.array(staff_groups[:-1], dtype=object), size=count, p=group_weights / group_weights.sum())
    group[rng.choice(count, size=small_group, replace=False)] = staff_groups[-1]
    effect = {name: rng.normal(0, 0.35) for name in directorates}
    engagement = np.array([effect[name] for name in directorate]) + rng.normal(shift, 1.0, count)
    order = rng.permutation(count)
    return pd.DataFrame(
        {
            "directorate": directorate[order],
            "department": department[order],
            "staff_group": group[order],
            "engagement": engagement[order],
        }
    ).reset_index(drop=True)


def _five_point(rng: np.random.Generator, engagement: np.ndarray, centre: float, negative: bool = False) -> np.ndarray:
    direction = -1.0 if negative else 1.0
    raw = centre + direction * 0.9 * engagement + rng.normal(0, 0.7, len(engagement))
    return np.clip(np.rint(raw), 1, 5).astype(float)


def _engagement_answers(rng: np.random.Generator, engagement: np.ndarray, items: list[str]) -> dict[str, np.ndarray]:
    centres = {"motivation": 3.6, "involvement": 3.4, "advocacy": 3.5}
    return {item: _five_point(rng, engagement, centres[item.split("_")[0]]) for item in items}


def _blank_some(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    values = values.copy()
    values[rng.random(len(values)) < share] = np.nan
    return values


def _nss_answers(
    rng: np.random.Generator, people: pd.DataFrame, definitions: SurveyDefinitions, year: int
) -> pd.DataFrame:
    """Answer codes by item id (NaN = not answered), one row per respondent."""
    engagement = people["engagement"].to_numpy()
    items = definitions.questions[
        (definitions.questions["survey"] == NSS) & (definitions.questions["year"] == str(year))
    ]["item_id"].tolist()
    answers: dict[str, np.ndarray] = _engagement_answers(
        rng,
        engagement,
        [item for item in items if item.split("_")[0] in {"motivation", "involvement", "advocacy"}],
    )
    for item in items:
        if item.startswith("development_"):
            answers[item] = _five_point(rng, engagement, 3.3 if item != "development_challenging_work" else 3.8)
        elif item.startswith("leaving_"):
            answers[item] = _five_point(rng, engagement, 2.7, negative=True)
    had = rng.choice([1.0, 2.0, 3.0], size=len(people), p=[0.78, 0.17, 0.05])
    answers["appraisal_had"] = had
    for item in ("appraisal_improve_job", "appraisal_clear_objectives", "appraisal_feel_valued"):
        quality = 2.0 - 0.6 * engagement + rng.normal(0, 0.6, len(people))
        codes = np.clip(np.rint(quality), 1, 3)
        answers[item] = np.where(had == 1.0, codes, np.nan)
    frame = pd.DataFrame({item: _blank_some(rng, values, 0.03) for item, values in answers.items()})
    return frame[items]


def _sample_ids(rng: np.random.Generator, count: int) -> list[str]:
    return [f"S{value:07d}" for value in rng.choice(9_000_000, size=count, replace=False) + 1_000_000]


def _heading(code: str, year: int) -> str:
    """Contractors differ in case: the 2021 and 2022 files say `Q19a`, the 2023 file `q23a`."""
    return code.upper()[0] + code[1:] if year < 2023 else code


def _unit_label(unit: object, strip_unit_code: bool) -> str:
    if unit is None or (isinstance(unit, float) and np.isnan(unit)):
        return ""
    return re.sub(r"^\d+\s+", "", str(unit)) if strip_unit_code else str(unit)


def _write_responses(
    path: Path,
    rng: np.random.Generator,
    people: pd.DataFrame,
    answers: pd.DataFrame,
    org_code: str,
    organisation_name: str,
    definitions: SurveyDefinitions,
    year: int,
    *,
    strip_unit_code: bool,
) -> None:
    codes = definitions.questions[
        (definitions.questions["survey"] == NSS) & (definitions.questions["year"] == str(year))
    ].set_index("item_id")
    columns = {
        SAMPLE_ID: _sample_ids(rng, len(people)),
        ORGANISATION_CODE: org_code,
        ORGANISATION_NAME: organisation_name,
        LOCALITY_COLUMNS[0]: [_unit_label(unit, strip_unit_code) for unit in people["directorate"]],
        LOCALITY_COLUMNS[1]: [_unit_label(unit, strip_unit_code) for unit in people["department"]],
        **{column: "" for column in LOCALITY_COLUMNS[2:]},
        STAFF_GROUP: people["staff_group"],
    }
    for item in answers.columns:
        columns[_heading(codes.loc[item, "question_code"], year)] = _codes_as_text(answers[item])
    pd.DataFrame(columns).to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def _codes_as_text(values: pd.Series) -> list[str]:
    return ["" if pd.isna(value) else str(int(value)) for value in values]


def _published_results(
    rng: np.random.Generator,
    people: pd.DataFrame,
    answers: pd.DataFrame,
    definitions: SurveyDefinitions,
    org_code: str,
    year: int,
) -> pd.DataFrame:
    """The coordination centre's figures for the trust: weighted by staff group (so they differ a little from
    an unweighted local recount), with benchmark best, average and worst beside them."""
    response_id = [f"r{index}" for index in range(len(people))]
    long = answers.assign(response_id=response_id).melt(id_vars="response_id", var_name="item_id", value_name="code")
    long = long.dropna(subset=["code"]).astype({"code": "int64"})
    scores = respondent_scores(item_scores(long, definitions))
    weight_of_group = {group: rng.uniform(0.7, 1.3) for group in sorted(people["staff_group"].unique())}
    weights = pd.Series([weight_of_group[group] for group in people["staff_group"]], index=response_id)
    scores = scores.assign(weight=scores["response_id"].map(weights))
    measure_types = {"always_learning": "element", "staff_engagement": "theme"}
    rows = []
    for measure, group in scores.groupby("measure"):
        score = round(float(np.average(group["score"], weights=group["weight"])), 1)
        kind = measure_types.get(measure, "sub_score")
        rows.append((kind, measure, "", score, None, len(group)))
    codes = definitions.questions[
        (definitions.questions["survey"] == NSS) & (definitions.questions["year"] == str(year))
    ].set_index("item_id")
    for item in [column for column in answers.columns if column.startswith("development_")]:
        answered = answers[item].notna()
        positive = (answers.loc[answered, item] >= 4).astype(float)
        pct = round(100 * float(np.average(positive, weights=weights[answered.to_numpy()].to_numpy())), 1)
        rows.append(("question", item, codes.loc[item, "question_code"], None, pct, int(answered.sum())))
    records = []
    for kind, measure, source_code, score, pct, n in rows:
        records.append(
            (
                NSS,
                year,
                org_code,
                BENCHMARK_GROUP,
                "organisation",
                kind,
                measure,
                source_code,
                score,
                pct,
                n,
                "false",
            )
        )
        for level, offset in (("benchmark_best", 0.6), ("benchmark_average", 0.1), ("benchmark_worst", -0.7)):
            bench_score = None if score is None else round(min(10.0, max(0.0, score + offset)), 1)
            bench_pct = None if pct is None else round(min(100.0, max(0.0, pct + 8 * offset)), 1)
            records.append(
                (
                    NSS,
                    year,
                    org_code,
                    BENCHMARK_GROUP,
                    level,
                    kind,
                    measure,
                    source_code,
                    bench_score,
                    bench_pct,
                    None,
                    "false",
                )
            )
    frame = pd.DataFrame(records, columns=list(PUBLISHED_COLUMNS))
    frame["n"] = frame["n"].astype("Int64")
    return frame


def write_published_results_xlsx(path: Path, results: pd.DataFrame, organisation_name: str) -> Path:
    """Write published results (the long layout) as the detailed workbook: one sheet per question block, four
    preamble rows, headings on row 5, `*` for suppressed figures."""
    definitions = load_survey_definitions()
    year = int(results["year"].iloc[0])
    org_code = str(results["org_code"].iloc[0])
    benchmark = str(results["benchmark_group"].dropna().iloc[0]) if results["benchmark_group"].notna().any() else ""
    labels = {
        "always_learning": "We are always learning",
        "staff_engagement": "Staff engagement",
        "development": "Development",
        "appraisals": "Appraisals",
        "motivation": "Motivation",
        "involvement": "Involvement",
        "advocacy": "Advocacy",
        "thinking_of_leaving": "Thinking about leaving",
        "morale": "Morale",
    }
    comparators = {
        "organisation": "Your organisation",
        "benchmark_best": "Benchmark best",
        "benchmark_average": "Benchmark average",
        "benchmark_worst": "Benchmark worst",
    }
    kinds = {"element": "Element", "theme": "Theme", "sub_score": "Sub-score", "question": "Question"}
    item_text = definitions.questions.drop_duplicates("item_id").set_index("item_id")["item_text"]
    sub_score_of = definitions.items.set_index("item_id")["sub_score"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    contents = workbook.create_sheet("Contents")
    contents.append([f"NHS Staff Survey {year} - Detailed spreadsheet"])
    contents.append(["Each sheet holds one question block. Figures are weighted unless marked Unweighted."])
    sheets: dict[str, list[pd.Series]] = {}
    for _, row in results.iterrows():
        if row["measure_type"] == "question":
            sheet = str(sub_score_of.get(row["measure_id"], "Other questions")).replace("_", " ").capitalize()
        else:
            sheet = "People Promise"
        sheets.setdefault(sheet, []).append(row)
    for sheet_name, rows in sheets.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([f"NHS Staff Survey {year} - Detailed spreadsheet"])
        sheet.append([f"{org_code} - {organisation_name}"])
        sheet.append([f"Benchmark group: {benchmark}"])
        sheet.append(["Groups of fewer than 11 responses are suppressed (*)."])
        sheet.append(list(RESULTS_XLSX_HEADINGS))
        for row in rows:
            suppressed = bool(row["suppressed"])
            is_question = row["measure_type"] == "question"
            sheet.append(
                [
                    kinds[row["measure_type"]],
                    item_text.get(row["measure_id"], "") if is_question else labels[row["measure_id"]],
                    row["source_code"] if is_question else None,
                    comparators[row["level"]],
                    "*" if suppressed else _cell(row["score_0_10"]),
                    "*" if suppressed and is_question else _cell(row["pct_positive"]),
                    _cell(row["n"]),
                    "Weighted",
                ]
            )
    workbook.save(path)
    return path


def _cell(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def _write_pulse(
    out_dir: Path,
    rng: np.random.Generator,
    org_code: str,
    organisation_name: str,
    directorates: Sequence[str],
    departments: dict[str, tuple[str, ...]],
    staff_groups: Sequence[str],
    respondents: int,
    as_of: date,
    definitions: SurveyDefinitions,
) -> Path:
    """The last financial year whose three pulse quarters (April, July, January) have all been run by `as_of`
    — the one whose January falls in `as_of`'s calendar year — with the trust's learning NPS item."""
    start = as_of.year - 1
    financial_year = f"{start}-{(start + 1) % 100:02d}"
    pulse_items = definitions.questions[definitions.questions["survey"] == PULSE].set_index("item_id")
    frames = []
    for quarter in PULSE_QUARTERS:
        count = max(60, int(respondents * rng.uniform(0.3, 0.4)))
        people = _respondents(rng, count, directorates, departments, staff_groups, shift=0.05 * quarter)
        engagement = people["engagement"].to_numpy()
        answers = _engagement_answers(rng, engagement, pulse_items.index.tolist())
        recommend = np.clip(np.rint(7.2 + 1.6 * engagement + rng.normal(0, 1.2, count)), 0, 10)
        frame = pd.DataFrame(
            {
                SAMPLE_ID: _sample_ids(rng, count),
                ORGANISATION_CODE: org_code,
                ORGANISATION_NAME: organisation_name,
                LOCALITY_COLUMNS[0]: [_unit_label(unit, False) for unit in people["directorate"]],
                LOCALITY_COLUMNS[1]: [_unit_label(unit, False) for unit in people["department"]],
                **{column: "" for column in LOCALITY_COLUMNS[2:]},
                STAFF_GROUP: people["staff_group"],
                PERIOD: f"{financial_year} Q{quarter}",
                **{
                    _heading(pulse_items.loc[item, "question_code"], 2021): _codes_as_text(
                        pd.Series(_blank_some(rng, values, 0.02))
                    )
                    for item, values in answers.items()
                },
                LOCAL_NPS_COLUMN: _codes_as_text(pd.Series(_blank_some(rng, recommend, 0.1))),
            }
        )
        frames.append(frame)
    path = out_dir / f"pulse_{org_code}_{financial_year}.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False, lineterminator="\n")
    return path


def _write_evaluations(out_dir: Path, rng: np.random.Generator, courses: Sequence[str], as_of: date) -> Path:
    """A year of feedback forms up to `as_of`: level 1 at the end of each session, level 2 pre/post tests for
    tested courses, level 3 follow-ups three to six months later, level 4 course KPIs each quarter. The last
    course is small, so most of its cells are suppressed."""
    rows: list[dict[str, object]] = []
    counter = iter(range(1, 10_000_000))
    first_month = date(as_of.year - 1, as_of.month, 1)

    def add(
        evaluation_id: str,
        course: str,
        session: str,
        learner: str,
        when: datetime,
        level: int,
        item: str,
        text: str,
        scale: str,
        value: object,
        free_text: str = "",
    ) -> None:
        rows.append(
            {
                "evaluation_id": evaluation_id,
                "course_id": course,
                "session_id": session,
                "learner_ref": learner,
                "submitted_at": when.isoformat(timespec="seconds"),
                "kirkpatrick_level": level,
                "item_id": item,
                "item_text": text,
                "scale": scale,
                "response_value": value,
                "free_text": free_text,
            }
        )

    for position, course in enumerate(courses):
        small = position == len(courses) - 1
        quality = rng.normal(0, 0.4)
        for month in range(12):
            month_start = date(
                first_month.year + (first_month.month - 1 + month) // 12,
                (first_month.month - 1 + month) % 12 + 1,
                1,
            )
            if small and month % 3:
                continue
            session_day = month_start + timedelta(days=int(rng.integers(2, 25)))
            if session_day > as_of:
                continue
            session = f"{course}-{session_day:%Y%m%d}"
            learners = int(rng.integers(2, 5)) if small else int(rng.integers(5, 14))
            for _ in range(learners):
                learner = f"L{int(rng.integers(10_000_000, 99_999_999))}"
                finished = datetime.combine(session_day, datetime.min.time()) + timedelta(
                    hours=16, minutes=int(rng.integers(0, 90))
                )
                evaluation_id = f"EV{next(counter):07d}"
                liking = rng.normal(quality, 0.8)
                free_text = str(rng.choice(PROMPTS))
                add(
                    evaluation_id,
                    course,
                    session,
                    "",
                    finished,
                    1,
                    "satisfaction",
                    "Overall, how satisfied were you with this course?",
                    "rating5",
                    int(np.clip(np.rint(4.1 + liking), 1, 5)),
                    free_text,
                )
                add(
                    evaluation_id,
                    course,
                    session,
                    "",
                    finished,
                    1,
                    "relevance",
                    "How relevant was the course to your role?",
                    "rating5",
                    int(np.clip(np.rint(4.0 + liking), 1, 5)),
                )
                add(
                    evaluation_id,
                    course,
                    session,
                    "",
                    finished,
                    1,
                    "recommend",
                    "How likely are you to recommend this course to a colleague?",
                    "nps11",
                    int(np.clip(np.rint(8.0 + 1.5 * liking), 0, 10)),
                )
                if course in TESTED_COURSES:
                    evaluation_id = f"EV{next(counter):07d}"
                    pre = float(np.clip(np.rint(rng.normal(58, 12)), 0, 100))
                    post = float(np.clip(np.rint(pre + rng.normal(22, 8)), 0, 100))
                    add(
                        evaluation_id,
                        course,
                        session,
                        learner,
                        finished,
                        2,
                        "pre_test_pct",
                        "Pre-course knowledge test score (%)",
                        "percent",
                        pre,
                    )
                    add(
                        evaluation_id,
                        course,
                        session,
                        learner,
                        finished,
                        2,
                        "post_test_pct",
                        "Post-course knowledge test score (%)",
                        "percent",
                        post,
                    )
                follow_up = finished + timedelta(days=int(rng.integers(91, 183)))
                if follow_up.date() <= as_of and rng.random() < 0.7:
                    applied = "Yes" if rng.random() < 0.72 + 0.1 * quality else "No"
                    add(
                        f"EV{next(counter):07d}",
                        course,
                        session,
                        learner,
                        follow_up,
                        3,
                        "applied_in_practice",
                        "Have you applied what you learned in your practice?",
                        "yes_no",
                        applied,
                    )
        kpi, centre, spread = COURSE_KPIS.get(course, (f"kpi_{course.lower().replace('-', '_')}", 50.0, 5.0))
        for quarter in range(4):
            quarter_end = first_month + timedelta(days=91 * (quarter + 1) - 1)
            if quarter_end > as_of:
                continue
            when = datetime.combine(quarter_end, datetime.min.time()) + timedelta(hours=9)
            add(
                f"KPI-{course}-{quarter_end:%Y%m}",
                course,
                "",
                "",
                when,
                4,
                kpi,
                "Organisational outcome linked to the course",
                "number",
                round(float(rng.normal(centre, spread)), 2),
            )
    path = out_dir / f"evaluations_{as_of:%Y%m%d}.csv"
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
    return path
