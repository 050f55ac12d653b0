"""When the sample trust's ESR extracts are dated, and which extract first shows a change.

With history, ESR sent a baseline full extract 364 days before the as-of date, a delta every four weeks after
it, and a final full extract the day before the as-of date; without history only that final full exists. A
change recorded on day `d` first appears in the first extract dated on or after `d`.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sample_trust.dates import days

HISTORY_DAYS = 364
DELTA_EVERY_DAYS = 28
WINDOWS_1252_DELTA_NUMBER = 6  # the delta that was re-saved in Excel as Windows-1252


@dataclass(frozen=True)
class TrustCalendar:
    """The dates that frame the sample trust's story, all derived from the as-of date."""

    as_of: date

    @cached_property
    def baseline_on(self) -> date:
        """Date of the baseline full extract (and the start of the year of history)."""
        return self.as_of - days(HISTORY_DAYS)

    @cached_property
    def final_on(self) -> date:
        """Date of the final full extract and of the Totara exports: the current snapshot."""
        return self.as_of - days(1)

    @cached_property
    def delta_dates(self) -> tuple[date, ...]:
        """Dates of the four-weekly deltas between the baseline and the final extract."""
        found = []
        day = self.baseline_on + days(DELTA_EVERY_DAYS)
        while day < self.final_on:
            found.append(day)
            day += days(DELTA_EVERY_DAYS)
        return tuple(found)

    @cached_property
    def windows_1252_delta_on(self) -> date:
        """Date of the delta whose staff file arrives in Windows-1252."""
        return self.delta_dates[WINDOWS_1252_DELTA_NUMBER - 1]


@dataclass(frozen=True)
class Extract:
    """One dated ESR extract (a staff in post file and a competences file)."""

    extract_date: date
    mode: str  # "full" or "delta"
    position: int  # 0 for the first extract

    @property
    def is_delta(self) -> bool:
        """True for a delta of changes, False for a full snapshot."""
        return self.mode == "delta"


@dataclass(frozen=True)
class ExtractSchedule:
    """The extracts to write, oldest first."""

    extracts: tuple[Extract, ...]

    @classmethod
    def for_calendar(cls, calendar: TrustCalendar, history: bool) -> ExtractSchedule:
        """Baseline full, four-weekly deltas and final full with history; only the final full without."""
        if not history:
            return cls((Extract(calendar.final_on, "full", 0),))
        dated = [(calendar.baseline_on, "full")]
        dated += [(day, "delta") for day in calendar.delta_dates]
        dated.append((calendar.final_on, "full"))
        return cls(tuple(Extract(day, mode, position) for position, (day, mode) in enumerate(dated)))

    @cached_property
    def dates(self) -> tuple[date, ...]:
        """Extract dates, oldest first."""
        return tuple(extract.extract_date for extract in self.extracts)

    @property
    def fulls(self) -> tuple[Extract, ...]:
        """The full snapshots."""
        return tuple(extract for extract in self.extracts if not extract.is_delta)

    @property
    def final(self) -> Extract:
        """The last full snapshot: the trust as it is now."""
        return self.extracts[-1]

    def first_showing(self, recorded_on: date) -> Extract | None:
        """The first extract that shows a change recorded on `recorded_on`, or None if it is after them all."""
        position = bisect_left(self.dates, recorded_on)
        return self.extracts[position] if position < len(self.extracts) else None
