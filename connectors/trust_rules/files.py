"""Reading the education team's rule spreadsheets, exported as CSV beside the source files.

They are small (hundreds of rows), so each is read whole; headings are matched case-insensitively, cells are
stripped, and blank rows are dropped. Excel re-saves arrive as UTF-8 with BOM or Windows-1252.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from connectors.esr.errors import EsrFileError
from connectors.esr.fingerprint import fingerprint_file
from connectors.landing import landing_files

#: file name → (canonical field → heading), in the order of trust-rules.md.
RULE_FILES: dict[str, dict[str, str]] = {
    "training_needs_analysis.csv": {
        "applies_to": "Applies To",
        "match_value": "Value",
        "competency_name": "Competency Name",
    },
    "skills_framework.csv": {
        "skill_code": "Skill Code",
        "skill_name": "Skill Name",
        "category": "Category",
        "evidence_source": "Evidence Source",
        "evidence_key": "Evidence Key",
        "valid_for_months": "Valid For Months",
    },
    "role_skill_profiles.csv": {
        "job_role": "Job Role",
        "skill_code": "Skill Code",
        "priority": "Priority",
        "needed_by": "Needed By",
    },
    "steward_decisions.csv": {
        "source_system_a": "Source System A",
        "source_key_a": "Source Key A",
        "source_system_b": "Source System B",
        "source_key_b": "Source Key B",
        "decision": "Decision",
        "decided_by": "Decided By",
        "decided_on": "Decided On",
    },
}


class TrustRuleFileError(ValueError):
    """A rule file that cannot be read as it stands; the message names the file and what is wrong."""


@dataclass(frozen=True)
class TrustRuleFile:
    path: Path
    name: str
    sha256: str
    size_bytes: int
    encoding: str
    rows: pd.DataFrame  # canonical columns + row_number (spreadsheet row; the heading is row 1)


def find_rule_files(landing: Path) -> dict[str, Path]:
    """The newest copy of each rule file under the landing folder, by file name (links leading out of the
    landing folder are never read)."""
    found: dict[str, Path] = {}
    paths = [entry for entry in landing_files(landing) if isinstance(entry, Path)]
    for name in RULE_FILES:
        candidates = sorted((p for p in paths if p.name == name), key=lambda p: (p.stat().st_mtime, str(p)))
        if candidates:
            found[name] = candidates[-1]
    return found


def read_rule_file(path: Path) -> TrustRuleFile:
    headings = RULE_FILES[path.name]
    try:
        fingerprint = fingerprint_file(path)
    except EsrFileError as error:
        raise TrustRuleFileError(f"{path.name}: {error.reason}") from error
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding=fingerprint.encoding, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise TrustRuleFileError(f"{path.name}: cannot be read as CSV ({error})") from error
    by_heading = {str(c).strip().casefold(): c for c in frame.columns}
    missing = [h for h in headings.values() if h.casefold() not in by_heading]
    if missing:
        raise TrustRuleFileError(
            f"{path.name}: missing heading(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}"
        )
    rows = pd.DataFrame({field: frame[by_heading[h.casefold()]].str.strip() for field, h in headings.items()})
    rows["row_number"] = range(2, len(rows) + 2)
    rows = rows.loc[(rows.drop(columns="row_number") != "").any(axis=1)]
    rows = rows.replace({"": None})
    return TrustRuleFile(
        path, path.name, fingerprint.sha256, fingerprint.size_bytes, fingerprint.encoding, rows
    )
