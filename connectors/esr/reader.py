"""The streaming ESR reader: one file in, typed chunks of canonical records (and the problems found) out.

A chunk's `records` holds one row per data row of the file that could be read, with the canonical fields
typed (dates as datetime64[ns], WTE as float, Essential as boolean, keys as the exact strings written) and the
spreadsheet row number (the heading row is row 1, the first data row is row 2), so every problem can be traced
to the row an HR analyst would open in Excel. `problems` holds one row per cell (or whole row) that could not
be read; a cell problem leaves the record in place with a null, a row with the wrong number of fields is left
out of `records` because its values may have slid into the wrong columns.

Only one chunk is held at a time. CSV goes through pandas' C parser; the `csv` module is used beside it only
to count the fields of rows the C parser may have padded, and to read on past a row it refuses to tokenise.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from zipfile import BadZipFile

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from connectors.esr.dates import parse_esr_dates, parse_expiry_dates
from connectors.esr.errors import EsrFileError, MissingHeadingError
from connectors.esr.fields import (
    FIELD_TYPES,
    NO_EXPIRY_COLUMN,
    ROW_FIELD,
    ROW_NUMBER_COLUMN,
    FieldType,
    record_columns,
)
from connectors.esr.files import EsrFile
from connectors.esr.fingerprint import XLSX_ENCODING, fingerprint_file
from connectors.esr.headings import HeadingMap

DEFAULT_CHUNK_ROWS = 100_000
PROBLEM_COLUMNS = ("row_number", "field", "value", "reason")
_ROW_TEXT_LIMIT = 500
_FLAG_VALUES = {"Y": True, "YES": True, "TRUE": True, "N": False, "NO": False, "FALSE": False}
_TEXT_TYPES = (FieldType.TEXT, FieldType.KEY)


@dataclass(frozen=True)
class EsrChunk:
    """Up to `chunk_rows` rows of one file.

    `records`: `row_number` then the kind's canonical fields (see `fields.record_columns`); an optional field
    the file lacks is a column of nulls. `problems`: row_number, field (the file's heading, or `(row)` for the
    whole row), value (as written) and reason.
    """

    records: pd.DataFrame
    problems: pd.DataFrame


@dataclass(frozen=True)
class EsrLayout:
    """What a file's heading row says: which column feeds which field, and what is ignored."""

    file: EsrFile
    encoding: str
    sheet_name: str | None
    headings: tuple[str, ...]
    columns: Mapping[str, str]  # canonical field -> the file's heading
    positions: Mapping[str, int]  # canonical field -> column index (0-based)
    ignored_headings: tuple[str, ...]


@dataclass(frozen=True)
class EsrBatchInfo:
    """A summary of one read of a file, for the load log.

    `rows_read` counts non-blank data rows, including rows left out of `records` for having the wrong number
    of fields; `problems` counts problem rows across all chunks; `complete` is False until the last chunk is
    read.
    """

    file: EsrFile
    encoding: str
    sheet_name: str | None
    columns: Mapping[str, str]
    ignored_headings: tuple[str, ...]
    rows_read: int
    chunks: int
    problems: int
    complete: bool


@dataclass(frozen=True)
class _RawChunk:
    """Cells as read (text, or workbook values) for the fields present, before typing."""

    values: pd.DataFrame  # one column per present field, RangeIndex
    row_numbers: np.ndarray
    row_problems: pd.DataFrame
    rows_read: int


