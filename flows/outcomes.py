"""What became of each batch, as flows report it to the CLI, artifacts and events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadOutcome:
    """One batch's fate: loaded, duplicate (already loaded), or refused (with the reason)."""

    source: str
    source_file: str
    status: str
    load_id: int | None = None
    rows_in: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_applied: int = 0
    message: str | None = None

    @property
    def refused(self) -> bool:
        return self.status == "refused"


class BatchRefused(Exception):
    """A batch failed a batch-level check; nothing of it reaches core or marts."""


def refuse_unreadable(engine, source: str, path, reason: str, run_id: str | None) -> LoadOutcome:
    """Record a file that cannot be read at all (undecodable, binary, a bad name, a link out of the landing
    folder) as a refused load, so it shows in the load log and the run carries on with the other files."""
    from warehouse.load_log import BatchOrigin, finish_load, start_load

    origin = BatchOrigin(source=source, source_file=path.name, source_path=str(path), checksum_sha256="-")
    load_id = start_load(engine, origin, run_id)
    with engine.begin() as connection:
        finish_load(connection, load_id, "refused", message=f"{path.name}: {reason}")
    return LoadOutcome(source, path.name, "refused", load_id=load_id, message=f"{path.name}: {reason}")
