"""What a corpus case is: a bad input, how to make it, and what must become of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import openpyxl


@dataclass(frozen=True)
class Expected:
    """What must become of a bad file.

    `status` is `refused` (nothing of the file applied) or `loaded` (good rows applied). `mentions` are phrases
    the refusal message must contain. `quarantined` is the set of (row, heading) pairs that must be in
    quarantine (row is the spreadsheet row, heading row = 1), each with a reason.
    """

    status: str
    mentions: tuple[str, ...] = ()
    quarantined: frozenset[tuple[int, str]] = frozenset()


def refused(*mentions: str, quarantined: Iterable[tuple[int, str]] = ()) -> Expected:
    return Expected("refused", tuple(mentions), frozenset(quarantined))


def loaded(*quarantined: tuple[int, str]) -> Expected:
    return Expected("loaded", (), frozenset(quarantined))


@dataclass(frozen=True)
class BadFile:
    """One malformed input file.

    `path` is where it lands under the landing folder (its name decides how it is read); `make` returns its
    bytes; `rows` is how many data rows it holds as a person would count them in a spreadsheet (None when the
    file cannot be read at all).
    """

    name: str
    source: str
    path: str
    make: Callable[[], bytes]
    expected: Expected
    rows: int | None


def csv_bytes(
    headings: Sequence[str],
    rows: Iterable[Mapping[str, str] | Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    line_ending: str = "\r\n",
) -> bytes:
    """A CSV file as a spreadsheet program writes it: headings, then rows (mappings or cell lists)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_ending)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headings] if isinstance(row, Mapping) else list(row))
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook with one sheet per entry, in order, each given as its rows of cells."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
