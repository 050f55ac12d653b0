"""Builders for identity matching tests: candidate person records, steward decisions and result lookups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from transforms.identity import CANDIDATE_COLUMNS, DECISION_COLUMNS, IdentityResult

RUN_1 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
RUN_2 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
RUN_3 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def esr(number: str, forenames: str, surname: str, born: str, email: str | None = None) -> tuple:
    """An ESR person: the employee number is both the record's key and its employee number."""
    return ("esr", number, number, email, forenames, surname, date.fromisoformat(born))


def totara(user_id: str, idnumber: str | None, forenames: str, surname: str, email: str | None = None) -> tuple:
    """A Totara user: `idnumber` holds the ESR employee number where HR Import set it; no date of birth."""
    return ("totara", user_id, idnumber, email, forenames, surname, None)


def student(
    student_id: str,
    forenames: str,
    surname: str,
    born: str,
    email: str | None = None,
    esr_number: str | None = None,
) -> tuple:
    """A student management system record; apprentices carry their ESR employee number."""
    return ("student_system", student_id, esr_number, email, forenames, surname, date.fromisoformat(born))


def people(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(CANDIDATE_COLUMNS))


def decisions(*rows: tuple) -> pd.DataFrame:
    """Rows of ((system, key), (system, key), decision, decided_on)."""
    return pd.DataFrame(
        [(a[0], a[1], b[0], b[1], verdict, "education.data@trust.nhs.uk", on) for a, b, verdict, on in rows],
        columns=list(DECISION_COLUMNS),
    )


def learner(result: IdentityResult, system: str, key: str) -> str:
    row = result.crosswalk[(result.crosswalk["source_system"] == system) & (result.crosswalk["source_key"] == key)]
    assert len(row) == 1, f"{system} {key} should appear once in the crosswalk"
    return row["learner_id"].iloc[0]


def link(result: IdentityResult, system: str, key: str) -> tuple[str, str, float]:
    """(learner_id, match_method, confidence) of one source record."""
    row = result.crosswalk[(result.crosswalk["source_system"] == system) & (result.crosswalk["source_key"] == key)]
    return row["learner_id"].iloc[0], row["match_method"].iloc[0], float(row["confidence"].iloc[0])


def review_pairs(result: IdentityResult) -> list[tuple[str, str, str]]:
    """(key a, key b, reason) of each review row."""
    return list(zip(result.review["source_key_a"], result.review["source_key_b"], result.review["reason"], strict=True))
