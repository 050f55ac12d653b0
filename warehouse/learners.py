"""The unified learner record in the warehouse: candidates from each system, and storing a matching run."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, delete, select

from warehouse.bulk import insert_frame
from warehouse.models import (
    identity_review,
    learner,
    learner_crosswalk,
    retired_learner,
    steward_decision,
    student,
    totara_user,
)
from warehouse.snapshot import _frame, people_on
from warehouse.totara_api import live_records

#: The columns each system's candidate records are made from (`candidate_records`).
TOTARA_USER_COLUMNS = ("user_id", "idnumber", "username", "firstname", "lastname", "email")
STUDENT_COLUMNS = ("student_id", "esr_employee_number", "email", "forenames", "surname", "date_of_birth")


def candidates(connection: Connection, as_of: date) -> pd.DataFrame:
    """Every person record of ESR (people as known on the date), Totara (live users) and the student system."""
    return candidate_records(
        people_on(connection, as_of),
        live_records(connection, totara_user, TOTARA_USER_COLUMNS),
        _frame(connection, select(*(student.c[name] for name in STUDENT_COLUMNS))),
    )


def candidate_records(esr: pd.DataFrame, users: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame:
    """The candidate records `transforms.identity.match_learners` compares, from ESR people (`people_on`'s
    columns), live Totara users (`TOTARA_USER_COLUMNS`; the system accounts are left out here) and students
    (`STUDENT_COLUMNS`)."""
    users = users.loc[~users["username"].fillna("").str.casefold().isin({"guest", "admin"})]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "source_system": "esr",
                    "source_key": esr["employee_number"],
                    "employee_number": esr["employee_number"],
                    "email": esr["work_email"],
                    "forenames": esr["first_name"],
                    "surname": esr["last_name"],
                    "date_of_birth": esr["date_of_birth"],
                }
            ),
            pd.DataFrame(
                {
                    "source_system": "totara",
                    "source_key": users["user_id"],
                    "employee_number": users["idnumber"],
                    "email": users["email"],
                    "forenames": users["firstname"],
                    "surname": users["lastname"],
                    "date_of_birth": None,
                }
            ),
            pd.DataFrame(
                {
                    "source_system": "student_system",
                    "source_key": students["student_id"],
                    "employee_number": students["esr_employee_number"],
                    "email": students["email"],
                    "forenames": students["forenames"],
                    "surname": students["surname"],
                    "date_of_birth": students["date_of_birth"],
                }
            ),
        ],
        ignore_index=True,
    )


def stored(connection: Connection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The crosswalk, the latest decision per pair, and retired ids as the last run left them."""
    crosswalk = _frame(connection, select(learner_crosswalk))
    decisions = _frame(connection, select(steward_decision).order_by(steward_decision.c.load_id))
    pair = ["source_system_a", "source_key_a", "source_system_b", "source_key_b"]
    decisions = decisions.drop_duplicates(pair, keep="last").drop(columns="load_id")
    return crosswalk, decisions, _frame(connection, select(retired_learner))


def store(connection: Connection, crosswalk: pd.DataFrame, review: pd.DataFrame, retired: pd.DataFrame) -> None:
    """Replace the crosswalk, the open review items, retired ids and the published learner mart at once."""
    for table in (learner_crosswalk, identity_review, retired_learner, learner):
        connection.execute(delete(table))
    insert_frame(connection, learner_crosswalk, crosswalk)
    insert_frame(connection, identity_review, review)
    insert_frame(connection, retired_learner, retired)
    insert_frame(connection, learner, crosswalk)
