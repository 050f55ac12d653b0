"""The landing folder, shared by every file source: which files are in it, safely.

A path that leads outside the landing folder (a symbolic link to a file elsewhere) is never read: whoever can
drop a link there must not be able to make the pipeline read any file its account can. Such paths are reported
so the run can record them, as are files a source recognises by name but cannot accept (an impossible date).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class LandingProblem:
    """A file in the landing folder that was not read, and why."""

    path: Path
    reason: str


def landing_files(landing: Path) -> Iterator[Path | LandingProblem]:
    """Every regular file below `landing`, in name order; a path resolving outside it comes back as a problem."""
    root = Path(landing).resolve()
    for path in sorted(Path(landing).rglob("*")):
        if not path.is_file():
            continue
        if not path.resolve().is_relative_to(root):
            yield LandingProblem(path, f"leads outside the landing folder {root} (a link); it was not read")
            continue
        yield path


def scan(landing: Path, recognise: Callable[[Path], T | None], errors: tuple[type[Exception], ...]):
    """The landing files a source recognises, and problems: links out of the folder among the names it would
    recognise, and names it recognises but refuses (`recognise` raises one of `errors`)."""
    found: list[T] = []
    problems: list[LandingProblem] = []
    for entry in landing_files(landing):
        path = entry.path if isinstance(entry, LandingProblem) else entry
        try:
            recognised = recognise(path)
        except errors as error:
            problems.append(LandingProblem(path, getattr(error, "reason", None) or str(error)))
            continue
        if recognised is None:
            continue
        if isinstance(entry, LandingProblem):
            problems.append(entry)
        else:
            found.append(recognised)
    return found, problems
