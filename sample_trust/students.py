"""Sample student management system data: seed JSONL files for the student system stand-in.

The education team's students are apprentices and trainees who are already employees (their ESR employee
number is on the record) and direct-entry university students on placement, some of whom later joined the
trust. Those later joiners are planted so that identity matching has real work: some share their trust email,
some only their surname, date of birth and first initial (with a university email), some differ only by accents,
hyphens, apostrophes or case, and a few changed surname but kept the email. A pair of twins shares a surname and date of
birth with different first initials; common surnames recur. Some records are tombstones (`"deleted": true`),
and one enrolment carries a status code the configuration does not list. The same seed gives the same files.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from transforms.identity import normalise_name

Employee = tuple[str, str, str, date, str | None]

COLLECTION_FILES = ("students", "enrolments", "module-results", "placements", "assessments")

TRUST_ODS_CODE = "RX7"
UNIVERSITY_EMAIL_DOMAIN = "student.northbridge.ac.uk"
PARAMEDIC_PLACEMENT_HOURS = 1500
UNLISTED_STATUS_CODE = "TX"


@dataclass(frozen=True)
class Programme:
    """A programme the education team runs or hosts, with its length and whether it carries placements."""

    code: str
    name: str
    route: str
    months: int
    mode: str
    paramedic: bool


PROGRAMMES = {
    "APPARA": Programme("APPARA", "Paramedic Degree Apprenticeship", "apprenticeship", 36, "F", True),
    "BSCPARA": Programme("BSCPARA", "BSc (Hons) Paramedic Science", "direct_entry", 36, "F", True),
    "ECA": Programme("ECA", "Emergency Care Assistant Apprenticeship (Level 3)", "apprenticeship", 13, "F", False),
    "EMD": Programme("EMD", "Emergency Medical Dispatcher (Call Handler) Course", "short_course", 2, "F", False),
    "C1DRV": Programme("C1DRV", "C1 Driving Licence Acquisition", "short_course", 1, "F", False),
    "ERDRV": Programme("ERDRV", "Emergency Response Driving (Blue Light)", "short_course", 1, "F", False),
}


def _pool(names: str) -> tuple[str, ...]:
    """A name pool written as one `|`-separated string (names may hold spaces, hyphens, apostrophes)."""
    return tuple(names.split("|"))


FORENAMES = _pool(
    "Amelia|Oliver|Isla|Jack|Siân|Rhys|Zoë|Chloé|Aoife|Niamh|Mohammed|Aisha|Priya|Arjun|Olumide|Grace|Thomas|"
    "Hannah|Daniel|Sophie|Liam|Emily|Noah|Freya|Joseph|Ella|Samuel|Ruby|Kacper|Zofia|José|Renée|Dafydd|Megan"
)
SURNAMES = _pool(
    "Smith|Jones|Williams|Taylor|Brown|Davies|Evans|Patel|Khan|Wilson|Thomas|Roberts|O'Brien|O'Neill|"
    "Smith-Jones|Nuñez|Kowalski|Okafor|Ní Bhriain|McDonald|Hughes|Ahmed|Lewis|Walker|D'Souza|Ellis-Harper|"
    "Clarke|Begum|Wright|Green"
)
TITLES = ("Mr", "Ms", "Mrs", "Miss", "Mx")
STATIONS = (
    "Northgate Ambulance Station",
    "Riverside Ambulance Station",
    "Hillcrest Ambulance Station",
    "Eastfield Ambulance Station",
    "Westmoor Ambulance Station",
)
HOSPITALS = (("RBX", "Northgate General Hospital"), ("RKM", "St Anne's Hospital"))
CONTROL_ROOM = "Emergency Operations Centre"


@dataclass(frozen=True)
class PlantedLink:
    """A student record that belongs to an employee, and how matching should find it.

    `how`: `esr_number` (apprentice), `email`, `name_dob`, `name_variant`, `changed_surname` or `twin`.
    """

    student_id: str
    employee_number: str
    how: str


@dataclass(frozen=True)
class PlantedNonLink:
    """A student record that looks like an employee but is someone else (the twin with another initial)."""

    student_id: str
    employee_number: str
    why: str


@dataclass(frozen=True)
class SampleStudents:
    """The generated records per collection (API JSON objects) and the identity cases planted in them."""

    records: dict[str, list[dict[str, Any]]]
    links: tuple[PlantedLink, ...]
    non_links: tuple[PlantedNonLink, ...]


@dataclass
class _Builder:
    rng: random.Random
    as_of: date
    assessors: Sequence[str]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {n: [] for n in COLLECTION_FILES})
    taken_keys: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:07d}"

    def stamp(self, earliest: date) -> str:
        """An `updated_at` between `earliest` and the day before `as_of`, in UTC."""
        last = self.as_of - timedelta(days=1)
        first = min(earliest, last)
        day = first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))
        moment = datetime.combine(day, time(self.rng.randint(6, 21), self.rng.randint(0, 59)), tzinfo=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_sample_students(employees: Iterable[Employee], seed: int, as_of: date, students: int = 600) -> SampleStudents:
    """Generate the records without writing them; `write_sample_students` writes what this returns."""
    staff = sorted((_employee(row) for row in employees), key=lambda row: row[0])
    rng = random.Random(seed)
    rng.shuffle(staff)
    builder = _Builder(rng, as_of, [row[0] for row in staff[:40]] or ["10000000"])
    builder.taken_keys = {_name_dob_key(row[1], row[2], row[3]) for row in staff}
    suitable = _Suitability.of(staff)
    available = list(staff)
    links: list[PlantedLink] = []
    non_links: list[PlantedNonLink] = []
    for how, count in _plant_counts(students, staff).items():
        for _ in range(count):
            employee = _take(available, lambda candidate, how=how: suitable.fits(candidate, how))
            if employee is None and how == "name_variant":
                # No accented or punctuated names among the staff: a change of case is still a variant.
                employee = _take(available, lambda candidate: suitable.fits(candidate, "name_dob"))
            if employee is None:
                break
            links.append(_plant_joiner(builder, employee, how))
            if how == "twin":
                non_links.append(_plant_twin(builder, employee))
    room = students - len(builder.records["students"])
    for _ in range(max(0, min(len(available), round(students * 0.4), room))):
        links.append(_add_apprentice(builder, available.pop(0)))
    while len(builder.records["students"]) < students:
        _add_student(builder, _stranger(builder), PROGRAMMES["BSCPARA"])
    _delete_some(builder)
    _plant_unlisted_status(builder)
    return SampleStudents(builder.records, tuple(links), tuple(non_links))


def write_sample_students(
    out_dir: Path,
    employees: Iterable[Employee],
    seed: int,
    as_of: date,
    students: int = 600,
) -> dict[str, int]:
    """Write `<collection>.jsonl` seed files for the stand-in into `out_dir`; returns records per collection.

    `employees` are (employee_number, forenames, surname, date_of_birth, email) of the trust's staff;
    `students` is the number of student records. Tombstones count among the records written.
    """
    sample = plan_sample_students(employees, seed, as_of, students)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for collection in COLLECTION_FILES:
        rows = sample.records[collection]
        with (out_dir / f"{collection}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[collection] = len(rows)
    return counts


def _employee(row: Sequence[Any]) -> Employee:
    number, forenames, surname, born, email = row
    born_on = born if isinstance(born, date) else date.fromisoformat(str(born))
    address = str(email).strip() if email else ""
    return (str(number), str(forenames), str(surname), born_on, address or None)


def _plant_counts(students: int, staff: Sequence[Employee]) -> dict[str, int]:
    """How many joiners of each kind to plant, scaled to the sample and to the staff available."""
    wanted = {
        "email": max(1, students // 50),
        "name_dob": max(1, students // 75),
        "name_variant": max(1, students // 150),
        "changed_surname": max(1, students // 200),
        "twin": 1,
    }
    budget = max(0, min(len(staff) // 2, students // 3))
    plan: dict[str, int] = {}
    for how, count in wanted.items():
        plan[how] = min(count, budget)
        budget -= plan[how]
    return plan


@dataclass(frozen=True)
class _Suitability:
    """Which employees a planted joiner can copy: a plant is only a fair test if its evidence is unique."""

    email_counts: dict[str, int]
    key_counts: dict[str, int]

    @classmethod
    def of(cls, staff: Sequence[Employee]) -> _Suitability:
        emails: dict[str, int] = {}
        keys: dict[str, int] = {}
        for _, forenames, surname, born, email in staff:
            if email:
                emails[email.casefold()] = emails.get(email.casefold(), 0) + 1
            key = _name_dob_key(forenames, surname, born)
            keys[key] = keys.get(key, 0) + 1
        return cls(emails, keys)

    def fits(self, employee: Employee, how: str) -> bool:
        _, forenames, surname, born, email = employee
        unique_key = self.key_counts[_name_dob_key(forenames, surname, born)] == 1
        if how in ("email", "changed_surname"):
            return bool(email) and self.email_counts[email.casefold()] == 1 and unique_key
        if how == "name_variant":
            marked = _variant(forenames) != forenames or _variant(surname) != surname
            return unique_key and marked
        return unique_key


def _take(available: list[Employee], suitable: Callable[[Employee], bool]) -> Employee | None:
    """Remove and return the first suitable employee; the rest keep their order."""
    for position, employee in enumerate(available):
        if suitable(employee):
            return available.pop(position)
    return None


def _variant(name: str) -> str:
    """How a name looks re-keyed without care: accents dropped, hyphens as spaces, no apostrophes."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return folded.replace("-", " ").replace("'", "").replace("\u2019", "")


