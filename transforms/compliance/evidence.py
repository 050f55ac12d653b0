"""Which award counts for a requirement, and when it expires.

Evidence is the latest achievement dated on or before the reporting date, from any source mapped to the
competence (ESR record, Totara certification or course). Its expiry is the source's own expiry date where given,
otherwise the award date plus the refresher period read from the competence name; `No Expiry` never lapses.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

EVIDENCE_COLUMNS = (
    "vpd",
    "employee_number",
    "competency_name",
    "achieved_on",
    "expires_on",
    "no_expiry",
    "source",
)


def effective_expiry(evidence: pd.DataFrame, refresher_months: pd.Series) -> pd.Series:
    """Expiry of each award: given expiry, else award + refresher period; NaT = never lapses.

    `refresher_months` is aligned with `evidence` (NaN where the competence name carries no period).
    """
    given = pd.to_datetime(evidence["expires_on"])
    achieved = pd.to_datetime(evidence["achieved_on"])
    derived = pd.Series(pd.NaT, index=evidence.index, dtype="datetime64[ns]")
    months = pd.to_numeric(refresher_months, errors="coerce")
    for period in months.dropna().unique():
        rows = months == period
        derived.loc[rows] = achieved.loc[rows] + pd.DateOffset(months=int(period))
    never = evidence["no_expiry"].fillna(False).astype(bool)
    expiry = given.where(given.notna(), derived)
    return expiry.mask(never, pd.NaT)


def latest_evidence(evidence: pd.DataFrame, catalogue: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per person and competence: the latest award dated on or before the reporting date.

    Awards dated after the reporting date are ignored. When two awards share the latest date the one lasting
    longer is kept (never-lapsing first), so a duplicate record in a second system cannot lower a status.
    Columns: vpd, employee_number, competency_name, achieved_on, expires_on (NaT = never), evidence_source.
    """
    columns = ["vpd", "employee_number", "competency_name", "achieved_on", "expires_on", "evidence_source"]
    dated = evidence.loc[pd.to_datetime(evidence["achieved_on"]) <= pd.Timestamp(as_of)]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    periods = dated["competency_name"].map(catalogue.set_index("competency_name")["refresher_months"])
    dated = dated.assign(
        achieved_on=pd.to_datetime(dated["achieved_on"]),
        expires_on=effective_expiry(dated, periods),
        evidence_source=dated["source"],
    )
    dated = dated.assign(_lasting=dated["expires_on"].fillna(pd.Timestamp.max))
    dated = dated.sort_values(
        ["vpd", "employee_number", "competency_name", "achieved_on", "_lasting", "evidence_source"],
        ascending=[True, True, True, False, False, True],
    )
    latest = dated.drop_duplicates(["vpd", "employee_number", "competency_name"], keep="first")
    return latest[columns].reset_index(drop=True)


#: Learning-record sources that can evidence an ESR competence, as named in the skills framework.
COMPETENCE_EVIDENCE_SOURCES = ("totara_certification", "totara_course")


def learning_evidence(learning: pd.DataFrame, framework: pd.DataFrame, vpd: str) -> pd.DataFrame:
    """Totara certifications and courses as evidence for the ESR competences they are mapped to.

    A certification or course evidences a competence when both appear as evidence rows of the same Skill Code in
    the skills framework (keys compared case-insensitively). A certification brings its own expiry; a course has
    none, so its expiry is derived from the competence's period. `learning` holds completed records only:
    source, user_key (the ESR Employee Number), item_key, achieved_on, expires_on.
    """
    columns = list(EVIDENCE_COLUMNS)
    if learning.empty or framework.empty:
        return pd.DataFrame(columns=columns)
    keyed = framework.assign(_key=framework["evidence_key"].astype(str).str.strip().str.casefold())
    competences = keyed.loc[keyed["evidence_source"] == "esr_competence", ["skill_code", "evidence_key"]].rename(
        columns={"evidence_key": "competency_name"}
    )
    items = keyed.loc[
        keyed["evidence_source"].isin(COMPETENCE_EVIDENCE_SOURCES), ["skill_code", "evidence_source", "_key"]
    ]
    mapping = items.merge(competences, on="skill_code").drop_duplicates(["evidence_source", "_key", "competency_name"])
    records = learning.assign(_key=learning["item_key"].astype(str).str.strip().str.casefold())
    mapped = records.merge(mapping, left_on=["source", "_key"], right_on=["evidence_source", "_key"])
    return pd.DataFrame(
        {
            "vpd": vpd,
            "employee_number": mapped["user_key"].astype(str).str.strip(),
            "competency_name": mapped["competency_name"],
            "achieved_on": mapped["achieved_on"],
            "expires_on": mapped["expires_on"].where(mapped["source"] == "totara_certification", None),
            "no_expiry": False,
            "source": mapped["source"],
        }
    )[columns]
