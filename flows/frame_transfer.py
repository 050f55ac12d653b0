"""Handing a worker process's frames to the build: pickled with each text or date column as integer codes and
its distinct values, unpickled as the same frames.

A build part's frames are columns of Python objects (text, dates, flags), ready to insert. Pickled as they are,
every cell is written and read back as an object of its own: about a second of the worker's time and half a
second of the build's for each part of 10,000 people, the build's own process being the one that also inserts
every row. The same values repeat across thousands of rows (organisations, job roles, competences, dates), so a
column sent as codes and distinct values is a fraction of the bytes and a fraction of the time.

Only columns whose values are all of one type where equal means identical (text, dates, whole numbers, flags)
are coded; any other column, and any frame this cannot rebuild exactly, is pickled as pandas pickles it.
"""

from __future__ import annotations

import io
import pickle
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

#: Value types whose equal values are indistinguishable, so a value may stand for every cell equal to it.
#: (Not floats: 0.0 equals -0.0; not timestamps: equal instants may differ in time zone.)
_CODED_TYPES = frozenset({str, date, int, bool})


def dumps(value: Any) -> bytes:
    """`value` pickled, every DataFrame in it (at any depth) with its repeating columns coded."""
    buffer = io.BytesIO()
    _FramePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """What `dumps` was given: its frames are plain DataFrames again, equal to the ones pickled."""
    return pickle.loads(data)


class _FramePickler(pickle.Pickler):
    def reducer_override(self, obj):
        if type(obj) is pd.DataFrame and _codable(obj):
            return _rebuilt_frame, (obj.index, obj.columns, [_coded(obj[name]) for name in obj.columns])
        return NotImplemented


def _codable(frame: pd.DataFrame) -> bool:
    """Frames rebuilt column by column come back exactly only with unique column names and no attributes."""
    return frame.columns.is_unique and not frame.attrs


def _coded(column: pd.Series) -> pd.Series | tuple[np.ndarray, np.ndarray]:
    """An object column as (codes, distinct values with its missing value last), or the column itself."""
    if column.dtype != object or column.empty:
        return column
    values = column.to_numpy()
    missing = pd.isna(values)
    present_types = {type(value) for value in values[~missing]}
    missing_values = values[missing]
    if len(present_types) > 1 or not present_types <= _CODED_TYPES or not _one_missing_value(missing_values):
        return column
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    missing_value = missing_values[0] if len(missing_values) else None
    # Code -1 (missing) picks the last distinct value, which is the column's own missing value.
    return codes.astype(np.int32), np.append(np.asarray(uniques, dtype=object), [missing_value]).astype(object)


def _one_missing_value(missing_values: np.ndarray) -> bool:
    """Whether every missing cell holds the same kind of missing value (None, NaN, NaT, pd.NA), so one stands
    for all of them."""
    if len(missing_values) == 0:
        return True
    first = missing_values[0]
    return all(type(value) is type(first) for value in missing_values)


def _rebuilt_frame(index: pd.Index, columns: pd.Index, coded: list) -> pd.DataFrame:
    data = {}
    for name, column in zip(columns, coded, strict=True):
        if isinstance(column, tuple):
            codes, distinct = column
            column = pd.Series(distinct[codes], index=index, dtype=object, name=name)
        data[name] = column
    return pd.DataFrame(data, index=index, columns=columns)
