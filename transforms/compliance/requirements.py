"""What each person must hold: the training needs analysis matched against their in-scope assignments.

A rule matches one assignment field exactly, case-insensitively (`Applies To` names the field, `All` matches
everyone). A person's requirements are the union over their in-scope assignments, and a requirement counts once
at least one assignment that carries it is past its new-starter grace period.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from learnscape.config import ComplianceSettings
from transforms.compliance.population import counting_from

#: `Applies To` values of the training needs analysis → the assignment field they match.
APPLIES_TO_FIELDS = {
    "staff group": "staff_group",
    "job role": "job_role",
    "position title": "position_title",
    "organisation": "organisation",
    "org level 3": "org_level_3",
    "org level 4": "org_level_4",
    "org level 5": "org_level_5",
    "assignment category": "assignment_category",
    "occupation code": "occupation_code",
    "pay band": "pay_band",
}


class UnknownAppliesToError(ValueError):
    """A training needs analysis rule names an assignment field the product does not know."""


def _fold(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.casefold()


def assignment_requirements(
    in_scope: pd.DataFrame, training_needs: pd.DataFrame, as_of: date, rules: ComplianceSettings
) -> pd.DataFrame:
    """One row per in-scope assignment and competence it requires, with whether it counts on the date.

    `training_needs` has `applies_to`, `match_value`, `competency_name` (the TNA file's rows).
    """
    columns = ["vpd", "employee_number", "assignment_number", "competency_name", "counts"]
    if in_scope.empty or training_needs.empty:
        return pd.DataFrame(columns=columns)
    assignments = in_scope.assign(
        counts=counting_from(in_scope, rules).isna() | (counting_from(in_scope, rules) <= pd.Timestamp(as_of))
    )
    rules_frame = training_needs.assign(_applies=_fold(training_needs["applies_to"]))
    matched: list[pd.DataFrame] = []
    for applies_to, group in rules_frame.groupby("_applies", sort=False):
        if applies_to == "all":
            matched.append(assignments.merge(group[["competency_name"]], how="cross"))
            continue
        field = APPLIES_TO_FIELDS.get(applies_to)
        if field is None:
            raise UnknownAppliesToError(
                f"training_needs_analysis.csv: 'Applies To' value {group['applies_to'].iloc[0]!r} is not one of "
                f"All, {', '.join(k.title() for k in APPLIES_TO_FIELDS)}"
            )
        keyed = assignments.assign(_key=_fold(assignments[field]))
        wanted = group.assign(_key=_fold(group["match_value"]))[["_key", "competency_name"]]
        matched.append(keyed.merge(wanted, on="_key").drop(columns="_key"))
    result = pd.concat(matched, ignore_index=True)[columns]
    return result.drop_duplicates(["vpd", "assignment_number", "competency_name"])


def person_requirements(assignment_rows: pd.DataFrame, essential: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person and counted requirement (a requirement shared by two assignments counts once).

    `essential` optionally adds ESR's own Essential=Y competences for people in scope (a trust setting).
    """
    counted = assignment_rows.loc[assignment_rows["counts"].astype(bool), ["vpd", "employee_number", "competency_name"]]
    if essential is not None and not essential.empty:
        counted = pd.concat([counted, essential[["vpd", "employee_number", "competency_name"]]])
    return counted.drop_duplicates().reset_index(drop=True)
