"""Reading ESR CSV exports into typed canonical records, with every problem traced to its spreadsheet row."""

from __future__ import annotations

import pandas as pd
import pytest

from connectors.esr.errors import EsrFileError, MissingHeadingError
from connectors.esr.fields import record_columns
from connectors.esr.headings import load_heading_map
from connectors.esr.reader import EsrChunk, EsrFileReader, read_esr_file
from tests.esr_connector_samples import (
    COMPETENCE_HEADINGS,
    STAFF_HEADINGS,
    competence_row,
    csv_text,
    staff_row,
    write_export,
)

STAFF_NAME = "esr_staff_in_post_457_20251202_full.csv"
COMPETENCE_NAME = "esr_competences_457_20251202_full.csv"
HEADINGS = load_heading_map()


def read_all(esr_file, heading_map=HEADINGS, **options) -> EsrChunk:
    """Every chunk of the file glued together (the files here are small)."""
    chunks = list(read_esr_file(esr_file, heading_map, **options))
    assert chunks, "expected at least one chunk"
    return EsrChunk(
        records=pd.concat([chunk.records for chunk in chunks], ignore_index=True),
        problems=pd.concat([chunk.problems for chunk in chunks], ignore_index=True),
    )


def test_staff_row_becomes_one_typed_canonical_record(tmp_path):
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row()]))

    chunk = read_all(esr_file)

    assert chunk.problems.empty
    assert list(chunk.records.columns) == record_columns("staff_in_post")
    record = chunk.records.iloc[0]
    assert record["row_number"] == 2
    assert (record["employee_number"], record["assignment_number"]) == ("12345678", "12345678")
    assert (record["title"], record["first_name"], record["last_name"]) == ("Mrs", "Siân", "O'Brien-Jones")
    assert record["date_of_birth"] == pd.Timestamp("1989-02-14")
    assert record["contracted_wte"] == 0.8
    assert record["hire_date"] == pd.Timestamp("2019-04-01")
    assert pd.isna(record["assignment_end_date"])
    assert record["supervisor_employee_number"] == "87654321"
    assert record["last_updated"] == pd.Timestamp("2026-11-20 18:02:11")
    assert chunk.records["contracted_wte"].dtype == "float64"
    assert chunk.records["hire_date"].dtype == "datetime64[ns]"


def test_utf8_with_byte_order_mark_reads_the_first_heading(tmp_path):
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row()]), encoding="utf-8-sig")

    record = read_all(esr_file).records.iloc[0]

    assert record["employee_number"] == "12345678"
    assert record["first_name"] == "Siân"


def test_windows_1252_resave_is_detected_and_decoded(tmp_path):
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row()]), encoding="cp1252")

    reader = EsrFileReader(esr_file, HEADINGS)
    records = pd.concat([chunk.records for chunk in reader])

    assert reader.info.encoding == "cp1252"
    assert (records["first_name"].iloc[0], records["last_name"].iloc[0]) == ("Siân", "O'Brien-Jones")


def test_encoding_from_the_fingerprint_is_used_as_given(tmp_path):
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row()]), encoding="cp1252")

    records = read_all(esr_file, encoding="cp1252").records

    assert records["first_name"].iloc[0] == "Siân"


def test_every_date_form_in_one_competence_file_parses(tmp_path):
    rows = [
        competence_row(Date_Last_Awarded="2025/12/02 00:00:00", Expiry_Date="30-Nov-2027", Date_Start="02-Dec-2025"),
        competence_row(Date_Last_Awarded="02/12/2025", Expiry_Date="2027-11-30", Date_Start="2025/12/02"),
        competence_row(Date_Last_Awarded="2025-12-02", Expiry_Date="30/11/2027", Date_Start="02/12/2025 14:30"),
    ]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.problems.empty
    assert (chunk.records["date_last_awarded"] == pd.Timestamp("2025-12-02")).all()
    assert (chunk.records["expiry_date"] == pd.Timestamp("2027-11-30")).all()
    assert (chunk.records["date_start"] == pd.Timestamp("2025-12-02")).all()


def test_no_expiry_and_blank_expiry_are_both_null_but_only_no_expiry_is_flagged(tmp_path):
    rows = [
        competence_row(Expiry_Date="No Expiry"),
        competence_row(Expiry_Date=""),
        competence_row(Expiry_Date="30-Nov-2028"),
    ]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.problems.empty
    assert chunk.records["no_expiry"].tolist() == [True, False, False]
    assert chunk.records["expiry_date"].isna().tolist() == [True, True, False]


