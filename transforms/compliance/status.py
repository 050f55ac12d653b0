"""How a requirement stands on reporting date D.

`compliant` when the evidence expires more than the expiring window (90 days) after D or never; `expiring` when
it expires after D but within the window (D + 90 days itself is expiring); `expired` when it expires on or before
D; `missing` when there is no evidence dated on or before D. `compliant` and `expiring` both count as in date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

STATUSES = ("compliant", "expiring", "expired", "missing")
IN_DATE_STATUSES = ("compliant", "expiring")


def requirement_status(
    achieved_on: pd.Series, expires_on: pd.Series, as_of: date, expiring_window_days: int
) -> pd.Series:
    """Status of each requirement from its evidence's award and expiry dates (NaT expiry = never lapses)."""
    day = pd.Timestamp(as_of)
    horizon = day + pd.Timedelta(days=expiring_window_days)
    achieved = pd.to_datetime(achieved_on)
    expiry = pd.to_datetime(expires_on)
    status = np.select(
        [achieved.isna(), expiry.isna(), expiry <= day, expiry <= horizon],
        ["missing", "compliant", "expired", "expiring"],
        default="compliant",
    )
    return pd.Series(status, index=achieved_on.index, dtype=object)


def days_to_expiry(expires_on: pd.Series, as_of: date) -> pd.Series:
    """Whole days from the reporting date to expiry (negative once expired; null when never or missing)."""
    delta = pd.to_datetime(expires_on) - pd.Timestamp(as_of)
    return delta.dt.days.astype("Int64")
