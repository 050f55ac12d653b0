"""Picking a night's worth of files out of the generated sample trust, and laying them out as a landing folder.

The sample trust has a baseline full extract a year back, four-weekly deltas and a final full extract the day
before the reporting date. Loading all of it costs about half a second a file, so the specifications take the
trust rules, the first full extract, the first few deltas, the final full extract and the Totara exports.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sample_trust import SampleTrustSummary

AS_OF = date(2026, 11, 23)


@dataclass(frozen=True)
class TrustFiles:
    """The sample trust's files by role, each list in extract-date order (staff in post before competences)."""

    rules: tuple[Path, ...]
    first_full: tuple[Path, ...]
    deltas: tuple[Path, ...]
    last_full: tuple[Path, ...]
    totara: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return self.rules + self.first_full + self.deltas + self.last_full + self.totara


def _esr_order(path: Path) -> tuple[str, int]:
    return path.name.split("_")[-2], 0 if "staff_in_post" in path.name else 1


def trust_files(summary: SampleTrustSummary, deltas_per_kind: int = 3) -> TrustFiles:
    landing = summary.landing_dir
    esr = sorted((landing / "esr").glob("esr_*.csv"), key=_esr_order)
    fulls = [path for path in esr if path.name.endswith("_full.csv")]
    first_date, last_date = _esr_order(fulls[0])[0], _esr_order(fulls[-1])[0]
    deltas = [path for path in esr if path.name.endswith("_delta.csv")]
    kept_dates = sorted({_esr_order(path)[0] for path in deltas})[:deltas_per_kind]
    return TrustFiles(
        rules=tuple(sorted((landing / "trust").glob("*.csv"))),
        first_full=tuple(path for path in fulls if _esr_order(path)[0] == first_date),
        deltas=tuple(path for path in deltas if _esr_order(path)[0] in kept_dates),
        last_full=tuple(path for path in fulls if _esr_order(path)[0] == last_date),
        totara=tuple(sorted((landing / "totara").glob("*.csv"))),
    )


def landing_with(folder: Path, files: Iterable[Path]) -> Path:
    """A landing folder holding copies of `files`, each in the subfolder it came from (`esr`, `trust`, ...)."""
    for path in files:
        target = folder / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return folder
