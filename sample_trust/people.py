"""People and their assignments over the sample trust's year, generated one person at a time.

Person `i` is drawn from `random.Random(f"{seed}:{i}")` alone, so any person can be regenerated without the
others and a trust of any size streams in constant memory. Indexes `0 .. staff-1` are the people in post on the
final extract (leaders at fixed indexes, see `sample_trust.organisation`); the indexes after them are people who
left during the year. An assignment is a series of versions, each what ESR held from the day it was recorded
(`Last Updated`): created, status changes (maternity leave, secondment, ...), a change of hours, notice of
leaving, termination. Extract writers pick the version each extract shows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from sample_trust.dates import DAY_MONTH_NAME, ISO, UK, add_years, days
from sample_trust.names import NameSpace, PersonName, fold_for_email
from sample_trust.organisation import OrgUnit, StaffingPlan
from sample_trust.permutation import Permutation
from sample_trust.reference import JobRoleRecord, RoleSpec, first_names, last_names
from sample_trust.schedule import TrustCalendar
from sample_trust.showcase import Showcase, showcase_people

ACTIVE = "Active Assignment"
TERMINATED = "Terminate Assignment"
IN_POST_STATUSES = frozenset({ACTIVE, "Internal Secondment", "Acting Up"})
MIN_STAFF = 50
MAX_STAFF = 10_000_000
LEAVER_SHARE = 0.09  # people who leave during the year, as a share of staff in post
CONTRACTOR_SHARE = 0.004  # Totara users with no ESR record
NEW_STARTER_SHARE = 0.10  # hired in the last year
MEAN_TENURE_YEARS = 7.0  # of those hired before that
ROLE_CHANGE_SHARE = 0.35  # long-serving staff whose current assignment started after their hire date
SECOND_ASSIGNMENT_SHARE = 0.05
THIRD_ASSIGNMENT_SHARE = 0.10  # of those with a second
KNOWN_LEAVER_SHARE = 0.02  # staff in post who have given notice, leaving within 90 days
HOURS_CHANGE_SHARE = 0.05
EMPLOYEE_NUMBER_BASE = 10_000_000  # employee numbers are 8 digits
EMAIL_DOMAIN = "nhs.net"
WTE_CHOICES = (("1.00", 72), ("0.80", 8), ("0.60", 6), ("0.50", 5), ("0.40", 4), ("0.30", 2), ("0.20", 3))
SECOND_WTE_CHOICES = ("0.20", "0.30", "0.40")


@dataclass(frozen=True)
class EpisodeKind:
    """A spell away from the ordinary status: how likely over about two years, and how long it lasts."""

    status: str
    chance: float
    shortest_days: int
    longest_days: int


# Chances are per assignment over the ~26 months around the history year, set so the share on any one day is
# realistic (about 2.5% on maternity leave, 1.5% acting up, 1.5% seconded internally, under 1% the rest).
MATERNITY = EpisodeKind("Maternity & Adoption", 0.14, 240, 390)  # women under 46; others 0.003
EPISODES = (
    EpisodeKind("Career Break", 0.009, 180, 720),
    EpisodeKind("Suspend No Pay", 0.012, 14, 90),
    EpisodeKind("Suspend With Pay", 0.02, 14, 180),
    EpisodeKind("Internal Secondment", 0.05, 90, 365),
    EpisodeKind("Acting Up", 0.06, 60, 300),
    EpisodeKind("Out on External Secondment", 0.009, 180, 540),
)
STUDENT_EPISODES = frozenset({"Maternity & Adoption", "Suspend No Pay", "Suspend With Pay"})


class AssignmentVersion(NamedTuple):
    """What ESR held for an assignment from `recorded_on` (its `Last Updated`) until the next version."""

    recorded_on: date
    recorded_seconds: int  # time of day of `Last Updated`
    status: str
    wte: str
    end_date: date | None


@dataclass(frozen=True, slots=True)
class Assignment:
    """One ESR assignment: the post, where it sits, who supervises it, and its versions over time."""

    number: str
    role: RoleSpec
    unit: OrgUnit
    category: str
    start_date: date
    supervisor: str  # employee number of the line manager, "" for the chief executive
    versions: tuple[AssignmentVersion, ...]

    @property
    def created_on(self) -> date:
        """The day ESR first held this assignment as the extracts show it."""
        return self.versions[0].recorded_on

    def version_at(self, on: date) -> AssignmentVersion | None:
        """The version ESR held at the end of day `on`, or None before the assignment was recorded."""
        found = None
        for version in self.versions:
            if version.recorded_on > on:
                break
            found = version
        return found


@dataclass(frozen=True, slots=True)
class Person:
    """One member of staff as ESR knows them (personal details and assignments), plus the address they use.

    `work_email` is what ESR holds ("" when not recorded); `email` is their NHS mail address, which Totara and
    the student system know even when ESR does not. `leaves_on` is the last day of employment when known.
    """

    index: int
    employee_number: str
    title: str
    first_name: str
    last_name: str
    gender: str
    date_of_birth: date
    work_email: str
    email: str
    hire_date: date
    leaves_on: date | None
    is_leader: bool
    showcase: str  # showcase key, "" for everyone else
    date_style: str  # how this person's hire, start and end dates were keyed into ESR
    assignments: tuple[Assignment, ...]

    @property
    def primary(self) -> Assignment:
        """The main assignment (the one numbered like the employee)."""
        return self.assignments[0]

    @property
    def created_on(self) -> date:
        """The day the person first appears in ESR extracts."""
        return min(assignment.created_on for assignment in self.assignments)

    def present_on(self, on: date) -> bool:
        """Whether a full extract dated `on` holds the person (some assignment recorded and not terminated)."""
        for assignment in self.assignments:
            version = assignment.version_at(on)
            if version is not None and version.status != TERMINATED:
                return True
        return False


@dataclass(frozen=True)
class TrustPlan:
    """Everything that is fixed for a whole sample trust before any person is drawn."""

    seed: int
    vpd: str
    calendar: TrustCalendar
    staff: int
    leavers: int
    contractors: int
    staffing: StaffingPlan
    names: NameSpace
    employee_numbers: Permutation
    showcases: Mapping[int, Showcase]  # person index -> the showcase they are

    @classmethod
    def build(cls, staff: int, seed: int, as_of: date, vpd: str) -> TrustPlan:
        """The plan for `staff` people in post on `as_of` (plus the year's leavers and some contractors)."""
        if not MIN_STAFF <= staff <= MAX_STAFF:
            raise ValueError(f"staff must be between {MIN_STAFF} and {MAX_STAFF}, got {staff}")
        if len(vpd) != 3 or not vpd.isalnum():
            raise ValueError(f"vpd must be a 3-character ESR organisation code such as '457', got {vpd!r}")
        calendar = TrustCalendar(as_of)
        staffing = StaffingPlan(vpd, staff, seed)
        leavers = max(1, round(staff * LEAVER_SHARE))
        contractors = max(3, round(staff * CONTRACTOR_SHARE))
        names = NameSpace(f"{seed}:names", first_names(), last_names())
        numbers = Permutation(100_000_000 - EMPLOYEE_NUMBER_BASE, f"{seed}:{vpd}:employee-numbers")
        in_post, leaver = showcase_people(calendar)
        ordinary = (index for index in range(1, staff) if staffing.leader_slot_of(index) is None)
        showcases = {index: showcase for index, showcase in zip(ordinary, in_post, strict=False)}
        showcases[staff] = leaver
        return cls(
            seed, vpd, calendar, staff, leavers, contractors, staffing, names, numbers, MappingProxyType(showcases)
        )

    @property
    def people_count(self) -> int:
        """How many people ESR holds over the year: staff in post now and the year's leavers."""
        return self.staff + self.leavers

    def employee_number(self, index: int) -> str:
        """Person `index`'s 8-digit employee number (unique; indexes past the ESR people give unknown numbers)."""
        return str(EMPLOYEE_NUMBER_BASE + self.employee_numbers(index))


def iter_people(
    staff: int = 10_000, seed: int = 457, as_of: date | None = None, vpd: str = "457", leavers: bool = True
) -> Iterator[Person]:
    """Every person of the sample trust in index order: staff in post on `as_of`, then (if `leavers`) leavers.

    The same (staff, seed, as_of, vpd) always gives the same people, so generators of other sources (student
    system, surveys) can describe the same workforce.
    """
    plan = TrustPlan.build(staff, seed, as_of or date.today(), vpd)
    count = plan.people_count if leavers else plan.staff
    for index in range(count):
        yield build_person(plan, index)


def build_person(plan: TrustPlan, index: int) -> Person:
    """Person `index` of the plan, drawn from their own random stream."""
    if not 0 <= index < plan.people_count:
        raise IndexError(f"person index {index} is outside 0..{plan.people_count - 1}")
    rng = random.Random(f"{plan.seed}:{index}")
    name = plan.names.name_at(index)
    slot = plan.staffing.leader_slot_of(index)
    if slot is not None:
        return _leader(plan, index, rng, name, slot)
    return _ordinary(plan, index, rng, name, plan.showcases.get(index))


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + days(rng.randint(0, (last - first).days))


def _working_time(rng: random.Random) -> int:
    return rng.randint(7 * 3600 + 1800, 19 * 3600)


def _title(rng: random.Random, gender: str, role: RoleSpec) -> str:
    if role.staff_group == "Medical and Dental" or (role.job_role == "Consultant Paramedic" and rng.random() < 0.2):
        return "Dr"
    draw = rng.random()
    if draw < 0.015:
        return "Mx"
    if gender == "M":
        return "Mr"
    return "Mrs" if draw < 0.42 else "Ms" if draw < 0.75 else "Miss"


def _date_of_birth(rng: random.Random, as_of: date, youngest: int, oldest: int) -> date:
    age = rng.triangular(youngest, oldest, (youngest + oldest) / 2 - 4)
    return as_of - days(int(age * 365.25) + rng.randint(0, 364))


def _wte(rng: random.Random) -> str:
    total = sum(weight for _, weight in WTE_CHOICES)
    draw = rng.random() * total
    for value, weight in WTE_CHOICES:
        draw -= weight
        if draw < 0:
            return value
    return WTE_CHOICES[0][0]


def _date_style(rng: random.Random) -> str:
    draw = rng.random()
    return ISO if draw < 0.03 else DAY_MONTH_NAME if draw < 0.05 else UK


def _email(name: PersonName) -> str:
    return f"{name.email_local}@{EMAIL_DOMAIN}"


def _last_touched_before(rng: random.Random, start: date, calendar: TrustCalendar) -> date:
    """When an assignment that existed before the baseline was last updated: some day before the baseline."""
    return _day_between(rng, max(start, calendar.baseline_on - days(720)), calendar.baseline_on - days(1))


def _created_on(rng: random.Random, start: date, calendar: TrustCalendar) -> date:
    if start > calendar.baseline_on:
        return min(start - days(rng.randint(0, 21)), calendar.final_on)
    return _last_touched_before(rng, start, calendar)


class _State(NamedTuple):
    status: str
    wte: str
    end_date: date | None


class _Change(NamedTuple):
    """A dated change to an assignment; changes on the same day apply in `order`."""

    on: date
    order: int
    field: str  # a field of `_State`
    value: str | date


def _build_versions(
    rng: random.Random, created_on: date, final_on: date, base: _State, changes: list[_Change]
) -> tuple[AssignmentVersion, ...]:
    """Versions from a base state and dated changes: changes up to `created_on` shape the first version."""
    changes.sort(key=lambda change: (change.on, change.order))
    state = base
    position = 0
    while position < len(changes) and changes[position].on <= created_on:
        state = state._replace(**{changes[position].field: changes[position].value})
        position += 1
    versions = [AssignmentVersion(created_on, _working_time(rng), *state)]
    while position < len(changes) and changes[position].on <= final_on:
        day = changes[position].on
        while position < len(changes) and changes[position].on == day:
            state = state._replace(**{changes[position].field: changes[position].value})
            position += 1
        if state != _State(*versions[-1][2:]):
            versions.append(AssignmentVersion(day, _working_time(rng), *state))
    return tuple(versions)


def _episode_changes(
    rng: random.Random,
    calendar: TrustCalendar,
    start: date,
    gender: str,
    age: float,
    student: bool,
    forced: tuple[str, date, int] | None,
) -> list[_Change]:
    """At most one spell away (maternity leave, secondment, ...) and the return from it."""
    if forced is not None:
        status, first_day, length = forced
        return [_Change(first_day, 1, "status", status), _Change(first_day + days(length), 1, "status", ACTIVE)]
    draw = rng.random()
    maternity_chance = MATERNITY.chance if gender == "F" and age < 46 else 0.003
    chosen = None
    for kind, chance in ((MATERNITY, maternity_chance), *((kind, kind.chance) for kind in EPISODES)):
        if draw < chance:
            chosen = kind
            break
        draw -= chance
    if chosen is None or (student and chosen.status not in STUDENT_EPISODES):
        return []
    earliest = max(start + days(60), calendar.baseline_on - days(365))
    latest = calendar.final_on + days(60)
    if earliest > latest:
        return []
    first_day = _day_between(rng, earliest, latest)
    length = rng.randint(chosen.shortest_days, chosen.longest_days)
    return [_Change(first_day, 1, "status", chosen.status), _Change(first_day + days(length), 1, "status", ACTIVE)]


def _leaving_changes(
    rng: random.Random, final_on: date, notice_on: date, leaves_on: date, exact: bool
) -> list[_Change]:
    """Notice (the end date is recorded) and, once the last day has passed, termination."""
    changes = [_Change(notice_on, 3, "end_date", leaves_on)]
    if leaves_on <= final_on:
        terminated_on = leaves_on if exact else min(final_on, leaves_on + days(rng.randint(0, 3)))
        changes.append(_Change(terminated_on, 4, "status", TERMINATED))
    return changes


def _leader(plan: TrustPlan, index: int, rng: random.Random, name: PersonName, slot: int) -> Person:
    calendar = plan.calendar
    post = plan.staffing.leader_post(slot)
    senior = post.tier != "team_leader"
    date_of_birth = _date_of_birth(rng, calendar.as_of, 36 if senior else 28, 62 if senior else 60)
    earliest_hire = max(add_years(date_of_birth, 21), calendar.final_on - days(25 * 365))
    hire = _day_between(rng, earliest_hire, calendar.final_on - days(3 * 365))
    start = _day_between(rng, hire, calendar.baseline_on - days(30))
    supervisor = "" if post.reports_to is None else plan.employee_number(plan.staffing.index_of_slot(post.reports_to))
    created = _last_touched_before(rng, start, calendar)
    versions = _build_versions(rng, created, calendar.final_on, _State(ACTIVE, "1.00", None), [])
    number = plan.employee_number(index)
    assignment = Assignment(number, post.role, post.unit, "Permanent", start, supervisor, versions)
    return Person(
        index=index,
        employee_number=number,
        title=_title(rng, name.gender, post.role),
        first_name=name.first_name,
        last_name=name.last_name,
        gender=name.gender,
        date_of_birth=date_of_birth,
        work_email=_email(name),
        email=_email(name),
        hire_date=hire,
        leaves_on=None,
        is_leader=True,
        showcase="",
        date_style=_date_style(rng),
        assignments=(assignment,),
    )


def _ordinary(plan: TrustPlan, index: int, rng: random.Random, name: PersonName, showcase: Showcase | None) -> Person:
    calendar = plan.calendar
    final_on = calendar.final_on
    staffing = plan.staffing
    record = staffing.pick_role(rng) if showcase is None else staffing.role_record(showcase.position_title)
    unit = staffing.pick_unit(record, rng)
    role = record.role
    student = role.staff_group == "Students"
    gender = name.gender if showcase is None else showcase.gender
    youngest, oldest = (record.age_from, record.age_to) if showcase is None else (32, 46)
    date_of_birth = _date_of_birth(rng, calendar.as_of, youngest, oldest)
    age = (calendar.as_of - date_of_birth).days / 365.25
    leaves_on, notice_on = _leaving_dates(rng, calendar, index >= plan.staff, showcase)
    latest_hire = final_on if leaves_on is None else min(final_on, leaves_on - days(60))
    hire, start = _hire_and_start(rng, calendar, latest_hire, date_of_birth, student, showcase)
    category = "Permanent" if showcase is not None else _category(rng, role, student)
    wte = "0.00" if category == "Bank" else _wte(rng)
    contract_end: date | None = None
    if student:
        contract_end = add_years(hire, 3)
    elif category == "Fixed Term Temp":
        contract_end = final_on + days(rng.randint(30, 400))
    if leaves_on is not None and contract_end is not None and contract_end > leaves_on:
        contract_end = None

    changes: list[_Change] = []
    if category != "Bank" and (showcase is None or showcase.episode is not None):
        forced = showcase.episode if showcase is not None else None
        changes += _episode_changes(rng, calendar, start, gender, age, student, forced)
    if category != "Bank" and showcase is None and rng.random() < HOURS_CHANGE_SHARE:
        new_wte = _wte(rng)
        if new_wte != wte:
            changes.append(_Change(_day_between(rng, calendar.baseline_on, final_on), 2, "wte", new_wte))
    if leaves_on is not None and notice_on is not None:
        changes = [change for change in changes if change.on < notice_on]
        changes += _leaving_changes(rng, final_on, notice_on, leaves_on, exact=showcase is not None)
    created = _created_on(rng, start, calendar)
    if showcase is not None and showcase.hire_on is not None:
        created = showcase.hire_on - days(8)
    versions = _build_versions(rng, created, final_on, _State(ACTIVE, wte, contract_end), changes)

    number = plan.employee_number(index)
    supervisor = plan.employee_number(staffing.index_of_slot(staffing.supervisor_slot(unit, rng)))
    assignments = [Assignment(number, role, unit, category, start, supervisor, versions)]
    wants_second = showcase.bank_second_assignment if showcase is not None else rng.random() < SECOND_ASSIGNMENT_SHARE
    if wants_second and not student and category != "Bank":
        assignments += _extra_assignments(plan, rng, record, number, hire, leaves_on, showcase is not None)

    if showcase is not None:
        name = _showcase_name(showcase)
    email = _email(name)
    blank_email_chance = 0.3 if hire > final_on - days(56) else 0.15 if category == "Bank" else 0.02
    blank_email = showcase.blank_email if showcase is not None else rng.random() < blank_email_chance
    title = _title(rng, gender, role)
    return Person(
        index=index,
        employee_number=number,
        title=title if showcase is None else showcase.title,
        first_name=name.first_name,
        last_name=name.last_name,
        gender=gender,
        date_of_birth=date_of_birth,
        work_email="" if blank_email else email,
        email=email,
        hire_date=hire,
        leaves_on=leaves_on,
        is_leader=False,
        showcase=showcase.key if showcase is not None else "",
        date_style=showcase.hire_style if showcase is not None else _date_style(rng),
        assignments=tuple(assignments),
    )


def _leaving_dates(
    rng: random.Random, calendar: TrustCalendar, is_leaver: bool, showcase: Showcase | None
) -> tuple[date | None, date | None]:
    """(last day, day notice was recorded) for a leaver of the year or a known future leaver, else (None, None)."""
    if showcase is not None:
        return showcase.leaves_on, showcase.notice_on
    if is_leaver:
        leaves_on = _day_between(rng, calendar.baseline_on + days(1), calendar.final_on - days(3))
    elif rng.random() < KNOWN_LEAVER_SHARE:
        leaves_on = calendar.as_of + days(rng.randint(1, 90))
    else:
        return None, None
    return leaves_on, leaves_on - days(rng.randint(14, 90))


def _hire_and_start(
    rng: random.Random,
    calendar: TrustCalendar,
    latest_hire: date,
    date_of_birth: date,
    student: bool,
    showcase: Showcase | None,
) -> tuple[date, date]:
    """Hire date and the start of the current post (later than hire for some long-serving staff)."""
    hire = _hire_date(rng, latest_hire, student)
    if showcase is not None:
        # Showcase people have served long enough for their dated events, unless they start on a given day.
        hire = showcase.hire_on or latest_hire - days(rng.randint(4 * 365, 10 * 365))
    adult = add_years(date_of_birth, 18)
    if hire < adult:
        hire = min(latest_hire, adult + days(rng.randint(0, 200)))
    start = hire
    if hire < calendar.final_on - days(3 * 365) and showcase is None and rng.random() < ROLE_CHANGE_SHARE:
        # The current post began after hire but before the baseline: the person was on every extract.
        start = _day_between(rng, hire + days(365), min(latest_hire, calendar.baseline_on) - days(30))
    return hire, start


def _showcase_name(showcase: Showcase) -> PersonName:
    local = f"{fold_for_email(showcase.first_name)}.{fold_for_email(showcase.last_name)}"
    return PersonName(showcase.first_name, showcase.last_name, showcase.gender, local)


def _hire_date(rng: random.Random, latest: date, student: bool) -> date:
    if student:
        return latest - days(rng.randint(0, 3 * 365 - 1))
    if rng.random() < NEW_STARTER_SHARE:
        return latest - days(rng.randint(0, 363))
    tenure = 365 + int(rng.expovariate(1 / (MEAN_TENURE_YEARS * 365)))
    return latest - days(min(tenure, 45 * 365))


def _category(rng: random.Random, role: RoleSpec, student: bool) -> str:
    if student:
        return "Fixed Term Temp"
    draw = rng.random()
    if role.staff_group == "Medical and Dental" and draw < 0.25:
        return "Locum"
    if draw < 0.025:
        return "Bank"
    if draw < 0.065:
        return "Fixed Term Temp"
    if draw < 0.071:
        return "Honorary"
    return "Permanent"


def _extra_assignments(
    plan: TrustPlan,
    rng: random.Random,
    record: JobRoleRecord,
    number: str,
    hire: date,
    leaves_on: date | None,
    showcase: bool,
) -> list[Assignment]:
    """A second (and sometimes third) assignment: mostly bank shifts, some part-time posts elsewhere."""
    calendar = plan.calendar
    final_on = calendar.final_on
    latest_start = final_on if leaves_on is None else leaves_on - days(30)
    earliest_start = max(hire + days(180), final_on - days(5 * 365))
    if earliest_start > latest_start:
        return []
    extra = []
    count = 2 if rng.random() < THIRD_ASSIGNMENT_SHARE and not showcase else 1
    for suffix in range(2, 2 + count):
        draw = rng.random()
        category = (
            "Bank" if showcase or draw < 0.65 or suffix > 2 else "Permanent" if draw < 0.95 else "Fixed Term Temp"
        )
        wte = "0.00" if category == "Bank" else rng.choice(SECOND_WTE_CHOICES)
        unit = plan.staffing.pick_unit(record, rng)
        start = _day_between(rng, earliest_start, latest_start)
        contract_end = final_on + days(rng.randint(30, 300)) if category == "Fixed Term Temp" else None
        changes: list[_Change] = []
        ends_on = leaves_on
        if ends_on is None and category == "Bank" and not showcase and rng.random() < 0.12:
            ends_on = _day_between(rng, start + days(60), final_on - days(3))
            if ends_on > final_on - days(3):
                ends_on = None
        if ends_on is not None:
            notice_on = max(start, ends_on - days(rng.randint(7, 45)))
            changes += _leaving_changes(rng, final_on, notice_on, ends_on, exact=False)
        created = _created_on(rng, start, calendar)
        versions = _build_versions(rng, created, final_on, _State(ACTIVE, wte, contract_end), changes)
        supervisor = plan.employee_number(plan.staffing.index_of_slot(plan.staffing.supervisor_slot(unit, rng)))
        extra.append(Assignment(f"{number}-{suffix}", record.role, unit, category, start, supervisor, versions))
    return extra
