"""People written on purpose so that every awkward case of the real exports appears at any trust size.

Random rates alone would leave a 300-person trust without, say, a name with `â` in the delta that arrives in
Windows-1252. These few people are placed by index and dated relative to the extract calendar: each one carries
the cases listed in its docstring line, and otherwise lives an ordinary working life.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sample_trust.dates import DAY_MONTH_NAME, ISO, UK, days
from sample_trust.schedule import TrustCalendar

# Competence quirks a showcase person forces (see `sample_trust.competences`).
MANUAL_DATES = "manual-dates"  # award and expiry dates keyed as 02/12/2025 and 2025-12-02
RENEWED_IN_DELTA = "renewed-in-delta"  # Fire Safety renewed in the third delta
FUTURE_AWARD = "future-award"  # Information Governance awarded on a date after the extract
BLANK_EXPIRY = "blank-expiry"  # Equality, Diversity and Human Rights with no expiry date written
STALE_STATUS = "stale-status"  # Conflict Resolution expired but still GREEN in ESR
TOTARA_ONLY = "totara-only"  # latest Fire Safety completion is in Totara but not yet in ESR


@dataclass(frozen=True)
class Showcase:
    """What is fixed about a showcase person; everything else is generated as for anyone."""

    key: str
    title: str
    first_name: str
    last_name: str
    gender: str
    position_title: str
    hire_on: date | None = None
    episode: tuple[str, date, int] | None = None  # (status, first day, length in days)
    leaves_on: date | None = None
    notice_on: date | None = None
    blank_email: bool = False
    bank_second_assignment: bool = False
    hire_style: str = UK
    quirks: frozenset[str] = field(default_factory=frozenset)


def showcase_people(calendar: TrustCalendar) -> tuple[tuple[Showcase, ...], Showcase]:
    """The showcase staff still in post, and the showcase leaver."""
    deltas = calendar.delta_dates
    windows_1252 = calendar.windows_1252_delta_on
    in_post = (
        # Accent and apostrophe in the Windows-1252 delta: goes on maternity leave inside its window.
        Showcase(
            key="sian",
            title="Mrs",
            first_name="Siân",
            last_name="O'Brien-Jones",
            gender="F",
            position_title="Paramedic - Band 6",
            episode=("Maternity & Adoption", windows_1252 - days(9), 330),
            quirks=frozenset({MANUAL_DATES, RENEWED_IN_DELTA}),
        ),
        # New starter in the Windows-1252 delta, no work email yet, hire date keyed in ISO form.
        Showcase(
            key="zoe",
            title="Miss",
            first_name="Zoë",
            last_name="Adeyemi-Clarke",
            gender="F",
            position_title="Emergency Medical Technician - Band 4",
            hire_on=windows_1252 - days(4),
            blank_email=True,
            hire_style=ISO,
        ),
        # Goes on internal secondment inside the Windows-1252 delta; dates keyed as 01-Apr-2019.
        Showcase(
            key="renee",
            title="Ms",
            first_name="Renée",
            last_name="Côté-Dubois",
            gender="F",
            position_title="Emergency Call Handler - Band 3",
            episode=("Internal Secondment", windows_1252 - days(2), 200),
            hire_style=DAY_MONTH_NAME,
        ),
        # Competence oddities: a future-dated award, a blank expiry, a stale RAG, a Totara-only renewal.
        Showcase(
            key="chloe",
            title="Dr",
            first_name="Chloé",
            last_name="Fitzgerald-Nwosu",
            gender="F",
            position_title="Consultant in Emergency Medicine",
            quirks=frozenset({FUTURE_AWARD, BLANK_EXPIRY, STALE_STATUS, TOTARA_ONLY}),
        ),
        # Known leaver (end date in the next 90 days, notice in the last delta) who also has a bank assignment.
        Showcase(
            key="daithi",
            title="Mr",
            first_name="Dáithí",
            last_name="Ó Murchú",
            gender="M",
            position_title="Paramedic - Band 6",
            leaves_on=calendar.as_of + days(45),
            notice_on=deltas[-1] - days(3),
            bank_second_assignment=True,
        ),
    )
    # Gives notice in the second delta and leaves in the third: absent from the final full extract.
    leaver = Showcase(
        key="sean",
        title="Mr",
        first_name="Seán",
        last_name="D'Arcy",
        gender="M",
        position_title="Emergency Medical Technician - Band 4",
        leaves_on=deltas[2] - days(6),
        notice_on=deltas[1] - days(3),
    )
    return in_post, leaver