def _name_dob_key(forenames: str, surname: str, born: date) -> str:
    return f"{normalise_name(surname)}|{born.isoformat()}|{normalise_name(forenames)[:1]}"


def _university_email(builder: _Builder, forenames: str, surname: str) -> str:
    local = f"{normalise_name(forenames)}.{normalise_name(surname)}"
    return f"{local}{builder.next_id('u')[-4:]}@{UNIVERSITY_EMAIL_DOMAIN}"


def _plant_joiner(builder: _Builder, employee: Employee, how: str) -> PlantedLink:
    """A direct-entry student who later joined the trust as `employee`, recorded the way `how` describes."""
    number, forenames, surname, born, email = employee
    person = {"forenames": forenames, "surname": surname, "date_of_birth": born}
    if how == "email":
        person["email"] = email
    elif how in ("name_dob", "twin"):
        person["email"] = _university_email(builder, forenames, surname)
    elif how == "name_variant":
        person.update(forenames=_variant(forenames), surname=_variant(surname).upper())
        person["email"] = _university_email(builder, forenames, surname)
    elif how == "changed_surname":
        maidens = [
            name
            for name in SURNAMES
            if normalise_name(name) != normalise_name(surname)
            and _name_dob_key(forenames, name, born) not in builder.taken_keys
        ]
        maiden = builder.rng.choice(maidens)
        builder.taken_keys.add(_name_dob_key(forenames, maiden, born))
        person.update(surname=maiden, email=email)
    student_id = _add_student(builder, person, PROGRAMMES["BSCPARA"], finished=True)
    return PlantedLink(student_id, number, how)


