"""ESR file names: what a file in the landing folder is, and the order files must be applied in.

A name such as `esr_staff_in_post_457_20251202_full.csv` says the kind of export, the trust's VPD, the extract
date and whether it is a full snapshot or a delta of changes. Deltas only make sense applied in date order
after the full file they follow, so discovery returns files already in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from connectors.esr.errors import EsrFileError
from connectors.esr.fields import EsrKind
from connectors.landing import LandingProblem, scan

EsrMode = Literal["full", "delta"]

_ESR_NAME = re.compile(
    r"^esr_(?P<kind>staff_in_post|competences)_(?P<vpd>[a-z0-9]{3})_(?P<date>\d{8})_(?P<mode>full|delta)"
    r"\.(?P<ext>csv|xlsx)$",
    re.IGNORECASE,
)
_KIND_ORDER: dict[str, int] = {"staff_in_post": 0, "competences": 1}
_MODE_ORDER: dict[str, int] = {"full": 0, "delta": 1}


@dataclass(frozen=True)
class EsrFile:
    """One ESR export in the landing folder, as its name describes it."""

    path: Path
    kind: EsrKind
    vpd: str
    file_date: date
    mode: EsrMode

    @property
    def file_format(self) -> Literal["csv", "xlsx"]:
        """`csv` or `xlsx`, from the file's extension."""
        return "xlsx" if self.path.suffix.lower() == ".xlsx" else "csv"

    @property
    def application_order(self) -> tuple[date, int, int, str, str]:
        """Sort key: extract date, staff in post before competences, full before delta, then name."""
        return (
            self.file_date,
            _KIND_ORDER[self.kind],
            _MODE_ORDER[self.mode],
            self.path.name.lower(),
            str(self.path),
        )


def parse_esr_file_name(path: Path) -> EsrFile | None:
    """Describe `path` from its name, or return None when the name is not an ESR export name.

    Matching ignores case (`ESR_Competences_457_20251202_FULL.CSV` is fine); kind and mode come back in lower
    case. A name that is clearly meant as an ESR export but carries an impossible date raises `EsrFileError`,
    because silently skipping it would lose a day's extract.
    """
    path = Path(path)
    match = _ESR_NAME.match(path.name)
    if match is None:
        return None
    raw_date = match["date"]
    try:
        file_date = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
    except ValueError as exc:
        raise EsrFileError(
            path,
            f"the file date {raw_date!r} in the name is not a real date (expected YYYYMMDD); rename the file",
        ) from exc
    kind: EsrKind = "staff_in_post" if match["kind"].lower() == "staff_in_post" else "competences"
    mode: EsrMode = "full" if match["mode"].lower() == "full" else "delta"
    return EsrFile(path=path, kind=kind, vpd=match["vpd"].upper(), file_date=file_date, mode=mode)


def scan_esr_files(landing: Path) -> tuple[list[EsrFile], list[LandingProblem]]:
    """Every ESR export under `landing` in the order they must be applied, and the ESR-named files that cannot
    be read (an impossible date in the name, a link leading outside the landing folder).

    Files whose names are not ESR export names are left alone: the landing folder is shared with other
    sources.
    """
    found, problems = scan(Path(landing), parse_esr_file_name, (EsrFileError,))
    return sorted(found, key=lambda esr_file: esr_file.application_order), problems


def discover_esr_files(landing: Path) -> list[EsrFile]:
    """Every readable ESR export under `landing`, in the order they must be applied."""
    return scan_esr_files(landing)[0]
