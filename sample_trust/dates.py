"""Calendar arithmetic and the date texts the source systems write.

ESR writes one date in several shapes (`30-Nov-2028`, `2025/12/02 00:00:00`, `02/12/2025`, `2025-12-02`) and
Totara writes `05 Mar 2024` or `05 Mar 2024 at 14:30`. Month names are spelt out here rather than taken from the
locale so the files are the same on every machine. Formatting is cached per (date, style): a trust's dates span
a few decades, so the cache stays small however many staff are generated.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

DAY_MONTH_NAME = "day-month-name"  # 30-Nov-2028
YMD_MIDNIGHT = "ymd-midnight"  # 2025/12/02 00:00:00
UK = "uk"  # 02/12/2025 (day first)
ISO = "iso"  # 2025-12-02
TOTARA = "totara"  # 05 Mar 2024
DATE_STYLES = (DAY_MONTH_NAME, YMD_MIDNIGHT, UK, ISO, TOTARA)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months; the 31st becomes the last day of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if day.day <= 28:
        return date(year, month + 1, day.day)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def days(count: int) -> timedelta:
    """A number of days, for readable date arithmetic."""
    return timedelta(days=count)


@cache
def format_date(day: date, style: str) -> str:
    """`day` written in one of the `DATE_STYLES`."""
    if style == DAY_MONTH_NAME:
        return f"{day.day:02d}-{MONTH_ABBREVIATIONS[day.month - 1]}-{day.year:04d}"
    if style == YMD_MIDNIGHT:
        return f"{day.year:04d}/{day.month:02d}/{day.day:02d} 00:00:00"
    if style == UK:
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    if style == ISO:
        return day.isoformat()
    if style == TOTARA:
        return f"{day.day:02d} {MONTH_ABBREVIATIONS[day.month - 1]} {day.year:04d}"
    raise ValueError(f"unknown date style {style!r}; expected one of {DATE_STYLES}")


def format_esr_timestamp(day: date, seconds: int) -> str:
    """ESR's `Last Updated` text, e.g. `2026/11/20 18:02:11`, for `seconds` after midnight on `day`."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d} {hours:02d}:{minutes:02d}:{secs:02d}"


def format_totara_datetime(day: date, seconds: int) -> str:
    """Totara's date with time of day, e.g. `05 Mar 2024 at 14:30`."""
    hours, rest = divmod(seconds, 3600)
    return f"{format_date(day, TOTARA)} at {hours:02d}:{rest // 60:02d}"


def epoch_seconds(day: date, seconds: int = 0) -> int:
    """Unix time of `seconds` after midnight UTC on `day` (Totara's API dates are epoch seconds as text)."""
    return calendar.timegm(day.timetuple()) + seconds
