"""Seed records for the Totara stand-in: reading and writing the seed folder, and building small realistic
seeds.

A seed folder holds `users.jsonl` and `job_assignments.jsonl`, one JSON object per line. A user line is a
GraphQL `core_user` item (`id` string, `idnumber`, `username`, names, `email`, `suspended`, `timezone`,
`lastaccess` epoch string or null, `custom_fields`) plus a seed-only `deleted` flag; a job assignment line is
a `totara_job_job_assignment` item (`id`, `idnumber`, `userid`, `fullname`, `startdate`, `enddate`,
`position`, `organisation`, `managerja {user {idnumber}}`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

USERS_FILE = "users.jsonl"
JOB_ASSIGNMENTS_FILE = "job_assignments.jsonl"

_REQUIRED_USER_KEYS = ("id", "username")
_REQUIRED_JOB_ASSIGNMENT_KEYS = ("id", "userid")
_LONDON = ZoneInfo("Europe/London")


class SeedError(ValueError):
    """A seed file line that is not a usable record; the message names the file and line."""


@dataclass(frozen=True)
class TotaraSeed:
    """Everything the stand-in site knows: its users (deleted ones included) and job assignments."""

    users: tuple[Mapping[str, Any], ...]
    job_assignments: tuple[Mapping[str, Any], ...] = ()


def _read_jsonl(path: Path, required: Sequence[str]) -> tuple[dict[str, Any], ...]:
    if not path.exists():
        raise SeedError(f"{path}: seed file not found")
    records: list[dict[str, Any]] = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SeedError(f"{path}, line {line_number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise SeedError(f"{path}, line {line_number}: expected a JSON object, found {type(record).__name__}")
        missing = [key for key in required if record.get(key) in (None, "")]
        if missing:
            raise SeedError(f"{path}, line {line_number}: missing {', '.join(missing)}")
        records.append(record)
    return tuple(records)


def load_seed(folder: Path | str) -> TotaraSeed:
    """Read `users.jsonl` and `job_assignments.jsonl` from a seed folder (the second may be absent)."""
    folder = Path(folder)
    users = _read_jsonl(folder / USERS_FILE, _REQUIRED_USER_KEYS)
    ja_path = folder / JOB_ASSIGNMENTS_FILE
    job_assignments = _read_jsonl(ja_path, _REQUIRED_JOB_ASSIGNMENT_KEYS) if ja_path.exists() else ()
    return TotaraSeed(users, job_assignments)


def write_seed(folder: Path | str, seed: TotaraSeed) -> None:
    """Write a seed as the two JSON-lines files the stand-in's command line reads."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in ((USERS_FILE, seed.users), (JOB_ASSIGNMENTS_FILE, seed.job_assignments)):
        text = "".join(json.dumps(dict(record), ensure_ascii=False) + "\n" for record in records)
        (folder / name).write_text(text, encoding="utf-8")


def epoch(moment: date | datetime | None) -> str | None:
    """Totara's date scalar: Unix seconds as a string. A plain date means midnight in London; None means
    never."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0, 0), tzinfo=_LONDON)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=_LONDON)
    return str(int(moment.timestamp()))


def seed_user(
    user_id: int | str,
    username: str,
    firstname: str,
    lastname: str,
    *,
    idnumber: str = "",
    email: str | None = None,
    suspended: bool = False,
    deleted: bool = False,
    timezone: str = "Europe/London",
    lastaccess: date | datetime | None = None,
    custom_fields: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One user line in `core_user` shape; `custom_fields` maps a shortname to its text value."""
    return {
        "id": str(user_id),
        "idnumber": idnumber,
        "username": username,
        "firstname": firstname,
        "lastname": lastname,
        "email": email if email is not None else f"{username}@nhs.net",
        "suspended": suspended,
        "timezone": timezone,
        "lastaccess": epoch(lastaccess),
        "custom_fields": [
            {"shortname": shortname, "data": data, "data_type": "text"}
            for shortname, data in (custom_fields or {}).items()
        ],
        "deleted": deleted,
    }


