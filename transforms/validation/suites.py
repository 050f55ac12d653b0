"""Loading expectation suites from `schemas/expectations/*.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import schemas

#: Expectation types the row-level evaluator understands; a suite naming any other type is refused on load,
#: so a misspelt type can never be silently dropped.
ROW_LEVEL_TYPES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }
)


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    reason: str

    @property
    def columns(self) -> tuple[str, ...]:
        if "column" in self.kwargs:
            return (self.kwargs["column"],)
        return (self.kwargs["column_A"], self.kwargs["column_B"])


@dataclass(frozen=True)
class Suite:
    name: str
    expectations: tuple[Expectation, ...]
    max_rejected_share: float
    meta: dict[str, Any] = field(default_factory=dict)


class SuiteError(ValueError):
    """A suite file that cannot be used as it stands."""


def load_suite(name: str) -> Suite:
    """The suite `schemas/expectations/<name>.json`, checked expectation by expectation."""
    path = schemas.path("expectations", f"{name}.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    expectations = []
    for index, item in enumerate(raw.get("expectations", [])):
        kind = item.get("type")
        if kind not in ROW_LEVEL_TYPES:
            raise SuiteError(f"{path.name}: expectation {index} has unknown type {kind!r}")
        reason = item.get("meta", {}).get("reason") or kind.replace("_", " ")
        expectations.append(Expectation(type=kind, kwargs=dict(item["kwargs"]), reason=reason))
    meta = raw.get("meta", {})
    return Suite(
        name=raw["name"],
        expectations=tuple(expectations),
        max_rejected_share=float(meta.get("max_rejected_share", 0.25)),
        meta=meta,
    )
