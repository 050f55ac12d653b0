"""Malformed ESR staff-in-post and competence exports.

Every file is a delta (or, where the case is about fullness, a full file) extracted the day after the baseline,
built from the baseline's own rows so that the good rows change nothing and only the bad part can.
"""

from __future__ import annotations

from tests.esr_files import COMPETENCE_HEADINGS, FIRE, STAFF_HEADINGS, competence_row, staff_row
from tests.reliability.corpus.baseline import competence_rows, staff_rows
from tests.reliability.corpus.model import BadFile, csv_bytes, loaded, refused, xlsx_bytes

STAFF = "esr/esr_staff_in_post_457_20261123_delta.csv"
STAFF_FULL = "esr/esr_staff_in_post_457_20261123_full.csv"
COMPETENCES = "esr/esr_competences_457_20261123_delta.csv"
ROW = "(row)"


def _good_staff(count: int = 6) -> list[dict[str, str]]:
    return staff_rows()[:count]


def _good_competences(count: int = 6) -> list[dict[str, str]]:
    return competence_rows()[:count]


def _staff_with(**bad: str) -> bytes:
    """Six unchanged baseline rows, then one row (spreadsheet row 8) for a new starter with `bad` cells."""
    return csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_row("10000099", **bad)])


def _competences_with(**bad: str) -> bytes:
    """Six unchanged baseline rows, then one row (spreadsheet row 8) with `bad` cells."""
    return csv_bytes(COMPETENCE_HEADINGS, [*_good_competences(), competence_row("10000008", FIRE, "01/05/2026", **bad)])


def _truncated_mid_row() -> bytes:
    whole = csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_row("10000099")])
    return whole[: whole.rindex(b",Paramedic,")]


def _truncated_in_quotes() -> bytes:
    whole = csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_row("10000099", **{"Last Name": "Smith, Jones"})])
    return whole[: whole.rindex(b'"Smith,') + len(b'"Smith,')]


def _mixed_line_endings() -> bytes:
    lines = csv_bytes(STAFF_HEADINGS, _good_staff(7), line_ending="\n").decode("utf-8").splitlines()
    endings = ["\r\n", "\n", "\r\n", "\n", "\r\n", "\n", "\r\n", "\n"]
    return "".join(line + ending for line, ending in zip(lines, endings, strict=True)).encode("utf-8")


def _conflicting_duplicates() -> bytes:
    rows = [*_good_staff(), staff_row("10000007"), staff_row("10000007", **{"Job Role": "Team Leader"})]
    return csv_bytes(STAFF_HEADINGS, rows)


def _exact_duplicates() -> bytes:
    return csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_rows()[0]])


def _with_nul() -> bytes:
    return _staff_with(**{"Last Name": "O'Brien\x00Jones"})


def _huge_header() -> bytes:
    extra = [f"Unused Column {n}" for n in range(1, 3001)]
    rows = [[*(row[h] for h in STAFF_HEADINGS), *([""] * len(extra))] for row in _good_staff(2)]
    return csv_bytes([*STAFF_HEADINGS, *extra], rows)


def _too_many_fields() -> bytes:
    rows = [[row[h] for h in STAFF_HEADINGS] for row in _good_staff()]
    rows.append([*(staff_row("10000099")[h] for h in STAFF_HEADINGS), "stray cell"])
    return csv_bytes(STAFF_HEADINGS, rows)


def _truncated_full_file() -> bytes:
    return csv_bytes(STAFF_HEADINGS, _good_staff(2))


def _mostly_bad() -> bytes:
    bad = [staff_row(f"1000009{n}", **{"Assignment Status": "Gardening Leave"}) for n in range(4)]
    return csv_bytes(STAFF_HEADINGS, [*_good_staff(4), *bad])


def _not_utf8_or_cp1252() -> bytes:
    return _staff_with().replace(b"Fulham", b"Ful\x81ham", 1)


def _bom_then_cp1252() -> bytes:
    return b"\xef\xbb\xbf" + csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_row("10000099")], encoding="cp1252")


