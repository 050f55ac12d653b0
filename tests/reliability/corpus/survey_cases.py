"""Malformed staff survey and evaluation files.

Response files re-deliver the baseline's 2023 NHS Staff Survey file under its own name, so a refused one must
leave the earlier delivery (and the marts built from it) exactly as they were.
"""

from __future__ import annotations

from tests.reliability.corpus.model import BadFile, csv_bytes, loaded, refused, xlsx_bytes

NSS = "surveys/nss_2023_R1F_responses.csv"
PULSE = "surveys/pulse_R1F_2025-26.csv"
RESULTS = "surveys/nss_2023_R1F_results.csv"
EVALUATIONS = "surveys/evaluations_20261124.csv"
NSS_HEADINGS = ["Sample ID", "Organisation code", "Organisation Name", "LOCALITY1", "STAFFGROUP", "q2a", "q24a", "q24b"]
PULSE_HEADINGS = [
    "Sample ID",
    "Organisation code",
    "Organisation Name",
    "LOCALITY1",
    "STAFFGROUP",
    "Period",
    "Q1a",
    "LOCAL_NPS_LEARNING",
]
RESULTS_HEADINGS = [
    "survey",
    "year",
    "org_code",
    "benchmark_group",
    "level",
    "measure_type",
    "measure_id",
    "source_code",
    "score_0_10",
    "pct_positive",
    "n",
    "suppressed",
]
EVALUATION_HEADINGS = [
    "evaluation_id",
    "course_id",
    "session_id",
    "learner_ref",
    "submitted_at",
    "kirkpatrick_level",
    "item_id",
    "item_text",
    "scale",
    "response_value",
    "free_text",
]
GROUPS = ("Allied Health Professionals", "Administrative and Clerical")


def _respondent(number: int, **changes: str) -> dict[str, str]:
    row = {
        "Sample ID": f"S{7_000_000 + number}",
        "Organisation code": "R1F",
        "Organisation Name": "Sample Ambulance Service NHS Trust",
        "LOCALITY1": "457 Operations",
        "STAFFGROUP": GROUPS[number % 2],
        "q2a": str(1 + number % 5),
        "q24a": str(1 + (number * 2) % 5),
        "q24b": str(1 + (number * 3) % 5),
    }
    row.update(changes)
    return row


def _nss_with(bad: dict[str, str], headings: list[str] = NSS_HEADINGS) -> bytes:
    """Twenty-four respondents (rows 2-25), then `bad` as row 26."""
    return csv_bytes(headings, [*(_respondent(n) for n in range(24)), bad])


def _pulse_with(bad: dict[str, str]) -> bytes:
    good = [
        {**_respondent(n), "Period": "2025-26 Q1", "Q1a": str(1 + n % 5), "LOCAL_NPS_LEARNING": str(n % 11)}
        for n in range(24)
    ]
    return csv_bytes(PULSE_HEADINGS, [*good, bad])


def _evaluation(number: int, **changes: str) -> dict[str, str]:
    row = {
        "evaluation_id": f"EV9{number:06d}",
        "course_id": "ILS-1DAY",
        "session_id": "ILS-1DAY-20261124",
        "learner_ref": f"L{number:05d}",
        "submitted_at": "2026-11-24T16:16:00",
        "kirkpatrick_level": "1",
        "item_id": "satisfaction",
        "item_text": "Overall, how satisfied were you with this course?",
        "scale": "rating5",
        "response_value": str(1 + number % 5),
        "free_text": "",
    }
    row.update(changes)
    return row


def _evaluations_with(bad: dict[str, str]) -> bytes:
    return csv_bytes(EVALUATION_HEADINGS, [*(_evaluation(n) for n in range(12)), bad])


def _result(measure: str, **changes: str) -> dict[str, str]:
    row = dict.fromkeys(RESULTS_HEADINGS, "")
    row.update(
        survey="NSS",
        year="2023",
        org_code="R1F",
        benchmark_group="Ambulance Trusts",
        level="organisation",
        measure_type="sub_score",
        measure_id=measure,
        score_0_10="6.4",
        n="111",
        suppressed="false",
    )
    row.update(changes)
    return row


def _results_with(bad: dict[str, str]) -> bytes:
    good = [_result(m) for m in ("advocacy", "motivation", "involvement", "development", "appraisals")]
    return csv_bytes(RESULTS_HEADINGS, [*good, bad])