class EsrFileReader:
    """Reads one ESR file in chunks. The heading row is checked on construction, so a file missing a required
    heading fails before any row is read; `info` summarises the read once iteration has finished."""

    def __init__(
        self,
        esr_file: EsrFile,
        headings: HeadingMap,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        encoding: str | None = None,
    ) -> None:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
        self.chunk_rows = chunk_rows
        self.layout = read_layout(esr_file, headings, encoding)
        self._rows_read = 0
        self._chunks = 0
        self._problems = 0
        self._complete = False

    def __iter__(self) -> Iterator[EsrChunk]:
        self._rows_read = self._chunks = self._problems = 0
        self._complete = False
        if self.layout.file.file_format == "xlsx":
            raw_chunks = _xlsx_raw_chunks(self.layout, self.chunk_rows)
        else:
            raw_chunks = _csv_raw_chunks(self.layout, self.chunk_rows)
        for raw in raw_chunks:
            chunk = _type_chunk(raw, self.layout)
            self._rows_read += raw.rows_read
            if chunk.records.empty and chunk.problems.empty:
                continue
            self._chunks += 1
            self._problems += len(chunk.problems)
            yield chunk
        self._complete = True

    @property
    def info(self) -> EsrBatchInfo:
        """The read so far; `complete` says whether every chunk has been yielded."""
        layout = self.layout
        return EsrBatchInfo(
            file=layout.file,
            encoding=layout.encoding,
            sheet_name=layout.sheet_name,
            columns=layout.columns,
            ignored_headings=layout.ignored_headings,
            rows_read=self._rows_read,
            chunks=self._chunks,
            problems=self._problems,
            complete=self._complete,
        )


def read_esr_file(
    esr_file: EsrFile,
    headings: HeadingMap,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    encoding: str | None = None,
) -> Iterator[EsrChunk]:
    """Stream `esr_file` as typed chunks of at most `chunk_rows` rows.

    The heading row is checked at once (raising `MissingHeadingError` before any row is read); rows are read
    as the iterator is consumed. `encoding` is the fingerprint's encoding for a CSV; when None it is detected
    here with an extra pass over the file. Entirely blank rows are skipped silently; a file yielding no rows
    yields no chunks. Use `EsrFileReader` directly to get an `EsrBatchInfo` after reading.
    """
    return iter(EsrFileReader(esr_file, headings, chunk_rows, encoding))


def read_layout(esr_file: EsrFile, headings: HeadingMap, encoding: str | None = None) -> EsrLayout:
    """Read just the heading row (XLSX: of the first worksheet with the required headings) and resolve it."""
    if esr_file.file_format == "xlsx":
        return _xlsx_layout(esr_file, headings)
    if encoding is None:
        encoding = fingerprint_file(esr_file.path).encoding
    try:
        with esr_file.path.open(encoding=encoding, newline="") as handle:
            heading_row = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise EsrFileError(esr_file.path, f"the heading row cannot be decoded as {encoding}: {exc}") from exc
    except csv.Error as exc:
        raise EsrFileError(esr_file.path, f"the heading row cannot be read as CSV: {exc}") from exc
    if heading_row is None or not any(cell.strip() for cell in heading_row):
        raise EsrFileError(esr_file.path, "is empty or its first line is blank: an ESR export starts with headings")
    return _layout(esr_file, headings, encoding, None, _clean_headings(heading_row))


def _layout(
    esr_file: EsrFile, headings: HeadingMap, encoding: str, sheet_name: str | None, found: tuple[str, ...]
) -> EsrLayout:
    columns = headings.resolve(esr_file.kind, found, esr_file.path)
    positions = {field: found.index(heading) for field, heading in columns.items()}
    return EsrLayout(
        file=esr_file,
        encoding=encoding,
        sheet_name=sheet_name,
        headings=found,
        columns=columns,
        positions=positions,
        ignored_headings=tuple(headings.ignored_headings(esr_file.kind, found)),
    )


