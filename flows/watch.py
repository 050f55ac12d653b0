"""Watching the landing folder: announce each file once it has stopped changing and its content is new.

SFTP drops and ESR's scheduled exports write files over seconds or minutes, so a file seen once may be half
written. A file counts as complete when its size and modification time are the same on two polls in a row; its
SHA-256 is then taken, and only content the watcher has not announced before becomes a `learnscape.file.landed`
event. What the watcher knows (each file's size, time and checksum, and every checksum announced) is kept as JSON
in the config's state folder, so a restarted watcher neither announces old files again nor re-reads them.

Uploads in progress under a temporary name (`*.part`, `*.filepart`, `*.tmp`, ...) and hidden files or folders are
left alone; an uploader that renames the finished file into place is announced on the polls after the rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow

from connectors.esr.errors import EsrFileError
from connectors.esr.files import parse_esr_file_name
from connectors.trust_rules.files import RULE_FILES
from flows import events
from flows.logs import run_logger

STATE_FILE_NAME = "landing_watch.json"
STATE_VERSION = 1
#: Names an upload carries while it is still being written.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".filepart", ".tmp", ".temp", ".crdownload", ".swp", "~")


@dataclass(frozen=True)
class FileSignature:
    """What a poll sees of a file without reading it: its size and modification time."""

    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class LandedFile:
    """A complete file with new content in the landing folder, as announced."""

    path: Path
    landing: Path
    sha256: str
    size_bytes: int
    modified_at: datetime
    source: str


Announce = Callable[[LandedFile], object]


def source_of(path: Path) -> str:
    """Which source system a landed file belongs to, from its name: esr, trust_rules, totara or other."""
    try:
        if parse_esr_file_name(path) is not None:
            return "esr"
    except EsrFileError:
        return "esr"  # named as an ESR export with an impossible date: ingestion refuses it with the reason
    name = path.name.lower()
    if path.name in RULE_FILES:
        return "trust_rules"
    if name.startswith("totara_") and name.endswith(".csv"):
        return "totara"
    return "other"


def announce_landed_file(landed: LandedFile) -> bool:
    """The watcher's default announcement: a `learnscape.file.landed` event to Prefect."""
    return events.announce(
        events.file_landed(
            landed.path, landed.landing, landed.sha256, landed.size_bytes, landed.source, landed.modified_at
        )
    )