def test_pipes_commas_quotes_and_line_breaks_inside_quoted_fields_stay_in_their_field(tmp_path):
    text = (
        ",".join(COMPETENCE_HEADINGS) + "\r\n"
        '12345678,"NHS|CSTF|Fire Safety - 2 Years|",1 - Attended,,Y,30-Nov-2027,GREEN,'
        '"Evacuation, extinguishers and ""PASS""\r\nsecond line",02-Dec-2025,2025/12/02 00:00:00,457 Fire,'
        '"457RTALUKD01|Talukdar, Dr Raihan",457\r\n'
        '12345679,"457|LOCAL|Clinical Risk (PAR) - 3 Years|",,,N,No Expiry,,,,02/12/2025,,,457\r\n'
    )
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text)

    chunk = read_all(esr_file)

    assert chunk.problems.empty
    first, second = chunk.records.iloc[0], chunk.records.iloc[1]
    assert first["competency_name"] == "NHS|CSTF|Fire Safety - 2 Years|"
    assert first["description"] == 'Evacuation, extinguishers and "PASS"\r\nsecond line'
    assert first["last_updated_by"] == "457RTALUKD01|Talukdar, Dr Raihan"
    assert second["competency_name"] == "457|LOCAL|Clinical Risk (PAR) - 3 Years|"
    assert chunk.records["row_number"].tolist() == [2, 3]  # a spreadsheet row each, line breaks or not


def test_last_updated_by_is_kept_as_audit_text_and_never_becomes_the_learner(tmp_path):
    row = competence_row(Employee_Number="11112222", Last_Updated_By="457RTALUKD01|Talukdar, Dr Raihan")
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, [row]))

    record = read_all(esr_file).records.iloc[0]

    assert record["employee_number"] == "11112222"
    assert record["last_updated_by"] == "457RTALUKD01|Talukdar, Dr Raihan"
    assert not {"first_name", "last_name", "person"} & set(read_all(esr_file).records.columns)


def test_trailing_blank_lines_are_dropped_silently(tmp_path):
    text = csv_text(COMPETENCE_HEADINGS, [competence_row(), competence_row(Employee_Number="12345679")])
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text + "\r\n\r\n,,,,,,,,,,,,\r\n   \r\n")

    reader = EsrFileReader(esr_file, HEADINGS)
    chunks = list(reader)

    assert len(chunks) == 1
    assert chunks[0].records["employee_number"].tolist() == ["12345678", "12345679"]
    assert chunks[0].problems.empty
    assert reader.info.rows_read == 2


def test_blank_line_in_the_middle_is_skipped_and_later_row_numbers_stay_true(tmp_path):
    lines = csv_text(COMPETENCE_HEADINGS, [competence_row(), competence_row(Employee_Number="12345679")])
    head, first, second = lines.strip().split("\r\n")
    esr_file = write_export(tmp_path, COMPETENCE_NAME, f"{head}\r\n{first}\r\n\r\n{second}\r\n")

    records = read_all(esr_file).records

    assert records["row_number"].tolist() == [2, 4]


def test_missing_required_heading_stops_the_file_before_any_row_is_read(tmp_path):
    headings = [h for h in COMPETENCE_HEADINGS if h != "Date Last Awarded"]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(headings, [competence_row()]))

    with pytest.raises(MissingHeadingError) as raised:
        read_esr_file(esr_file, HEADINGS)

    assert raised.value.missing == ["Date Last Awarded"]
    assert COMPETENCE_NAME in str(raised.value)
    assert "'Competency Name'" in str(raised.value)


def test_renamed_heading_is_read_through_a_trust_override(tmp_path):
    headings = ["Course" if h == "Competency Name" else h for h in COMPETENCE_HEADINGS]
    row = competence_row()
    row["Course"] = row.pop("Competency Name")
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(headings, [row]))
    heading_map = load_heading_map({"competences": {"competency_name": ["Course"]}})

    records = read_all(esr_file, heading_map=heading_map).records

    assert records["competency_name"].tolist() == ["NHS|CSTF|Fire Safety - 2 Years|"]