def _clean_headings(cells: Sequence[object]) -> tuple[str, ...]:
    return tuple("" if cell is None else str(cell).replace("\ufeff", "").strip() for cell in cells)


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv_raw_chunks(layout: EsrLayout, chunk_rows: int) -> Iterator[_RawChunk]:
    """Chunks from pandas' C parser, switching to the `csv` module from the chunk it cannot tokenise."""
    path = layout.file.path
    width = len(layout.headings)
    names = [f"column_{position}" for position in range(width)]
    next_row = 2
    cursor: _CsvCursor | None = None
    try:
        with pd.read_csv(
            path,
            encoding=layout.encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0,
            names=names,
            index_col=False,
            chunksize=chunk_rows,
            skip_blank_lines=False,
            engine="c",
        ) as parsed:
            while True:
                try:
                    frame = _next_frame(parsed)
                except StopIteration:
                    return
                except (pd.errors.ParserError, pd.errors.ParserWarning):
                    # A row with too many fields, or a quote left open: read on from this chunk's first row
                    # with the csv module, which reports such rows one by one.
                    if cursor is not None:
                        cursor.close()
                    yield from _csv_module_chunks(layout, chunk_rows, next_row)
                    return
                blank = _blank_rows(frame)
                field_counts = None
                # The C parser pads a short row with empty fields, so only a row ending in an empty field can
                # be short; count the fields of such chunks with the csv module to tell.
                if width > 1 and ((frame[names[-1]] == "") & ~blank).any():
                    if cursor is None:
                        cursor = _CsvCursor(path, layout.encoding, next_row)
                    field_counts = np.array([len(record) for record in cursor.take(len(frame))])
                    if len(field_counts) != len(frame):
                        # The two parsers disagree on where rows end; trust the csv module from here on.
                        cursor.close()
                        yield from _csv_module_chunks(layout, chunk_rows, next_row)
                        return
                elif cursor is not None:
                    cursor.skip(len(frame))
                row_numbers = np.arange(next_row, next_row + len(frame))
                next_row += len(frame)
                yield _raw_from_frame(layout, frame, names, row_numbers, blank, field_counts)
    except UnicodeDecodeError as exc:
        raise EsrFileError(path, f"cannot be decoded as {layout.encoding} near row {next_row}: {exc}") from exc
    finally:
        if cursor is not None:
            cursor.close()


def _next_frame(parsed: pd.io.parsers.TextFileReader) -> pd.DataFrame:
    # pandas only warns (and drops data) when the first data row has more fields than the headings.
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return parsed.get_chunk()


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    blank = pd.Series(True, index=frame.index)
    for name in frame.columns:
        blank &= frame[name].str.strip() == ""
    return blank


def _raw_from_frame(
    layout: EsrLayout,
    frame: pd.DataFrame,
    names: list[str],
    row_numbers: np.ndarray,
    blank: pd.Series,
    field_counts: np.ndarray | None,
) -> _RawChunk:
    keep = ~blank.to_numpy()
    row_problems = _empty_problems()
    if field_counts is not None:
        malformed = keep & (field_counts != len(names))
        if malformed.any():
            bad_rows = [
                frame.iloc[position, : field_counts[position]].tolist() for position in np.flatnonzero(malformed)
            ]
            row_problems = _row_problems(row_numbers[malformed], bad_rows, field_counts[malformed], len(names))
            keep &= ~malformed
    kept = frame.loc[keep]
    values = pd.DataFrame(
        {field: kept[names[position]].reset_index(drop=True) for field, position in layout.positions.items()}
    )
    return _RawChunk(values, row_numbers[keep], row_problems, int((~blank).sum()))


class _CsvCursor:
    """The same file read record by record with the `csv` module, positioned at a spreadsheet row number."""

    def __init__(self, path: Path, encoding: str, start_row: int) -> None:
        self._path = path
        self._handle = path.open(encoding=encoding, newline="")
        self._records = csv.reader(self._handle)
        self.next_row = 1
        self.skip(start_row - 1)

    def take(self, count: int) -> list[list[str]]:
        return list(self._iterate(count))

    def skip(self, count: int) -> None:
        deque(self._iterate(count), maxlen=0)

    def _iterate(self, count: int) -> Iterator[list[str]]:
        for _ in range(count):
            try:
                record = next(self._records)
            except StopIteration:
                return
            except csv.Error as exc:
                raise EsrFileError(
                    self._path,
                    f"row {self.next_row} cannot be read as CSV ({exc}); a quoted field is probably never closed",
                ) from exc
            self.next_row += 1
            yield record

    def close(self) -> None:
        self._handle.close()


