"""Adding up counts made a part of the people at a time: the summaries' additive half (see `build_*_part`)."""

from __future__ import annotations

import pandas as pd


def add_counts(parts: list[pd.DataFrame], keys: list[str], counts: list[str], sort: bool = True) -> pd.DataFrame:
    """The counts of several parts as the counts of all of them: one row per key, each count summed."""
    filled = [part for part in parts if not part.empty]
    if not filled:
        return pd.DataFrame(columns=[*keys, *counts])
    combined = pd.concat(filled, ignore_index=True).astype({count: "int64" for count in counts})
    return combined.groupby(keys, sort=sort)[counts].sum().reset_index()
