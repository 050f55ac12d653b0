"""A nightly delta touching 1% of rows, written from the final full ESR extracts of a sample trust.

Every hundredth data row of each full file is changed the way a real night changes it and written to a delta
file of the same kind dated the next day: a staff-in-post row changes its contracted WTE (1.00 ↔ 0.80) and its
Last Updated stamp; a competence row is renewed (awarded on the delta date, a new expiry three years on, GREEN).
So each changed row opens one new version in core, which is what a delta's cost is made of.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from connectors.esr.files import parse_esr_file_name

EVERY_NTH_ROW = 100
_RENEWAL_DAYS = 3 * 365


class DeltaSourceError(ValueError):
    """A full extract the delta cannot be written from (not an ESR full file, or a heading missing)."""


def _encoding(path: Path) -> str:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            while handle.read(1 << 24):
                pass
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _column(headings: list[str], heading: str, path: Path) -> int:
    try:
        return headings.index(heading)
    except ValueError:
        raise DeltaSourceError(f"{path.name}: no {heading!r} heading (found {', '.join(headings)})") from None


def _staff_change(headings: list[str], path: Path, on: date):
    wte = _column(headings, "Contracted WTE", path)
    updated = _column(headings, "Last Updated", path)
    stamp = on.strftime("%Y/%m/%d 09:00:00")

    def change(row: list[str]) -> list[str]:
        row[wte] = "0.80" if row[wte].strip() == "1.00" else "1.00"
        row[updated] = stamp
        return row

    return change


def _competence_change(headings: list[str], path: Path, on: date):
    awarded = _column(headings, "Date Last Awarded", path)
    started = _column(headings, "Date Start", path)
    expiry = _column(headings, "Expiry Date", path)
    status = _column(headings, "Compliance Status", path)
    renewed_until = (on + timedelta(days=_RENEWAL_DAYS)).strftime("%d-%b-%Y")

    def change(row: list[str]) -> list[str]:
        row[awarded] = row[started] = on.strftime("%d/%m/%Y")
        if row[expiry].strip() and row[expiry].strip().lower() != "no expiry":
            row[expiry] = renewed_until
        row[status] = "GREEN"
        return row

    return change


def write_one_percent_delta(full_files: list[Path], out_dir: Path, delta_date: date) -> dict[Path, int]:
    """Write one delta per full file into `out_dir`; returns each delta's path and data-row count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[Path, int] = {}
    for path in full_files:
        esr_file = parse_esr_file_name(path)
        if esr_file is None or esr_file.mode != "full":
            raise DeltaSourceError(f"{path.name}: not an ESR full extract name")
        target = out_dir / f"esr_{esr_file.kind}_{esr_file.vpd}_{delta_date:%Y%m%d}_delta.csv"
        with (
            path.open(encoding=_encoding(path), newline="") as source,
            target.open("w", encoding="utf-8", newline="") as delta,
        ):
            rows = csv.reader(source)
            headings = [heading.replace("\ufeff", "").strip() for heading in next(rows)]
            make = _staff_change if esr_file.kind == "staff_in_post" else _competence_change
            change = make(headings, path, delta_date)
            writer = csv.writer(delta, lineterminator="\r\n")
            writer.writerow(headings)
            count = 0
            data_rows = (row for row in rows if any(cell.strip() for cell in row))
            for index, row in enumerate(data_rows):
                if index % EVERY_NTH_ROW == 0:
                    writer.writerow(change(row))
                    count += 1
        written[target] = count
    return written
