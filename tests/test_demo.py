"""`make demo` end to end at a small size: every part of the product runs and leaves its outputs where it says."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from typer.testing import CliRunner

from learnscape.cli import app


@pytest.mark.slow
def test_demo_generates_runs_and_publishes_everything(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "environ", os.environ.copy())
    workdir = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--workdir", str(workdir), "--staff", "300", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    feed = workdir / "outbox" / "2026-11-23"
    manifest = json.loads((feed / "manifest.json").read_text())
    assert manifest["files"]["compliance_person.csv"]["rows"] > 1000
    assert (feed / "compliance_report.html").stat().st_size > 10_000
    assert (workdir / "reports" / "data_docs" / "index.html").exists()
    with sqlite3.connect(workdir / "learnscape.db") as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM load_log GROUP BY status").fetchall())
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed table names
            for table in ("skills_gap_summary", "learning_engagement", "student_pipeline", "learner", "totara_user")
        }
    assert set(statuses) == {"loaded"}
    assert all(count > 0 for count in counts.values()), counts
    for heading in ("Trust compliance", "Largest skills gaps", "Upcoming gaps", "Staff survey", "Student pipeline"):
        assert heading in result.output
