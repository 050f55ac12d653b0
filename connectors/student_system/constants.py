"""What the student system's API promises: its collections, the fields that key each, and its code lists."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: The API's collections, in the order a full pull loads them (parents before children).
COLLECTIONS: tuple[str, ...] = ("students", "enrolments", "module-results", "placements", "assessments")

#: The fields that identify one record of each collection. Module results carry no identifier of their own
#: (SITS keys them by student, module and academic year), so their key is that triple.
RECORD_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "students": ("student_id",),
        "enrolments": ("enrolment_id",),
        "module-results": ("student_id", "module_code", "academic_year"),
        "placements": ("placement_id",),
        "assessments": ("assessment_id",),
    }
)

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000

ROUTES = frozenset({"apprenticeship", "direct_entry", "short_course"})
STUDY_MODES = frozenset({"F", "P"})
MODULE_RESULTS = frozenset({"P", "F", "R", "D"})
PLACEMENT_STATUSES = frozenset({"allocated", "confirmed", "in_progress", "completed", "cancelled"})
ASSESSMENT_EVENTS = frozenset({"initial", "midpoint", "final", "cause_for_concern"})
ASSESSMENT_OUTCOMES = frozenset({"achieved", "not_achieved", "requires_attention"})

#: The four enrolment statuses the pipeline reasons with; institution codes map onto them by configuration.
ENROLMENT_STATUSES: tuple[str, ...] = ("active", "interrupted", "withdrawn", "completed")
