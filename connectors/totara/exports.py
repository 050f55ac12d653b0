"""Totara Report Builder scheduled exports: finding them in the landing folder and reading them into frames.

Three exports carry what the API cannot give (other people's completions): course completion, certification
completion and competency status, named `totara_<kind>_<YYYYMMDD>.csv`. Each reader returns one row per CSV
row with canonical columns (see `schemas/totara_headings.yaml`), its spreadsheet `row_number` (header = 1),
the values parsed (dates, status codes, flags), and a problems frame naming the row, heading, value and reason
for every cell that could not be read. Problem rows stay in the records with the unreadable value left empty,
never guessed.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from connectors.landing import LandingProblem, scan
from connectors.totara.errors import TotaraExportError
from connectors.totara.export_values import (
    DATE_EXAMPLE,
    clean_text,
    folded,
    parse_certification_statuses,
    parse_report_dates,
)
from connectors.totara.mappings import (
    ExportHeadings,
    TotaraStatusCodes,
    load_heading_map,
    load_status_codes,
    normalise_heading,
)

ExportKind = Literal["course_completion", "certification_completion", "competency_status"]

PROBLEM_COLUMNS = ["file", "row_number", "field", "value", "reason"]
ENCODINGS = ("utf-8-sig", "cp1252")
_BLOCK_BYTES = 1 << 20
#: Rows per chunk when a reader returns the whole file: chunking then only bounds the parser's working memory.
_WHOLE_FILE_CHUNK_ROWS = 250_000

_EXPORT_NAME = re.compile(
    r"^totara_(?P<kind>course_completion|certification_completion|competency_status)_(?P<date>\d{8})\.csv$",
    re.IGNORECASE,
)
_KIND_ORDER = {"course_completion": 0, "certification_completion": 1, "competency_status": 2}


@dataclass(frozen=True)
class TotaraExportFile:
    """One Report Builder export in the landing folder, as its name describes it."""

    path: Path
    kind: ExportKind
    export_date: date


def parse_totara_export_name(path: Path) -> TotaraExportFile | None:
    """Describe `path` from its name, or None when it is not a Totara export name.

    Raises `TotaraExportError` for a file named like an export whose date is not a real date, rather than skip it.
    """
    match = _EXPORT_NAME.match(path.name)
    if match is None:
        return None
    try:
        export_date = datetime.strptime(match["date"], "%Y%m%d").date()
    except ValueError as exc:
        raise TotaraExportError(
            path, f"named like a Totara export but {match['date']!r} is not a date (YYYYMMDD)"
        ) from exc
    kind: Any = match["kind"].lower()
    return TotaraExportFile(path, kind, export_date)


def scan_totara_exports(landing: Path | str) -> tuple[list[TotaraExportFile], list[LandingProblem]]:
    """Every Totara export under `landing` (any depth), oldest first, then by kind; and the export-named files
    that cannot be read (an impossible date, a link leading outside the landing folder)."""
    found, problems = scan(Path(landing), parse_totara_export_name, (TotaraExportError,))
    return sorted(found, key=lambda f: (f.export_date, _KIND_ORDER[f.kind], str(f.path))), problems


def discover_totara_exports(landing: Path | str) -> list[TotaraExportFile]:
    """Every readable Totara export under `landing`, oldest first, then by kind."""
    return scan_totara_exports(landing)[0]


@dataclass(frozen=True)
class TotaraExport:
    """One export read: the records (canonical columns), the problems found, and how the file was read.

    `headings` maps each canonical field to the heading the file used for it (absent when the file had none).
    """

    file: Path
    kind: ExportKind
    encoding: str
    records: pd.DataFrame
    problems: pd.DataFrame
    headings: Mapping[str, str] = field(default_factory=dict)


class _Problems:
    """Row problems collected column by column, turned into one frame at the end."""

    def __init__(self, file: Path) -> None:
        self._file = str(file)
        self._frames: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, row_numbers: pd.Series, heading: str, values: pd.Series, reason: str) -> None:
        if not mask.any():
            return
        self._frames.append(
            pd.DataFrame(
                {
                    "file": self._file,
                    "row_number": row_numbers[mask].to_numpy(),
                    "field": heading,
                    "value": values[mask].fillna("").astype(str).to_numpy(),
                    "reason": reason,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self._frames:
            return pd.DataFrame({column: pd.Series(dtype=object) for column in PROBLEM_COLUMNS}).astype(
                {"row_number": "int64"}
            )
        return pd.concat(self._frames, ignore_index=True).sort_values(["row_number", "field"], ignore_index=True)


def _detect_encoding(path: Path) -> str:
    """The first of ENCODINGS the whole file decodes in, read in blocks (never the whole file at once)."""
    for candidate in ENCODINGS:
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            with path.open("rb") as handle:
                first = handle.read(_BLOCK_BYTES)
                block = first
                while block:
                    decoder.decode(block)
                    block = handle.read(_BLOCK_BYTES)
                decoder.decode(b"", final=True)
        except OSError as exc:
            raise TotaraExportError(path, f"cannot be read ({exc.strerror})") from exc
        except UnicodeDecodeError:
            continue
        if candidate == "utf-8-sig" and not first.startswith(codecs.BOM_UTF8):
            return "utf-8"
        return candidate
    raise TotaraExportError(path, f"is not text in any of {', '.join(ENCODINGS)}; re-export it as CSV (UTF-8)")


def _raw_chunks(path: Path, encoding: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The CSV's cells as text, `chunk_rows` rows at a time; the frames' index counts data rows across chunks."""
    reading = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        yield from pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            encoding=reading,
            chunksize=chunk_rows,
        )
    except OSError as exc:
        raise TotaraExportError(path, f"cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise TotaraExportError(path, f"is not text in {encoding}; re-export it as CSV (UTF-8)") from exc
    except pd.errors.EmptyDataError as exc:
        raise TotaraExportError(path, "is empty: no heading row") from exc
    except pd.errors.ParserError as exc:
        raise TotaraExportError(path, f"is not well-formed CSV ({exc})") from exc


def _match_headings(path: Path, columns: Sequence[str], headings: ExportHeadings) -> dict[str, str]:
    accepted = {normalise_heading(text): canonical for canonical, texts in headings.fields.items() for text in texts}
    matched: dict[str, list[str]] = {}
    for column in columns:
        canonical = accepted.get(normalise_heading(column))
        if canonical is not None:
            matched.setdefault(canonical, []).append(column)
    for canonical, found in matched.items():
        if len(found) > 1:
            raise TotaraExportError(
                path,
                f"headings {', '.join(repr(h) for h in found)} all match the field {canonical!r}; "
                "remove the duplicate column from the report or narrow the heading map",
            )
    missing = [canonical for canonical in headings.required if canonical not in matched]
    if missing:
        wanted = "; ".join(
            f"{canonical} (one of {', '.join(repr(h) for h in headings.fields[canonical])})" for canonical in missing
        )
        raise TotaraExportError(
            path,
            f"is missing required column(s) for a {headings.kind} export: {wanted}. Headings found: "
            f"{', '.join(repr(c) for c in columns) or '(none)'}. If the report author renamed a column, "
            "add the heading to schemas/totara_headings.yaml or pass a heading override.",
        )
    return {canonical: found[0] for canonical, found in matched.items()}


@dataclass
class _Sheet:
    """A CSV being read: its canonical text columns, row numbers, and the problems found so far."""

    path: Path
    kind: ExportKind
    encoding: str
    headings: ExportHeadings
    found: dict[str, str]
    columns: dict[str, pd.Series]
    row_numbers: pd.Series
    problems: _Problems

    def heading(self, canonical: str) -> str:
        return self.found.get(canonical, canonical)

    def date_column(self, canonical: str, timezone: str, records: dict[str, Any]) -> None:
        """Parse a date field into `<x>_on` (date) and `<x>_at` (UTC moment when a time was given)."""
        parsed = parse_report_dates(self.columns[canonical], timezone)
        self.problems.add(
            parsed.unreadable,
            self.row_numbers,
            self.heading(canonical),
            self.columns[canonical],
            f"not a date ({DATE_EXAMPLE}); left empty",
        )
        records[canonical] = parsed.dates
        records[canonical.removesuffix("_on") + "_at"] = parsed.moments


def _sheets(
    path: Path | str,
    kind: ExportKind,
    headings: Mapping[str, ExportHeadings] | None,
    encoding: str | None,
    chunk_rows: int,
) -> Iterator[_Sheet]:
    """The export a chunk of rows at a time, headings matched once from the first chunk."""
    path = Path(path)
    export_headings = (headings or load_heading_map())[kind]
    used_encoding = encoding or _detect_encoding(path)
    found: dict[str, str] | None = None
    for raw in _raw_chunks(path, used_encoding, chunk_rows):
        if found is None:
            found = _match_headings(path, list(raw.columns), export_headings)
        row_numbers = pd.Series(raw.index + 2, index=raw.index, dtype="int64")
        columns = {
            canonical: clean_text(raw[found[canonical]]) if canonical in found else pd.Series(None, index=raw.index)
            for canonical in export_headings.fields
        }
        sheet = _Sheet(path, kind, used_encoding, export_headings, found, columns, row_numbers, _Problems(path))
        for canonical in export_headings.must_have_value:
            blank = columns[canonical].isna()
            sheet.problems.add(
                blank, row_numbers, sheet.heading(canonical), columns[canonical], "blank; every row needs it"
            )
        yield sheet


def _finish(sheet: _Sheet, records: dict[str, Any]) -> TotaraExport:
    frame = pd.DataFrame({"row_number": sheet.row_numbers, **records}).reset_index(drop=True)
    return TotaraExport(sheet.path, sheet.kind, sheet.encoding, frame, sheet.problems.frame(), dict(sheet.found))


def _text_records(sheet: _Sheet, names: Sequence[str]) -> dict[str, Any]:
    return {name: sheet.columns[name] for name in names}


def read_course_completion(
    path: Path | str,
    *,
    headings: Mapping[str, ExportHeadings] | None = None,
    status_codes: TotaraStatusCodes | None = None,
    timezone: str = "Europe/London",
    encoding: str | None = None,
) -> TotaraExport:
    """A course completion export: one row per person and course.

    Adds `status_code` (10 not yet started, 25 in progress, 50 complete, 75 complete via RPL) and
    `is_complete` (RPL counts as complete); both are empty for an unknown status text, which is reported as a
    problem.
    """
    return _read_whole(path, "course_completion", headings, status_codes, timezone, encoding)


def _parse_course_completion(sheet: _Sheet, status_codes: TotaraStatusCodes | None, timezone: str) -> TotaraExport:
    codes = status_codes or load_status_codes()
    status = sheet.columns["completion_status"]
    status_code = folded(status).map(codes.course_statuses).astype("Int64")
    unknown = status.notna() & status_code.isna()
    sheet.problems.add(
        unknown,
        sheet.row_numbers,
        sheet.heading("completion_status"),
        status,
        f"unknown completion status; expected one of {', '.join(map(repr, codes.course_statuses))}",
    )
    records = _text_records(
        sheet,
        [
            "user_fullname",
            "user_idnumber",
            "username",
            "user_email",
            "course_name",
            "course_shortname",
            "course_idnumber",
            "completion_status",
        ],
    )
    records["status_code"] = status_code
    records["is_complete"] = (
        status_code.isin(list(codes.course_complete_codes)).astype("boolean").mask(status_code.isna())
    )
    for canonical in ("enrolled_on", "started_on", "completed_on"):
        sheet.date_column(canonical, timezone, records)
    records["grade"] = sheet.columns["grade"]
    return _finish(sheet, records)


def read_certification_completion(
    path: Path | str,
    *,
    headings: Mapping[str, ExportHeadings] | None = None,
    status_codes: TotaraStatusCodes | None = None,
    timezone: str = "Europe/London",
    encoding: str | None = None,
) -> TotaraExport:
    """A certification completion export: one row per person and certification.

    The `status` text is read into `status_kind` (certified, window_open, overdue, expired, assigned,
    not_applicable) and `status_date` (the date inside it). `expires_on` and `window_opens_on` come from their
    columns, falling back to the status text's date where that date is an expiry or a window opening.
    `is_evidence` is true when the kind can evidence an achievement and the row has a completion date:
    `Assigned` and `N/A` rows never are.
    """
    return _read_whole(path, "certification_completion", headings, status_codes, timezone, encoding)


def _parse_certification_completion(
    sheet: _Sheet, status_codes: TotaraStatusCodes | None, timezone: str
) -> TotaraExport:
    codes = status_codes or load_status_codes()
    status = sheet.columns["status"]
    parsed = parse_certification_statuses(status, codes.certification_rules, timezone)
    status_heading = sheet.heading("status")
    known_texts = ", ".join(
        repr(rule.pattern + (" <date>" if rule.prefix else "")) for rule in codes.certification_rules
    )
    sheet.problems.add(
        parsed.unknown,
        sheet.row_numbers,
        status_heading,
        status,
        f"unknown certification status; expected {known_texts}",
    )
    sheet.problems.add(
        parsed.bad_date,
        sheet.row_numbers,
        status_heading,
        status,
        f"the date in the status is not a date ({DATE_EXAMPLE})",
    )

    records = _text_records(
        sheet,
        [
            "user_fullname",
            "user_idnumber",
            "username",
            "user_email",
            "certification_name",
            "certification_idnumber",
            "status",
        ],
    )
    records["status_kind"] = parsed.kinds
    records["status_date"] = parsed.dates
    for canonical in ("completed_on", "window_opens_on", "expires_on"):
        sheet.date_column(canonical, timezone, records)
    for canonical, meaning in (("expires_on", "expiry"), ("window_opens_on", "window_opens")):
        records[canonical] = pd.Series(
            [
                value if value is not None else (status_date if status_meaning == meaning else None)
                for value, status_date, status_meaning in zip(
                    records[canonical], parsed.dates, parsed.date_meanings, strict=True
                )
            ],
            index=status.index,
            dtype=object,
        )
    evidence_kinds = [name for name, kind in codes.certification_kinds.items() if kind.evidence]
    records["is_evidence"] = parsed.kinds.isin(evidence_kinds) & records["completed_on"].notna()
    return _finish(sheet, records)


def read_competency_status(
    path: Path | str,
    *,
    headings: Mapping[str, ExportHeadings] | None = None,
    status_codes: TotaraStatusCodes | None = None,
    timezone: str = "Europe/London",
    encoding: str | None = None,
) -> TotaraExport:
    """A competency status export: one row per person and competency, `is_proficient` read from Yes/No."""
    return _read_whole(path, "competency_status", headings, status_codes, timezone, encoding)


def _parse_competency_status(sheet: _Sheet, status_codes: TotaraStatusCodes | None, timezone: str) -> TotaraExport:
    codes = status_codes or load_status_codes()
    proficient = sheet.columns["proficient"]
    is_proficient = folded(proficient).map(codes.proficient).astype("boolean")
    sheet.problems.add(
        proficient.notna() & is_proficient.isna(),
        sheet.row_numbers,
        sheet.heading("proficient"),
        proficient,
        f"not a proficiency answer; expected one of {', '.join(map(repr, codes.proficient))}",
    )
    records = _text_records(
        sheet,
        [
            "user_fullname",
            "user_idnumber",
            "username",
            "user_email",
            "competency_name",
            "competency_idnumber",
            "proficient",
        ],
    )
    records["is_proficient"] = is_proficient
    records["scale_value"] = sheet.columns["scale_value"]
    sheet.date_column("achieved_on", timezone, records)
    return _finish(sheet, records)


_PARSERS = {
    "course_completion": _parse_course_completion,
    "certification_completion": _parse_certification_completion,
    "competency_status": _parse_competency_status,
}


def read_totara_export(export: TotaraExportFile, **options: Any) -> TotaraExport:
    """Read a discovered export whole with the reader for its kind; `options` as for the readers."""
    return _whole(read_totara_export_chunks(export, _WHOLE_FILE_CHUNK_ROWS, **options))


def read_totara_export_chunks(
    export: TotaraExportFile,
    chunk_rows: int,
    *,
    headings: Mapping[str, ExportHeadings] | None = None,
    status_codes: TotaraStatusCodes | None = None,
    timezone: str = "Europe/London",
    encoding: str | None = None,
) -> Iterator[TotaraExport]:
    """The export `chunk_rows` rows at a time, each chunk read exactly as the whole file would be (row numbers
    and problems included), so an export of millions of rows is never held in memory at once."""
    return _chunks(export.path, export.kind, chunk_rows, headings, status_codes, timezone, encoding)


def _chunks(
    path: Path | str,
    kind: ExportKind,
    chunk_rows: int,
    headings: Mapping[str, ExportHeadings] | None,
    status_codes: TotaraStatusCodes | None,
    timezone: str,
    encoding: str | None,
) -> Iterator[TotaraExport]:
    parse = _PARSERS[kind]
    for sheet in _sheets(path, kind, headings, encoding, chunk_rows):
        yield parse(sheet, status_codes, timezone)


def _read_whole(
    path: Path | str,
    kind: ExportKind,
    headings: Mapping[str, ExportHeadings] | None,
    status_codes: TotaraStatusCodes | None,
    timezone: str,
    encoding: str | None,
) -> TotaraExport:
    return _whole(_chunks(path, kind, _WHOLE_FILE_CHUNK_ROWS, headings, status_codes, timezone, encoding))


def _whole(chunks: Iterable[TotaraExport]) -> TotaraExport:
    parts = list(chunks)
    first = parts[0]
    problems = [part.problems for part in parts if not part.problems.empty]
    return TotaraExport(
        first.file,
        first.kind,
        first.encoding,
        pd.concat([part.records for part in parts], ignore_index=True) if len(parts) > 1 else first.records,
        pd.concat(problems, ignore_index=True) if problems else first.problems,
        first.headings,
    )


def _in_date_kinds(status_codes: TotaraStatusCodes | None) -> list[str]:
    codes = status_codes or load_status_codes()
    return [name for name, kind in codes.certification_kinds.items() if kind.in_date_when_unexpired]


def certification_in_date(row: Mapping[str, Any], at: date, *, status_codes: TotaraStatusCodes | None = None) -> bool:
    """True when the certification is in date at `at`: certified (or its window open) and expiring after `at`.

    `row` is one record of a certification export (a dict or a DataFrame row); which kinds count comes from
    `in_date_when_unexpired` in the status-code map.
    """
    expires_on = row.get("expires_on")
    if row.get("status_kind") not in _in_date_kinds(status_codes) or expires_on is None or pd.isna(expires_on):
        return False
    return bool(expires_on > at)


def certifications_in_date(
    records: pd.DataFrame, at: date, *, status_codes: TotaraStatusCodes | None = None
) -> pd.Series:
    """`certification_in_date` for every row of a certification export at once."""
    in_date_kind = records["status_kind"].isin(_in_date_kinds(status_codes))
    unexpired = records["expires_on"].map(lambda expiry: expiry is not None and not pd.isna(expiry) and expiry > at)
    return (in_date_kind & unexpired.astype(bool)).rename("in_date")
