"""`learnscape`: initialise a config, generate a sample trust, run the pipeline, and see its state."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from learnscape.config import DEFAULT_CONFIG_NAME, load_config, write_default_config

app = typer.Typer(help="Learnscape: one trustworthy picture of an NHS trust's learning.", no_args_is_help=True)
console = Console()

ConfigOption = Annotated[Path | None, typer.Option("--config", help="Config file (default ./learnscape.yaml).")]


def _quiet_prefect(home: Path | None = None) -> None:
    """Keep Prefect's local state beside the project and its console output to warnings."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    if home is not None:
        os.environ.setdefault("PREFECT_HOME", str(home))


@app.command()
def init(path: Annotated[Path, typer.Argument()] = Path(DEFAULT_CONFIG_NAME), force: bool = False) -> None:
    """Write a config file with every setting and its default."""
    if path.exists() and not force:
        raise typer.BadParameter(f"{path} exists; use --force to overwrite it")
    write_default_config(path.resolve())
    console.print(f"Wrote [bold]{path}[/bold]. Edit the landing, warehouse and compliance settings to suit the trust.")


@app.command("sample-data")
def sample_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the sample trust into.")] = Path("sample-trust"),
    staff: Annotated[int, typer.Option("--staff", min=50)] = 10_000,
    seed: int = 457,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reporting date the history leads up to.")] = None,
    history: Annotated[bool, typer.Option(help="Write a year of deltas between two full snapshots.")] = True,
) -> None:
    """Generate a realistic sample trust in the source systems' own formats (landing files and stand-in data)."""
    from learnscape.demo import generate

    with console.status(f"Generating a {staff:,}-staff sample trust ..."):
        generate(out, staff, date.fromisoformat(as_of) if as_of else date.today(), console, seed=seed, history=history)
    console.print(f"Landing files: {out / 'landing'}; stand-in data: {out / 'standins'}; see {out / 'README.txt'}")


@app.command()
def run(
    config: ConfigOption = None,
    landing: Annotated[Path | None, typer.Option(help="Landing folder with the source files.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reporting date YYYY-MM-DD (default today).")] = None,
    outbox: Annotated[Path | None, typer.Option(help="Where the feed is published.")] = None,
) -> None:
    """Ingest what has landed, rebuild the marts for the reporting date, and publish the feed."""
    _quiet_prefect()
    from flows.nightly import nightly_flow

    started = time.perf_counter()
    with console.status("Running the pipeline (ingest → build → publish) ..."):
        result = nightly_flow(
            config_file=str(config) if config else None,
            landing=str(landing) if landing else None,
            as_of=as_of,
            outbox=str(outbox) if outbox else None,
        )
    _print_run(result, time.perf_counter() - started)


def _print_run(result, seconds: float) -> None:
    loads = Table(title="Batches", show_lines=False)
    for column in ("file", "status", "rows in", "accepted", "rejected", "changes"):
        loads.add_column(column, justify="right" if column not in {"file", "status"} else "left")
    for load in result.loads:
        loads.add_row(
            load.source_file,
            load.status,
            f"{load.rows_in:,}",
            f"{load.rows_accepted:,}",
            f"{load.rows_rejected:,}",
            f"{load.rows_applied:,}",
        )
    console.print(loads)
    for load in result.loads:
        if load.refused:
            console.print(f"[red]Refused[/red] {load.source_file}: {load.message}")
    console.print(
        f"Reporting date {result.as_of}: "
        + ", ".join(f"{name} {rows:,} rows" for name, rows in result.build.rows_written.items())
    )
    console.print(f"Warehouse: {result.warehouse_url}")
    console.print(f"Feed: {result.feed_path}")
    console.print(f"Finished in {seconds:.1f} s")


@app.command()
def status(config: ConfigOption = None) -> None:
    """What the warehouse holds: recent loads, refusals and published feeds."""
    from warehouse.engine import safe_url
    from warehouse.status import warehouse_status

    settings = load_config(config)
    report = warehouse_status(settings.warehouse_url())
    console.print(f"Warehouse: {safe_url(settings.warehouse_url())} (schema revision {report.revision or 'none'})")
    table = Table(title="Recent loads")
    for column in ("id", "source", "file", "status", "accepted", "rejected", "finished"):
        table.add_column(column)
    for row in report.loads:
        table.add_row(
            str(row.load_id),
            row.source,
            row.source_file,
            row.status,
            str(row.rows_accepted),
            str(row.rows_rejected),
            _when(row.finished_at),
        )
    console.print(table)
    for feed in report.feeds:
        console.print(f"Feed {feed.as_of_date}: {feed.feed_path} (published {feed.published_at})")


@app.command("bi-role")
def bi_role(
    config: ConfigOption = None,
    role: Annotated[str, typer.Option(help="Name of the read-only login role.")] = "learnscape_bi",
    password_env: Annotated[
        str, typer.Option("--password-env", help="Environment variable holding the role's password.")
    ] = "LEARNSCAPE_BI_PASSWORD",
) -> None:
    """Create or update the read-only BI login (PostgreSQL); on SQLite, say how to share the marts instead."""
    from warehouse.access import BiAccessError, create_bi_role
    from warehouse.engine import open_warehouse

    engine = open_warehouse(load_config(config).warehouse_url())
    try:
        access = create_bi_role(engine, role=role, password_env=password_env)
    except BiAccessError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    console.print(access.message)
    for warning in access.warnings:
        console.print(f"[yellow]{warning}[/yellow]")


@app.command("export-marts")
def export_marts(
    target: Annotated[Path, typer.Argument(help="The SQLite file to write.")],
    config: ConfigOption = None,
    table: Annotated[list[str] | None, typer.Option("--table", help="Only this mart (repeatable).")] = None,
) -> None:
    """Write a marts-only SQLite copy for BI users: no staging, core, quarantine or audit data."""
    from warehouse.engine import open_warehouse
    from warehouse.marts_export import export_marts_sqlite

    engine = open_warehouse(load_config(config).warehouse_url())
    try:
        export = export_marts_sqlite(engine, target, tables=table or None)
    finally:
        engine.dispose()
    console.print(f"Wrote {export.path}: " + ", ".join(f"{name} {rows:,} rows" for name, rows in export.rows.items()))


@app.command()
def serve(config: ConfigOption = None) -> None:
    """Serve every deployment in prefect.yaml, with its schedules and triggers, until stopped (Ctrl-C)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.serve import serve_all

    config_file = (config or Path(DEFAULT_CONFIG_NAME)).resolve()
    if not config_file.exists():
        raise typer.BadParameter(f"{config_file} does not exist; run `learnscape init` or pass --config")
    serve_all(config_file=config_file)


def _when(moment) -> str:
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M") if hasattr(moment, "strftime") else str(moment)[:16]


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Folder for the demo's sample trust, warehouse and feed.")] = Path(
        "demo"
    ),
    staff: int = 10_000,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Generate a sample trust and run the whole pipeline on the embedded SQLite warehouse."""
    from learnscape.demo import run_demo

    (workdir.resolve() / ".prefect").mkdir(parents=True, exist_ok=True)
    _quiet_prefect(workdir.resolve() / ".prefect")
    run_demo(
        workdir.resolve(),
        staff=staff,
        as_of=date.fromisoformat(as_of) if as_of else date.today(),
        console=console,
    )


if __name__ == "__main__":
    app()
