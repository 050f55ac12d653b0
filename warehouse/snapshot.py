"""The trust as the warehouse knew it on a reporting date: the inputs compliance is computed from.

Each dataset is read as of its knowledge date K = max(D, the dataset's earliest version): the version valid on
K (`valid_from <= K < valid_to`), and awards the warehouse had seen by K and not seen withdrawn by then. A
reporting date before the first snapshot is therefore computed from the first snapshot, with the business dates
(assignment start and end, award dates) applied to D.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Table, and_, func, or_, select

from transforms.compliance.build import ComplianceInputs
from transforms.compliance.evidence import COMPETENCE_EVIDENCE_SOURCES, learning_evidence
from warehouse.models import (
    assignment,
    competence,
    competence_achievement,
    esr_competence_record,
    learning_record,
    skills_framework,
    training_requirement,
)


def knowledge_date(connection: Connection, table: Table, as_of: date, column: str = "valid_from") -> date:
    earliest = connection.execute(select(func.min(table.c[column]))).scalar()
    if earliest is None:
        return as_of
    if isinstance(earliest, str):
        earliest = date.fromisoformat(earliest[:10])
    return max(as_of, earliest)


def _valid_on(table: Table, day: date):
    return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))


def _frame(connection: Connection, query) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def completed_learning(connection: Connection, as_of: date, sources: tuple[str, ...]) -> pd.DataFrame:
    """Completed learning records of the given sources as known on the date, dated on or before it."""
    known_day = knowledge_date(connection, learning_record, as_of, column="first_seen_on")
    return _frame(
        connection,
        select(
            learning_record.c.source,
            learning_record.c.user_key,
            learning_record.c.item_key,
            learning_record.c.achieved_on,
            learning_record.c.expires_on,
        ).where(
            learning_record.c.source.in_(sources),
            learning_record.c.is_evidence.is_(True),
            learning_record.c.achieved_on <= as_of,
            learning_record.c.first_seen_on <= known_day,
            or_(learning_record.c.ended_on.is_(None), learning_record.c.ended_on > known_day),
        ),
    )


def skills_framework_on(connection: Connection, as_of: date) -> pd.DataFrame:
    day = knowledge_date(connection, skills_framework, as_of)
    columns = [c for c in skills_framework.c if c.name not in {"framework_row_id", "valid_from", "valid_to", "load_id"}]
    return _frame(connection, select(*columns).where(_valid_on(skills_framework, day)))


def compliance_inputs(connection: Connection, as_of: date, vpd: str) -> ComplianceInputs:
    staff_day = knowledge_date(connection, assignment, as_of)
    records_day = knowledge_date(connection, esr_competence_record, as_of)
    needs_day = knowledge_date(connection, training_requirement, as_of)
    awards = competence_achievement
    assignments = _frame(
        connection,
        select(*[c for c in assignment.c if c.name not in {"row_hash", "valid_from", "valid_to", "load_id"}]).where(
            _valid_on(assignment, staff_day)
        ),
    )
    evidence = _frame(
        connection,
        select(
            awards.c.vpd,
            awards.c.employee_number,
            awards.c.competency_name,
            awards.c.achieved_on,
            awards.c.expires_on,
            awards.c.no_expiry,
            awards.c.source,
        ).where(
            awards.c.first_seen_on <= records_day,
            or_(awards.c.ended_on.is_(None), awards.c.ended_on > records_day),
            awards.c.achieved_on <= as_of,
        ),
    )
    records = _frame(
        connection,
        select(
            esr_competence_record.c.vpd,
            esr_competence_record.c.employee_number,
            esr_competence_record.c.competency_name,
            esr_competence_record.c.compliance_status,
            esr_competence_record.c.expiry_date,
            esr_competence_record.c.no_expiry,
            esr_competence_record.c.essential,
        ).where(_valid_on(esr_competence_record, records_day)),
    )
    needs = _frame(
        connection,
        select(
            training_requirement.c.applies_to,
            training_requirement.c.match_value,
            training_requirement.c.competency_name,
        ).where(_valid_on(training_requirement, needs_day)),
    )
    catalogue = _frame(
        connection, select(competence.c.competency_name, competence.c.subject, competence.c.refresher_months)
    )
    totara = learning_evidence(
        completed_learning(connection, as_of, COMPETENCE_EVIDENCE_SOURCES), skills_framework_on(connection, as_of), vpd
    )
    if not totara.empty:
        evidence = pd.concat([evidence, totara], ignore_index=True)
    return ComplianceInputs(
        assignments=assignments,
        training_needs=needs,
        evidence=evidence,
        catalogue=catalogue,
        esr_records=records,
    )


def esr_keys_on(connection: Connection, as_of: date) -> tuple[pd.Series, pd.Series]:
    """Employee Numbers and Assignment Numbers held in ESR on the date (any status)."""
    staff_day = knowledge_date(connection, assignment, as_of)
    keys = _frame(
        connection,
        select(assignment.c.employee_number, assignment.c.assignment_number).where(_valid_on(assignment, staff_day)),
    )
    return keys["employee_number"] if not keys.empty else pd.Series(dtype=str), (
        keys["assignment_number"] if not keys.empty else pd.Series(dtype=str)
    )


def learning_user_keys(connection: Connection) -> pd.DataFrame:
    return _frame(
        connection,
        select(learning_record.c.source, learning_record.c.user_key)
        .where(learning_record.c.ended_on.is_(None))
        .distinct(),
    )
