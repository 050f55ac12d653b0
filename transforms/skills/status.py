"""How a person's skill stands on reporting date D, and whether they will still hold it on a later day.

`held` when the skill stays valid beyond D + the window (90 days) or never lapses; `expiring` when it lapses
after D but within the window (lapsing on D + 90 days itself is expiring); `lapsed` when it was evidenced but
lapsed on or before D; `missing` when no evidence dated on or before D exists. `held` and `expiring` both mean
the person holds the skill on D. A skill is valid on a day when it lapses after that day (or never): evidence
whose `valid_until` is D no longer counts on D.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from transforms.skills.frames import as_timestamps

SKILL_STATUSES = ("held", "expiring", "lapsed", "missing")
HOLDING_STATUSES = ("held", "expiring")


def skill_status(evidenced_on: pd.Series, valid_until: pd.Series, as_of: date, window_days: int) -> pd.Series:
    """Status of each person's skill from its evidence date and validity (NaT valid_until = never lapses)."""
    day = pd.Timestamp(as_of)
    horizon = day + pd.Timedelta(days=window_days)
    evidenced = as_timestamps(evidenced_on)
    until = as_timestamps(valid_until)
    status = np.select(
        [evidenced.isna(), until.isna(), until <= day, until <= horizon],
        ["missing", "held", "lapsed", "expiring"],
        default="held",
    )
    return pd.Series(status, index=evidenced_on.index, dtype=object)


def valid_on(evidenced_on: pd.Series, valid_until: pd.Series, day: pd.Timestamp | pd.Series) -> pd.Series:
    """Whether each skill, evidenced by D, is still valid on `day`: it lapses after `day`, or never.

    `day` is one day for every row, or a Series aligned with the rows (each requirement's own `needed_by`).
    """
    until = as_timestamps(valid_until)
    return as_timestamps(evidenced_on).notna() & (until.isna() | (until > day))


def still_in_post_after(assignment_end_date: pd.Series, day: pd.Timestamp | pd.Series) -> pd.Series:
    """Whether each person is still in post after `day` (one day, or one per row): no end date, or a later one.

    A known leaver whose assignment ends on or before `day` is gone by then and cannot cover the role.
    """
    end = as_timestamps(assignment_end_date)
    return end.isna() | (end > day)
