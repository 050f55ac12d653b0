"""ESR competence names, which carry their own meaning: `<scope>|<framework>|<title> - <period>|`.

National CSTF subjects read `NHS|CSTF|Fire Safety - 2 Years|`; a trust's own competences read
`457|LOCAL|Clinical Risk (PAR) - 3 Years|`. The title splits into the subject, an optional level or variant
(`Level 2 - Adult Basic Life Support`), and the refresher period, which is read with a pattern so that a trust
changing a period (or adding a competence) needs no code change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

import pandas as pd

# "- 3 Years", "-1 year", "- 6 Months", "- 2 yrs" at the very end of the title.
_PERIOD = re.compile(r"\s*-\s*(?P<count>\d+)\s*(?P<unit>years?|yrs?|months?|mths?)\s*$", re.IGNORECASE)
# A hyphen with a space on at least one side separates title parts; "Self-Harm" stays one word.
_PART_SEPARATOR = re.compile(r"\s+-\s*|\s*-\s+")


@dataclass(frozen=True)
class CompetencyName:
    """One competence name taken apart.

    `scope` is `NHS` for national competences or the trust's VPD for local ones; `framework` is the middle
    part (`CSTF`, `LOCAL`, ...); `subject` the topic; `level` the rest of the title before the period (None
    if the title has no such part); `refresher_months` the period in months, None when the name states none.
    """

    name: str
    scope: str
    framework: str
    subject: str
    level: str | None
    refresher_months: int | None


CATALOGUE_COLUMNS: tuple[str, ...] = tuple(field.name for field in fields(CompetencyName)) + ("problem",)


def parse_competency_name(name: str) -> CompetencyName:
    """Take an ESR competence name apart; raises `ValueError` naming the name when it is not `a|b|title|`."""
    cleaned = name.strip()
    parts = cleaned.split("|")
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise ValueError(
            f"competence name {name!r} is not in the form 'SCOPE|FRAMEWORK|Title - N Years|' "
            "(e.g. 'NHS|CSTF|Fire Safety - 2 Years|')"
        )
    scope, framework, title = (part.strip() for part in parts)
    refresher_months = None
    period = _PERIOD.search(title)
    if period is not None:
        count = int(period["count"])
        refresher_months = count if period["unit"].lower().startswith("m") else count * 12
        title = title[: period.start()]
    subject, *rest = _PART_SEPARATOR.split(title.strip(), maxsplit=1)
    level = rest[0].strip() if rest and rest[0].strip() else None
    if not subject.strip():
        raise ValueError(f"competence name {name!r} has no subject before its level or period")
    return CompetencyName(
        name=cleaned,
        scope=scope,
        framework=framework,
        subject=subject.strip(),
        level=level,
        refresher_months=refresher_months,
    )


def competency_catalogue(names: Iterable[str]) -> pd.DataFrame:
    """One row per distinct competence name (blank and missing names skipped), in order of first appearance.

    Columns: name, scope, framework, subject, level, refresher_months (nullable Int64) and problem: None for a
    well-formed name, otherwise why it could not be read (its other columns are then null), so one bad name
    is quarantined rather than stopping a whole file.
    """
    distinct = pd.unique(pd.Series(list(names), dtype="str").str.strip().dropna())
    rows = []
    for name in distinct:
        if not name:
            continue
        try:
            rows.append({**asdict(parse_competency_name(name)), "problem": None})
        except ValueError as exc:
            rows.append({"name": name, "problem": str(exc)})
    catalogue = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    text_columns = [column for column in CATALOGUE_COLUMNS if column != "refresher_months"]
    return catalogue.astype({**dict.fromkeys(text_columns, "str"), "refresher_months": "Int64"})
