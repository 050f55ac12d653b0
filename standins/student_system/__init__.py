"""A local stand-in for the student management system's REST API, serving seed data over real HTTP.

Tests and the demo run it on a free loopback port; its controller mutates records and injects faults
(rate limits, server errors, slow, malformed or partial responses, connection resets).
"""

from standins.student_system.faults import FAULT_KINDS, Fault
from standins.student_system.server import (
    DEFAULT_API_KEY,
    RequestLogEntry,
    StudentStandinController,
    run_student_standin,
    start_student_standin,
)
from standins.student_system.store import COLLECTION_KEYS, StudentRecordStore

__all__ = [
    "COLLECTION_KEYS",
    "DEFAULT_API_KEY",
    "FAULT_KINDS",
    "Fault",
    "RequestLogEntry",
    "StudentRecordStore",
    "StudentStandinController",
    "run_student_standin",
    "start_student_standin",
]