def _cp1252_resave() -> bytes:
    return csv_bytes(STAFF_HEADINGS, [*_good_staff(), staff_row("10000099")], encoding="cp1252")


def _sheet(rows: list[dict[str, str]]) -> list[list[str]]:
    return [STAFF_HEADINGS, *([row[h] for h in STAFF_HEADINGS] for row in rows)]


def _xlsx_notes_then_data() -> bytes:
    notes = [["Staff in post report"], ["Run by 457RTALUKD01 on 23/11/2026"], []]
    return xlsx_bytes({"Notes": notes, "Staff in post": _sheet(_good_staff(7))})


def _xlsx_split_over_two_sheets() -> bytes:
    rows = staff_rows()
    return xlsx_bytes({"Sheet1": _sheet(rows[:6]), "Sheet2": _sheet(rows[6:])})


def _missing_competency_heading() -> bytes:
    headings = [h for h in COMPETENCE_HEADINGS if h != "Competency Name"]
    return csv_bytes(headings, _good_competences())


ESR_CASES: tuple[BadFile, ...] = (
    BadFile("esr-empty-file", "esr_staff_in_post", STAFF, lambda: b"", refused("empty"), None),
    BadFile(
        "esr-headings-only",
        "esr_staff_in_post",
        STAFF,
        lambda: csv_bytes(STAFF_HEADINGS, []),
        refused("headings but no data rows"),
        0,
    ),
    BadFile(
        "esr-truncated-mid-row",
        "esr_staff_in_post",
        STAFF,
        _truncated_mid_row,
        loaded((8, ROW)),
        7,
    ),
    BadFile(
        "esr-truncated-inside-quotes",
        "esr_staff_in_post",
        STAFF,
        _truncated_in_quotes,
        loaded((8, ROW)),
        7,
    ),
    BadFile(
        "esr-semicolon-delimiter",
        "esr_staff_in_post",
        STAFF,
        lambda: csv_bytes(STAFF_HEADINGS, _good_staff(), delimiter=";"),
        refused("missing required heading"),
        6,
    ),
    BadFile(
        "esr-utf16",
        "esr_staff_in_post",
        STAFF,
        lambda: csv_bytes(STAFF_HEADINGS, _good_staff(), encoding="utf-16"),
        refused("UTF-16"),
        6,
    ),
    BadFile("esr-mixed-line-endings", "esr_staff_in_post", STAFF, _mixed_line_endings, loaded(), 7),
    BadFile(
        "esr-duplicate-key-conflicting-values",
        "esr_staff_in_post",
        STAFF,
        _conflicting_duplicates,
        loaded((8, "VPD + Assignment Number"), (9, "VPD + Assignment Number")),
        8,
    ),
    BadFile(
        "esr-exact-duplicate-rows",
        "esr_staff_in_post",
        STAFF,
        _exact_duplicates,
        loaded(),
        7,
    ),
    BadFile(
        "esr-impossible-date",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Hire Date": "31/02/2026", "Assignment Start Date": "30/02/2026"}),
        loaded((8, "Hire Date"), (8, "Assignment Start Date")),
        7,
    ),
    BadFile(
        "esr-end-before-start",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Assignment End Date": "01/01/2019"}),
        loaded((8, "Assignment End Date")),
        7,
    ),
    BadFile(
        "esr-unknown-assignment-status",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Assignment Status": "Gardening Leave"}),
        loaded((8, "Assignment Status")),
        7,
    ),
    BadFile(
        "esr-unknown-staff-group",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Staff Group": "Wizards"}),
        loaded((8, "Staff Group")),
        7,
    ),
    BadFile(
        "esr-field-of-100k-characters",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Job Role": "Paramedic " * 10_000}),
        loaded((8, "Job Role")),
        7,
    ),
    BadFile("esr-embedded-nul", "esr_staff_in_post", STAFF, _with_nul, refused("NUL byte"), 7),
    BadFile("esr-huge-header-few-rows", "esr_staff_in_post", STAFF, _huge_header, loaded(), 2),
    BadFile(
        "esr-row-with-extra-field",
        "esr_staff_in_post",
        STAFF,
        _too_many_fields,
        loaded((8, ROW)),
        7,
    ),
    BadFile(
        "esr-wte-not-a-number",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Contracted WTE": "1,0"}),
        loaded((8, "Contracted WTE")),
        7,
    ),
    BadFile(
        "esr-wte-out-of-range",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Contracted WTE": "7.5"}),
        loaded((8, "Contracted WTE")),
        7,
    ),
    BadFile(
        "esr-blank-employee-number",
        "esr_staff_in_post",
        STAFF,
        lambda: _staff_with(**{"Employee Number": ""}),
        loaded((8, "Employee Number")),
        7,
    ),
    BadFile(
        "esr-truncated-full-file",
        "esr_staff_in_post",
        STAFF_FULL,
        _truncated_full_file,
        refused("looks truncated"),
        2,
    ),
    BadFile(
        "esr-mostly-bad-rows",
        "esr_staff_in_post",
        STAFF,
        _mostly_bad,
        refused("failed validation", quarantined=[(n, "Assignment Status") for n in range(6, 10)]),
        8,
    ),
    BadFile(
        "esr-neither-utf8-nor-windows-1252",
        "esr_staff_in_post",
        STAFF,
        _not_utf8_or_cp1252,
        refused("neither UTF-8"),
        7,
    ),
    BadFile("esr-bom-then-windows-1252", "esr_staff_in_post", STAFF, _bom_then_cp1252, refused("mixed encodings"), 7),
    BadFile("esr-windows-1252-resave", "esr_staff_in_post", STAFF, _cp1252_resave, loaded(), 7),
    BadFile(
        "esr-xlsx-notes-sheet-first",
        "esr_staff_in_post",
        STAFF.replace(".csv", ".xlsx"),
        _xlsx_notes_then_data,
        loaded(),
        7,
    ),
    BadFile(
        "esr-xlsx-rows-split-over-two-sheets",
        "esr_staff_in_post",
        STAFF.replace(".csv", ".xlsx"),
        _xlsx_split_over_two_sheets,
        refused("'Sheet1'", "'Sheet2'"),
        12,
    ),
    BadFile(
        "esr-xlsx-that-is-csv-text",
        "esr_staff_in_post",
        STAFF.replace(".csv", ".xlsx"),
        lambda: csv_bytes(STAFF_HEADINGS, _good_staff()),
        refused("not an Excel workbook"),
        6,
    ),
    BadFile(
        "esr-impossible-date-in-file-name",
        "esr_staff_in_post",
        "esr/esr_staff_in_post_457_20261131_delta.csv",
        lambda: csv_bytes(STAFF_HEADINGS, _good_staff()),
        refused("20261131"),
        6,
    ),
    BadFile(
        "esr-expiry-before-award",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Expiry Date": "01/05/2025"}),
        loaded((8, "Expiry Date")),
        7,
    ),
    BadFile(
        "esr-future-award",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Date Last Awarded": "2027/05/31 00:00:00", "Date Start": "31-May-2027"}),
        loaded(),
        7,
    ),
    BadFile(
        "esr-unknown-compliance-status",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Compliance Status": "PURPLE"}),
        loaded((8, "Compliance Status")),
        7,
    ),
    BadFile(
        "esr-malformed-competency-name",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Competency Name": "Fire Safety - 2 Years"}),
        loaded((8, "Competency Name")),
        7,
    ),
    BadFile(
        "esr-essential-not-y-or-n",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Essential": "Maybe"}),
        loaded((8, "Essential")),
        7,
    ),
    BadFile(
        "esr-end-of-time-expiry",
        "esr_competences",
        COMPETENCES,
        lambda: _competences_with(**{"Expiry Date": "31-Dec-4712"}),
        loaded((8, "Expiry Date")),
        7,
    ),
    BadFile(
        "esr-missing-required-heading",
        "esr_competences",
        COMPETENCES,
        _missing_competency_heading,
        refused("missing required heading", "Competency Name"),
        6,
    ),
)
