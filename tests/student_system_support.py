"""Small realistic student system records and a stepping clock, shared by the student system tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

API_KEY = "sms-test-key-7f3a"


class StepClock:
    """A clock that moves on one second each time it is read, so every change gets its own `updated_at`."""

    def __init__(self, start: datetime) -> None:
        self._next = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            moment = self._next
            self._next += timedelta(seconds=1)
            return moment


def student(student_id: str, updated_at: str, **fields: Any) -> dict[str, Any]:
    """A direct-entry paramedic science student as the API returns one."""
    record = {
        "student_id": student_id,
        "title": "Ms",
        "forenames": "Grace",
        "surname": "Okafor",
        "preferred_name": None,
        "date_of_birth": "2001-03-14",
        "email": f"{student_id.lower()}@student.northbridge.ac.uk",
        "esr_employee_number": None,
        "hcpc_number": None,
        "updated_at": updated_at,
    }
    record.update(fields)
    return record


def seven_students() -> list[dict[str, Any]]:
    """S0000001…S0000007, changed a minute apart on 20 November 2026 from 08:00 UTC."""
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    return [
        student(f"S{number:07d}", (start + timedelta(minutes=number - 1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for number in range(1, 8)
    ]