def sha256_of(path: Path, block_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(block_bytes):
            digest.update(block)
    return digest.hexdigest()


class LandingWatcher:
    """The watcher's memory of one landing folder between polls; `poll()` announces what has newly landed."""

    def __init__(self, landing: Path, state_file: Path, announce: Announce = announce_landed_file) -> None:
        self.landing = Path(landing).resolve()
        self.state_file = Path(state_file)
        self._announce = announce
        self._pending: dict[Path, FileSignature] = {}
        self._known, self._announced = _read_state(self.state_file)

    def poll(self) -> list[LandedFile]:
        """Look at the folder once; announce files unchanged since the last poll whose content is new.

        The state file is written whenever something changed, even when an announcement fails part-way through a
        poll, so files already announced are never announced twice.
        """
        seen = _scan(self.landing)
        landed: list[LandedFile] = []
        before = (dict(self._known), len(self._announced))
        try:
            for path, signature in seen.items():
                landed_file = self._consider(path, signature)
                if landed_file is not None:
                    landed.append(landed_file)
        finally:
            for path in [p for p in self._pending if p not in seen]:
                del self._pending[path]
            for key in [k for k in self._known if Path(k).is_relative_to(self.landing) and Path(k) not in seen]:
                del self._known[key]
            if (self._known, len(self._announced)) != before:
                _write_state(self.state_file, self._known, self._announced)
        return landed

    def _consider(self, path: Path, signature: FileSignature) -> LandedFile | None:
        known = self._known.get(str(path))
        if known is not None and known[0] == signature:
            return None
        if self._pending.get(path) != signature:
            self._pending[path] = signature
            return None
        del self._pending[path]
        checksum = sha256_of(path)
        after = _signature(path)
        if after != signature:
            if after is not None:
                self._pending[path] = after
            return None
        landed_file = None
        if checksum not in self._announced:
            landed_file = LandedFile(
                path=path,
                landing=self.landing,
                sha256=checksum,
                size_bytes=signature.size_bytes,
                modified_at=datetime.fromtimestamp(signature.mtime_ns / 1e9, UTC),
                source=source_of(path),
            )
            self._announce(landed_file)
            self._announced[checksum] = {"path": str(path), "announced_at": datetime.now(UTC).isoformat()}
        self._known[str(path)] = (signature, checksum)
        return landed_file


def watch_landing(
    landing: Path,
    state_file: Path,
    announce: Announce = announce_landed_file,
    poll_seconds: float = 15.0,
    max_polls: int | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> list[LandedFile]:
    """Poll `landing` every `poll_seconds` until `max_polls` polls have run (None: until stopped)."""
    watcher = LandingWatcher(landing, state_file, announce)
    landed: list[LandedFile] = []
    polls = 0
    while max_polls is None or polls < max_polls:
        landed.extend(watcher.poll())
        polls += 1
        if max_polls is None or polls < max_polls:
            sleep(poll_seconds)
    return landed


@flow(name="watch-landing", on_failure=[events.announce_run_failed])
def watch_landing_flow(
    config_file: str | None = None,
    landing: str | None = None,
    poll_seconds: float = 15.0,
    max_polls: int | None = None,
) -> int:
    """Watch the landing folder and announce each complete new file; returns how many were announced."""
    from learnscape.config import load_config

    config = load_config(Path(config_file) if config_file else None)
    folder = Path(landing).resolve() if landing else config.landing_dir
    log = run_logger()
    log.info("Watching %s every %.0f s", folder, poll_seconds)
    landed = watch_landing(folder, config.state_dir / STATE_FILE_NAME, poll_seconds=poll_seconds, max_polls=max_polls)
    for landed_file in landed:
        log.info("Landed: %s (%s, sha256 %s)", landed_file.path.name, landed_file.source, landed_file.sha256[:12])
    return len(landed)


def _signature(path: Path) -> FileSignature | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return FileSignature(stat.st_size, stat.st_mtime_ns)


def _scan(landing: Path) -> dict[Path, FileSignature]:
    """Every candidate file under `landing`, in name order, skipping hidden entries and uploads in progress."""
    found: dict[Path, FileSignature] = {}
    if not landing.is_dir():
        return found
    for folder, folders, files in os.walk(landing):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES):
                continue
            path = Path(folder) / name
            signature = _signature(path)
            if signature is not None and path.is_file():
                found[path] = signature
    return found


def _read_state(state_file: Path) -> tuple[dict[str, tuple[FileSignature, str]], dict[str, dict[str, str]]]:
    if not state_file.exists():
        return {}, {}
    try:
        raw = json.loads(state_file.read_text(encoding="utf-8"))
        known = {
            path: (FileSignature(entry["size_bytes"], entry["mtime_ns"]), entry["sha256"])
            for path, entry in raw["files"].items()
        }
        return known, dict(raw["announced"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"Watcher state {state_file} is not readable ({type(error).__name__}: {error}); move it aside to start "
            "afresh (files already in the landing folder will then be announced again, and ingestion skips the "
            "ones it has loaded)"
        ) from error


def _write_state(
    state_file: Path, known: dict[str, tuple[FileSignature, str]], announced: dict[str, dict[str, str]]
) -> None:
    """Replace the state file in one rename, so a crash leaves the old state or the new, never half of one."""
    state = {
        "version": STATE_VERSION,
        "files": {
            path: {"size_bytes": signature.size_bytes, "mtime_ns": signature.mtime_ns, "sha256": checksum}
            for path, (signature, checksum) in sorted(known.items())
        },
        "announced": dict(sorted(announced.items())),
    }
    state_file.parent.mkdir(parents=True, exist_ok=True)
    partial = state_file.with_name(f".{state_file.name}.partial")
    partial.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(partial, state_file)
