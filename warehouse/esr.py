"""ESR loads: staging accepted rows and applying them to the core history (people, assignments, competence
records, the competence catalogue and every award seen)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, select, text

from warehouse.bulk import insert_frame, qualified_name
from warehouse.history import VersionedMerge
from warehouse.models import (
    assignment,
    competence,
    competence_achievement,
    esr_competence_record,
    person,
    stg_esr_competence,
    stg_esr_person,
    stg_esr_staff_in_post,
)
from warehouse.query_plans import without_nested_loops

PERSON_COLUMNS = ("vpd", "employee_number", "title", "first_name", "last_name", "work_email", "date_of_birth")
ASSIGNMENT_COLUMNS = (
    "vpd",
    "assignment_number",
    "employee_number",
    "organisation",
    "org_level_3",
    "org_level_4",
    "org_level_5",
    "position_title",
    "job_role",
    "occupation_code",
    "staff_group",
    "pay_band",
    "assignment_category",
    "assignment_status",
    "contracted_wte",
    "hire_date",
    "assignment_start_date",
    "assignment_end_date",
    "supervisor_employee_number",
    "last_updated",
)
COMPETENCE_RECORD_COLUMNS = (
    "vpd",
    "employee_number",
    "competency_name",
    "competence_level",
    "essential",
    "date_last_awarded",
    "expiry_date",
    "no_expiry",
    "compliance_status",
)

PERSON_MERGE = VersionedMerge(
    core=person,
    staging=stg_esr_person,
    keys=("vpd", "employee_number"),
    hash_column="person_hash",
    columns=PERSON_COLUMNS,
)
ASSIGNMENT_MERGE = VersionedMerge(
    core=assignment,
    staging=stg_esr_staff_in_post,
    keys=("vpd", "assignment_number"),
    hash_column="assignment_hash",
    columns=ASSIGNMENT_COLUMNS,
)
COMPETENCE_RECORD_MERGE = VersionedMerge(
    core=esr_competence_record,
    staging=stg_esr_competence,
    keys=("vpd", "employee_number", "competency_name"),
    hash_column="record_hash",
    columns=COMPETENCE_RECORD_COLUMNS,
)

#: What a full file of each kind replaces, checked for truncation before it is applied.
FULL_FILE_GUARD = {"staff_in_post": ASSIGNMENT_MERGE, "competences": COMPETENCE_RECORD_MERGE}
STAGING_TABLE = {"staff_in_post": stg_esr_staff_in_post, "competences": stg_esr_competence}
#: Every staging table a load of each kind writes, for pruning.
STAGING_TABLES = {"staff_in_post": (stg_esr_staff_in_post, stg_esr_person), "competences": (stg_esr_competence,)}


def row_hash(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """A stable hash of the tracked columns, on their text form, so CSV and XLSX reads of one row agree."""
    as_text = pd.DataFrame(index=frame.index)
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            as_text[column] = values.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        elif pd.api.types.is_float_dtype(values):
            as_text[column] = values.round(4).astype("string").fillna("")
        else:
            as_text[column] = values.astype("string").fillna("")
    hashed = pd.util.hash_pandas_object(as_text, index=False)
    return hashed.map(lambda v: f"{v:016x}")


def stage_rows(connection: Connection, kind: str, frame: pd.DataFrame) -> int:
    """Write accepted rows to the kind's staging table, with their change hashes."""
    if kind == "staff_in_post":
        frame = frame.assign(
            person_hash=row_hash(frame, PERSON_COLUMNS), assignment_hash=row_hash(frame, ASSIGNMENT_COLUMNS)
        )
    else:
        frame = frame.assign(record_hash=row_hash(frame, COMPETENCE_RECORD_COLUMNS))
    return insert_frame(connection, STAGING_TABLE[kind], frame)


def apply_staff_in_post(
    connection: Connection, load_id: int, file_date: date, vpd: str, full: bool, later_full: date | None = None
) -> int:
    _stage_people(connection, load_id)
    return PERSON_MERGE.apply(connection, load_id, file_date, vpd, full, later_full) + ASSIGNMENT_MERGE.apply(
        connection, load_id, file_date, vpd, full, later_full
    )


def _stage_people(connection: Connection, load_id: int) -> None:
    """One row per person of the load: a person with two assignments appears on two rows of the staff file, and
    their first row speaks for them (validation has refused files whose rows disagree on a person's key).

    A window over the load's rows is one pass on both databases; an `IN (SELECT MIN ... GROUP BY)` semi-join
    depends on fresh statistics of the staging table, and PostgreSQL re-aggregates it per row when they are stale.
    """
    staff, people = qualified_name(connection, stg_esr_staff_in_post), qualified_name(connection, stg_esr_person)
    columns = ", ".join(("row_number", *PERSON_COLUMNS, "person_hash"))
    connection.execute(
        text(
            f"INSERT INTO {people} (load_id, {columns}) SELECT load_id, {columns} FROM ("
            f"SELECT load_id, {columns}, ROW_NUMBER() OVER (PARTITION BY vpd, employee_number ORDER BY row_number) "
            f"AS nth FROM {staff} WHERE load_id = :load_id) numbered WHERE nth = 1"
        ),
        {"load_id": load_id},
    )


