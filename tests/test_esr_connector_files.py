"""ESR file names: what each landed file is, and the order files are applied in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.esr.errors import EsrFileError
from connectors.esr.files import EsrFile, discover_esr_files, parse_esr_file_name


def test_staff_in_post_full_csv_name_gives_kind_vpd_date_and_mode():
    esr_file = parse_esr_file_name(Path("landing/esr_staff_in_post_457_20251202_full.csv"))

    assert esr_file == EsrFile(
        path=Path("landing/esr_staff_in_post_457_20251202_full.csv"),
        kind="staff_in_post",
        vpd="457",
        file_date=date(2025, 12, 2),
        mode="full",
    )
    assert esr_file.file_format == "csv"


def test_competences_delta_xlsx_name_is_recognised():
    esr_file = parse_esr_file_name(Path("esr_competences_457_20251203_delta.xlsx"))

    assert esr_file is not None
    assert (esr_file.kind, esr_file.file_date, esr_file.mode, esr_file.file_format) == (
        "competences",
        date(2025, 12, 3),
        "delta",
        "xlsx",
    )


def test_name_matching_ignores_case_and_normalises_kind_and_mode():
    esr_file = parse_esr_file_name(Path("ESR_Competences_r1a_20251202_FULL.CSV"))

    assert esr_file is not None
    assert (esr_file.kind, esr_file.vpd, esr_file.mode, esr_file.file_format) == (
        "competences",
        "R1A",
        "full",
        "csv",
    )


@pytest.mark.parametrize(
    "name",
    [
        "totara_completions_20251202.csv",
        "esr_staff_in_post_457_20251202_full.txt",
        "esr_staff_in_post_457_20251202.csv",
        "esr_staff_in_post_4577_20251202_full.csv",
        "esr_staff_in_post_457_2025122_full.csv",
        "esr_absence_457_20251202_full.csv",
        "~$esr_staff_in_post_457_20251202_full.xlsx",
        "esr_staff_in_post_457_20251202_full.csv.bak",
    ],
)
def test_names_that_are_not_esr_export_names_give_none(name):
    assert parse_esr_file_name(Path(name)) is None


def test_esr_name_with_an_impossible_date_is_refused_not_skipped():
    with pytest.raises(EsrFileError, match=r"esr_competences_457_20250231_full\.csv.*20250231.*not a real date"):
        parse_esr_file_name(Path("esr_competences_457_20250231_full.csv"))


def test_discovery_orders_by_date_then_staff_before_competences_then_full_before_delta(tmp_path):
    names = [
        "esr_competences_457_20251203_delta.csv",
        "esr_staff_in_post_457_20251203_delta.csv",
        "esr_competences_457_20251202_full.csv",
        "esr_staff_in_post_457_20251202_full.csv",
        "esr_staff_in_post_457_20251202_delta.csv",
        "esr_staff_in_post_457_20251201_delta.xlsx",
    ]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")

    found = [esr_file.path.name for esr_file in discover_esr_files(tmp_path)]

    assert found == [
        "esr_staff_in_post_457_20251201_delta.xlsx",
        "esr_staff_in_post_457_20251202_full.csv",
        "esr_staff_in_post_457_20251202_delta.csv",
        "esr_competences_457_20251202_full.csv",
        "esr_staff_in_post_457_20251203_delta.csv",
        "esr_competences_457_20251203_delta.csv",
    ]


def test_discovery_searches_subfolders_and_leaves_other_files_alone(tmp_path):
    (tmp_path / "esr" / "2025-12").mkdir(parents=True)
    (tmp_path / "totara").mkdir()
    (tmp_path / "esr" / "2025-12" / "esr_competences_457_20251202_full.csv").write_text("x", encoding="utf-8")
    (tmp_path / "esr_staff_in_post_457_20251202_full.csv").write_text("x", encoding="utf-8")
    (tmp_path / "totara" / "completions.csv").write_text("x", encoding="utf-8")
    (tmp_path / "esr" / "readme.txt").write_text("x", encoding="utf-8")

    found = discover_esr_files(tmp_path)

    assert [(esr_file.kind, esr_file.path.parent.name) for esr_file in found] == [
        ("staff_in_post", tmp_path.name),
        ("competences", "2025-12"),
    ]


def test_same_date_kind_and_mode_fall_back_to_name_order(tmp_path):
    for name in ["esr_competences_457_20251202_full.xlsx", "esr_competences_457_20251202_full.csv"]:
        (tmp_path / name).write_text("x", encoding="utf-8")

    found = [esr_file.path.name for esr_file in discover_esr_files(tmp_path)]

    assert found == ["esr_competences_457_20251202_full.csv", "esr_competences_457_20251202_full.xlsx"]


def test_empty_landing_folder_has_no_esr_files(tmp_path):
    assert discover_esr_files(tmp_path) == []
