"""File fingerprints: one pass gives the SHA-256, the size and (for CSV) the encoding to read it with."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest

from connectors.esr.errors import EsrFileError
from connectors.esr.fingerprint import BLOCK_SIZE, FileFingerprint, fingerprint_file
from tests.esr_connector_samples import STAFF_HEADINGS, csv_text, staff_row

SIAN_ROW = csv_text(STAFF_HEADINGS, [staff_row()])


def test_plain_utf8_csv_is_utf8_with_its_sha256_and_size(tmp_path):
    path = tmp_path / "esr_staff_in_post_457_20251202_full.csv"
    data = SIAN_ROW.encode("utf-8")
    path.write_bytes(data)

    assert fingerprint_file(path) == FileFingerprint(
        sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), encoding="utf-8", file_format="csv"
    )


def test_csv_starting_with_a_byte_order_mark_is_utf8_sig(tmp_path):
    path = tmp_path / "esr_staff_in_post_457_20251202_full.csv"
    path.write_bytes(SIAN_ROW.encode("utf-8-sig"))

    assert fingerprint_file(path).encoding == "utf-8-sig"


def test_excel_windows_1252_resave_is_cp1252(tmp_path):
    path = tmp_path / "esr_staff_in_post_457_20251202_full.csv"
    data = SIAN_ROW.encode("cp1252")
    assert "â".encode("cp1252") in data  # Siân's â is one byte, 0xE2, which is not valid UTF-8 here
    path.write_bytes(data)

    assert fingerprint_file(path).encoding == "cp1252"


def test_pure_ascii_csv_is_utf8(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes(b"Employee Number,VPD\r\n12345678,457\r\n")

    assert fingerprint_file(path).encoding == "utf-8"


def test_multibyte_character_split_across_a_block_boundary_is_still_utf8(tmp_path):
    path = tmp_path / "big.csv"
    prefix = b"x" * (BLOCK_SIZE - 1)
    data = prefix + "â".encode() + b"\r\n"  # â's two bytes straddle the first 1 MiB boundary
    path.write_bytes(data)

    fingerprint = fingerprint_file(path)

    assert fingerprint.encoding == "utf-8"
    assert fingerprint.size_bytes == BLOCK_SIZE + 3
    assert fingerprint.sha256 == hashlib.sha256(data).hexdigest()


def test_cp1252_byte_after_the_first_block_still_makes_the_file_cp1252(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * (BLOCK_SIZE + 10) + "O'Brien-Jones, Siân\r\n".encode("cp1252"))

    assert fingerprint_file(path).encoding == "cp1252"


def test_file_cut_in_the_middle_of_a_utf8_character_is_not_utf8(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(b"Last Name\r\nO'Brien-Jones Si" + "â".encode()[:1])

    assert fingerprint_file(path).encoding == "cp1252"


def test_nul_byte_is_refused_as_binary_or_corrupt_naming_file_and_offset(tmp_path):
    path = tmp_path / "esr_competences_457_20251202_full.csv"
    path.write_bytes(b"Employee Number,VPD\r\n1234\x005678,457\r\n")

    with pytest.raises(EsrFileError, match=r"esr_competences_457_20251202_full\.csv.*offset 25.*binary or corrupt"):
        fingerprint_file(path)


def test_nul_byte_in_a_later_block_reports_its_offset_in_the_file(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"a" * (BLOCK_SIZE + 5) + b"\x00")

    with pytest.raises(EsrFileError, match=f"offset {BLOCK_SIZE + 5}"):
        fingerprint_file(path)


def test_utf16_export_is_refused_with_advice(tmp_path):
    path = tmp_path / "unicode_text.csv"
    path.write_bytes(SIAN_ROW.encode("utf-16"))

    with pytest.raises(EsrFileError, match="UTF-16"):
        fingerprint_file(path)


def test_bytes_undefined_in_windows_1252_are_refused_naming_the_offset(tmp_path):
    path = tmp_path / "mangled.csv"
    path.write_bytes(b"Last Name\r\nO'Brien\xe9\x81Jones\r\n")  # 0xE9 breaks UTF-8; 0x81 is not in cp1252

    with pytest.raises(EsrFileError, match=r"mangled\.csv.*neither UTF-8.*offset 18.*offset 19"):
        fingerprint_file(path)


def test_byte_order_mark_followed_by_windows_1252_text_is_refused(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\xef\xbb\xbfLast Name\r\nSi\xe2n\r\n")

    with pytest.raises(EsrFileError, match="byte-order mark.*offset 16"):
        fingerprint_file(path)


def test_xlsx_workbook_is_fingerprinted_as_binary(tmp_path):
    path = tmp_path / "esr_staff_in_post_457_20251202_full.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(STAFF_HEADINGS)
    workbook.save(path)

    fingerprint = fingerprint_file(path)

    assert (fingerprint.file_format, fingerprint.encoding) == ("xlsx", "binary")
    assert fingerprint.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_renamed_to_xlsx_is_refused(tmp_path):
    path = tmp_path / "esr_staff_in_post_457_20251202_full.xlsx"
    path.write_text(SIAN_ROW, encoding="utf-8")

    with pytest.raises(EsrFileError, match="not an Excel workbook"):
        fingerprint_file(path)


def test_unsupported_extension_is_refused(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(SIAN_ROW, encoding="utf-8")

    with pytest.raises(EsrFileError, match=r"unsupported file type '\.txt'"):
        fingerprint_file(path)
