"""Merging a staged load into a versioned core table (valid_from / valid_to), set-based, on both databases.

The rules, per entity key, for a file with extract date F:
- a row equal to the current version (same hash) changes nothing;
- a changed row closes the current version at F and opens a new one from F;
- a key whose current version was shown by a later extract than F (`confirmed_on`) is left alone, and so is a
  key with any version from after F: an out-of-order file cannot overwrite newer knowledge;
- in a full file, a current key absent from the file is ended at F.
Replaying a file, or a file with the same content, therefore changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, text

from warehouse.bulk import qualified_name
from warehouse.query_plans import without_nested_loops


@dataclass(frozen=True)
class VersionedMerge:
    """How one staging table feeds one versioned core table."""

    core: Table
    staging: Table
    keys: tuple[str, ...]
    hash_column: str
    columns: tuple[str, ...]

    def _staged(self, connection: Connection) -> str:
        staging = qualified_name(connection, self.staging)
        return f"(SELECT * FROM {staging} WHERE load_id = :load_id)"

    def _key_match(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{k} = {right}.{k}" for k in self.keys)

    def count_current(self, connection: Connection, vpd: str) -> int:
        core = qualified_name(connection, self.core)
        return connection.execute(
            text(f"SELECT COUNT(*) FROM {core} WHERE valid_to IS NULL AND vpd = :vpd"), {"vpd": vpd}
        ).scalar_one()

    def count_would_end(self, connection: Connection, load_id: int, file_date: date, vpd: str) -> int:
        """Current keys a full file would end: absent from it and not known from a later extract."""
        core = qualified_name(connection, self.core)
        staged = self._staged(connection)
        sql = (
            f"SELECT COUNT(*) FROM {core} c WHERE c.valid_to IS NULL AND c.vpd = :vpd AND c.confirmed_on <= :file_date "
            f"AND NOT EXISTS (SELECT 1 FROM {staged} s WHERE {self._key_match('s', 'c')})"
        )
        return connection.execute(text(sql), {"load_id": load_id, "file_date": file_date, "vpd": vpd}).scalar_one()

    def apply(
        self,
        connection: Connection,
        load_id: int,
        file_date: date,
        vpd: str,
        full: bool,
        later_full: date | None = None,
    ) -> int:
        """Apply the staged load; returns the number of new versions opened.

        `later_full` is the date of a full file already applied after this file's date: keys this file brings
        that the newer full file did not hold (they are not current) existed from this file's date until then.
        """
        core = qualified_name(connection, self.core)
        staged = self._staged(connection)
        params = {"load_id": load_id, "file_date": file_date, "vpd": vpd}
        changed = (
            f"EXISTS (SELECT 1 FROM {staged} s WHERE {self._key_match('s', core)} "
            f"AND s.{self.hash_column} <> {core}.row_hash)"
        )
        absent = f"NOT EXISTS (SELECT 1 FROM {staged} s WHERE {self._key_match('s', core)})"
        condition = f"({changed} OR {absent})" if full else changed
        unchanged = (
            f"EXISTS (SELECT 1 FROM {staged} s WHERE {self._key_match('s', core)} "
            f"AND s.{self.hash_column} = {core}.row_hash)"
        )
        with without_nested_loops(connection):
            connection.execute(
                text(
                    f"UPDATE {core} SET confirmed_on = :file_date WHERE valid_to IS NULL AND vpd = :vpd "
                    f"AND confirmed_on < :file_date AND {unchanged}"
                ),
                params,
            )
            connection.execute(
                text(
                    f"UPDATE {core} SET valid_to = :file_date WHERE valid_to IS NULL AND vpd = :vpd "
                    f"AND confirmed_on <= :file_date AND {condition}"
                ),
                params,
            )
            columns = ", ".join(self.columns)
            selected = ", ".join(f"s.{c}" for c in self.columns)
            inserted = connection.execute(
                text(
                    f"INSERT INTO {core} ({columns}, row_hash, valid_from, valid_to, confirmed_on, load_id) "
                    f"SELECT {selected}, s.{self.hash_column}, :file_date, NULL, :file_date, :load_id "
                    f"FROM {staged} s WHERE NOT EXISTS (SELECT 1 FROM {core} c WHERE {self._key_match('c', 's')} "
                    f"AND (c.valid_to IS NULL OR c.valid_to > :file_date OR c.confirmed_on > :file_date))"
                ),
                params,
            )
            if later_full is not None:
                connection.execute(
                    text(f"UPDATE {core} SET valid_to = :later_full WHERE load_id = :load_id AND valid_to IS NULL"),
                    {"later_full": later_full, "load_id": load_id},
                )
        return inserted.rowcount or 0
