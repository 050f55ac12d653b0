"""Reading the values inside Totara report exports: dates as the exporting user saw them, and status texts.

Report Builder writes dates as text in the exporting user's timezone: `05 Mar 2024`, or `05 Mar 2024 at 14:30`
when the column carries a time; blank means never. Certification statuses are Totara's own sentences with a
date inside (`Expires 05 Mar 2027`). Everything here works on whole columns at once, and reads each distinct
text once: a report repeats a few thousand dates and a handful of statuses down hundreds of thousands of rows.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connectors.totara.mappings import CertificationStatusRule, normalise_heading

DATE_FORMATS = ("%d %b %Y", "%d %B %Y")
DATETIME_FORMATS = ("%d %b %Y at %H:%M", "%d %B %Y at %H:%M")
DATE_EXAMPLE = "05 Mar 2024 or 05 Mar 2024 at 14:30"


def clean_text(values: pd.Series) -> pd.Series:
    """Text with surrounding and repeated spaces removed; blank cells become missing.

    Runs of whitespace are collapsed by Python's `re` only in the cells that hold one (two spaces together, or
    any whitespace other than a space): pandas runs that regex cell by cell, and almost no cell needs it."""
    text = values.fillna("").astype(str).str.strip()
    spaced = text.str.contains(_whitespace_run_pattern(), regex=True)
    if spaced.any():
        text = text.mask(spaced, text[spaced].str.replace(r"\s+", " ", regex=True))
    return text.mask(text == "")


def folded(values: pd.Series) -> pd.Series:
    """Each text as headings and status texts are compared (`normalise_heading`); a blank cell as ""."""
    return by_distinct_value(values.fillna(""), normalise_heading)


def by_distinct_value(values: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """`values.map(convert)`, calling `convert` once per distinct value (missing values included)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    converted = pd.Series([convert(value) for value in distinct], dtype=object).infer_objects()
    return pd.Series(converted.to_numpy()[codes], index=values.index, dtype=converted.dtype)


@functools.cache
def _whitespace_run_pattern() -> str:
    """Two spaces together, or one of the other characters Python's `\\s` matches, written out: the check runs
    in pyarrow's regex engine, whose `\\s` knows fewer whitespace characters than Python's."""
    others = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " ")
    return "  |[" + others + "]"


@dataclass(frozen=True)
class ParsedDates:
    """One column of report dates: the calendar date (as written), the UTC moment when a time was given, and
    which non-blank cells could not be read."""

    dates: pd.Series
    moments: pd.Series
    unreadable: pd.Series


def _parse_with(text: pd.Series, formats: Sequence[str]) -> pd.Series:
    """Each text read by the first of `formats` that fits it (NaT for none), each distinct text parsed once."""
    codes, distinct = pd.factorize(text)
    parsed = pd.Series(pd.NaT, index=range(len(distinct)), dtype="datetime64[us]")
    distinct = pd.Series(distinct, dtype=object)
    for date_format in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        attempt = pd.to_datetime(distinct[todo], format=date_format, errors="coerce").astype("datetime64[us]")
        parsed = parsed.mask(todo, attempt.reindex(parsed.index))
    # A missing text has code -1, which takes the NaT put last.
    readings = np.append(parsed.to_numpy(), np.datetime64("NaT", "us"))
    return pd.Series(readings[codes], index=text.index, dtype="datetime64[us]")


def parse_report_dates(values: pd.Series, timezone: str = "Europe/London") -> ParsedDates:
    """Read a column of Report Builder dates written in `timezone`.

    `dates` holds `datetime.date` (None for blank or unreadable); `moments` holds the UTC time for cells that
    carry one (NaT otherwise). A local time that happens twice when the clocks go back is read as the first
    (summer time); one that never happens when they go forward is moved to the first valid minute.
    """
    text = clean_text(values)
    has_time = text.str.contains(r" at \d", regex=True, na=False)
    date_only = _parse_with(text.where(~has_time), DATE_FORMATS)
    with_time = _parse_with(text.where(has_time), DATETIME_FORMATS)
    local = date_only.where(~has_time, with_time)
    unreadable = text.notna() & local.isna()

    dates = local.dt.date.astype(object).where(local.notna(), None)
    first_occurrence = np.ones(len(with_time), dtype=bool)
    moments = (
        with_time.dt.tz_localize(timezone, ambiguous=first_occurrence, nonexistent="shift_forward")
        .dt.tz_convert("UTC")
        .astype("datetime64[us, UTC]")
    )
    return ParsedDates(dates, moments, unreadable)


@dataclass(frozen=True)
class ParsedStatuses:
    """One column of certification Status texts: the kind, the date inside the text and what that date means.

    `unknown` marks texts no rule recognises; `bad_date` marks recognised texts whose date cannot be read.
    """

    kinds: pd.Series
    dates: pd.Series
    date_meanings: pd.Series
    unknown: pd.Series
    bad_date: pd.Series


def parse_certification_statuses(
    values: pd.Series, rules: Sequence[CertificationStatusRule], timezone: str = "Europe/London"
) -> ParsedStatuses:
    """Recognise each Status text by the rules (longest pattern first, so `Expired since` never reads as
    `Expires`) and read the date that follows a prefix."""
    text = clean_text(values)
    folded_text = folded(text)
    kinds = pd.Series(None, index=values.index, dtype=object)
    meanings = pd.Series(None, index=values.index, dtype=object)
    date_text = pd.Series(None, index=values.index, dtype=object)
    for rule in sorted(rules, key=lambda r: len(r.pattern), reverse=True):
        open_rows = kinds.isna() & text.notna()
        if rule.text is not None:
            matched = open_rows & (folded_text == normalise_heading(rule.text))
        else:
            prefix = normalise_heading(str(rule.prefix)) + " "
            matched = open_rows & folded_text.str.startswith(prefix)
            date_text = date_text.mask(matched, text.where(matched).str.slice(len(prefix)))
        kinds = kinds.mask(matched, rule.kind)
        meanings = meanings.mask(matched, rule.date_is)
    parsed = parse_report_dates(date_text, timezone)
    return ParsedStatuses(
        kinds=kinds.where(kinds.notna(), None),
        dates=parsed.dates,
        date_meanings=meanings.where(meanings.notna(), None),
        unknown=text.notna() & kinds.isna(),
        bad_date=parsed.unreadable,
    )
