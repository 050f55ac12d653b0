"""Rejected rows kept with their reason (`quarantine.rejected_row`): nothing a source sends is lost."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from warehouse.bulk import insert_frame
from warehouse.models import rejected_row


def write_rejected_rows(connection: Connection, frames: list[pd.DataFrame]) -> int:
    """Insert the rejected rows a load collected chunk by chunk; returns how many.

    Loads call this in the transaction that records their outcome, so a load killed part-way leaves none behind
    and a retried load never keeps them twice.
    """
    rows = [frame for frame in frames if not frame.empty]
    if not rows:
        return 0
    return insert_frame(connection, rejected_row, pd.concat(rows, ignore_index=True))
