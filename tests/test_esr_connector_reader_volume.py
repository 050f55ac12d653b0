"""Volume sanity: a realistic large export streams in the expected number of chunks with true row numbers."""

from __future__ import annotations

import pandas as pd

from connectors.esr.headings import load_heading_map
from connectors.esr.reader import EsrFileReader
from tests.esr_connector_samples import (
    COMPETENCE_HEADINGS,
    STAFF_HEADINGS,
    competence_row,
    csv_text,
    staff_row,
    write_export,
)

HEADINGS = load_heading_map()


def repeated_export(headings: list[str], row: dict[str, str], count: int) -> str:
    """`count` copies of `row`, each with its own 8-digit employee number (from 10000000 upwards)."""
    template = csv_text(headings, [row]).split("\r\n")[1].replace("12345678", "{number}")
    lines = [",".join(headings)]
    lines.extend(template.format(number=10_000_000 + n) for n in range(count))
    return "\r\n".join(lines) + "\r\n"


def test_300k_staff_rows_stream_in_three_chunks_of_100k(tmp_path):
    text = repeated_export(STAFF_HEADINGS, staff_row(), 300_000)
    esr_file = write_export(tmp_path, "esr_staff_in_post_457_20251202_full.csv", text)

    reader = EsrFileReader(esr_file, HEADINGS, chunk_rows=100_000)
    sizes, firsts, lasts = [], [], []
    for chunk in reader:
        assert chunk.problems.empty
        sizes.append(len(chunk.records))
        firsts.append(int(chunk.records["row_number"].iloc[0]))
        lasts.append(chunk.records["employee_number"].iloc[-1])

    assert sizes == [100_000, 100_000, 100_000]
    assert firsts == [2, 100_002, 200_002]
    assert lasts == ["10099999", "10199999", "10299999"]
    assert reader.info.rows_read == 300_000


def test_200k_competence_rows_parse_in_four_chunks_with_problems_on_their_rows(tmp_path):
    text = repeated_export(COMPETENCE_HEADINGS, competence_row(), 200_000)
    lines = text.split("\r\n")
    lines[150_000] = lines[150_000].replace("30-Nov-2027", "31/02/2027")  # spreadsheet row 150,001
    esr_file = write_export(tmp_path, "esr_competences_457_20251202_full.csv", "\r\n".join(lines))

    chunks = list(EsrFileReader(esr_file, HEADINGS, chunk_rows=50_000))

    assert [len(chunk.records) for chunk in chunks] == [50_000] * 4
    problems = pd.concat([chunk.problems for chunk in chunks])
    assert problems[["row_number", "field", "value"]].to_dict("records") == [
        {"row_number": 150_001, "field": "Expiry Date", "value": "31/02/2027"}
    ]
    last = chunks[-1].records.iloc[-1]
    assert (last["row_number"], last["employee_number"]) == (200_001, "10199999")
    assert last["expiry_date"] == pd.Timestamp("2027-11-30")