def _csv_module_chunks(layout: EsrLayout, chunk_rows: int, first_row: int) -> Iterator[_RawChunk]:
    width = len(layout.headings)
    cursor = _CsvCursor(layout.file.path, layout.encoding, first_row)
    try:
        while True:
            row_number = cursor.next_row
            records = cursor.take(chunk_rows)
            if not records:
                return
            good_rows: list[list[str]] = []
            good_numbers: list[int] = []
            bad_rows: list[list[str]] = []
            bad_numbers: list[int] = []
            rows_read = 0
            for offset, record in enumerate(records):
                if not any(cell.strip() for cell in record):
                    continue
                rows_read += 1
                if len(record) == width:
                    good_rows.append(record)
                    good_numbers.append(row_number + offset)
                else:
                    bad_rows.append(record)
                    bad_numbers.append(row_number + offset)
            by_position = list(zip(*good_rows, strict=True)) if good_rows else [()] * width
            values = pd.DataFrame(
                {field: pd.Series(by_position[position], dtype="str") for field, position in layout.positions.items()}
            )
            row_problems = _row_problems(
                np.array(bad_numbers, dtype=np.int64), bad_rows, np.array([len(r) for r in bad_rows]), width
            )
            yield _RawChunk(values, np.array(good_numbers, dtype=np.int64), row_problems, rows_read)
    except UnicodeDecodeError as exc:
        raise EsrFileError(
            layout.file.path, f"cannot be decoded as {layout.encoding} near row {cursor.next_row}: {exc}"
        ) from exc
    finally:
        cursor.close()


def _row_problems(
    row_numbers: np.ndarray, rows: Sequence[Sequence[str]], field_counts: np.ndarray, expected: int
) -> pd.DataFrame:
    if len(rows) == 0:
        return _empty_problems()
    return pd.DataFrame(
        {
            "row_number": np.asarray(row_numbers, dtype=np.int64),
            "field": ROW_FIELD,
            "value": [_row_text(row) for row in rows],
            "reason": [f"expected {expected} fields, found {count}" for count in field_counts],
        }
    ).astype({"field": "str", "value": "str", "reason": "str"})


