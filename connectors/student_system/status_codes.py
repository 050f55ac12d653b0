"""Institution enrolment status codes and their meaning, read from `schemas/student_status_codes.yaml`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

import schemas
from connectors.student_system.constants import ENROLMENT_STATUSES

DEFAULT_STATUS_CODES_FILE = "student_status_codes.yaml"


@dataclass(frozen=True)
class EnrolmentStatusCodes:
    """Institution code (trimmed, upper case) → one of `active`, `interrupted`, `withdrawn`, `completed`."""

    source: str
    codes: Mapping[str, str]

    def status_for(self, code: str) -> str | None:
        """The pipeline status for an institution code, or None when the configuration does not list it."""
        return self.codes.get(code.strip().upper())


def load_enrolment_status_codes(path: Path | None = None) -> EnrolmentStatusCodes:
    """Read the code map (default: the one shipped in `schemas/`); errors name the file and the bad entry."""
    if path is None:
        text = schemas.path(DEFAULT_STATUS_CODES_FILE).read_text(encoding="utf-8")
        source = f"schemas/{DEFAULT_STATUS_CODES_FILE}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    document = yaml.safe_load(text) or {}
    groups = document.get("enrolment_status") if isinstance(document, dict) else None
    if not isinstance(groups, dict):
        raise ValueError(f"{source}: expected a mapping 'enrolment_status: {{<status>: [codes]}}'")
    codes: dict[str, str] = {}
    for status, listed in groups.items():
        if status not in ENROLMENT_STATUSES:
            raise ValueError(
                f"{source}: status {status!r} is not one of {', '.join(ENROLMENT_STATUSES)}; "
                "list institution codes under those four only"
            )
        if not isinstance(listed, list):
            raise ValueError(f"{source}: enrolment_status.{status} must be a list of codes, got {listed!r}")
        for raw_code in listed:
            code = str(raw_code).strip().upper()
            if not code:
                raise ValueError(f"{source}: enrolment_status.{status} holds an empty code")
            if code in codes and codes[code] != status:
                raise ValueError(f"{source}: code {code!r} is listed under both {codes[code]} and {status}")
            codes[code] = status
    return EnrolmentStatusCodes(source, MappingProxyType(codes))
