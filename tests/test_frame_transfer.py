"""Frames handed from a build's worker process come back exactly as they were, in a fraction of the bytes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from flows import frame_transfer


def _every_kind_of_column(index: pd.Index) -> pd.DataFrame:
    rows = len(index)

    def cycle(*values):
        return [values[i % len(values)] for i in range(rows)]

    def objects(*values):
        return pd.Series(cycle(*values), index=index, dtype=object)

    return pd.DataFrame(
        {
            "text": objects("Fire Safety", None, "Fire Safety", "Moving and Handling"),
            "dates": objects(date(2026, 11, 24), None, date(2024, 2, 29)),
            "nan_for_missing": objects(np.nan, "Paramedic", np.nan, "Technician"),
            "flags": objects(True, False, None),
            "whole_numbers": objects(30, -1, 0, None),
            "one_and_true": objects(1, True, 1.0, "1"),
            "minus_zero": objects(0.0, -0.0),
            "datetimes_and_dates": objects(datetime(2026, 1, 1), date(2026, 1, 1)),
            "two_kinds_of_missing": objects("a", None, np.nan, "b"),
            "all_missing": objects(None),
            "numbers": pd.Series(range(rows), index=index),
            "arrow_text": pd.Series(cycle("a", None, "b"), index=index, dtype="str"),
            "timestamps": pd.Series(pd.to_datetime(cycle("2026-01-01 00:00", None, "2026-03-29 01:30")), index=index),
            "categories": pd.Series(cycle("held", "missing"), index=index, dtype="category"),
            "nullable_integers": pd.Series(cycle(1, None, 3), index=index, dtype="Int64"),
        }
    )


def assert_same_frame(sent: pd.DataFrame, received: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(received, sent)
    for name in sent.columns:
        assert [type(v) for v in received[name]] == [type(v) for v in sent[name]], name
        assert [repr(v) for v in received[name]] == [repr(v) for v in sent[name]], name


@pytest.mark.parametrize(
    "index",
    [pd.RangeIndex(12), pd.Index([3, 3, 1, 7, 7, 7, 0, 2, 2, 9, 9, 9]), pd.Index(list("abcdefghijkl"))],
    ids=["numbered", "repeated-labels", "text-labels"],
)
def test_every_kind_of_column_comes_back_as_it_was_sent(index):
    sent = _every_kind_of_column(index)
    assert_same_frame(sent, frame_transfer.loads(frame_transfer.dumps(sent)))


@dataclass(frozen=True)
class Part:
    person: pd.DataFrame
    counts: pd.DataFrame


def test_frames_inside_a_part_come_back_wherever_they_are():
    person = _every_kind_of_column(pd.RangeIndex(12))
    counts = pd.DataFrame({"subject": ["Fire Safety"], "compliant": [10]})
    received = frame_transfer.loads(frame_transfer.dumps((Part(person, counts), 12, {"chains": person.head(0)})))
    assert received[1] == 12
    assert_same_frame(person, received[0].person)
    assert_same_frame(counts, received[0].counts)
    assert_same_frame(person.head(0), received[2]["chains"])


def test_frames_it_cannot_rebuild_column_by_column_go_as_pandas_pickles_them():
    repeated_names = pd.DataFrame([["a", "b"], ["a", None]], columns=["status", "status"], dtype=object)
    with_attributes = pd.DataFrame({"status": ["held", "missing"]}, dtype=object)
    with_attributes.attrs["as_of"] = "2026-11-24"
    for sent in (repeated_names, with_attributes):
        received = frame_transfer.loads(frame_transfer.dumps(sent))
        pd.testing.assert_frame_equal(received, sent)
        assert received.attrs == sent.attrs


def test_a_part_of_repeating_values_takes_a_fraction_of_the_bytes_pandas_would():
    people = 5_000
    rows = pd.DataFrame(
        {
            "employee_number": pd.Series([f"{10_000_000 + i // 15}" for i in range(people * 15)], dtype=object),
            "competency_name": pd.Series([f"NHS|CSTF|Subject {i % 15}|" for i in range(people * 15)], dtype=object),
            "organisation": pd.Series([f"Directorate {i % 40}" for i in range(people * 15)], dtype=object),
            "expires_on": pd.Series([date(2026, 1, 1 + i % 28) for i in range(people * 15)], dtype=object),
            "status": pd.Series([("compliant", "expired", None)[i % 3] for i in range(people * 15)], dtype=object),
        }
    )
    coded = frame_transfer.dumps(rows)
    assert len(coded) < len(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)) / 2
    assert_same_frame(rows, frame_transfer.loads(coded))