def test_reordered_headings_and_unknown_extra_columns_are_handled(tmp_path):
    headings = ["Notes", *reversed(COMPETENCE_HEADINGS), "Cost Centre"]
    row = {**competence_row(), "Notes": "see file", "Cost Centre": "ABC123"}
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(headings, [row]))

    reader = EsrFileReader(esr_file, HEADINGS)
    records = pd.concat([chunk.records for chunk in reader])

    assert records["employee_number"].iloc[0] == "12345678"
    assert records["vpd"].iloc[0] == "457"
    assert reader.info.ignored_headings == ("Notes", "Cost Centre")


def test_optional_headings_absent_from_the_file_give_typed_null_columns(tmp_path):
    headings = [h for h in STAFF_HEADINGS if h not in ("Work Email", "Org Level 5", "Contracted WTE", "Hire Date")]
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(headings, [staff_row()]))

    records = read_all(esr_file).records

    assert list(records.columns) == record_columns("staff_in_post")
    assert records["work_email"].isna().all() and records["org_level_5"].isna().all()
    assert records["contracted_wte"].dtype == "float64" and records["contracted_wte"].isna().all()
    assert records["hire_date"].dtype == "datetime64[ns]" and records["hire_date"].isna().all()


def test_truncated_last_row_is_reported_and_left_out_of_the_records(tmp_path):
    text = csv_text(COMPETENCE_HEADINGS, [competence_row(), competence_row(Employee_Number="12345679")])
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text + '12345680,"NHS|CSTF|Fire Safety - 2 Years|",1 - Att')

    chunk = read_all(esr_file)

    assert chunk.records["row_number"].tolist() == [2, 3]
    assert chunk.problems.to_dict("records") == [
        {
            "row_number": 4,
            "field": "(row)",
            "value": "12345680,NHS|CSTF|Fire Safety - 2 Years|,1 - Att",
            "reason": "expected 13 fields, found 3",
        }
    ]


def test_short_row_with_a_genuinely_blank_last_field_is_not_mistaken_for_truncation(tmp_path):
    rows = [competence_row(VPD=""), competence_row(Employee_Number="12345679", VPD="")]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.problems.empty
    assert chunk.records["vpd"].isna().all()
    assert len(chunk.records) == 2


def test_row_with_an_extra_delimiter_is_reported_and_reading_carries_on(tmp_path):
    rows = [competence_row(Employee_Number=f"1234567{digit}") for digit in range(6)]
    head, *lines = csv_text(COMPETENCE_HEADINGS, rows).strip().split("\r\n")
    lines[3] = lines[3] + ",unexpected"  # row 5 gains a fourteenth field
    esr_file = write_export(tmp_path, COMPETENCE_NAME, "\r\n".join([head, *lines]) + "\r\n")

    reader = EsrFileReader(esr_file, HEADINGS, chunk_rows=2)
    chunks = list(reader)
    records = pd.concat([chunk.records for chunk in chunks], ignore_index=True)
    problems = pd.concat([chunk.problems for chunk in chunks], ignore_index=True)

    assert records["row_number"].tolist() == [2, 3, 4, 6, 7]
    assert records["employee_number"].tolist() == ["12345670", "12345671", "12345672", "12345674", "12345675"]
    assert problems[["row_number", "field", "reason"]].to_dict("records") == [
        {"row_number": 5, "field": "(row)", "reason": "expected 13 fields, found 14"}
    ]
    assert problems["value"].iloc[0].endswith(",unexpected")
    assert reader.info.rows_read == 6


def test_extra_field_on_the_first_data_row_is_reported_not_silently_dropped(tmp_path):
    head, first, second = (
        csv_text(COMPETENCE_HEADINGS, [competence_row(), competence_row(Employee_Number="12345679")])
        .strip()
        .split("\r\n")
    )
    esr_file = write_export(tmp_path, COMPETENCE_NAME, f"{head}\r\n{first},extra\r\n{second}\r\n")

    chunk = read_all(esr_file)

    assert chunk.records["row_number"].tolist() == [3]
    assert chunk.problems["reason"].tolist() == ["expected 13 fields, found 14"]


def test_quote_left_open_is_reported_on_its_row_after_the_good_rows(tmp_path):
    text = csv_text(COMPETENCE_HEADINGS, [competence_row()])
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text + '12345679,"NHS|CSTF|Fire Safety - 2 Years|,Y\r\n')

    chunk = read_all(esr_file)

    assert chunk.records["row_number"].tolist() == [2]
    assert chunk.problems[["row_number", "field"]].to_dict("records") == [{"row_number": 3, "field": "(row)"}]