def _row_text(cells: Sequence[str]) -> str:
    """A malformed row written back as one CSV line, so the problem shows what the file really held."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    text = buffer.getvalue()
    return text if len(text) <= _ROW_TEXT_LIMIT else text[:_ROW_TEXT_LIMIT] + "..."


# --- XLSX --------------------------------------------------------------------------------------------------


def _open_workbook(path: Path) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise EsrFileError(path, f"cannot be opened as an Excel workbook ({exc})") from exc


def _xlsx_layout(esr_file: EsrFile, headings: HeadingMap) -> EsrLayout:
    """The worksheet whose first row has the required headings; other sheets (a cover sheet, notes) are skipped.

    A workbook with two such sheets is refused: Excel splits a long export over sheets, and reading one of them
    would silently lose the others' rows.
    """
    workbook = _open_workbook(esr_file.path)
    failures: list[tuple[str, MissingHeadingError]] = []
    layouts: list[EsrLayout] = []
    try:
        for sheet in workbook.worksheets:
            first_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            found = _clean_headings(first_row)
            while found and not found[-1]:
                found = found[:-1]
            try:
                layouts.append(_layout(esr_file, headings, XLSX_ENCODING, sheet.title, found))
            except MissingHeadingError as exc:
                failures.append((sheet.title, exc))
    finally:
        workbook.close()
    if len(layouts) > 1:
        names = ", ".join(repr(layout.sheet_name) for layout in layouts)
        raise EsrFileError(
            esr_file.path,
            f"worksheets {names} all carry the export's headings (an export split over sheets); combine them "
            "into one sheet or export CSV, so no rows are left behind",
        )
    if layouts:
        return layouts[0]
    if not failures:
        raise EsrFileError(esr_file.path, "the workbook has no worksheets")
    sheet_name, closest = min(failures, key=lambda failure: len(failure[1].missing))
    checked = ", ".join(repr(name) for name, _ in failures)
    raise MissingHeadingError(
        esr_file.path,
        closest.missing,
        closest.found,
        hint=f"No worksheet has all the required headings in its first row (checked {checked}; "
        f"the headings found are those of {sheet_name!r}).",
    )


def _xlsx_raw_chunks(layout: EsrLayout, chunk_rows: int) -> Iterator[_RawChunk]:
    field_types = FIELD_TYPES[layout.file.kind]
    converters = [
        (field, position, _cell_converter(field_types[field])) for field, position in layout.positions.items()
    ]
    width = len(layout.headings)
    workbook = _open_workbook(layout.file.path)
    try:
        rows = workbook[layout.sheet_name].iter_rows(min_row=2, values_only=True)
        numbered = enumerate(rows, start=2)
        while True:
            batch = list(islice(numbered, chunk_rows))
            if not batch:
                return
            columns: dict[str, list[object]] = {field: [] for field, _, _ in converters}
            row_numbers = []
            for row_number, row in batch:
                # Cells right of the last heading are not part of the table (notes, totals).
                if all(_blank_cell(cell) for cell in row[:width]):
                    continue
                row_numbers.append(row_number)
                for field, position, convert in converters:
                    columns[field].append(convert(row[position] if position < len(row) else None))
            values = pd.DataFrame(
                {
                    field: pd.Series(cells, dtype="object" if _keeps_datetimes(field_types[field]) else "str")
                    for field, cells in columns.items()
                }
            )
            yield _RawChunk(values, np.array(row_numbers, dtype=np.int64), _empty_problems(), len(row_numbers))
    finally:
        workbook.close()


def _blank_cell(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _keeps_datetimes(field_type: FieldType) -> bool:
    return field_type in (FieldType.DATE, FieldType.EXPIRY, FieldType.DATETIME)


def _cell_converter(field_type: FieldType) -> Callable[[object], object]:
    """How a workbook cell becomes the reader's raw value for a field of `field_type`."""
    if field_type is FieldType.KEY:
        return _key_cell
    if field_type is FieldType.FLAG:
        return _flag_cell
    if _keeps_datetimes(field_type):
        return _date_cell
    return _text_cell


def _text_cell(cell: object) -> str | None:
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell)


def _key_cell(cell: object) -> str | None:
    # Excel stores an employee or assignment number typed as a number, dropping its leading zeros; ESR numbers
    # are 8 digits, so a numeric cell is written back as 8 digits (a text cell is kept exactly as typed).
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer() and cell >= 0:
        return f"{int(cell):08d}"
    return _text_cell(cell)


def _flag_cell(cell: object) -> str | None:
    if isinstance(cell, bool):
        return "Y" if cell else "N"
    return _text_cell(cell)


def _date_cell(cell: object) -> object:
    if isinstance(cell, date):
        return cell
    return _text_cell(cell)


# --- typing ------------------------------------------------------------------------------------------------