def _plant_twin(builder: _Builder, employee: Employee) -> PlantedNonLink:
    """The employee's twin: same surname and date of birth, a forename with another initial, never an employee."""
    number, forenames, surname, born, _ = employee
    initial = normalise_name(forenames)[:1]
    choices = [
        name
        for name in FORENAMES
        if normalise_name(name)[:1] != initial and _name_dob_key(name, surname, born) not in builder.taken_keys
    ]
    sibling = builder.rng.choice(choices)
    person = {
        "forenames": sibling,
        "surname": surname,
        "date_of_birth": born,
        "email": _university_email(builder, sibling, surname),
    }
    builder.taken_keys.add(_name_dob_key(sibling, surname, born))
    student_id = _add_student(builder, person, PROGRAMMES["BSCPARA"], finished=True)
    return PlantedNonLink(student_id, number, "twin with another first initial")


def _add_apprentice(builder: _Builder, employee: Employee) -> PlantedLink:
    """An employee in training: paramedic or ECA apprentice, call handler, or on a driving course."""
    number, forenames, surname, born, email = employee
    roll = builder.rng.random()
    programme = PROGRAMMES["APPARA" if roll < 0.4 else "ECA" if roll < 0.65 else "EMD" if roll < 0.8 else "C1DRV"]
    person = {
        "forenames": forenames,
        "surname": surname,
        "date_of_birth": born,
        "email": email,
        "esr_employee_number": number,
    }
    student_id = _add_student(builder, person, programme)
    if programme.code in ("ECA", "APPARA") and builder.rng.random() < 0.5:
        _add_enrolment(builder, student_id, PROGRAMMES["ERDRV"], _start_of(builder, PROGRAMMES["ERDRV"]))
    return PlantedLink(student_id, number, "esr_number")


