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
