"""Vectorised evaluation of row-level expectations: which rows fail, on which field, and why.

Semantics follow Great Expectations: null values are not tested by regex, set and range expectations (only
`not_be_null` fails them), and a column pair is skipped when either value is missing.
"""

from __future__ import annotations

import pandas as pd

from transforms.validation.suites import Expectation, Suite

FAILURE_COLUMNS = ["row_number", "field", "value", "reason"]


def failing_mask(frame: pd.DataFrame, expectation: Expectation) -> pd.Series:
    """True for each row that fails the expectation."""
    kwargs = expectation.kwargs
    if expectation.type == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
        both = a.notna() & b.notna()
        ok = (a >= b) if kwargs.get("or_equal") else (a > b)
        return both & ~ok.fillna(False).astype(bool)
    values = frame[kwargs["column"]]
    present = values.notna()
    if expectation.type == "expect_column_values_to_not_be_null":
        return ~present
    if expectation.type == "expect_column_values_to_match_regex":
        matches = values.astype("string").str.contains(kwargs["regex"], regex=True)
        return present & ~matches.fillna(False).astype(bool)
    if expectation.type == "expect_column_values_to_be_in_set":
        return present & ~values.isin(kwargs["value_set"])
    if expectation.type == "expect_column_values_to_be_between":
        numbers = pd.to_numeric(values, errors="coerce")
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        outside = pd.Series(False, index=frame.index)
        if low is not None:
            outside |= numbers < low
        if high is not None:
            outside |= numbers > high
        return present & outside
    raise ValueError(f"unsupported expectation type {expectation.type}")


def row_failures(frame: pd.DataFrame, suite: Suite, headings: dict[str, str]) -> pd.DataFrame:
    """One row per failing row and expectation: the file's row number, heading, value and reason.

    Expectations on columns the frame lacks are skipped. `headings` maps canonical field → the file's
    heading so errors speak the file's language.
    """
    found = []
    for expectation in suite.expectations:
        if any(column not in frame.columns for column in expectation.columns):
            continue
        mask = failing_mask(frame, expectation)
        if not mask.any():
            continue
        column = expectation.columns[0]
        failed = frame.loc[mask]
        found.append(
            pd.DataFrame(
                {
                    "row_number": failed["row_number"].to_numpy(),
                    "field": headings.get(column, column),
                    "value": failed[column].map(_as_text).to_numpy(),
                    "reason": expectation.reason,
                }
            )
        )
    if not found:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    return pd.concat(found, ignore_index=True)


def _as_text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def conflicting_duplicates(frame: pd.DataFrame, keys: list[str], compare: list[str], headings: dict[str, str]):
    """Rows sharing a key but disagreeing on any other field: all of them fail (nobody can tell which is right).

    Exact repeats are not failures; the caller keeps one of them.
    """
    duplicated = frame.duplicated(keys, keep=False)
    if not duplicated.any():
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    candidates = frame.loc[duplicated]
    variants = candidates.drop_duplicates(keys + compare).groupby(keys, dropna=False).size()
    conflicting = variants[variants > 1].reset_index()[keys]
    if conflicting.empty:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    failed = candidates.merge(conflicting, on=keys)
    key_heading = " + ".join(headings.get(k, k) for k in keys)
    return pd.DataFrame(
        {
            "row_number": failed["row_number"].to_numpy(),
            "field": key_heading,
            "value": failed[keys].astype(str).agg(" / ".join, axis=1).to_numpy(),
            "reason": "duplicate key with conflicting values in the same file",
        }
    )


def combine_failures(*failures: pd.DataFrame) -> pd.DataFrame:
    """All failures of a batch, one per row and field: the first-named reason wins (a reader's "unrecognised date"
    over the suite's "blank or not a date" for the same cell)."""
    present = [f[FAILURE_COLUMNS] for f in failures if not f.empty]
    if not present:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    return pd.concat(present, ignore_index=True).drop_duplicates(["row_number", "field"], keep="first")


def too_long(frame: pd.DataFrame, limits: dict[str, int], headings: dict[str, str]) -> pd.DataFrame:
    """Text values longer than the warehouse column holds: quarantined with their length, never truncated and
    never allowed to stop a load part-way (PostgreSQL refuses them; SQLite would keep them whole)."""
    found = []
    for column, limit in limits.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        lengths = values.astype("string").str.len()
        mask = values.notna() & (lengths > limit).fillna(False).astype(bool)
        if not mask.any():
            continue
        failed = frame.loc[mask]
        found.append(
            pd.DataFrame(
                {
                    "row_number": failed["row_number"].to_numpy(),
                    "field": headings.get(column, column),
                    "value": failed[column].astype(str).str.slice(0, 200).to_numpy(),
                    "reason": [f"{n:,} characters, more than the {limit:,} this field may hold" for n in lengths[mask]],
                }
            )
        )
    if not found:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    return pd.concat(found, ignore_index=True)
