"""The trust's training needs analysis in core, versioned by when each new version of the file was received."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, update

from warehouse.bulk import insert_frame
from warehouse.models import training_requirement


def replace_training_needs(connection: Connection, rules: pd.DataFrame, load_id: int, received_on: date) -> int:
    """Close the current version of the TNA and open `rules` as the new one from `received_on`."""
    connection.execute(
        update(training_requirement).where(training_requirement.c.valid_to.is_(None)).values(valid_to=received_on)
    )
    frame = rules[["applies_to", "match_value", "competency_name"]].assign(
        valid_from=received_on, valid_to=None, load_id=load_id
    )
    return insert_frame(connection, training_requirement, frame)
