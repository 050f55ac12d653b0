"""Reading ESR XLSX exports: the same canonical records as CSV, from cells that may be numbers or dates."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from connectors.esr.errors import EsrFileError, MissingHeadingError
from connectors.esr.fields import record_columns
from connectors.esr.files import parse_esr_file_name
from connectors.esr.headings import load_heading_map
from connectors.esr.reader import EsrFileReader, read_esr_file
from tests.esr_connector_samples import COMPETENCE_HEADINGS, STAFF_HEADINGS, competence_row, staff_row

HEADINGS = load_heading_map()


def write_workbook(path, sheets: dict[str, list[list[object]]]):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return parse_esr_file_name(path)


def staff_cells(**changes: object) -> list[object]:
    """A staff row as Excel holds it after someone opened and saved the export: numbers and datetimes."""
    row: dict[str, object] = staff_row()
    row.update(
        {
            "Employee Number": 12345678,
            "Assignment Number": 12345678,
            "Date of Birth": datetime(1989, 2, 14),
            "Contracted WTE": 0.8,
            "Hire Date": datetime(2019, 4, 1),
            "Assignment Start Date": datetime(2019, 4, 1),
            "Assignment End Date": None,
            "Supervisor Employee Number": 87654321.0,
            "Last Updated": datetime(2026, 11, 20, 18, 2, 11),
        }
    )
    row.update({heading.replace("_", " "): value for heading, value in changes.items()})
    return [row[heading] for heading in STAFF_HEADINGS]


def test_xlsx_staff_row_reads_into_the_same_canonical_record_as_csv(tmp_path):
    esr_file = write_workbook(
        tmp_path / "esr_staff_in_post_457_20251202_full.xlsx", {"Staff": [STAFF_HEADINGS, staff_cells()]}
    )

    chunks = list(read_esr_file(esr_file, HEADINGS))

    assert len(chunks) == 1
    records, problems = chunks[0].records, chunks[0].problems
    assert problems.empty
    assert list(records.columns) == record_columns("staff_in_post")
    record = records.iloc[0]
    assert record["row_number"] == 2
    assert (record["employee_number"], record["assignment_number"]) == ("12345678", "12345678")
    assert record["supervisor_employee_number"] == "87654321"
    assert (record["first_name"], record["last_name"]) == ("Siân", "O'Brien-Jones")
    assert record["date_of_birth"] == pd.Timestamp("1989-02-14")
    assert record["contracted_wte"] == 0.8
    assert record["last_updated"] == pd.Timestamp("2026-11-20 18:02:11")
    assert records["hire_date"].dtype == "datetime64[ns]"


def test_numeric_employee_numbers_become_eight_digit_strings_without_decimal_point(tmp_path):
    rows = [
        STAFF_HEADINGS,
        staff_cells(Employee_Number=1234567, Assignment_Number="01234567-2"),
        staff_cells(Employee_Number=23456789.0, Assignment_Number=23456789.0),
    ]
    esr_file = write_workbook(tmp_path / "esr_staff_in_post_457_20251202_full.xlsx", {"Staff": rows})

    records = next(read_esr_file(esr_file, HEADINGS)).records

    assert records["employee_number"].tolist() == ["01234567", "23456789"]
    assert records["assignment_number"].tolist() == ["01234567-2", "23456789"]


def test_the_sheet_with_the_required_headings_is_read_and_cover_sheets_are_ignored(tmp_path):
    esr_file = write_workbook(
        tmp_path / "esr_competences_457_20251202_full.xlsx",
        {
            "Cover": [["Compliance and Competency report"], ["Run on", datetime(2025, 12, 2)]],
            "Data": [COMPETENCE_HEADINGS, list(competence_row().values())],
        },
    )

    reader = EsrFileReader(esr_file, HEADINGS)
    records = pd.concat([chunk.records for chunk in reader])

    assert reader.info.sheet_name == "Data"
    assert records["employee_number"].tolist() == ["12345678"]


def test_an_export_split_over_two_sheets_is_refused_rather_than_half_read(tmp_path):
    esr_file = write_workbook(
        tmp_path / "esr_competences_457_20251202_full.xlsx",
        {
            "Data": [COMPETENCE_HEADINGS, list(competence_row().values())],
            "Data (2)": [COMPETENCE_HEADINGS, list(competence_row(Employee_Number="99999999").values())],
        },
    )
    with pytest.raises(EsrFileError, match="'Data', 'Data \\(2\\)' all carry the export's headings"):
        list(read_esr_file(esr_file, HEADINGS))


def test_xlsx_competence_cells_of_every_kind_are_typed(tmp_path):
    rows = [
        COMPETENCE_HEADINGS,
        list(competence_row(Expiry_Date="No Expiry", Essential="N").values()),
        list(competence_row(Employee_Number="12345679").values()),
        [],
        list(competence_row(Employee_Number="12345680", Expiry_Date="").values()),
    ]
    rows[2][4] = True  # Essential typed as an Excel TRUE
    rows[2][5] = datetime(2027, 11, 30)  # Expiry Date as a real date cell
    rows[2][9] = datetime(2025, 12, 2)  # Date Last Awarded as a real date cell
    esr_file = write_workbook(tmp_path / "esr_competences_457_20251202_full.xlsx", {"Sheet1": rows})

    chunk = next(read_esr_file(esr_file, HEADINGS))

    assert chunk.problems.empty
    records = chunk.records
    assert records["row_number"].tolist() == [2, 3, 5]  # the empty row 4 is skipped, numbering stays true
    assert records["no_expiry"].tolist() == [True, False, False]
    assert records["expiry_date"].tolist()[1] == pd.Timestamp("2027-11-30")
    assert records["expiry_date"].isna().tolist() == [True, False, True]
    assert records["essential"].tolist() == [False, True, True]
    assert (records["date_last_awarded"] == pd.Timestamp("2025-12-02")).all()
    assert records["competency_name"].iloc[0] == "NHS|CSTF|Fire Safety - 2 Years|"


def test_xlsx_problems_carry_the_sheet_row_number(tmp_path):
    rows = [STAFF_HEADINGS, staff_cells(), staff_cells(Contracted_WTE="full time", Hire_Date="31/02/2025")]
    esr_file = write_workbook(tmp_path / "esr_staff_in_post_457_20251202_full.xlsx", {"Staff": rows})

    problems = next(read_esr_file(esr_file, HEADINGS)).problems

    assert problems[["row_number", "field", "value", "reason"]].to_dict("records") == [
        {"row_number": 3, "field": "Contracted WTE", "value": "full time", "reason": "not a number"},
        {"row_number": 3, "field": "Hire Date", "value": "31/02/2025", "reason": "unrecognised date"},
    ]


def test_xlsx_streams_in_chunks(tmp_path):
    rows = [COMPETENCE_HEADINGS] + [list(competence_row(Employee_Number=f"{10000000 + n}").values()) for n in range(5)]
    esr_file = write_workbook(tmp_path / "esr_competences_457_20251202_full.xlsx", {"Sheet1": rows})

    chunks = list(read_esr_file(esr_file, HEADINGS, chunk_rows=2))

    assert [chunk.records["row_number"].tolist() for chunk in chunks] == [[2, 3], [4, 5], [6]]


def test_workbook_without_the_required_headings_names_the_sheets_checked(tmp_path):
    esr_file = write_workbook(
        tmp_path / "esr_competences_457_20251202_full.xlsx",
        {"Cover": [["Report"]], "Data": [["Employee Number", "Competency Name", "Expiry Date"]]},
    )

    with pytest.raises(MissingHeadingError, match="'Date Last Awarded'.*checked 'Cover', 'Data'") as raised:
        read_esr_file(esr_file, HEADINGS)

    assert raised.value.found == ["Employee Number", "Competency Name", "Expiry Date"]


def test_corrupt_workbook_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "esr_competences_457_20251202_full.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")

    with pytest.raises(EsrFileError, match="esr_competences_457_20251202_full.xlsx.*Excel workbook"):
        read_esr_file(parse_esr_file_name(path), HEADINGS)