def test_semicolon_separated_file_is_refused_with_a_delimiter_hint(tmp_path):
    text = ";".join(COMPETENCE_HEADINGS) + "\r\n" + ";".join(competence_row().values()) + "\r\n"
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text)

    with pytest.raises(MissingHeadingError, match="separated by semicolons.*comma-separated"):
        read_esr_file(esr_file, HEADINGS)


def test_impossible_date_is_a_problem_and_the_record_keeps_a_null(tmp_path):
    rows = [competence_row(Date_Last_Awarded="31/02/2025"), competence_row(Employee_Number="12345679")]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.problems.to_dict("records") == [
        {"row_number": 2, "field": "Date Last Awarded", "value": "31/02/2025", "reason": "unrecognised date"}
    ]
    assert chunk.records["row_number"].tolist() == [2, 3]
    assert pd.isna(chunk.records["date_last_awarded"].iloc[0])


def test_problem_names_the_heading_as_the_file_spells_it(tmp_path):
    headings = ["date last awarded" if h == "Date Last Awarded" else h for h in COMPETENCE_HEADINGS]
    row = competence_row()
    row["date last awarded"] = "yesterday"
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(headings, [row]))

    assert read_all(esr_file).problems["field"].tolist() == ["date last awarded"]


def test_oracle_end_of_time_end_date_is_reported_as_out_of_range(tmp_path):
    esr_file = write_export(
        tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row(Assignment_End_Date="31-Dec-4712")])
    )

    problems = read_all(esr_file).problems

    assert problems[["field", "value", "reason"]].to_dict("records") == [
        {
            "field": "Assignment End Date",
            "value": "31-Dec-4712",
            "reason": "date out of range (years 1678 to 2261)",
        }
    ]


def test_wte_that_is_not_a_number_is_a_problem(tmp_path):
    rows = [staff_row(Contracted_WTE="0,8"), staff_row(Contracted_WTE=" 1.00 "), staff_row(Contracted_WTE="")]
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.records["contracted_wte"].tolist()[1] == 1.0
    assert chunk.records["contracted_wte"].isna().tolist() == [True, False, True]
    assert chunk.problems[["row_number", "value", "reason"]].to_dict("records") == [
        {"row_number": 2, "value": "0,8", "reason": "not a number"}
    ]


def test_essential_y_and_n_become_booleans_and_anything_else_is_a_problem(tmp_path):
    rows = [competence_row(Essential=flag) for flag in ["Y", "N", "y", "", "Maybe"]]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunk = read_all(esr_file)

    assert chunk.records["essential"].tolist() == [True, False, True, pd.NA, pd.NA]
    assert chunk.records["essential"].dtype == "boolean"
    assert chunk.problems[["row_number", "value", "reason"]].to_dict("records") == [
        {"row_number": 6, "value": "Maybe", "reason": "not Y or N"}
    ]


def test_keys_are_kept_exactly_as_written_apart_from_surrounding_spaces(tmp_path):
    rows = [
        staff_row(Employee_Number="01234567", Assignment_Number="01234567-2", Supervisor_Employee_Number=""),
        staff_row(Employee_Number="1234567", Assignment_Number=" 1234567 ", Supervisor_Employee_Number="E123"),
    ]
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, rows))

    records = read_all(esr_file).records

    assert records["employee_number"].tolist() == ["01234567", "1234567"]
    assert records["assignment_number"].tolist() == ["01234567-2", "1234567"]
    assert records["supervisor_employee_number"].isna().tolist() == [True, False]
    assert records["supervisor_employee_number"].iloc[1] == "E123"


def test_rows_stream_in_chunks_with_true_row_numbers(tmp_path):
    rows = [competence_row(Employee_Number=f"1000000{digit}") for digit in range(5)]
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    chunks = list(read_esr_file(esr_file, HEADINGS, chunk_rows=2))

    assert [chunk.records["row_number"].tolist() for chunk in chunks] == [[2, 3], [4, 5], [6]]


def test_heading_only_file_yields_no_chunks(tmp_path):
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, []))

    reader = EsrFileReader(esr_file, HEADINGS)

    assert list(reader) == []
    assert (reader.info.rows_read, reader.info.chunks, reader.info.complete) == (0, 0, True)


