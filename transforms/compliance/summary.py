"""Compliance counts and RAG per dimension, group and competence (and ALL competences together).

compliance % = in date (compliant + expiring) ÷ required × 100. RAG: green at or above the target (90% unless
the competence has its own), amber from the amber floor (80%) up to the target, red below the floor. The RAG is
decided on the exact percentage, not a rounded one.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from learnscape.config import ComplianceSettings
from transforms.partial_counts import add_counts

#: Published dimensions → the compliance_person column that holds their group value.
DIMENSIONS = {
    "trust": "vpd",
    "org_level_3": "org_level_3",
    "organisation": "organisation",
    "staff_group": "staff_group",
    "job_role": "job_role",
    "assignment_category": "assignment_category",
}
ALL_COMPETENCES = "ALL"
NOT_RECORDED = "(not recorded)"

SUMMARY_COLUMNS = [
    "as_of_date",
    "dimension",
    "group_value",
    "competency_name",
    "required",
    "in_date",
    "expiring",
    "expired",
    "missing",
    "compliance_pct",
    "target_pct",
    "rag",
]


def rag(compliance_pct: pd.Series, target_pct: pd.Series, amber_floor_pct: float) -> pd.Series:
    return pd.Series(
        np.select(
            [compliance_pct >= target_pct, compliance_pct >= amber_floor_pct],
            ["green", "amber"],
            default="red",
        ),
        index=compliance_pct.index,
    )


#: The additive part of a summary row: counts that partitions of the people add up to the whole trust's.
COUNT_KEYS = ["dimension", "group_value", "competency_name"]
COUNTS = ["compliant", "expiring", "expired", "missing"]


def compliance_summary(compliance_person: pd.DataFrame, as_of: date, rules: ComplianceSettings) -> pd.DataFrame:
    """One row per dimension, group value and competence (plus `ALL`), with counts, % and RAG."""
    return summary_from_counts(summary_counts(compliance_person), as_of, rules)


def summary_counts(compliance_person: pd.DataFrame) -> pd.DataFrame:
    """Requirements per status for every dimension, group value and competence (and `ALL`): the summary before
    its percentages, which can be added up across partitions of the people (`add_summary_counts`)."""
    if compliance_person.empty:
        return pd.DataFrame(columns=[*COUNT_KEYS, *COUNTS])
    counts = pd.get_dummies(compliance_person["status"]).reindex(columns=COUNTS, fill_value=False).astype(int)
    frames = []
    for dimension, column in DIMENSIONS.items():
        keyed = pd.concat(
            [compliance_person[[column, "competency_name"]].fillna({column: NOT_RECORDED}), counts], axis=1
        ).rename(columns={column: "group_value"})
        keyed["group_value"] = keyed["group_value"].replace("", NOT_RECORDED)
        per_competence = keyed.groupby(["group_value", "competency_name"], sort=True).sum().reset_index()
        overall = keyed.drop(columns="competency_name").groupby("group_value", sort=True).sum().reset_index()
        overall["competency_name"] = ALL_COMPETENCES
        frames.append(pd.concat([per_competence, overall], ignore_index=True).assign(dimension=dimension))
    return pd.concat(frames, ignore_index=True)[[*COUNT_KEYS, *COUNTS]]


def add_summary_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The counts of several partitions of the people as the counts of all of them."""
    return add_counts(parts, COUNT_KEYS, COUNTS, sort=True)


def summary_from_counts(counts: pd.DataFrame, as_of: date, rules: ComplianceSettings) -> pd.DataFrame:
    """The published summary: in date, required, compliance % and RAG from the status counts."""
    if counts.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    summary = counts.copy()
    summary["in_date"] = summary["compliant"] + summary["expiring"]
    summary["required"] = summary["in_date"] + summary["expired"] + summary["missing"]
    summary["compliance_pct"] = 100.0 * summary["in_date"] / summary["required"]
    summary["target_pct"] = summary["competency_name"].map(rules.target_for).astype(float)
    summary["rag"] = rag(summary["compliance_pct"], summary["target_pct"], rules.amber_floor_pct)
    summary["as_of_date"] = as_of
    return summary[SUMMARY_COLUMNS].sort_values(["dimension", "group_value", "competency_name"]).reset_index(drop=True)