def seed_job_assignment(
    ja_id: int | str,
    user: Mapping[str, Any],
    idnumber: str,
    fullname: str,
    *,
    startdate: date | datetime | None,
    enddate: date | datetime | None = None,
    position: tuple[str, str] | None = None,
    organisation: tuple[str, str] | None = None,
    manager: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One job assignment line; `position`/`organisation` are (idnumber, fullname), `manager` a user line."""
    return {
        "id": str(ja_id),
        "idnumber": idnumber,
        "userid": str(user["id"]),
        "fullname": fullname,
        "startdate": epoch(startdate),
        "enddate": epoch(enddate),
        "position": {"idnumber": position[0], "fullname": position[1]} if position else None,
        "organisation": {"idnumber": organisation[0], "fullname": organisation[1]} if organisation else None,
        "managerja": {"user": {"idnumber": manager["idnumber"]}} if manager else None,
    }


_FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloe",
    "Dylan",
    "Esme",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jess",
    "Kwame",
)
_LAST_NAMES = (
    "Okafor",
    "Hughes",
    "Patel",
    "Morgan",
    "O'Neill",
    "Begum",
    "Williams",
    "Nowak",
    "Evans",
    "Shah",
)
_POSITIONS = (
    ("POS-PARA", "Paramedic"),
    ("POS-EMT", "Emergency Medical Technician"),
    ("POS-EMA", "Emergency Medical Advisor"),
    ("POS-TL", "Clinical Team Leader"),
)
_ORGANISATIONS = (("ORG-457-N", "North Division"), ("ORG-457-S", "South Division"), ("ORG-457-EOC", "EOC"))


def employee_number(index: int) -> str:
    """A deterministic 8-digit ESR employee number for the index-th member of staff."""
    return f"{20_000_000 + index * 7_919:08d}"


def site_accounts() -> tuple[dict[str, Any], dict[str, Any]]:
    """The two accounts every Totara site has and the API returns: `guest` (id 1) and `admin` (id 2)."""
    guest = seed_user(1, "guest", "Guest user", " ", email="root@localhost")
    admin = seed_user(2, "admin", "Admin", "User", email="lms.admin@trust.nhs.uk", lastaccess=date(2025, 11, 20))
    return guest, admin


def small_trust_seed(staff: int = 10, *, first_user_id: int = 3, first_ja_id: int = 1) -> TotaraSeed:
    """A small site: guest and admin, `staff` people with ESR employee numbers and job assignments.

    The first person manages everyone else; every third person also holds a second assignment (`…-2`); person
    index 3 is suspended (a leaver) and person index 5 is deleted, when there are that many.
    """
    users: list[dict[str, Any]] = list(site_accounts())
    job_assignments: list[dict[str, Any]] = []
    manager: dict[str, Any] | None = None
    next_ja_id = first_ja_id
    for index in range(staff):
        firstname = _FIRST_NAMES[index % len(_FIRST_NAMES)]
        lastname = _LAST_NAMES[(index * 3) % len(_LAST_NAMES)]
        number = employee_number(index)
        username = f"{firstname}.{lastname}{index}".lower().replace("'", "")
        user = seed_user(
            first_user_id + index,
            username,
            firstname,
            lastname,
            idnumber=number,
            suspended=index == 3,
            deleted=index == 5,
            lastaccess=None if index % 4 == 2 else datetime(2025, 11, 1 + index % 28, 8, 30),
            custom_fields={"staffgroup": "Additional Clinical Services" if index % 2 else "Allied Health"},
        )
        users.append(user)
        suffixes = ("", "-2") if index % 3 == 2 else ("",)
        for number_suffix in suffixes:
            position = _POSITIONS[(index + len(number_suffix)) % len(_POSITIONS)]
            job_assignments.append(
                seed_job_assignment(
                    next_ja_id,
                    user,
                    f"{number}{number_suffix}",
                    position[1],
                    startdate=date(2015 + index % 10, 1 + index % 12, 1),
                    enddate=date(2026, 3, 31) if number_suffix else None,
                    position=position,
                    organisation=_ORGANISATIONS[index % len(_ORGANISATIONS)],
                    manager=manager,
                )
            )
            next_ja_id += 1
        if manager is None:
            manager = user
    return TotaraSeed(tuple(users), tuple(job_assignments))


def many_users(count: int, *, first_user_id: int = 1000) -> list[dict[str, Any]]:
    """`count` plain staff users, for tests that need volume (complexity caps, long pagination)."""
    return [
        seed_user(
            first_user_id + index,
            f"staff{index:05d}",
            _FIRST_NAMES[index % len(_FIRST_NAMES)],
            _LAST_NAMES[index % len(_LAST_NAMES)],
            idnumber=employee_number(10_000 + index),
        )
        for index in range(count)
    ]