def _stranger(builder: _Builder) -> dict[str, Any]:
    """A university student who never joined the trust; never shares a name and birthday with staff."""
    while True:
        forenames = builder.rng.choice(FORENAMES)
        surname = builder.rng.choice(SURNAMES)
        born = date(builder.as_of.year - builder.rng.randint(19, 38), 1, 1) + timedelta(
            days=builder.rng.randint(0, 364)
        )
        key = _name_dob_key(forenames, surname, born)
        if key not in builder.taken_keys:
            builder.taken_keys.add(key)
            email = _university_email(builder, forenames, surname)
            return {"forenames": forenames, "surname": surname, "date_of_birth": born, "email": email}


def _start_of(builder: _Builder, programme: Programme, finished: bool = False) -> date:
    """A start date: September intakes for degrees, any month for apprenticeships and courses."""
    year = builder.as_of.year
    if programme.months >= 36:
        latest = year - 4 if finished else year - (0 if builder.as_of.month >= 10 else 1)
        earliest = latest - (2 if finished else 3)
        return date(builder.rng.randint(earliest, latest), 9, builder.rng.randint(15, 28))
    back = builder.rng.randint(14, 700)
    return builder.as_of - timedelta(days=back)


def _add_student(builder: _Builder, person: dict[str, Any], programme: Programme, *, finished: bool = False) -> str:
    """A student record with its first enrolment; `finished` starts it long enough ago to have completed."""
    student_id = builder.next_id("S")
    rng = builder.rng
    start = _start_of(builder, programme, finished)
    record = {
        "student_id": student_id,
        "title": rng.choice(TITLES),
        "forenames": person["forenames"],
        "surname": person["surname"],
        "preferred_name": person["forenames"].split()[0] if rng.random() < 0.1 else None,
        "date_of_birth": person["date_of_birth"].isoformat(),
        "email": person.get("email"),
        "esr_employee_number": person.get("esr_employee_number"),
        "hcpc_number": None,
        "updated_at": builder.stamp(start),
    }
    builder.records["students"].append(record)
    status = _add_enrolment(builder, student_id, programme, start)
    if programme.paramedic and status == "G":
        record["hcpc_number"] = f"PA{rng.randint(100000, 999999)}"
    return student_id