def test_empty_file_is_refused(tmp_path):
    esr_file = write_export(tmp_path, COMPETENCE_NAME, "")

    with pytest.raises(EsrFileError, match="empty"):
        read_esr_file(esr_file, HEADINGS)


def test_wrong_encoding_given_by_the_caller_is_an_error_naming_the_file(tmp_path):
    esr_file = write_export(tmp_path, STAFF_NAME, csv_text(STAFF_HEADINGS, [staff_row()]), encoding="cp1252")

    with pytest.raises(EsrFileError, match=f"{STAFF_NAME}.*cannot be decoded as utf-8"):
        list(read_esr_file(esr_file, HEADINGS, encoding="utf-8"))


def test_reader_is_lazy_rows_are_read_only_as_chunks_are_taken(tmp_path):
    rows = [competence_row(Employee_Number=f"{10000000 + n}") for n in range(20_000)]
    text = csv_text(COMPETENCE_HEADINGS, rows)
    # A cp1252 byte at the very end: reading it as UTF-8 fails only once the reader gets there.
    esr_file = write_export(tmp_path, COMPETENCE_NAME, text + "99999999,Siân\r\n", encoding="cp1252")

    chunks = read_esr_file(esr_file, HEADINGS, chunk_rows=1_000, encoding="utf-8")
    first = next(chunks)

    assert first.records["row_number"].tolist() == list(range(2, 1_002))
    with pytest.raises(EsrFileError, match="cannot be decoded as utf-8"):
        list(chunks)


def test_info_counts_rows_chunks_and_problems(tmp_path):
    rows = [competence_row(Employee_Number=f"1000000{digit}") for digit in range(3)]
    rows[1]["Expiry Date"] = "soon"
    esr_file = write_export(tmp_path, COMPETENCE_NAME, csv_text(COMPETENCE_HEADINGS, rows))

    reader = EsrFileReader(esr_file, HEADINGS, chunk_rows=2)
    assert reader.info.complete is False
    list(reader)

    info = reader.info
    assert (info.rows_read, info.chunks, info.problems, info.complete) == (3, 2, 1, True)
    assert info.encoding == "utf-8"
    assert info.columns["competency_name"] == "Competency Name"


def test_row_numbers_of_broken_rows_stay_true_after_a_description_spanning_lines(tmp_path):
    rows = [competence_row(Employee_Number=f"1000000{digit}") for digit in range(6)]
    rows[0]["Description"] = "Evacuation drill\r\nand extinguishers\r\nrefresher"
    head, *lines = csv_text(COMPETENCE_HEADINGS, rows).strip().split("\r\n")
    # lines 0-2 hold the first record; spreadsheet rows 2..7 follow one record each.
    lines[4] = lines[4] + ",extra"  # row 4: one field too many (the C parser stops here)
    lines[7] = ",".join(lines[7].split(",")[:5])  # row 7: cut short
    esr_file = write_export(tmp_path, COMPETENCE_NAME, "\r\n".join([head, *lines]) + "\r\n")

    for chunk_rows in (1, 2, 100):
        chunk = read_all(esr_file, chunk_rows=chunk_rows)

        assert chunk.records["row_number"].tolist() == [2, 3, 5, 6]
        assert chunk.records["employee_number"].tolist() == ["10000000", "10000001", "10000003", "10000004"]
        assert chunk.problems[["row_number", "reason"]].to_dict("records") == [
            {"row_number": 4, "reason": "expected 13 fields, found 14"},
            {"row_number": 7, "reason": "expected 13 fields, found 5"},
        ]


def test_short_row_found_by_counting_fields_after_a_description_spanning_lines(tmp_path):
    rows = [competence_row(Employee_Number=f"1000000{digit}") for digit in range(4)]
    rows[0]["Description"] = "Evacuation drill\r\nand extinguishers"
    head, *lines = csv_text(COMPETENCE_HEADINGS, rows).strip().split("\r\n")
    lines[3] = lines[3].rsplit(",", 1)[0]  # row 4: the VPD field is missing
    esr_file = write_export(tmp_path, COMPETENCE_NAME, "\r\n".join([head, *lines]) + "\r\n")

    for chunk_rows in (1, 3, 100):
        chunk = read_all(esr_file, chunk_rows=chunk_rows)

        assert chunk.records["row_number"].tolist() == [2, 3, 5]
        assert chunk.problems[["row_number", "reason"]].to_dict("records") == [
            {"row_number": 4, "reason": "expected 13 fields, found 12"}
        ]
