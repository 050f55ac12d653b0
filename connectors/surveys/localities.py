"""How the contractor's LOCALITY and STAFFGROUP labels name the trust's org units and ESR staff groups.

Trusts choose their own breakdowns when they commission the survey (LOCALITY1 is usually the directorate,
LOCALITY2 the department). Survey results are only useful beside compliance results when both name org units
the same way, so each label is mapped to an ESR-style unit name (`457 Operations`) by
`schemas/survey_localities.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import yaml

import schemas
from connectors.surveys.constants import LOCALITY_COLUMNS
from connectors.surveys.errors import SurveySchemaError

LOCALITIES_FILE = schemas.path("survey_localities.yaml")
ORG_LEVELS = ("directorate", "department")


def _blank(label: object) -> bool:
    return label is None or bool(pd.isna(label)) or not str(label).strip()


@dataclass(frozen=True)
class LocalityLevel:
    """One LOCALITY column read as one org level; `parent` is the LOCALITY column of the level it nests in."""

    column: str
    org_level: str
    parent: str | None
    labels: Mapping[str, str]


@dataclass(frozen=True)
class LocalityMap:
    """The trust's breakdown columns and how their labels become org unit and staff group names."""

    unit_prefix: str | None
    levels: tuple[LocalityLevel, ...]
    staff_groups: Mapping[str, str]

    def unit_for(self, level: LocalityLevel, label: str | None) -> str | None:
        """The org unit a label names: the listed unit, else `<unit_prefix><label>`; None for a blank label,
        or for an unlisted label when no prefix is configured (the respondent then joins no unit at this
        level)."""
        if _blank(label):
            return None
        text = str(label).strip()
        listed = {key.casefold(): unit for key, unit in level.labels.items()}
        if text.casefold() in listed:
            return listed[text.casefold()]
        if self.unit_prefix is None:
            return None
        return text if text.startswith(self.unit_prefix) else f"{self.unit_prefix}{text}"

    def staff_group_for(self, label: str | None) -> str | None:
        """The ESR staff group a contractor staff group label stands for (unlisted labels are kept)."""
        if _blank(label):
            return None
        text = str(label).strip()
        listed = {key.casefold(): group for key, group in self.staff_groups.items()}
        return listed.get(text.casefold(), text)


def load_locality_map(path: Path | None = None) -> LocalityMap:
    """Read `survey_localities.yaml` (default: the repository's `schemas/` copy)."""
    path = path or LOCALITIES_FILE
    if not path.exists():
        raise SurveySchemaError(path, "does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SurveySchemaError(path, f"is not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise SurveySchemaError(path, "must hold a YAML mapping at the top level")
    prefix = raw.get("unit_prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise SurveySchemaError(path, "unit_prefix must be text or null", field="unit_prefix", value=str(prefix))
    levels: list[LocalityLevel] = []
    for position, spec in enumerate(raw.get("localities") or [], start=1):
        field = f"localities[{position}]"
        if not isinstance(spec, dict):
            raise SurveySchemaError(path, "a locality must be a mapping", field=field)
        column = str(spec.get("column", "")).upper()
        if column not in LOCALITY_COLUMNS:
            raise SurveySchemaError(
                path, "column must be LOCALITY1 to LOCALITY8", field=f"{field}.column", value=column
            )
        org_level = spec.get("org_level")
        if org_level not in ORG_LEVELS or any(level.org_level == org_level for level in levels):
            raise SurveySchemaError(
                path,
                f"org_level must be one of {', '.join(ORG_LEVELS)}, each used once",
                field=f"{field}.org_level",
                value=str(org_level),
            )
        parent = spec.get("parent")
        if parent is not None and str(parent).upper() not in {level.column for level in levels}:
            raise SurveySchemaError(
                path,
                "parent must be the column of a locality listed above this one",
                field=f"{field}.parent",
                value=str(parent),
            )
        labels = spec.get("labels") or {}
        if not isinstance(labels, dict):
            raise SurveySchemaError(path, "labels must map a label to an org unit", field=f"{field}.labels")
        levels.append(
            LocalityLevel(
                column=column,
                org_level=org_level,
                parent=str(parent).upper() if parent is not None else None,
                labels=MappingProxyType({str(key): str(value) for key, value in labels.items()}),
            )
        )
    staff_groups = raw.get("staff_groups") or {}
    if not isinstance(staff_groups, dict):
        raise SurveySchemaError(path, "staff_groups must map a label to an ESR staff group", field="staff_groups")
    return LocalityMap(
        unit_prefix=prefix,
        levels=tuple(levels),
        staff_groups=MappingProxyType({str(key): str(value) for key, value in staff_groups.items()}),
    )
