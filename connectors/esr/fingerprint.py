"""A file's fingerprint: its SHA-256 (to recognise a file seen before), size, format and text encoding.

Everything is learnt in one streaming pass of 1 MiB blocks, so a large export is read from disk once and never
held in memory. Encoding detection is deliberately narrow: ESR writes UTF-8; Excel re-saves write UTF-8 with a
byte-order mark or Windows-1252. Anything else is refused with the byte offset where it went wrong.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from connectors.esr.errors import EsrFileError

BLOCK_SIZE = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
XLSX_ENCODING = "binary"


@dataclass(frozen=True)
class FileFingerprint:
    """What identifies a landed file and how to decode it.

    `encoding` is `utf-8-sig`, `utf-8` or `cp1252` for CSV, and `binary` for XLSX (a workbook carries its
    own).
    """

    sha256: str
    size_bytes: int
    encoding: str
    file_format: Literal["csv", "xlsx"]


def fingerprint_file(path: Path) -> FileFingerprint:
    """Hash `path` and, for CSV, work out its encoding, in a single pass.

    Raises `EsrFileError` for an unknown extension, a CSV containing NUL bytes (binary or corrupt), UTF-16
    text, text that is neither UTF-8 nor Windows-1252, or an `.xlsx` that is not a zip archive.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise EsrFileError(path, f"unsupported file type {suffix or '(none)'!r}; ESR exports are .csv or .xlsx")
    if suffix == ".xlsx":
        return _fingerprint_xlsx(path)
    return _fingerprint_csv(path)


def _fingerprint_xlsx(path: Path) -> FileFingerprint:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            if size == 0 and not block.startswith(_XLSX_MAGIC):
                raise EsrFileError(path, "is named .xlsx but is not an Excel workbook (binary or corrupt file)")
            digest.update(block)
            size += len(block)
    if size == 0:
        raise EsrFileError(path, "is an empty file, not an Excel workbook")
    return FileFingerprint(digest.hexdigest(), size, XLSX_ENCODING, "xlsx")


def _fingerprint_csv(path: Path) -> FileFingerprint:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_error_offset: int | None = None
    cp1252_undefined_offset: int | None = None
    has_bom = False
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            if offset == 0:
                if block.startswith(_UTF16_BOMS):
                    raise EsrFileError(path, "is UTF-16 text; save the export as CSV UTF-8 or plain CSV instead")
                has_bom = block.startswith(_UTF8_BOM)
            digest.update(block)
            nul_at = block.find(b"\x00")
            if nul_at >= 0:
                raise EsrFileError(
                    path, f"contains a NUL byte at byte offset {offset + nul_at} (binary or corrupt file)"
                )
            if utf8_error_offset is None:
                utf8_error_offset = _utf8_error_offset(decoder, block, offset, final=False)
            if cp1252_undefined_offset is None:
                cp1252_undefined_offset = _first_cp1252_undefined(block, offset)
            offset += len(block)
    if utf8_error_offset is None:
        utf8_error_offset = _utf8_error_offset(decoder, b"", offset, final=True)
    encoding = _choose_encoding(path, has_bom, utf8_error_offset, cp1252_undefined_offset)
    return FileFingerprint(digest.hexdigest(), offset, encoding, "csv")


def _utf8_error_offset(decoder: codecs.IncrementalDecoder, block: bytes, block_offset: int, final: bool) -> int | None:
    """Feed `block` to the UTF-8 decoder; the file offset of the first invalid byte, or None if all is well.

    The decoder keeps the unfinished tail of a multi-byte character between blocks, so a character split
    across a block boundary decodes correctly; an error's position counts from that carried-over tail.
    """
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(block, final=final)
    except UnicodeDecodeError as exc:
        return block_offset - pending + exc.start
    return None


def _first_cp1252_undefined(block: bytes, block_offset: int) -> int | None:
    positions = [found for byte in _CP1252_UNDEFINED if (found := block.find(byte)) >= 0]
    return block_offset + min(positions) if positions else None


def _choose_encoding(
    path: Path, has_bom: bool, utf8_error_offset: int | None, cp1252_undefined_offset: int | None
) -> str:
    if has_bom:
        if utf8_error_offset is not None:
            raise EsrFileError(
                path,
                f"starts with a UTF-8 byte-order mark but byte offset {utf8_error_offset} is not UTF-8 "
                "(mixed encodings); re-export the file",
            )
        return "utf-8-sig"
    if utf8_error_offset is None:
        return "utf-8"
    if cp1252_undefined_offset is not None:
        raise EsrFileError(
            path,
            f"is neither UTF-8 (first bad byte at offset {utf8_error_offset}) nor Windows-1252 "
            f"(byte at offset {cp1252_undefined_offset} is undefined there); re-export it as CSV UTF-8",
        )
    return "cp1252"
