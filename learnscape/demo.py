"""`make demo`: a sample trust generated, the whole pipeline run on the embedded SQLite warehouse, results shown."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from learnscape.config import LearnscapeConfig, dump_config


def _demo_config(workdir: Path) -> LearnscapeConfig:
    return LearnscapeConfig(
        base_dir=str(workdir),
        paths={
            "landing": "sample-trust/landing",
            "outbox": "outbox",
            "reports": "reports",
            "state": ".learnscape",
        },
        warehouse={"url": "sqlite:///learnscape.db"},
    )


def run_demo(workdir: Path, staff: int, as_of: date, console: Console) -> None:
    from sample_trust.generate import generate_sample_trust

    from flows.nightly import nightly_flow

    workdir.mkdir(parents=True, exist_ok=True)
    for leftover in ("learnscape.db", "learnscape.db-wal", "learnscape.db-shm"):
        (workdir / leftover).unlink(missing_ok=True)
    for folder in ("sample-trust", "outbox", "reports"):
        shutil.rmtree(workdir / folder, ignore_errors=True)
    config = _demo_config(workdir)
    config_file = workdir / "learnscape.yaml"
    config_file.write_text(dump_config(config), encoding="utf-8")

    started = time.perf_counter()
    with console.status(f"Generating a {staff:,}-staff sample trust ..."):
        sample = generate_sample_trust(workdir / "sample-trust", staff=staff, as_of=as_of)
    console.print(
        f"[bold]Sample trust[/bold]: {sample.staff:,} staff, {sample.assignments:,} assignments, "
        f"{sample.competence_rows:,} competence rows, {len(sample.files)} files "
        f"({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    with console.status("Running the nightly pipeline: ingest → validate → build → publish ..."):
        result = nightly_flow(config_file=str(config_file), as_of=as_of.isoformat())
    from learnscape.cli import _print_run

    _print_run(result, time.perf_counter() - started)
    _print_compliance(config, as_of, console)
    console.print()
    console.print(f"[bold]Warehouse[/bold]  {workdir / 'learnscape.db'}")
    console.print(f"[bold]Feed[/bold]       {result.feed_path}")
    console.print(f"[bold]Data Docs[/bold]  {config.reports_dir / 'data_docs' / 'index.html'}")
    console.print(f"[bold]Config[/bold]     {config_file}")


def _print_compliance(config: LearnscapeConfig, as_of: date, console: Console) -> None:
    from warehouse.engine import open_warehouse
    from warehouse.models import compliance_summary as summary

    engine = open_warehouse(config.warehouse_url())
    with engine.connect() as connection:
        trust = connection.execute(
            select(summary)
            .where(summary.c.as_of_date == as_of, summary.c.dimension == "trust")
            .order_by(summary.c.compliance_pct)
        ).all()
        worst = connection.execute(
            select(summary)
            .where(
                summary.c.as_of_date == as_of,
                summary.c.dimension == "organisation",
                summary.c.competency_name == "ALL",
            )
            .order_by(summary.c.compliance_pct)
            .limit(8)
        ).all()
    engine.dispose()
    table = Table(title=f"Trust compliance on {as_of}")
    for column in ("competence", "required", "in date", "expiring", "expired", "missing", "%", "RAG"):
        table.add_column(column, justify="left" if column == "competence" else "right")
    colour = {"green": "green", "amber": "yellow", "red": "red"}
    for row in trust:
        table.add_row(
            row.competency_name,
            f"{row.required:,}",
            f"{row.in_date:,}",
            f"{row.expiring:,}",
            f"{row.expired:,}",
            f"{row.missing:,}",
            f"{row.compliance_pct:.1f}",
            f"[{colour[row.rag]}]{row.rag}[/]",
        )
    console.print(table)
    table = Table(title="Lowest compliance by organisation (all competences)")
    for column in ("organisation", "required", "in date", "%", "RAG"):
        table.add_column(column, justify="left" if column == "organisation" else "right")
    for row in worst:
        table.add_row(
            row.group_value,
            f"{row.required:,}",
            f"{row.in_date:,}",
            f"{row.compliance_pct:.1f}",
            f"[{colour[row.rag]}]{row.rag}[/]",
        )
    console.print(table)
