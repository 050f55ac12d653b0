"""ESR dates: one column can mix `30-Nov-2028`, `2025/12/02 00:00:00`, `02/12/2025` (UK, day first) and ISO.

Parsing is vectorised: the column is factorised (dates repeat a lot, so only distinct values are parsed), each
distinct value is routed by a regular expression to the one format it can be, and that format is parsed with
`pd.to_datetime(format=..., errors="coerce")`. A value is never guessed: `02/12/2025` is always 2 December,
and a well-shaped impossible date such as `31/02/2025` is reported as unparseable rather than rolled over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

# (shape, format): each shape admits exactly one format, so the order of this table does not matter.
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    (r"[0-9]{1,2}-[A-Za-z]{3}-[0-9]{4}", "%d-%b-%Y"),
    (r"[0-9]{1,2}-[A-Za-z]{3}-[0-9]{4} +[0-9]{1,2}:[0-9]{2}:[0-9]{2}", "%d-%b-%Y %H:%M:%S"),
    (r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}", "%Y/%m/%d"),
    (r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} +[0-9]{1,2}:[0-9]{2}", "%Y/%m/%d %H:%M"),
    (r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} +[0-9]{1,2}:[0-9]{2}:[0-9]{2}", "%Y/%m/%d %H:%M:%S"),
    (r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "%d/%m/%Y"),
    (r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} +[0-9]{1,2}:[0-9]{2}", "%d/%m/%Y %H:%M"),
    (r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} +[0-9]{1,2}:[0-9]{2}:[0-9]{2}", "%d/%m/%Y %H:%M:%S"),
    (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d"),
    (r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?", "ISO8601"),
)
NO_EXPIRY_TEXT = "noexpiry"  # compared lower-cased with spaces removed
_NAT = np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class ParsedDates:
    """A date column parsed: values, and which non-blank values were not dates.

    `dates` is datetime64[ns] (midnight unless times were kept); blank cells are NaT and not a problem.
    `unparseable` marks non-blank cells that are NaT; `out_of_range` marks the subset that were well-formed
    dates outside what datetime64[ns] holds (before 1678 or after 2261, e.g. Oracle's `31-Dec-4712` "end of
    time").
    """

    dates: pd.Series
    unparseable: pd.Series
    out_of_range: pd.Series


@dataclass(frozen=True)
class ParsedExpiry(ParsedDates):
    """An expiry column parsed: as `ParsedDates`, plus `no_expiry`, True where the cell said `No Expiry`."""

    no_expiry: pd.Series


def parse_esr_dates(values: pd.Series, keep_time: bool = False) -> ParsedDates:
    """Parse a column of ESR dates (text, or XLSX datetimes); normalised to midnight unless `keep_time`."""
    dates, unparseable, out_of_range, _ = _parse(values, keep_time, allow_no_expiry=False)
    return ParsedDates(dates, unparseable, out_of_range)


def parse_expiry_dates(values: pd.Series) -> ParsedExpiry:
    """Parse an expiry column, where `No Expiry` (any case or spacing) means the competence never expires."""
    dates, unparseable, out_of_range, no_expiry = _parse(values, keep_time=False, allow_no_expiry=True)
    return ParsedExpiry(dates, unparseable, out_of_range, no_expiry)


def _parse(
    values: pd.Series, keep_time: bool, allow_no_expiry: bool
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if isinstance(values.dtype, pd.StringDtype):
        is_temporal = np.zeros(len(uniques), dtype=bool)
    else:
        uniques = np.asarray(uniques, dtype=object)
        is_temporal = np.fromiter((isinstance(value, date) for value in uniques), dtype=bool, count=len(uniques))
    parsed, unparseable, out_of_range, no_expiry = _parse_distinct(uniques, is_temporal, allow_no_expiry)
    if not keep_time:
        parsed = parsed.astype("datetime64[D]").astype("datetime64[ns]")
    # code -1 (a missing cell) picks the appended last element: NaT / False.
    index = values.index
    return (
        pd.Series(np.append(parsed, _NAT)[codes], index=index, dtype="datetime64[ns]"),
        pd.Series(np.append(unparseable, False)[codes], index=index, dtype=bool),
        pd.Series(np.append(out_of_range, False)[codes], index=index, dtype=bool),
        pd.Series(np.append(no_expiry, False)[codes], index=index, dtype=bool),
    )


def _parse_distinct(
    uniques: np.ndarray | pd.Index, is_temporal: np.ndarray, allow_no_expiry: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse distinct non-null values; returns (datetime64[ns], unparseable, out_of_range, no_expiry) arrays.

    Workbook cells arrive as datetimes (taken as they are) or other objects; anything not a datetime is
    treated as text, so a number or a time of day in a date column is reported rather than guessed at.
    """
    count = len(uniques)
    parsed = np.full(count, _NAT)
    out_of_range = np.zeros(count, dtype=bool)
    no_expiry = np.zeros(count, dtype=bool)
    for position in np.flatnonzero(is_temporal):
        value = uniques[position]
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        if pd.Timestamp.min <= moment.replace(tzinfo=None) <= pd.Timestamp.max:
            parsed[position] = np.datetime64(pd.Timestamp(moment).tz_localize(None), "ns")
        else:
            out_of_range[position] = True

    text_positions = np.flatnonzero(~is_temporal)
    text = pd.Series(uniques[text_positions], dtype="str").str.strip()
    blank = (text == "").to_numpy(dtype=bool)
    remaining = ~blank
    if allow_no_expiry:
        squeezed = text.str.lower().str.replace(" ", "", regex=False)
        says_no_expiry = (squeezed == NO_EXPIRY_TEXT).to_numpy(dtype=bool, na_value=False)
        no_expiry[text_positions[says_no_expiry]] = True
        remaining &= ~says_no_expiry
    for shape, date_format in DATE_FORMATS:
        if not remaining.any():
            break
        shaped = remaining & text.str.fullmatch(shape).to_numpy(dtype=bool, na_value=False)
        if not shaped.any():
            continue
        remaining &= ~shaped
        found = pd.to_datetime(text[shaped], format=date_format, errors="coerce")
        too_early = (found < pd.Timestamp.min).to_numpy(dtype=bool)
        too_late = (found > pd.Timestamp.max).to_numpy(dtype=bool)
        beyond = too_early | too_late
        targets = text_positions[np.flatnonzero(shaped)]
        out_of_range[targets[beyond]] = True
        in_range = found[~beyond].to_numpy().astype("datetime64[ns]")
        parsed[targets[~beyond]] = in_range

    text_unparseable = np.zeros(count, dtype=bool)
    text_unparseable[text_positions[~blank]] = True
    unparseable = (text_unparseable | is_temporal) & np.isnat(parsed) & ~no_expiry
    return parsed, unparseable, out_of_range, no_expiry
