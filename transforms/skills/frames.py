"""Small helpers the skills rules share: matching text, checking an input's columns, publishing rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

#: Group value published when an org unit is blank.
NOT_RECORDED = "(not recorded)"


class SkillsInputError(ValueError):
    """An input of the skills rules lacks a column or carries a value the rules cannot use."""


def fold(values: pd.Series) -> pd.Series:
    """Text as matched: trimmed and case-folded, blanks as the empty string."""
    return values.fillna("").astype(str).str.strip().str.casefold()


def as_timestamps(values: pd.Series) -> pd.Series:
    """Dates (date objects, strings or timestamps; None for blank) as a datetime Series with NaT for blank."""
    return pd.to_datetime(values)


def shown(value: object) -> str:
    """A cell value as an error message quotes it: blank as '', numbers as plain Python numbers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "''"
    return repr(value.item() if hasattr(value, "item") else value)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Fail early, naming the input and the missing columns, rather than with a KeyError deep in a merge."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SkillsInputError(
            f"{what}: missing column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns)) or 'none'}"
        )


def published(frame: pd.DataFrame, columns: Sequence[str], date_columns: Iterable[str] = ()) -> pd.DataFrame:
    """The published columns, dates as `datetime.date`, and every missing value as None (SQL NULL, not NaN/NaT)."""
    if frame.empty:
        return pd.DataFrame(columns=list(columns), dtype=object)
    chosen = frame[list(columns)].copy()
    for column in date_columns:
        chosen[column] = as_timestamps(chosen[column]).dt.date
    as_objects = chosen.astype(object)
    return as_objects.where(chosen.notna(), None).reset_index(drop=True)
