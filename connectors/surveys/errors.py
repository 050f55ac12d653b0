"""Errors raised when a survey file, or one of the schema files describing surveys, cannot be used as a
whole."""

from __future__ import annotations

from pathlib import Path


def _where(path: Path | str, row: int | None, field: str | None, value: str | None) -> str:
    parts = [f"{Path(path).name}"]
    if row is not None:
        parts.append(f"row {row}")
    if field is not None:
        parts.append(f"field {field!r}")
    if value is not None:
        parts.append(f"value {value!r}")
    return ", ".join(parts)


class SurveyFileError(ValueError):
    """A survey or evaluation file is malformed; nothing from it may be loaded.

    Carries the file, and where known the spreadsheet row (heading row = 1), the field and the offending
    value, so that whoever receives the file from the contractor knows what to fix.
    """

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.row = row
        self.field = field
        self.value = value
        super().__init__(f"{_where(path, row, field, value)}: {reason}")


class SurveySchemaError(ValueError):
    """A schema file describing surveys (question map, scales, local items, localities) is malformed."""

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.row = row
        self.field = field
        self.value = value
        super().__init__(f"{_where(path, row, field, value)}: {reason}")