def _add_enrolment(builder: _Builder, student_id: str, programme: Programme, start: date) -> str:
    """One enrolment with its module results, placements and assessments; returns the status code."""
    rng = builder.rng
    expected_end = start + timedelta(days=round(programme.months * 30.4))
    status, end = _status_and_end(builder, programme, start, expected_end)
    last_day = min(end or builder.as_of, builder.as_of)
    years = max(1, min(3, (last_day - start).days // 365 + 1)) if programme.months >= 36 else 1
    builder.records["enrolments"].append(
        {
            "enrolment_id": builder.next_id("E"),
            "student_id": student_id,
            "programme_code": programme.code,
            "programme_name": programme.name,
            "route": programme.route,
            "cohort": _academic_year(start),
            "academic_year": _academic_year(start + timedelta(days=365 * (years - 1))),
            "year_of_study": years,
            "mode": programme.mode if rng.random() > 0.05 else "P",
            "status": status,
            "start_date": start.isoformat(),
            "expected_end_date": expected_end.isoformat(),
            "end_date": end.isoformat() if end else None,
            "updated_at": builder.stamp(min(last_day, builder.as_of)),
        }
    )
    if programme.months >= 36:
        _add_module_results(builder, student_id, start, last_day)
    if programme.paramedic:
        _add_placements(builder, student_id, start, last_day)
    return status


def _status_and_end(
    builder: _Builder, programme: Programme, start: date, expected_end: date
) -> tuple[str, date | None]:
    """An institution status code (see schemas/student_status_codes.yaml) and the end date it implies."""
    rng = builder.rng
    days = max(2, (expected_end - start).days)
    if expected_end < builder.as_of:
        if rng.random() < 0.9:
            if programme.months < 36:
                return "CC", expected_end
            return ("G" if rng.random() < 0.8 else "Q"), expected_end
        return rng.choice(("W", "WX")), start + timedelta(days=rng.randint(1, days - 1))
    roll = rng.random()
    if roll < 0.05 and (builder.as_of - start).days > 60:
        return rng.choice(("W", "T")), builder.as_of - timedelta(days=rng.randint(1, 30))
    if roll < 0.1:
        return rng.choice(("I", "S", "PL")), None
    return rng.choice(("C", "C", "C", "CR", "RP")), None


def _academic_year(day: date) -> str:
    """`2024/5` for a day in the academic year that starts in September 2024."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 10}"


def _add_module_results(builder: _Builder, student_id: str, start: date, last_day: date) -> None:
    """Four 30-credit modules per finished year of study, ratified at the July exam board."""
    rng = builder.rng
    for year_index in range(3):
        board = date(start.year + year_index + 1, 7, 10)
        if board > last_day:
            break
        level = 4 + year_index
        for number in range(1, 5):
            mark = max(0, min(100, round(rng.gauss(62, 11))))
            result = "P" if mark >= 40 else rng.choice(("F", "R"))
            if rng.random() < 0.02:
                result = "D"
            builder.records["module-results"].append(
                {
                    "student_id": student_id,
                    "module_code": _MODULES[level][number - 1][0],
                    "module_title": _MODULES[level][number - 1][1],
                    "academic_year": _academic_year(board),
                    "credits": 30,
                    "agreed_mark": mark if result != "D" else None,
                    "agreed_grade": _grade(mark) if result != "D" else None,
                    "result": result,
                    "ratified_on": board.isoformat(),
                    "updated_at": builder.stamp(board),
                }
            )


#: Paramedic programme modules by level: (module code, title). The codes the trust's skills framework names as
#: student_module evidence (12-lead ECG, maternity, mental health, cannulation) are among them.
_MODULES = {
    4: (
        ("PARA4001", "Foundations of Paramedic Practice"),
        ("PARA4002", "Anatomy and Physiology"),
        ("PARA4005", "Professional Values"),
        ("PARA4008", "Clinical Skills: Peripheral Cannulation"),
    ),
    5: (
        ("PARA5012", "Cardiology and 12-lead ECG Interpretation"),
        ("PARA5020", "Pre-hospital Maternity Emergencies"),
        ("PARA5031", "Pharmacology"),
        ("PARA5040", "Practice 2"),
    ),
    6: (
        ("PARA6010", "Complex Care and Decision Making"),
        ("PARA6021", "Mental Health in Urgent Care"),
        ("PARA6030", "Leadership"),
        ("PARA6040", "Research and Evidence"),
    ),
}


def _grade(mark: int) -> str:
    return "A" if mark >= 70 else "B" if mark >= 60 else "C" if mark >= 50 else "D" if mark >= 40 else "F"


def _add_placements(builder: _Builder, student_id: str, start: date, last_day: date) -> None:
    """Six blocks of about 250 hours over three years (about 1,500 hours), most on emergency ambulances."""
    rng = builder.rng
    blocks = 6
    for block in range(blocks):
        block_start = start + timedelta(days=block * 182 + rng.randint(30, 60))
        if block_start > last_day + timedelta(days=90):
            break
        block_end = block_start + timedelta(days=rng.randint(42, 70))
        planned = PARAMEDIC_PLACEMENT_HOURS / blocks + rng.choice((-12.5, 0, 0, 12.5))
        area, site, provider = _placement_area(rng, block)
        if block_end < builder.as_of:
            status = "completed" if rng.random() > 0.03 else "cancelled"
        elif block_start <= builder.as_of:
            status = "in_progress"
        else:
            status = rng.choice(("allocated", "confirmed"))
        attended = _attended_hours(rng, status, planned, block_start, block_end, builder.as_of)
        placement_id = builder.next_id("P")
        assessor = rng.choice(builder.assessors)
        builder.records["placements"].append(
            {
                "placement_id": placement_id,
                "student_id": student_id,
                "provider_org_code": provider,
                "site": site,
                "area": area,
                "start_date": block_start.isoformat(),
                "end_date": block_end.isoformat(),
                "planned_hours": planned,
                "attended_hours": attended,
                "practice_assessor_id": assessor,
                "status": status,
                "updated_at": builder.stamp(min(block_end, builder.as_of)),
            }
        )
        if status in ("completed", "in_progress"):
            _add_assessments(builder, student_id, placement_id, assessor, block_start, block_end)


def _placement_area(rng: random.Random, block: int) -> tuple[str, str, str]:
    roll = rng.random()
    if block == 0 and roll < 0.3:
        return "Control room", CONTROL_ROOM, TRUST_ODS_CODE
    if roll < 0.2:
        code, hospital = rng.choice(HOSPITALS)
        return "Emergency Department", hospital, code
    return "Emergency ambulance", rng.choice(STATIONS), TRUST_ODS_CODE


def _attended_hours(
    rng: random.Random, status: str, planned: float, start: date, end: date, as_of: date
) -> float | None:
    if status == "completed":
        return planned - rng.choice((0, 0, 0, 7.5, 12))
    if status == "in_progress":
        share = (as_of - start).days / max(1, (end - start).days)
        return round(planned * share / 7.5) * 7.5
    if status == "cancelled":
        return 0.0
    return None


def _add_assessments(
    builder: _Builder, student_id: str, placement_id: str, assessor: str, start: date, end: date
) -> None:
    """Initial, midpoint and final interviews up to today, and now and then a cause for concern."""
    rng = builder.rng
    events = [
        ("initial", start + timedelta(days=3), 0),
        ("midpoint", start + (end - start) / 2, rng.randint(4, 12)),
        ("final", end - timedelta(days=2), rng.randint(12, 24)),
    ]
    if rng.random() < 0.04:
        events.append(("cause_for_concern", start + timedelta(days=rng.randint(7, 20)), 0))
    for event, day, signed in sorted(events, key=lambda item: item[1]):
        if day >= builder.as_of:
            continue
        if event == "cause_for_concern":
            outcome = "requires_attention"
        elif event == "final":
            outcome = "achieved" if rng.random() > 0.06 else "not_achieved"
        else:
            outcome = "achieved" if rng.random() > 0.1 else "requires_attention"
        builder.records["assessments"].append(
            {
                "assessment_id": builder.next_id("A"),
                "placement_id": placement_id,
                "student_id": student_id,
                "event": event,
                "date": day.isoformat(),
                "assessor_id": assessor,
                "outcome": outcome,
                "proficiencies_signed": signed,
                "updated_at": builder.stamp(day),
            }
        )


def _delete_some(builder: _Builder) -> None:
    """Tombstones: placements and assessments entered in error, and a couple of duplicate enrolments."""
    rng = builder.rng
    for collection, share in (("placements", 0.015), ("assessments", 0.01), ("enrolments", 0.005)):
        for record in builder.records[collection]:
            if rng.random() < share:
                record["deleted"] = True
                record["updated_at"] = builder.stamp(builder.as_of - timedelta(days=20))


def _plant_unlisted_status(builder: _Builder) -> None:
    """One live enrolment with a status code `schemas/student_status_codes.yaml` does not list."""
    for record in builder.records["enrolments"]:
        if not record.get("deleted") and record["status"] in ("C", "CR"):
            record["status"] = UNLISTED_STATUS_CODE
            return