def apply_competences(
    connection: Connection, load_id: int, file_date: date, vpd: str, full: bool, later_full: date | None = None
) -> int:
    """Apply competence records, then bring the award history in line with them.

    Awards of a file arriving after a newer full file still enter the history (they happened); those the
    current records no longer show end on the newer full file's date.
    """
    applied = COMPETENCE_RECORD_MERGE.apply(connection, load_id, file_date, vpd, full, later_full)
    with without_nested_loops(connection):
        _record_new_awards(connection, load_id, file_date, vpd)
        _record_staged_awards(connection, load_id, file_date)
        _end_withdrawn_awards(connection, later_full or file_date, vpd)
    return applied


def _end_withdrawn_awards(connection: Connection, file_date: date, vpd: str) -> None:
    """An ESR award stops counting from the extract in which ESR no longer shows it.

    That is when its record has ended (absent from a full file), or the record now shows an earlier award (a
    correction), or the same award with a different expiry (superseded by the corrected version). A renewal
    leaves the older award in place: it remains history, and the newer one wins as the latest.
    """
    awards = qualified_name(connection, competence_achievement)
    records = qualified_name(connection, esr_competence_record)
    same_record = (
        f"r.vpd = {awards}.vpd AND r.employee_number = {awards}.employee_number "
        f"AND r.competency_name = {awards}.competency_name AND r.valid_to IS NULL"
    )
    still_shown = (
        f"EXISTS (SELECT 1 FROM {records} r WHERE {same_record} AND r.date_last_awarded IS NOT NULL AND ("
        f"r.date_last_awarded > {awards}.achieved_on OR (r.date_last_awarded = {awards}.achieved_on "
        f"AND r.no_expiry = {awards}.no_expiry AND (r.expiry_date = {awards}.expires_on "
        f"OR (r.expiry_date IS NULL AND {awards}.expires_on IS NULL)))))"
    )
    connection.execute(
        text(
            f"UPDATE {awards} SET ended_on = :file_date WHERE source = 'esr' AND vpd = :vpd "
            f"AND ended_on IS NULL AND first_seen_on <= :file_date AND NOT {still_shown}"
        ),
        {"file_date": file_date, "vpd": vpd},
    )


def _record_new_awards(connection: Connection, load_id: int, file_date: date, vpd: str) -> None:
    """Every award shown by a current record that the history does not hold open yet becomes a new row."""
    awards = qualified_name(connection, competence_achievement)
    records = qualified_name(connection, esr_competence_record)
    connection.execute(
        text(
            f"INSERT INTO {awards} (vpd, employee_number, competency_name, achieved_on, expires_on, no_expiry, "
            f"source, source_key, first_seen_on, ended_on, load_id) "
            f"SELECT r.vpd, r.employee_number, r.competency_name, r.date_last_awarded, r.expiry_date, r.no_expiry, "
            f"'esr', r.vpd || '|' || r.employee_number || '|' || r.competency_name, :file_date, NULL, :load_id "
            f"FROM {records} r WHERE r.valid_to IS NULL AND r.vpd = :vpd AND r.date_last_awarded IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {awards} a WHERE a.source = 'esr' AND a.ended_on IS NULL "
            f"AND a.vpd = r.vpd AND a.employee_number = r.employee_number "
            f"AND a.competency_name = r.competency_name AND a.achieved_on = r.date_last_awarded "
            f"AND a.no_expiry = r.no_expiry AND (a.expires_on = r.expiry_date "
            f"OR (a.expires_on IS NULL AND r.expiry_date IS NULL)))"
        ),
        {"file_date": file_date, "vpd": vpd, "load_id": load_id},
    )


def _record_staged_awards(connection: Connection, load_id: int, file_date: date) -> None:
    """Awards the file shows that the history has never seen, even where its record was not made current (a
    delta arriving after a newer extract): the award happened, and past reporting dates must count it."""
    awards = qualified_name(connection, competence_achievement)
    staged = qualified_name(connection, stg_esr_competence)
    connection.execute(
        text(
            f"INSERT INTO {awards} (vpd, employee_number, competency_name, achieved_on, expires_on, no_expiry, "
            f"source, source_key, first_seen_on, ended_on, load_id) "
            f"SELECT s.vpd, s.employee_number, s.competency_name, s.date_last_awarded, s.expiry_date, "
            f"s.no_expiry, 'esr', s.vpd || '|' || s.employee_number || '|' || s.competency_name, :file_date, "
            f"CAST(NULL AS DATE), :load_id FROM {staged} s "
            f"WHERE s.load_id = :load_id AND s.date_last_awarded IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {awards} a WHERE a.source = 'esr' AND a.vpd = s.vpd "
            f"AND a.employee_number = s.employee_number AND a.competency_name = s.competency_name "
            f"AND a.achieved_on = s.date_last_awarded)"
        ),
        {"file_date": file_date, "load_id": load_id},
    )


def add_to_catalogue(connection: Connection, catalogue: pd.DataFrame, load_id: int) -> int:
    """Add competence names not yet in the catalogue (names are immutable keys; their parse never changes)."""
    catalogue = catalogue.rename(columns={"name": "competency_name"})
    catalogue = catalogue.loc[catalogue["problem"].isna()] if "problem" in catalogue else catalogue
    if catalogue.empty:
        return 0
    known = set(connection.execute(select(competence.c.competency_name)).scalars())
    new = catalogue.loc[~catalogue["competency_name"].isin(known)].drop_duplicates("competency_name")
    return insert_frame(connection, competence, new.assign(first_load_id=load_id))


def staged_competency_names(connection: Connection, load_id: int) -> list[str]:
    return list(
        connection.execute(
            select(stg_esr_competence.c.competency_name).where(stg_esr_competence.c.load_id == load_id).distinct()
        ).scalars()
    )
