"""Learners and assignments from other systems that match nobody in ESR: listed with the reason, never dropped.

Totara users join ESR people by ID number = Employee Number, and job assignments join ESR assignments by ID
number = Assignment Number (the keys HR Import sets). System accounts (`guest`, `admin`) are left out.
"""

from __future__ import annotations

import pandas as pd

UNMATCHED_COLUMNS = ["source", "source_key", "match_key", "reason"]
SYSTEM_ACCOUNTS = {"guest", "admin"}


def unmatched_learners(
    esr_people: pd.Series,
    esr_assignments: pd.Series,
    totara_users: pd.DataFrame,
    totara_job_assignments: pd.DataFrame,
    learning_user_keys: pd.DataFrame,
) -> pd.DataFrame:
    """One row per unmatched Totara user, job assignment or export learner.

    `esr_people` and `esr_assignments` are the current ESR Employee and Assignment Numbers; `learning_user_keys`
    has `source` and `user_key` of the learning records held.
    """
    people, assignments = set(esr_people.astype(str)), set(esr_assignments.astype(str))
    found = []
    if not totara_users.empty:
        users = totara_users.loc[~totara_users["username"].fillna("").str.casefold().isin(SYSTEM_ACCOUNTS)]
        no_key = users["idnumber"].isna()
        found.append(_rows("totara_user", users.loc[no_key], "user_id", "idnumber", "no ID number in Totara"))
        unknown = ~no_key & ~users["idnumber"].astype(str).isin(people)
        found.append(
            _rows(
                "totara_user",
                users.loc[unknown],
                "user_id",
                "idnumber",
                "ID number is not the Employee Number of anyone in post in ESR",
            )
        )
    if not totara_job_assignments.empty:
        jobs = totara_job_assignments
        unknown = jobs["idnumber"].isna() | ~jobs["idnumber"].astype(str).isin(assignments)
        found.append(
            _rows(
                "totara_job_assignment",
                jobs.loc[unknown],
                "job_assignment_id",
                "idnumber",
                "ID number is not a current ESR Assignment Number",
            )
        )
    if not learning_user_keys.empty:
        keys = learning_user_keys.drop_duplicates(["source", "user_key"])
        unknown = keys.loc[~keys["user_key"].astype(str).isin(people)]
        found.append(
            pd.DataFrame(
                {
                    "source": unknown["source"],
                    "source_key": unknown["user_key"],
                    "match_key": unknown["user_key"],
                    "reason": "User ID Number is not the Employee Number of anyone in ESR",
                }
            )
        )
    found = [f for f in found if not f.empty]
    if not found:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    return (
        pd.concat(found, ignore_index=True)[UNMATCHED_COLUMNS].sort_values(UNMATCHED_COLUMNS[:2]).reset_index(drop=True)
    )


def _rows(source: str, frame: pd.DataFrame, key: str, match: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"source": source, "source_key": frame[key], "match_key": frame[match], "reason": reason})
