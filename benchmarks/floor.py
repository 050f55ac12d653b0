"""The floor: the fastest plain way on this machine to parse the same ESR files and bulk-load them.

Parse: pyarrow's streaming CSV reader, every column as text, 16 MiB blocks, threads on. Load: PostgreSQL
`COPY ... FROM STDIN (FORMAT csv)` fed by pyarrow's CSV writer; SQLite `executemany` in one transaction per
file, with the product's pragmas (WAL, synchronous=NORMAL). Each file goes into its own table of text columns.
No validation, typing, hashing, history or quarantine: the pipeline's figures are read as multiples of this.
The file's encoding is found before the clock starts (a plain loader is told it).
"""

from __future__ import annotations

import codecs
import io
import sqlite3
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from benchmarks.instrument import LabelClock

BLOCK_BYTES = 16 * 1024 * 1024


def file_encoding(path: Path) -> str:
    """`utf8` when the whole file decodes as UTF-8 (a byte-order mark is fine), else `cp1252`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(BLOCK_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf8"


def _reader(path: Path, encoding: str) -> pacsv.CSVStreamingReader:
    header = pacsv.open_csv(path, read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 20)).schema
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=BLOCK_BYTES, use_threads=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header.names}, strings_can_be_null=True
        ),
    )


def _table_name(index: int) -> str:
    return f"floor_file_{index}"


def _batches(reader: pacsv.CSVStreamingReader, clock: LabelClock):
    """The reader's record batches, the time spent reading them credited to `floor/parse`."""
    while True:
        with clock.label("floor/parse"):
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
        yield batch


def _load_postgresql(conninfo: str, files: list[tuple[Path, str]], clock: LabelClock) -> dict[str, int]:
    import psycopg

    rows: dict[str, int] = {}
    with psycopg.connect(conninfo) as connection:
        for index, (path, encoding) in enumerate(files):
            with clock.label("floor/parse"):
                reader = _reader(path, encoding)
            table = _table_name(index)
            columns = ", ".join(f"c{i} text" for i in range(len(reader.schema.names)))
            count = 0
            with clock.label("floor/load"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
                connection.execute(f"CREATE TABLE {table} ({columns})")
                with connection.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
                    for batch in _batches(reader, clock):
                        buffer = io.BytesIO()
                        pacsv.write_csv(batch, buffer, write_options=pacsv.WriteOptions(include_header=False))
                        copy.write(buffer.getvalue())
                        count += batch.num_rows
                connection.commit()
            rows[path.name] = count
    return rows


def _load_sqlite(database: Path, files: list[tuple[Path, str]], clock: LabelClock) -> dict[str, int]:
    rows: dict[str, int] = {}
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    try:
        for index, (path, encoding) in enumerate(files):
            with clock.label("floor/parse"):
                reader = _reader(path, encoding)
            table = _table_name(index)
            width = len(reader.schema.names)
            insert = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
            count = 0
            with clock.label("floor/load"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
                connection.execute(f"CREATE TABLE {table} ({', '.join(f'c{i} TEXT' for i in range(width))})")
                connection.execute("BEGIN")
                for batch in _batches(reader, clock):
                    connection.executemany(insert, zip(*(column.to_pylist() for column in batch.columns), strict=True))
                    count += batch.num_rows
                connection.execute("COMMIT")
            rows[path.name] = count
    finally:
        connection.close()
    return rows


def load_floor(url: str, paths: list[Path], clock: LabelClock) -> dict:
    """Parse and load `paths` the plain way into the database at `url` (a SQLAlchemy-style URL)."""
    started = time.perf_counter()
    files = [(path, file_encoding(path)) for path in paths]
    encoding_seconds = time.perf_counter() - started
    if url.startswith("sqlite:///"):
        rows = _load_sqlite(Path(url[len("sqlite:///") :]), files, clock)
    else:
        rows = _load_postgresql(url.replace("postgresql+psycopg://", "postgresql://", 1), files, clock)
    return {
        "rows": sum(rows.values()),
        "files": rows,
        "encodings": {path.name: encoding for path, encoding in files},
        "encoding_check_seconds": round(encoding_seconds, 4),
    }
