"""Errors raised when an ESR file cannot be read at all (as opposed to row problems, which are reported)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class EsrFileError(Exception):
    """The whole file is unusable: wrong format, corrupt bytes, undecodable text or a bad name.

    The message names the file first so an operator can find it in the landing folder.
    """

    def __init__(self, file: Path | str, message: str) -> None:
        self.file = Path(file)
        self.reason = message
        super().__init__(f"{self.file}: {message}")


class MissingHeadingError(EsrFileError):
    """The heading row lacks headings the pipeline cannot work without.

    `missing` holds the expected headings (the spec's wording) and `found` the headings the file really has,
    so the fix (rename the column in the export, or add an alias in the trust's heading overrides) is obvious.
    """

    def __init__(self, file: Path | str, missing: Sequence[str], found: Sequence[str], hint: str = "") -> None:
        self.missing = list(missing)
        self.found = list(found)
        found_text = ", ".join(repr(h) for h in self.found) if self.found else "(no headings)"
        message = (
            f"missing required heading(s) {', '.join(repr(h) for h in self.missing)}; "
            f"headings found: {found_text}. "
            "If the trust renamed a column, add the new heading to the ESR heading overrides."
        )
        if hint:
            message = f"{message} {hint}"
        super().__init__(file, message)


class AmbiguousHeadingError(EsrFileError):
    """Two or more headings in the file match the same field, so the reader cannot tell which one to use."""

    def __init__(self, file: Path | str, field: str, headings: Sequence[str]) -> None:
        self.field = field
        self.headings = list(headings)
        super().__init__(
            file,
            f"headings {', '.join(repr(h) for h in self.headings)} all match the field {field!r}; "
            "remove the duplicate column from the export or narrow the heading aliases.",
        )
