"""The skills framework: which evidence (source and key) evidences each skill, and for how long.

One row of `skills_framework.csv` maps one evidence source and key to a skill; a skill may have several rows and
any one of them in date is enough. `valid_for_months` is how long that evidence counts when the source gives no
expiry of its own; blank means it does not lapse.
"""

from __future__ import annotations

import pandas as pd

from transforms.skills.frames import SkillsInputError, fold, require_columns, shown

FRAMEWORK_FILE = "skills_framework.csv"
FRAMEWORK_COLUMNS = ("skill_code", "skill_name", "category", "evidence_source", "evidence_key", "valid_for_months")

#: The evidence sources, in the order that breaks a tie between equally good evidence (see `evidence`): the
#: system of record first, then Totara's certifications, courses and competencies, then university modules.
EVIDENCE_SOURCES = (
    "esr_competence",
    "totara_certification",
    "totara_course",
    "totara_competency",
    "student_module",
)


def _bad_rows(values: pd.Series, bad: pd.Series, heading: str, rule: str) -> SkillsInputError | None:
    """An error naming the first offending row (the heading is row 1), its value, and how many more there are."""
    positions = [position for position, is_bad in enumerate(bad.to_numpy()) if is_bad]
    if not positions:
        return None
    first = positions[0]
    more = f" ({len(positions) - 1} more row(s) like it)" if len(positions) > 1 else ""
    return SkillsInputError(f"{FRAMEWORK_FILE} row {first + 2}: {heading} {shown(values.iloc[first])} {rule}{more}")


def clean_skill_codes(skill_codes: pd.Series) -> pd.Series:
    """Skill codes as matched everywhere: trimmed, case kept (a code is an identifier, not prose)."""
    return skill_codes.fillna("").astype(str).str.strip()


def framework_evidence(framework: pd.DataFrame) -> pd.DataFrame:
    """The framework's evidence rows, checked, with the keys they are matched on.

    Columns: skill_code, evidence_source (one of EVIDENCE_SOURCES), evidence_key (as the framework spells it),
    valid_for_months (float, NaN = does not lapse), `_source` and `_key` (trimmed, case-folded: evidence matches
    case-insensitively after trimming).
    """
    require_columns(framework, FRAMEWORK_COLUMNS, FRAMEWORK_FILE)
    source = fold(framework["evidence_source"])
    key = fold(framework["evidence_key"])
    raw_months = framework["valid_for_months"]
    blank_months = raw_months.isna() | (raw_months.astype(str).str.strip() == "")
    months = pd.to_numeric(raw_months.where(~blank_months), errors="coerce")
    checks = [
        (fold(framework["skill_code"]) == "", "skill_code", "Skill Code", "is blank: every row needs its skill"),
        (
            ~source.isin(EVIDENCE_SOURCES),
            "evidence_source",
            "Evidence Source",
            f"is not one of {', '.join(EVIDENCE_SOURCES)}",
        ),
        (
            key == "",
            "evidence_key",
            "Evidence Key",
            "is blank: name the competence, certification, course, competency or module",
        ),
        (
            ~blank_months & (months.isna() | (months <= 0) | (months % 1 != 0)),
            "valid_for_months",
            "Valid For Months",
            "is not a whole number of months above 0 (leave it blank for a skill that does not lapse)",
        ),
    ]
    for bad, column, heading, rule in checks:
        error = _bad_rows(framework[column], bad, heading, rule)
        if error is not None:
            raise error
    mapping = pd.DataFrame(
        {
            "skill_code": clean_skill_codes(framework["skill_code"]),
            "evidence_source": source,
            "evidence_key": framework["evidence_key"].astype(str).str.strip(),
            "valid_for_months": months.astype(float),
            "_source": source,
            "_key": key,
        }
    )
    return mapping.drop_duplicates(["skill_code", "_source", "_key", "valid_for_months"]).reset_index(drop=True)


def skill_catalogue(framework: pd.DataFrame) -> pd.DataFrame:
    """One row per skill: skill_code, skill_name, category, as the skill's first framework row gives them."""
    require_columns(framework, FRAMEWORK_COLUMNS, FRAMEWORK_FILE)
    catalogue = framework[["skill_code", "skill_name", "category"]].assign(
        skill_code=clean_skill_codes(framework["skill_code"])
    )
    return catalogue.drop_duplicates("skill_code", keep="first").reset_index(drop=True)
