"""Loading the Totara export heading map and status-code map from `schemas/` (or a trust's own copies).

Both are data a data engineer edits: `totara_headings.yaml` (canonical field -> accepted headings per export)
and `totara_status_codes.yaml` (status texts -> Totara codes and meanings).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

EXPORT_KINDS = ("course_completion", "certification_completion", "competency_status")
HEADINGS_FILE = "totara_headings.yaml"
STATUS_CODES_FILE = "totara_status_codes.yaml"
STATUS_DATE_MEANINGS = (None, "expiry", "window_opens", "due")


class MappingFileError(ValueError):
    """A heading or status map that cannot be used; the message names the file and the entry."""


def normalise_heading(text: str) -> str:
    """A heading as compared: spaces collapsed, case folded (`User's  email` matches `User's Email`)."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class ExportHeadings:
    """For one export kind: the accepted headings of each canonical field, in output column order."""

    kind: str
    fields: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    must_have_value: tuple[str, ...]


@dataclass(frozen=True)
class CertificationStatusRule:
    """One way a certification Status text reads: a whole `text`, or a `prefix` followed by a date."""

    kind: str
    text: str | None = None
    prefix: str | None = None
    date_is: str | None = None

    @property
    def pattern(self) -> str:
        return self.text if self.text is not None else str(self.prefix)


@dataclass(frozen=True)
class CertificationKind:
    """What a certification status kind means for evidence and for being in date."""

    name: str
    evidence: bool
    in_date_when_unexpired: bool


@dataclass(frozen=True)
class TotaraStatusCodes:
    """Status texts and their meanings; text keys are normalised with `normalise_heading`."""

    course_statuses: Mapping[str, int]
    course_complete_codes: frozenset[int]
    certification_rules: tuple[CertificationStatusRule, ...]
    certification_kinds: Mapping[str, CertificationKind]
    proficient: Mapping[str, bool]


def _load_yaml(path: Path | None, default_name: str) -> tuple[Any, str]:
    if path is None:
        source = resources.files("schemas").joinpath(default_name)
        return yaml.safe_load(source.read_text(encoding="utf-8")), f"schemas/{default_name}"
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")), str(path)


def _section(data: Any, key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, Mapping):
        raise MappingFileError(f"{where}: missing the mapping {key!r}")
    return value


def load_heading_map(
    path: Path | None = None,
    overrides: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> dict[str, ExportHeadings]:
    """The heading map per export kind; `overrides[kind][field]` replaces that field's accepted headings."""
    data, where = _load_yaml(path, HEADINGS_FILE)
    result: dict[str, ExportHeadings] = {}
    for kind in EXPORT_KINDS:
        section = _section(data, kind, where)
        fields_data = _section(section, "fields", f"{where} {kind}")
        fields: dict[str, tuple[str, ...]] = {}
        for field, headings in fields_data.items():
            if not isinstance(headings, list) or not headings or not all(isinstance(h, str) for h in headings):
                raise MappingFileError(f"{where} {kind}.{field}: give a list of heading texts")
            fields[str(field)] = tuple(headings)
        for field, headings in (overrides or {}).get(kind, {}).items():
            if field not in fields:
                raise MappingFileError(f"heading override for unknown {kind} field {field!r}; known: {list(fields)}")
            fields[field] = tuple(headings)
        required = tuple(section.get("required") or ())
        must_have_value = tuple(section.get("must_have_value") or ())
        unknown = [field for field in required + must_have_value if field not in fields]
        if unknown:
            raise MappingFileError(f"{where} {kind}: required fields {unknown} are not among its fields")
        result[kind] = ExportHeadings(kind, fields, required, must_have_value)
    return result


def load_status_codes(path: Path | None = None) -> TotaraStatusCodes:
    """The status-code map: course completion codes, certification status rules and kinds, proficiency.

    The packaged map is read once and reused; a trust's own file is read each time it is asked for.
    """
    return _packaged_status_codes() if path is None else _read_status_codes(path)


@functools.cache
def _packaged_status_codes() -> TotaraStatusCodes:
    return _read_status_codes(None)


def _read_status_codes(path: Path | None) -> TotaraStatusCodes:
    data, where = _load_yaml(path, STATUS_CODES_FILE)
    course = _section(data, "course_completion", where)
    course_statuses = {
        normalise_heading(text): int(code)
        for text, code in _section(course, "statuses", f"{where} course_completion").items()
    }
    complete_codes = frozenset(int(code) for code in course.get("complete_codes") or ())

    certification = _section(data, "certification_completion", where)
    kinds = {
        str(name): CertificationKind(
            str(name), bool(meaning.get("evidence")), bool(meaning.get("in_date_when_unexpired"))
        )
        for name, meaning in _section(certification, "kinds", f"{where} certification_completion").items()
    }
    rules: list[CertificationStatusRule] = []
    for number, rule in enumerate(certification.get("statuses") or [], start=1):
        if (
            not isinstance(rule, Mapping)
            or ("text" in rule) == ("prefix" in rule)
            or rule.get("kind") not in kinds
            or rule.get("date_is") not in STATUS_DATE_MEANINGS
        ):
            raise MappingFileError(
                f"{where} certification_completion.statuses entry {number} ({rule!r}): "
                f"give exactly one of text or prefix, a kind among {sorted(kinds)}, "
                "and date_is (for a prefix) among expiry, window_opens, due"
            )
        rules.append(
            CertificationStatusRule(
                kind=str(rule["kind"]),
                text=rule.get("text"),
                prefix=rule.get("prefix"),
                date_is=rule.get("date_is"),
            )
        )
    if not rules:
        raise MappingFileError(f"{where} certification_completion: no statuses listed")

    competency = _section(data, "competency_status", where)
    proficient = {
        normalise_heading(text): bool(value)
        for text, value in _section(competency, "proficient", f"{where} competency_status").items()
    }
    return TotaraStatusCodes(course_statuses, complete_codes, tuple(rules), kinds, proficient)