def _xlsx_notes_first() -> bytes:
    rows = [NSS_HEADINGS, *([r[h] for h in NSS_HEADINGS] for r in (_respondent(n) for n in range(24)))]
    return xlsx_bytes({"Notes": [["Responses exported by the survey contractor"]], "Responses": rows})


def _mostly_other_organisation() -> bytes:
    rows = [_respondent(n, **({"Organisation code": "RX9"} if n % 2 else {})) for n in range(12)]
    return csv_bytes(NSS_HEADINGS, rows)


SURVEY_CASES: tuple[BadFile, ...] = (
    BadFile(
        "survey-unmapped-question",
        "survey_responses",
        NSS,
        lambda: _nss_with({**_respondent(99), "q99z": "3"}, [*NSS_HEADINGS, "q99z"]),
        refused("q99z", "row 1"),
        25,
    ),
    BadFile(
        "survey-undeclared-column",
        "survey_responses",
        NSS,
        lambda: _nss_with(
            {**_respondent(99), "Favourite Biscuit": "Custard cream"}, [*NSS_HEADINGS, "Favourite Biscuit"]
        ),
        refused("Favourite Biscuit", "row 1"),
        25,
    ),
    BadFile(
        "survey-headings-only",
        "survey_responses",
        NSS,
        lambda: csv_bytes(NSS_HEADINGS, []),
        refused("no responses"),
        0,
    ),
    BadFile(
        "survey-code-out-of-range",
        "survey_responses",
        NSS,
        lambda: _nss_with(_respondent(99, q24a="7")),
        loaded((26, "q24a")),
        25,
    ),
    BadFile(
        "survey-answer-not-a-code",
        "survey_responses",
        NSS,
        lambda: _nss_with(_respondent(99, q2a="Agree")),
        loaded((26, "q2a")),
        25,
    ),
    BadFile(
        "survey-response-from-another-organisation",
        "survey_responses",
        NSS,
        lambda: _nss_with(_respondent(99, **{"Organisation code": "RX9"})),
        loaded((26, "Organisation code")),
        25,
    ),
    BadFile(
        "survey-mostly-another-organisation",
        "survey_responses",
        NSS,
        _mostly_other_organisation,
        refused("failed validation"),
        12,
    ),
    BadFile(
        "survey-pulse-period-outside-the-year",
        "survey_responses",
        PULSE,
        lambda: _pulse_with({**_respondent(99), "Period": "2025-26 Q5", "Q1a": "3", "LOCAL_NPS_LEARNING": "9"}),
        loaded((26, "Period")),
        25,
    ),
    BadFile(
        "survey-pulse-nps-out-of-range",
        "survey_responses",
        PULSE,
        lambda: _pulse_with({**_respondent(99), "Period": "2025-26 Q1", "Q1a": "3", "LOCAL_NPS_LEARNING": "11"}),
        loaded((26, "LOCAL_NPS_LEARNING")),
        25,
    ),
    BadFile(
        "survey-utf16",
        "survey_responses",
        NSS,
        lambda: csv_bytes(NSS_HEADINGS, [_respondent(n) for n in range(24)], encoding="utf-16"),
        refused("UTF-16"),
        24,
    ),
    BadFile(
        "survey-xlsx-notes-sheet-first",
        "survey_responses",
        NSS.replace(".csv", ".xlsx"),
        _xlsx_notes_first,
        refused("row 1"),
        24,
    ),
    BadFile(
        "survey-evaluation-unknown-kirkpatrick-level",
        "course_evaluations",
        EVALUATIONS,
        lambda: _evaluations_with(_evaluation(99, kirkpatrick_level="7")),
        loaded((14, "kirkpatrick_level")),
        13,
    ),
    BadFile(
        "survey-evaluation-free-text-column-renamed",
        "course_evaluations",
        EVALUATIONS,
        lambda: csv_bytes([*EVALUATION_HEADINGS[:-1], "comments"], [[*_evaluation(n).values()] for n in range(12)]),
        refused("comments", "personal data"),
        12,
    ),
    BadFile(
        "survey-results-n-not-a-number",
        "survey_results",
        RESULTS,
        lambda: _results_with(_result("staff_engagement", measure_type="theme", n="lots")),
        loaded((7, "n")),
        6,
    ),
)
