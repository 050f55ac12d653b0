"""Which column of an ESR file feeds which canonical field.

Trusts rename and reorder report columns, so headings are matched through `schemas/esr_headings.yaml` (the
default names plus common aliases) with per-trust overrides from the trust's configuration on top. Matching
ignores case and spacing; a required field with no matching heading stops the file with a message that lists
what the file does have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from connectors.esr.errors import AmbiguousHeadingError, MissingHeadingError
from connectors.esr.fields import FIELD_TYPES, KINDS, REQUIRED_FIELDS, EsrKind

HEADING_MAP_RESOURCE = "esr_headings.yaml"
_DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", "|": "pipes"}


def normalise_heading(heading: object) -> str:
    """The form headings are compared in: no byte-order mark, single spaces, trimmed, case-folded."""
    return " ".join(str(heading).replace("\ufeff", "").replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True)
class HeadingMap:
    """For each file kind, canonical field → accepted headings (the spec's heading first)."""

    aliases: Mapping[EsrKind, Mapping[str, tuple[str, ...]]]

    def aliases_for(self, kind: EsrKind, field: str) -> tuple[str, ...]:
        """The headings accepted for `field` in a file of `kind`."""
        return self.aliases[kind][field]

    def resolve(self, kind: EsrKind, headings_found: Sequence[str], file: Path) -> dict[str, str]:
        """Map each canonical field present in the file to the file's own heading text, in canonical order.

        Optional fields with no heading are left out (the reader gives them a column of nulls). Raises
        `MissingHeadingError` when a required field has no heading, and `AmbiguousHeadingError` when two
        columns match one field.
        """
        lookup = self._lookup(kind)
        matched: dict[str, list[str]] = {}
        for heading in headings_found:
            field = lookup.get(normalise_heading(heading))
            if field is not None:
                matched.setdefault(field, []).append(heading)
        for field, headings in matched.items():
            if len(headings) > 1:
                raise AmbiguousHeadingError(file, field, headings)
        missing = [self.aliases[kind][field][0] for field in REQUIRED_FIELDS[kind] if field not in matched]
        if missing:
            raise MissingHeadingError(file, missing, list(headings_found), hint=_delimiter_hint(headings_found))
        return {field: matched[field][0] for field in FIELD_TYPES[kind] if field in matched}

    def ignored_headings(self, kind: EsrKind, headings_found: Sequence[str]) -> list[str]:
        """Headings in the file that feed no field (blank headings of empty trailing columns left out)."""
        lookup = self._lookup(kind)
        return [h for h in headings_found if normalise_heading(h) and normalise_heading(h) not in lookup]

    def _lookup(self, kind: EsrKind) -> dict[str, str]:
        return {normalise_heading(alias): field for field, aliases in self.aliases[kind].items() for alias in aliases}


def load_heading_map(
    overrides: Mapping[str, Mapping[str, Sequence[str]]] | None = None, source: Path | None = None
) -> HeadingMap:
    """Load the heading map from `schemas/esr_headings.yaml` (or `source`) and apply the trust's overrides.

    `overrides` is `{kind: {field: [heading, ...]}}`; each listed field's headings are replaced by the given
    list. Unknown kinds or fields, empty lists and one heading claimed by two fields raise `ValueError`.
    """
    if source is None:
        text = files("schemas").joinpath(HEADING_MAP_RESOURCE).read_text(encoding="utf-8")
        origin = f"schemas/{HEADING_MAP_RESOURCE}"
    else:
        text = Path(source).read_text(encoding="utf-8")
        origin = str(source)
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or set(raw) != set(KINDS):
        raise ValueError(f"{origin}: expected exactly the kinds {list(KINDS)}, found {sorted(raw or {})}")
    aliases: dict[EsrKind, dict[str, tuple[str, ...]]] = {}
    for kind in KINDS:
        fields = raw[kind] or {}
        if set(fields) != set(FIELD_TYPES[kind]):
            unknown = sorted(set(fields) - set(FIELD_TYPES[kind]))
            absent = sorted(set(FIELD_TYPES[kind]) - set(fields))
            raise ValueError(
                f"{origin}: {kind} fields do not match the canonical fields (unknown {unknown}, absent {absent})"
            )
        aliases[kind] = {
            field: _heading_list(fields[field], f"{origin}: {kind}.{field}") for field in FIELD_TYPES[kind]
        }
    for kind, fields in (overrides or {}).items():
        if kind not in KINDS:
            raise ValueError(f"ESR heading overrides: unknown file kind {kind!r}; expected one of {list(KINDS)}")
        for field, headings in fields.items():
            if field not in FIELD_TYPES[kind]:
                raise ValueError(
                    f"ESR heading overrides: {kind} has no field {field!r}; fields are {list(FIELD_TYPES[kind])}"
                )
            aliases[kind][field] = _heading_list(headings, f"ESR heading overrides: {kind}.{field}")
    for kind in KINDS:
        _refuse_shared_headings(kind, aliases[kind])
    return HeadingMap({kind: dict(fields) for kind, fields in aliases.items()})


def _heading_list(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not value:
        raise ValueError(f"{where}: expected a non-empty list of headings, got {value!r}")
    headings = tuple(str(heading).strip() for heading in value)
    if not all(headings):
        raise ValueError(f"{where}: headings must not be blank, got {list(value)!r}")
    return headings


def _refuse_shared_headings(kind: EsrKind, fields: Mapping[str, tuple[str, ...]]) -> None:
    owner: dict[str, str] = {}
    for field, headings in fields.items():
        for heading in headings:
            other = owner.setdefault(normalise_heading(heading), field)
            if other != field:
                raise ValueError(
                    f"ESR heading map: {kind} heading {heading!r} is listed for both {other!r} "
                    f"and {field!r}; give it to one field only"
                )


def _delimiter_hint(headings_found: Sequence[str]) -> str:
    if len(headings_found) != 1:
        return ""
    for delimiter, name in _DELIMITER_NAMES.items():
        if delimiter in headings_found[0]:
            return (
                f"The heading row is a single column containing {name}: the file seems to be separated by "
                f"{name}, but ESR CSV exports must be comma-separated; re-export it as CSV."
            )
    return ""
