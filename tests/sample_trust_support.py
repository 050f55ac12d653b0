"""Shared sample trusts for the sample trust tests, generated once per test session, and ways to read them.

Generation is cached per (staff, seed, history) so the test files share a handful of trusts; they live in a
temporary folder removed when the session ends.
"""

from __future__ import annotations

import atexit
import csv
import re
import shutil
import tempfile
from datetime import date, datetime
from functools import cache
from pathlib import Path

from sample_trust import SampleTrustSummary, generate_sample_trust

AS_OF = date(2025, 12, 3)
SMALL_STAFF = 300
MEDIUM_STAFF = 2_000
_ROOT = Path(tempfile.mkdtemp(prefix="learnscape-sample-trust-tests-"))
atexit.register(shutil.rmtree, _ROOT, True)
_ESR_DATE_FORMATS = ("%d-%b-%Y", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d")


@cache
def sample_trust(staff: int = SMALL_STAFF, seed: int = 457, history: bool = True) -> SampleTrustSummary:
    """A generated trust, shared by every test that asks for the same size, seed and history setting."""
    out_dir = _ROOT / f"trust-{staff}-{seed}-{'history' if history else 'snapshot'}"
    return generate_sample_trust(out_dir, staff=staff, seed=seed, as_of=AS_OF, history=history)


def esr_files(summary: SampleTrustSummary, kind: str) -> list[Path]:
    """ESR files of one kind (`staff_in_post` or `competences`), oldest extract first."""
    return sorted((summary.landing_dir / "esr").glob(f"esr_{kind}_*.csv"), key=lambda path: path.name.split("_")[-2])


def file_date(path: Path) -> date:
    """The extract date in an ESR or Totara file name."""
    return datetime.strptime(re.search(r"_(\d{8})(?:_|\.)", path.name).group(1), "%Y%m%d").date()


def encoding_of(path: Path) -> str:
    """The encoding a reader must use: UTF-8 with BOM, UTF-8, or Windows-1252 when UTF-8 fails."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Headings and data rows of a CSV file, read with the stdlib csv module; blank lines are skipped."""
    with path.open(encoding=encoding_of(path), newline="") as handle:
        reader = csv.reader(handle)
        headings = next(reader)
        rows = [dict(zip(headings, row, strict=True)) for row in reader if row]
    return headings, rows


def parse_esr_date(text: str) -> date | None:
    """An ESR date in any of the shapes the exports mix; None for blank."""
    text = text.strip()
    if not text:
        return None
    for date_format in _ESR_DATE_FORMATS:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(f"not an ESR date: {text!r}")
