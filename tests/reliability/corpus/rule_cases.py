"""Malformed trust rule files: training needs analysis, skills framework and role skill profiles.

A rule file replaces the version in force, so each bad file repeats the baseline's rules and adds one bad
rule as the last row: if the bad rule is quarantined, the rules in force are the baseline's again.
"""

from __future__ import annotations

from tests.esr_files import FIRE
from tests.reliability.corpus.baseline import (
    FRAMEWORK_HEADINGS,
    PROFILE_HEADINGS,
    TNA_HEADINGS,
    framework_rows,
    profile_rows,
    training_needs_rows,
)
from tests.reliability.corpus.model import BadFile, csv_bytes, loaded, refused

TNA = "trust/training_needs_analysis.csv"
FRAMEWORK = "trust/skills_framework.csv"
PROFILES = "trust/role_skill_profiles.csv"


def _tna_with(*bad: list[str]) -> bytes:
    return csv_bytes(TNA_HEADINGS, [*training_needs_rows(), *bad])


def _framework_with(bad: list[str]) -> bytes:
    return csv_bytes(FRAMEWORK_HEADINGS, [*framework_rows(), bad])


def _profiles_with(bad: list[str]) -> bytes:
    return csv_bytes(PROFILE_HEADINGS, [*profile_rows(), bad])


RULE_CASES: tuple[BadFile, ...] = (
    BadFile(
        "rules-unknown-applies-to",
        "training_needs_analysis",
        TNA,
        lambda: _tna_with(["Favourite Colour", "Blue", FIRE]),
        loaded((8, "Applies To")),
        7,
    ),
    BadFile(
        "rules-blank-applies-to",
        "training_needs_analysis",
        TNA,
        lambda: _tna_with(["", "Paramedic", FIRE]),
        loaded((8, "Applies To")),
        7,
    ),
    BadFile(
        "rules-competency-name-not-in-esr-form",
        "training_needs_analysis",
        TNA,
        lambda: _tna_with(["All", "", "Fire Safety"]),
        loaded((8, "Competency Name")),
        7,
    ),
    BadFile(
        "rules-training-needs-headings-only",
        "training_needs_analysis",
        TNA,
        lambda: csv_bytes(TNA_HEADINGS, []),
        refused("no rules"),
        0,
    ),
    BadFile("rules-training-needs-empty-file", "training_needs_analysis", TNA, lambda: b"", refused("CSV"), None),
    BadFile(
        "rules-training-needs-semicolons",
        "training_needs_analysis",
        TNA,
        lambda: csv_bytes(TNA_HEADINGS, training_needs_rows(), delimiter=";"),
        refused("missing heading"),
        6,
    ),
    BadFile(
        "rules-training-needs-utf16",
        "training_needs_analysis",
        TNA,
        lambda: csv_bytes(TNA_HEADINGS, training_needs_rows(), encoding="utf-16"),
        refused("UTF-16"),
        6,
    ),
    BadFile(
        "rules-training-needs-mostly-bad",
        "training_needs_analysis",
        TNA,
        lambda: csv_bytes(TNA_HEADINGS, [["All", "", FIRE], *(["Shoe Size", "9", FIRE] for _ in range(3))]),
        refused("failed validation", quarantined=[(n, "Applies To") for n in (3, 4, 5)]),
        4,
    ),
    BadFile(
        "rules-unknown-evidence-source",
        "skills_framework",
        FRAMEWORK,
        lambda: _framework_with(
            ["STAT-FIRE", "Fire safety", "Statutory and mandatory", "sharepoint", "fire.xlsx", "24"]
        ),
        loaded((8, "Evidence Source")),
        7,
    ),
    BadFile(
        "rules-valid-for-months-not-a-number",
        "skills_framework",
        FRAMEWORK,
        lambda: _framework_with(["STAT-IG", "Information governance", "Statutory", "totara_course", "CRS-IG", "two"]),
        loaded((8, "Valid For Months")),
        7,
    ),
    BadFile(
        "rules-valid-for-months-out-of-range",
        "skills_framework",
        FRAMEWORK,
        lambda: _framework_with(["STAT-IG", "Information governance", "Statutory", "totara_course", "CRS-IG", "6000"]),
        loaded((8, "Valid For Months")),
        7,
    ),
    BadFile(
        "rules-needed-by-not-a-date",
        "role_skill_profiles",
        PROFILES,
        lambda: _profiles_with(["Paramedic", "STAT-IG", "desirable", "next spring"]),
        loaded((8, "Needed By")),
        7,
    ),
    BadFile(
        "rules-unknown-priority",
        "role_skill_profiles",
        PROFILES,
        lambda: _profiles_with(["Paramedic", "STAT-IG", "urgent", ""]),
        loaded((8, "Priority")),
        7,
    ),
    BadFile(
        "rules-profile-with-embedded-nul",
        "role_skill_profiles",
        PROFILES,
        lambda: _profiles_with(["Paramedic", "STAT-IG", "desir\x00able", ""]),
        refused("NUL byte"),
        7,
    ),
)
