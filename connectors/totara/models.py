"""Totara API records as typed, frozen values: a user account and a job assignment, parsed from GraphQL items.

Totara's scalars are awkward on purpose: ids are strings, dates are strings of Unix epoch seconds with `null`
(or "0") for never. Here ids stay strings, dates become timezone-aware UTC datetimes or None, and flags become
bools.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.totara.errors import TotaraRecordError

CUSTOM_FIELD_PREFIX = "custom_field:"


@dataclass(frozen=True)
class TotaraCustomField:
    """One user profile custom field: its shortname, its value as text, and Totara's data type."""

    shortname: str
    data: str | None
    data_type: str | None


@dataclass(frozen=True)
class TotaraUser:
    """One Totara account as the API returns it (deleted accounts never appear; suspended ones, guest and
    admin do).

    `idnumber` is where trusts put the ESR Employee Number through HR Import; `last_access_at` is None when
    the person never logged in.
    """

    id: str
    idnumber: str | None
    username: str | None
    firstname: str | None
    lastname: str | None
    email: str | None
    suspended: bool
    timezone: str | None
    last_access_at: datetime | None
    custom_fields: tuple[TotaraCustomField, ...] = ()

    def custom_field(self, shortname: str) -> str | None:
        """The value of a profile custom field, or None when the person has no value for it."""
        return next((field.data for field in self.custom_fields if field.shortname == shortname), None)

    def key(self, field: str) -> str | None:
        """The join key named by configuration: an attribute (`idnumber`, `username`, `email`, `id`) or
        `custom_field:<shortname>`; blank values are None."""
        if field.startswith(CUSTOM_FIELD_PREFIX):
            value = self.custom_field(field.removeprefix(CUSTOM_FIELD_PREFIX))
        elif field in ("id", "idnumber", "username", "email"):
            value = getattr(self, field)
        else:
            raise ValueError(
                f"unknown Totara user key field {field!r}; use id, idnumber, username, email or custom_field:<name>"
            )
        return (value.strip() or None) if isinstance(value, str) else None


@dataclass(frozen=True)
class TotaraJobAssignment:
    """One job assignment of a Totara user: trusts set `idnumber` to the ESR Assignment Number via HR Import.

    Position and organisation are given by their hierarchy ID numbers and names; `manager_idnumber` is the
    `idnumber` of the manager's user account (None when no manager is set).
    """

    id: str
    idnumber: str | None
    user_id: str
    fullname: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    position_idnumber: str | None
    position_name: str | None
    organisation_idnumber: str | None
    organisation_name: str | None
    manager_idnumber: str | None

    def key(self, field: str) -> str | None:
        """The join key named by configuration: `idnumber` (the default) or `id`; blank values are None."""
        if field not in ("id", "idnumber"):
            raise ValueError(f"unknown Totara job assignment key field {field!r}; use idnumber or id")
        value = getattr(self, field)
        return (value.strip() or None) if isinstance(value, str) else None


def epoch_to_datetime(value: Any, *, operation: str, record_id: str | None, field: str) -> datetime | None:
    """A Totara date scalar (epoch seconds as a string) as a UTC datetime; null, "" and "0" mean never."""
    if value in (None, "", "0", 0):
        return None
    try:
        seconds = int(str(value))
    except ValueError as exc:
        raise TotaraRecordError(operation, record_id, field, value, "is not Unix epoch seconds") from exc
    return datetime.fromtimestamp(seconds, tz=UTC)


def local_date(moment: datetime | None, timezone: str = "Europe/London") -> date | None:
    """The calendar date of a moment in the trust's timezone: a local-midnight start keeps its day."""
    return None if moment is None else moment.astimezone(ZoneInfo(timezone)).date()


def _text(item: Mapping[str, Any], field: str) -> str | None:
    value = item.get(field)
    return None if value is None else str(value)


def _nested_text(item: Mapping[str, Any], *path: str) -> str | None:
    value: Any = item
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return None if value is None else str(value)


def _record_id(operation: str, item: Mapping[str, Any]) -> str:
    record_id = item.get("id")
    if record_id in (None, ""):
        raise TotaraRecordError(operation, None, "id", record_id, "is missing; every Totara record has an id")
    return str(record_id)


def user_from_item(item: Mapping[str, Any], operation: str = "core_user_users") -> TotaraUser:
    """A `TotaraUser` from one `core_user_users` item; fields not selected become None (or False/empty)."""
    user_id = _record_id(operation, item)
    suspended = item.get("suspended", False)
    if not isinstance(suspended, bool):
        raise TotaraRecordError(operation, user_id, "suspended", suspended, "is not a boolean")
    custom_fields = tuple(
        TotaraCustomField(
            shortname=str(field.get("shortname")),
            data=_text(field, "data"),
            data_type=_text(field, "data_type"),
        )
        for field in item.get("custom_fields") or []
    )
    return TotaraUser(
        id=user_id,
        idnumber=_text(item, "idnumber"),
        username=_text(item, "username"),
        firstname=_text(item, "firstname"),
        lastname=_text(item, "lastname"),
        email=_text(item, "email"),
        suspended=suspended,
        timezone=_text(item, "timezone"),
        last_access_at=epoch_to_datetime(
            item.get("lastaccess"), operation=operation, record_id=user_id, field="lastaccess"
        ),
        custom_fields=custom_fields,
    )


def job_assignment_from_item(
    item: Mapping[str, Any], operation: str = "totara_job_job_assignments"
) -> TotaraJobAssignment:
    """A `TotaraJobAssignment` from one `totara_job_job_assignments` item."""
    ja_id = _record_id(operation, item)
    user_id = item.get("userid")
    if user_id in (None, ""):
        raise TotaraRecordError(operation, ja_id, "userid", user_id, "is missing; a job assignment has a user")
    return TotaraJobAssignment(
        id=ja_id,
        idnumber=_text(item, "idnumber"),
        user_id=str(user_id),
        fullname=_text(item, "fullname"),
        starts_at=epoch_to_datetime(item.get("startdate"), operation=operation, record_id=ja_id, field="startdate"),
        ends_at=epoch_to_datetime(item.get("enddate"), operation=operation, record_id=ja_id, field="enddate"),
        position_idnumber=_nested_text(item, "position", "idnumber"),
        position_name=_nested_text(item, "position", "fullname"),
        organisation_idnumber=_nested_text(item, "organisation", "idnumber"),
        organisation_name=_nested_text(item, "organisation", "fullname"),
        manager_idnumber=_nested_text(item, "managerja", "user", "idnumber"),
    )
