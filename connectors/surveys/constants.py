"""Names fixed by the survey files: headings, file-name patterns, survey labels and the reporting
threshold."""

from __future__ import annotations

import re

NSS = "NSS"
"""The NHS Staff Survey, as named in the question map and the published results."""

PULSE = "NQPS"
"""The National Quarterly Pulse Survey (and the trust's local pulse items carried in the same files)."""

REPORTING_THRESHOLD = 11
"""The NHS Staff Survey's rule: no published group may rest on fewer than 11 responses."""

SAMPLE_ID = "Sample ID"
ORGANISATION_CODE = "Organisation code"
ORGANISATION_NAME = "Organisation Name"
STAFF_GROUP = "STAFFGROUP"
PERIOD = "Period"
LOCALITY_COLUMNS = tuple(f"LOCALITY{number}" for number in range(1, 9))

QUESTION_CODE = re.compile(r"^q\d{1,2}[a-z]?$", re.IGNORECASE)
"""A contractor question heading such as `Q2a` or `q24c`."""

NSS_RESPONSES_NAME = re.compile(
    r"^nss_(?P<year>\d{4})_(?P<org>[A-Za-z0-9]+)_responses\.(?P<ext>csv|xlsx)$", re.IGNORECASE
)
NSS_RESULTS_NAME = re.compile(r"^nss_(?P<year>\d{4})_(?P<org>[A-Za-z0-9]+)_results\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
PULSE_NAME = re.compile(r"^pulse_(?P<org>[A-Za-z0-9]+)_(?P<fy>\d{4}-\d{2})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
EVALUATIONS_NAME = re.compile(r"^evaluations_(?P<date>\d{8})\.csv$", re.IGNORECASE)

PULSE_PERIOD = re.compile(r"^(?P<fy>\d{4}-\d{2}) Q(?P<quarter>[1-4])$")
"""A pulse period label: financial year and quarter, `2024-25 Q1` (April-June 2024)."""

PUBLISHED_COLUMNS = (
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
)
PUBLISHED_MEASURE_TYPES = ("element", "theme", "sub_score", "question")

EVALUATION_COLUMNS = (
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
)
EVALUATION_DROPPED_COLUMNS = ("learner_ref", "free_text")
"""Person references and free text: dropped as the file is parsed, never held in a frame."""

EVALUATION_SCALES = {
    "rating5": (1.0, 5.0),
    "nps11": (0.0, 10.0),
    "percent": (0.0, 100.0),
    "yes_no": (0.0, 1.0),
    "number": (float("-inf"), float("inf")),
}
"""Scales a feedback-form item may declare, with the range of its numeric value. `yes_no` reads Yes/No as 1/0;
`number` is a level 4 organisational figure given as it is."""

PRE_TEST_ITEM = "pre_test_pct"
POST_TEST_ITEM = "post_test_pct"
"""The level 2 items whose difference within one evaluation is the learning gain."""

RESULTS_XLSX_HEADING_ROW = 5
"""The detailed results workbook: four preamble rows (title, organisation, benchmark group, notes), headings
on 5."""

RESULTS_XLSX_HEADINGS = (
    "Measure type",
    "Measure",
    "Question",
    "Comparator",
    "Score (0-10)",
    "% positive",
    "Base",
    "Weighting",
)
RESULTS_XLSX_SKIPPED_SHEETS = ("contents", "notes", "read me", "readme")
RESULTS_XLSX_SUPPRESSED = "*"
RESULTS_XLSX_WEIGHTINGS = ("weighted", "unweighted")
RESULTS_XLSX_COMPARATORS = {
    "your organisation": "organisation",
    "benchmark best": "benchmark_best",
    "benchmark average": "benchmark_average",
    "benchmark worst": "benchmark_worst",
}
RESULTS_XLSX_MEASURE_TYPES = {
    "element": "element",
    "theme": "theme",
    "sub-score": "sub_score",
    "question": "question",
}
PUBLISHED_MEASURE_LABELS = {
    "we are always learning": "always_learning",
    "development": "development",
    "appraisals": "appraisals",
    "staff engagement": "staff_engagement",
    "motivation": "motivation",
    "involvement": "involvement",
    "advocacy": "advocacy",
    "morale": "morale",
    "thinking about leaving": "thinking_of_leaving",
}
"""Published names of the People Promise elements, themes and sub-scores, and the measure ids we keep them
under."""
