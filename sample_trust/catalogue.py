"""The trust's competence catalogue and training needs analysis (TNA), for one VPD.

The catalogue is every competence the trust records in ESR (national CSTF subjects in ESR's
`NHS|CSTF|<Subject> - <N> Years|` form and the trust's `<VPD>|LOCAL|...|` ones) with the Totara certification or
course that also evidences it. The TNA says which of them an assignment requires. Other generators (students,
surveys) reuse both through `load_training_needs`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from sample_trust.reference import CompetenceRecord, ReferenceDataError, competence_records, tna_rules

# The refresher period is part of the competence name: `... - 1 Year|`, `... - 3 Years|`.
PERIOD_IN_NAME = re.compile(r"- (\d+) Years?\|$")
REQUIREMENT_FIELDS = (
    "staff group",
    "job role",
    "position title",
    "organisation",
    "org level 3",
    "org level 4",
    "org level 5",
    "assignment category",
    "occupation code",
    "pay band",
)


@dataclass(frozen=True)
class Competence:
    """One competence as ESR names it for this trust, with its period and the Totara items that evidence it."""

    name: str
    title: str
    category: str
    skill_code: str
    skill_name: str
    level: str
    description: str
    period_months: int | None  # None: never lapses (`No Expiry`)
    certification_id: str  # Totara certification ID number, "" when none
    certification_name: str
    course_id: str  # Totara course ID number, "" when none
    course_name: str
    position: int  # order in the catalogue, which is the order rows are written

    @property
    def is_national(self) -> bool:
        """True for a Core Skills Training Framework subject, False for a trust-local competence."""
        return self.name.startswith("NHS|CSTF|")


@dataclass(frozen=True)
class TnaRule:
    """`Applies To` / `Value` / `Competency Name`: assignments whose field equals the value need the competence."""

    applies_to: str
    value: str
    competency_name: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether an assignment with these fields (keyed by lower-case heading) is covered by this rule."""
        key = self.applies_to.casefold()
        if key == "all":
            return True
        return fields.get(key, "").casefold() == self.value.casefold()


def competence_period_months(name: str) -> int | None:
    """The refresher period read from an ESR competence name, in months; None when the name has none."""
    found = PERIOD_IN_NAME.search(name)
    return int(found.group(1)) * 12 if found else None


@dataclass(frozen=True)
class TrainingNeeds:
    """The catalogue and TNA of one trust; `required_for` answers which competences an assignment needs."""

    vpd: str
    competences: tuple[Competence, ...]
    rules: tuple[TnaRule, ...]
    _by_name: dict[str, Competence] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[tuple[str, ...], tuple[Competence, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({competence.name: competence for competence in self.competences})

    def competence(self, name: str) -> Competence:
        """The catalogue entry called `name` (exact ESR text)."""
        return self._by_name[name]

    def required_for(self, fields: Mapping[str, str]) -> tuple[Competence, ...]:
        """Competences required by an assignment, in catalogue order.

        `fields` maps lower-case headings (`staff group`, `job role`, `org level 3`, ...) to the assignment's
        values; results are cached per distinct combination, of which a trust has a few hundred.
        """
        key = tuple(fields.get(name, "") for name in REQUIREMENT_FIELDS)
        found = self._cache.get(key)
        if found is None:
            names = {rule.competency_name for rule in self.rules if rule.matches(fields)}
            found = tuple(sorted((self._by_name[name] for name in names), key=lambda c: c.position))
            self._cache[key] = found
        return found


@lru_cache(maxsize=8)
def load_training_needs(vpd: str = "457") -> TrainingNeeds:
    """The catalogue and default TNA with `{vpd}` filled in; every TNA rule must name a catalogue competence."""
    competences = tuple(_competence(record, vpd, position) for position, record in enumerate(competence_records()))
    known = {competence.name for competence in competences}
    rules = []
    for row_number, record in enumerate(tna_rules(), start=2):
        rule = TnaRule(
            record.applies_to, record.value.replace("{vpd}", vpd), record.competency_name.replace("{vpd}", vpd)
        )
        if rule.applies_to.casefold() not in ("all", *REQUIREMENT_FIELDS):
            raise ReferenceDataError(
                "training_needs_analysis.csv", row_number, "Applies To", rule.applies_to, "unknown"
            )
        if rule.competency_name not in known:
            raise ReferenceDataError(
                "training_needs_analysis.csv", row_number, "Competency Name", rule.competency_name,
                "not in competences.csv",
            )  # fmt: skip
        rules.append(rule)
    return TrainingNeeds(vpd=vpd, competences=competences, rules=tuple(rules))


def _competence(record: CompetenceRecord, vpd: str, position: int) -> Competence:
    name = record.name.replace("{vpd}", vpd)
    return Competence(
        name=name,
        title=f"{vpd} {record.title}",
        category=record.category,
        skill_code=record.skill_code,
        skill_name=record.skill_name,
        level=record.level,
        description=record.description,
        period_months=competence_period_months(name),
        certification_id=record.certification_id,
        certification_name=record.certification_name,
        course_id=record.course_id,
        course_name=record.course_name,
        position=position,
    )
