"""The trust's rule files in core (training needs analysis, skills framework, role skill profiles), each kept as
versions: a new version of a file closes the current one on the day it is received."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Table, update

from warehouse.bulk import insert_frame
from warehouse.models import role_skill_profile, skills_framework, steward_decision, training_requirement

#: rule file name → (core table, columns written)
RULE_TABLES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "training_needs_analysis.csv": (training_requirement, ("applies_to", "match_value", "competency_name")),
    "skills_framework.csv": (
        skills_framework,
        ("skill_code", "skill_name", "category", "evidence_source", "evidence_key", "valid_for_months"),
    ),
    "role_skill_profiles.csv": (role_skill_profile, ("job_role", "skill_code", "priority", "needed_by")),
}


def replace_rule_version(
    connection: Connection, file_name: str, rules: pd.DataFrame, load_id: int, received_on: date
) -> int:
    """Close the current version of a rule file and open `rules` as the new one from `received_on`.

    Steward decisions are the exception: they accumulate, so a decision sticks even when a later file omits it
    (a later decision on the same pair overrides it).
    """
    if file_name == "steward_decisions.csv":
        return insert_frame(connection, steward_decision, rules.assign(load_id=load_id))
    table, columns = RULE_TABLES[file_name]
    connection.execute(update(table).where(table.c.valid_to.is_(None)).values(valid_to=received_on))
    frame = rules[list(columns)].assign(valid_from=received_on, valid_to=None, load_id=load_id)
    return insert_frame(connection, table, frame)
