"""Typical BI queries on the compliance marts, timed as a dashboard would run them (rows fetched).

Trust and org-unit compliance by competence from `compliance_summary`, compliance by subject (the trust's and
each directorate's, from `compliance_person`, where the subject lives), and a manager's person-level list:
one directorate's people with an expired or missing requirement. Each query runs once to warm the caches, then
`repetitions` times; the median is the figure reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, case, func, select

from warehouse.models import compliance_person, compliance_summary

IN_DATE = ("compliant", "expiring")


def _largest_directorate(engine: Engine, as_of: date) -> str | None:
    person = compliance_person
    query = (
        select(person.c.org_level_3)
        .where(person.c.as_of_date == as_of, person.c.org_level_3.is_not(None))
        .group_by(person.c.org_level_3)
        .order_by(func.count().desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def bi_queries(engine: Engine, as_of: date) -> dict[str, object]:
    """The queries by name; the person-level one filters on the directorate with the most rows."""
    summary, person = compliance_summary, compliance_person
    directorate = _largest_directorate(engine, as_of)
    in_date = func.sum(case((person.c.status.in_(IN_DATE), 1), else_=0))
    return {
        "trust_by_competence": select(
            summary.c.competency_name, summary.c.required, summary.c.in_date, summary.c.compliance_pct, summary.c.rag
        )
        .where(summary.c.as_of_date == as_of, summary.c.dimension == "trust")
        .order_by(summary.c.competency_name),
        "org_unit_by_competence": select(
            summary.c.group_value, summary.c.competency_name, summary.c.compliance_pct, summary.c.rag
        )
        .where(
            summary.c.as_of_date == as_of,
            summary.c.dimension == "organisation",
            summary.c.competency_name != "ALL",
        )
        .order_by(summary.c.group_value, summary.c.competency_name),
        "trust_by_subject": select(person.c.subject, func.count().label("required"), in_date.label("in_date"))
        .where(person.c.as_of_date == as_of)
        .group_by(person.c.subject)
        .order_by(person.c.subject),
        "directorate_by_subject": select(
            person.c.org_level_3, person.c.subject, func.count().label("required"), in_date.label("in_date")
        )
        .where(person.c.as_of_date == as_of)
        .group_by(person.c.org_level_3, person.c.subject)
        .order_by(person.c.org_level_3, person.c.subject),
        "person_list_directorate_expired_or_missing": select(
            person.c.employee_number,
            person.c.competency_name,
            person.c.status,
            person.c.expires_on,
            person.c.days_to_expiry,
        )
        .where(
            person.c.as_of_date == as_of,
            person.c.org_level_3 == directorate,
            person.c.status.in_(("expired", "missing")),
        )
        .order_by(person.c.employee_number, person.c.competency_name),
    }


def _timed(run: Callable[[], int], repetitions: int) -> dict[str, float | int]:
    rows = run()
    seconds = []
    for _ in range(repetitions):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {
        "rows": rows,
        "median_ms": round(1000 * statistics.median(seconds), 2),
        "min_ms": round(1000 * min(seconds), 2),
        "max_ms": round(1000 * max(seconds), 2),
        "repetitions": repetitions,
    }


def time_queries(engine: Engine, as_of: date, repetitions: int = 7) -> dict[str, dict[str, float | int]]:
    """Median, min and max milliseconds per query (one warm-up run first), with the rows each returns."""
    timings = {}
    for name, query in bi_queries(engine, as_of).items():

        def run(query=query) -> int:
            with engine.connect() as connection:
                return len(connection.execute(query).fetchall())

        timings[name] = _timed(run, repetitions)
    return timings
