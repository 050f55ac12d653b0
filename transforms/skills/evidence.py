"""From learning evidence to the skills each person holds.

Evidence comes from every source (ESR competences, Totara certifications, courses and competencies, university
modules) and evidences every skill whose framework row names its source and key; keys match case-insensitively
after trimming. Evidence without an achievement date (a certification only `Assigned`) or dated after the
reporting date D is ignored.

How long one piece of evidence keeps a skill valid (`valid_until`):
1. `no_expiry` set: never lapses, whatever else the row says;
2. otherwise the source's own expiry date where it gives one (a Totara certification, an ESR competence);
3. otherwise the achievement date plus the framework row's `Valid For Months` (a month-end date clips to the
   shorter month: 31 January + 1 month is 28/29 February);
4. otherwise (blank `Valid For Months`) it never lapses.

A skill with several pieces of evidence is as good as its best one ("any one of them in date is enough"): the
evidence lasting longest gives `valid_until`, `evidence_source` and `evidence_key`, never-lapsing evidence beating
any date. Ties go to the later achievement, then to the source order of `framework.EVIDENCE_SOURCES`, then to the
key in alphabetical order, so the choice never depends on row order. `evidenced_on` is separately the latest
achievement from any of the skill's evidence on or before D: when the skill was last evidenced.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.skills.frames import as_timestamps, fold, published, require_columns
from transforms.skills.framework import EVIDENCE_SOURCES, framework_evidence, skill_catalogue
from transforms.skills.status import valid_on

EVIDENCE_COLUMNS = (
    "vpd",
    "employee_number",
    "evidence_source",
    "evidence_key",
    "achieved_on",
    "expires_on",
    "no_expiry",
)

LOG_COLUMNS = [
    "vpd",
    "employee_number",
    "skill_code",
    "skill_name",
    "category",
    "evidenced_on",
    "valid_until",
    "evidence_source",
    "evidence_key",
]

_PERSON_SKILL = ["vpd", "employee_number", "skill_code"]
_SOURCE_ORDER = {source: position for position, source in enumerate(EVIDENCE_SOURCES)}


def evidence_valid_until(
    achieved_on: pd.Series, expires_on: pd.Series, no_expiry: pd.Series, valid_for_months: pd.Series
) -> pd.Series:
    """When each piece of evidence stops counting (rules 1–4 above); NaT means it never lapses.

    The four Series are aligned row by row; `valid_for_months` is the matched framework row's period (NaN blank).
    """
    achieved = as_timestamps(achieved_on)
    given = as_timestamps(expires_on)
    months = pd.to_numeric(valid_for_months, errors="coerce")
    derived = pd.Series(pd.NaT, index=achieved.index, dtype="datetime64[ns]")
    for period in months.dropna().unique():
        rows = months == period
        derived.loc[rows] = achieved.loc[rows] + pd.DateOffset(months=int(period))
    never = no_expiry.fillna(False).astype(bool)
    return given.where(given.notna(), derived).mask(never, pd.NaT)


def evidenced_skills(evidence: pd.DataFrame, framework: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per person and skill evidenced on or before D, lapsed skills included (the gap rules need them).

    `evidence`: one row per piece of learning evidence, columns EVIDENCE_COLUMNS (`evidence_key` is the
    competence name, certification, course or competency ID number, or module code). Columns out: LOG_COLUMNS,
    with `evidence_source` as the framework's source code and `evidence_key` as the framework spells it.
    Dates are published as `datetime.date`, and `valid_until` None means the skill never lapses.
    """
    require_columns(evidence, EVIDENCE_COLUMNS, "skills evidence")
    mapping = framework_evidence(framework)
    achieved = as_timestamps(evidence["achieved_on"])
    dated = evidence.loc[achieved.notna() & (achieved <= pd.Timestamp(as_of))]
    matched = dated.assign(
        achieved_on=achieved.loc[dated.index],
        _source=fold(dated["evidence_source"]),
        _key=fold(dated["evidence_key"]),
    ).drop(columns=["evidence_source", "evidence_key"])
    matched = matched.merge(mapping, on=["_source", "_key"])
    if matched.empty:
        return published(matched, LOG_COLUMNS)
    matched["valid_until"] = evidence_valid_until(
        matched["achieved_on"], matched["expires_on"], matched["no_expiry"], matched["valid_for_months"]
    )
    matched["evidenced_on"] = matched.groupby(_PERSON_SKILL)["achieved_on"].transform("max")
    matched["_never"] = matched["valid_until"].isna()
    matched["_preference"] = matched["_source"].map(_SOURCE_ORDER)
    ordered = matched.sort_values(
        [*_PERSON_SKILL, "_never", "valid_until", "achieved_on", "_preference", "_key"],
        ascending=[True, True, True, False, False, False, True, True],
        na_position="last",
    )
    best = ordered.drop_duplicates(_PERSON_SKILL, keep="first").merge(skill_catalogue(framework), on="skill_code")
    best = best.sort_values(_PERSON_SKILL)
    return published(best, LOG_COLUMNS, date_columns=("evidenced_on", "valid_until"))


def skills_log(evidenced: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The skills log: one row per person and skill held on D (valid after D or never lapsing).

    `evidenced` is `evidenced_skills(...)` for the same D; lapsed skills are left out of the log (they show as
    `lapsed` in the gap table instead).
    """
    holding = valid_on(evidenced["evidenced_on"], evidenced["valid_until"], pd.Timestamp(as_of))
    return evidenced.loc[holding.to_numpy(dtype=bool)].reset_index(drop=True)