def _type_chunk(raw: _RawChunk, layout: EsrLayout) -> EsrChunk:
    """Turn raw cells into canonical typed records, collecting a problem for every cell that will not go."""
    count = len(raw.row_numbers)
    index = pd.RangeIndex(count)
    records: dict[str, pd.Series] = {ROW_NUMBER_COLUMN: pd.Series(raw.row_numbers, index=index, dtype="int64")}
    problems = [raw.row_problems]
    for field, field_type in FIELD_TYPES[layout.file.kind].items():
        heading = layout.columns.get(field)
        if heading is None:
            records.update(_null_columns(field, field_type, index))
            continue
        cells = _clean_cells(raw.values[field])
        if field_type in _TEXT_TYPES:
            records[field] = cells
        elif field_type is FieldType.EXPIRY:
            parsed = parse_expiry_dates(cells)
            records[field] = parsed.dates
            records[NO_EXPIRY_COLUMN] = parsed.no_expiry
            problems.append(_date_problems(raw, heading, cells, parsed.unparseable, parsed.out_of_range))
        elif field_type in (FieldType.DATE, FieldType.DATETIME):
            parsed = parse_esr_dates(cells, keep_time=field_type is FieldType.DATETIME)
            records[field] = parsed.dates
            problems.append(_date_problems(raw, heading, cells, parsed.unparseable, parsed.out_of_range))
        elif field_type is FieldType.NUMBER:
            numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
            bad = cells.notna() & numbers.isna()
            records[field] = numbers
            problems.append(_cell_problems(raw, heading, cells, bad, "not a number"))
        else:
            flags = cells.str.upper().map(_FLAG_VALUES).astype("boolean")
            bad = cells.notna() & flags.isna()
            records[field] = flags
            problems.append(_cell_problems(raw, heading, cells, bad, "not Y or N"))
    frame = pd.DataFrame(records, index=index)[record_columns(layout.file.kind)]
    found = [problem for problem in problems if not problem.empty]
    if found:
        all_problems = pd.concat(found, ignore_index=True).sort_values("row_number", kind="stable")
        all_problems = all_problems.reset_index(drop=True)
    else:
        all_problems = _empty_problems()
    return EsrChunk(records=frame, problems=all_problems)


def _clean_cells(cells: pd.Series) -> pd.Series:
    """Strip text; an empty cell becomes null. Workbook datetimes pass through untouched."""
    cells = cells.reset_index(drop=True)
    if isinstance(cells.dtype, pd.StringDtype):
        stripped = cells.str.strip()
        return stripped.mask(stripped == "")
    return cells.map(lambda cell: (cell.strip() or None) if isinstance(cell, str) else cell).astype("object")


def _null_columns(field: str, field_type: FieldType, index: pd.RangeIndex) -> dict[str, pd.Series]:
    if field_type in _TEXT_TYPES:
        return {field: pd.Series(np.nan, index=index, dtype="str")}
    if field_type is FieldType.NUMBER:
        return {field: pd.Series(np.nan, index=index, dtype="float64")}
    if field_type is FieldType.FLAG:
        return {field: pd.Series(pd.NA, index=index, dtype="boolean")}
    columns = {field: pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")}
    if field_type is FieldType.EXPIRY:
        columns[NO_EXPIRY_COLUMN] = pd.Series(False, index=index, dtype=bool)
    return columns


def _date_problems(
    raw: _RawChunk, heading: str, cells: pd.Series, unparseable: pd.Series, out_of_range: pd.Series
) -> pd.DataFrame:
    unrecognised = _cell_problems(raw, heading, cells, unparseable & ~out_of_range, "unrecognised date")
    beyond = _cell_problems(raw, heading, cells, out_of_range, "date out of range (years 1678 to 2261)")
    if beyond.empty:
        return unrecognised
    return pd.concat([unrecognised, beyond], ignore_index=True)


def _cell_problems(raw: _RawChunk, heading: str, cells: pd.Series, bad: pd.Series, reason: str) -> pd.DataFrame:
    mask = bad.to_numpy(dtype=bool)
    if not mask.any():
        return _empty_problems()
    return pd.DataFrame(
        {
            "row_number": raw.row_numbers[mask].astype(np.int64),
            "field": heading,
            "value": [_as_written(cell) for cell in cells[mask]],
            "reason": reason,
        }
    ).astype({"field": "str", "value": "str", "reason": "str"})


def _as_written(cell: object) -> str:
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell)


def _empty_problems() -> pd.DataFrame:
    dtypes = dict(zip(PROBLEM_COLUMNS, ("int64", "str", "str", "str"), strict=True))
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})
