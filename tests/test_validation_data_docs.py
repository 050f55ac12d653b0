"""Great Expectations Data Docs: written once a run's files are in, with a page for every batch validated."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import ingest_landing
from tests.esr_files import FIRE, competence_row, staff_row, write_competences, write_staff
from tests.pipeline_support import D
from transforms.validation import gx_runner


def _validation_pages(docs: Path) -> list[Path]:
    return sorted((docs / "validations").rglob("*.html"))


def test_an_ingest_run_writes_a_data_docs_page_per_batch_once_its_files_are_in(trust):
    config, engine, landing = trust
    write_staff(landing, "20261122", "full", [staff_row("10000001"), staff_row("10000002")])
    write_competences(landing, "20261122", "full", [competence_row("10000001", FIRE, "30-Nov-2025")])
    docs = config.reports_dir / "data_docs"

    outcomes = ingest_landing(engine, config, landing, "docs", D, as_tasks=False)

    assert [o.status for o in outcomes] == ["loaded", "loaded", "loaded"]
    pages = _validation_pages(docs)
    assert len(pages) == 3
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert all(page.parent.parent.name in index for page in pages)


def test_a_run_with_nothing_to_validate_creates_no_great_expectations_context(tmp_path):
    docs = str(tmp_path / "data_docs")
    gx_runner.write_shared_data_docs(docs)
    assert docs not in gx_runner._shared
    assert not (tmp_path / "data_docs").exists()
