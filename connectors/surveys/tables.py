"""Raw reading of a CSV or XLSX sheet into text cells keyed by spreadsheet row number (heading row = 1).

Contractors send CSV (UTF-8, UTF-8 with BOM from Excel, or Windows-1252) or XLSX. Everything is read as text
so that the readers decide what a cell means; row numbers are kept so every problem can name the row a person
would see in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from connectors.surveys.errors import SurveyFileError

PROBLEM_COLUMNS = ("row_number", "field", "value", "reason")


@dataclass(frozen=True)
class RawTable:
    """The heading row and the data rows of one table; `rows` is indexed by spreadsheet row number."""

    path: Path
    headings: tuple[str, ...]
    rows: pd.DataFrame


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would type: 3.0 reads as "3", empty as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_records(path: Path) -> list[tuple[int, list[str]]]:
    """Every CSV record with its spreadsheet row number; blank records are skipped but still counted."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    records = []
    for row_number, record in enumerate(reader, start=1):
        cells = [cell.strip() for cell in record]
        if any(cells):
            records.append((row_number, cells))
    return records


def xlsx_sheets(path: Path) -> dict[str, list[tuple[int, list[str]]]]:
    """Every sheet of a workbook as (row number, cells) for its non-blank rows, in workbook order."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a damaged file
        raise SurveyFileError(path, f"is not a readable XLSX workbook ({error})") from error
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            rows = []
            for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                if any(cells):
                    rows.append((row_number, cells))
            sheets[sheet.title] = rows
        return sheets
    finally:
        workbook.close()


def table_from_records(
    path: Path,
    records: list[tuple[int, list[str]]],
    *,
    heading_row: int = 1,
    drop: Callable[[str], bool] = lambda heading: False,
    sheet: str | None = None,
) -> RawTable:
    """Turn records into a table whose headings are on `heading_row`; columns for which `drop` is true are
    discarded before any frame is built, so their values are never held beyond this call."""
    where = f" (sheet {sheet!r})" if sheet else ""
    if not records:
        raise SurveyFileError(path, f"is empty{where}: expected a heading row and data rows")
    first_row, heading_cells = records[0]
    if first_row != heading_row:
        raise SurveyFileError(
            path,
            f"the heading row must be row {heading_row}{where}, but row {heading_row} is blank",
            row=heading_row,
        )
    while heading_cells and not heading_cells[-1]:
        heading_cells = heading_cells[:-1]
    if any(not heading for heading in heading_cells):
        column = heading_cells.index("") + 1
        raise SurveyFileError(path, f"column {column} has no heading{where}", row=heading_row)
    folded = [heading.casefold() for heading in heading_cells]
    for index, key in enumerate(folded):
        if key in folded[:index]:
            raise SurveyFileError(
                path,
                f"heading appears twice{where} (headings are matched case-insensitively)",
                row=heading_row,
                field=heading_cells[index],
            )
    keep = [index for index, heading in enumerate(heading_cells) if not drop(heading)]
    width = len(heading_cells)
    data = []
    numbers = []
    for row_number, cells in records[1:]:
        if len(cells) > width and any(cells[width:]):
            raise SurveyFileError(
                path, f"row has {len(cells)} cells but the heading row has {width}{where}", row=row_number
            )
        cells = cells + [""] * (width - len(cells))
        data.append([cells[index] for index in keep])
        numbers.append(row_number)
    headings = tuple(heading_cells[index] for index in keep)
    rows = pd.DataFrame(data, columns=list(headings), index=pd.Index(numbers, name="row_number"), dtype=str)
    return RawTable(path=path, headings=headings, rows=rows)


def read_table(path: Path, *, drop: Callable[[str], bool] = lambda heading: False) -> RawTable:
    """The first sheet of an XLSX file, or a CSV file, as a table with its headings on row 1."""
    if not path.exists():
        raise SurveyFileError(path, "does not exist")
    if path.suffix.lower() == ".xlsx":
        sheets = xlsx_sheets(path)
        name, records = next(iter(sheets.items()))
        return table_from_records(path, records, drop=drop, sheet=name)
    return table_from_records(path, csv_records(path), drop=drop)


class ProblemLog:
    """Rows a reader set aside or cells it could not use, one entry per problem, for the problems frame."""

    def __init__(self) -> None:
        self._entries: list[tuple[int | None, str, str, str]] = []

    def add(self, row_number: int | None, field: str, value: object, reason: str) -> None:
        self._entries.append((row_number, field, "" if value is None else str(value), reason))

    def add_many(self, row_numbers: pd.Index, field: str, values: pd.Series, reason: str) -> None:
        for row_number, value in zip(row_numbers, values, strict=True):
            self.add(int(row_number), field, value, reason)

    def frame(self) -> pd.DataFrame:
        """The problems as a frame: row_number (spreadsheet row, heading = 1), field, value, reason."""
        frame = pd.DataFrame(self._entries, columns=list(PROBLEM_COLUMNS))
        frame["row_number"] = frame["row_number"].astype("Int64")
        for column in ("field", "value", "reason"):
            frame[column] = frame[column].astype(str)
        return frame.sort_values("row_number", kind="stable", na_position="first").reset_index(drop=True)
