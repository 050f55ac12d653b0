"""The slice of Totara's external GraphQL schema the stand-in serves, and how it answers it from seed records.

Two queries exist: `core_user_users` and `totara_job_job_assignments`, each taking a `query` input with
`pagination {limit cursor}` and a one-column `sort`, and returning `{items total next_cursor}`. Fields are
resolved only when selected, so the client's selection set decides both what comes back and what it costs: 5
points per query plus one point per selected leaf field per record returned.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from standins.totara.graphql import Field, GraphQLError, Operation, resolve_arguments, selection_depth

QUERY_BASE_COST = 5
DEFAULT_PAGE_SIZE = 20

SCALAR_TYPES = frozenset({"core_id", "String", "Boolean", "Int", "core_date"})

# type name -> field name -> type of the field (a scalar above, or another type of this table)
TYPES: Mapping[str, Mapping[str, str]] = {
    "Query": {
        "core_user_users": "core_user_users_result",
        "totara_job_job_assignments": "totara_job_job_assignments_result",
    },
    "core_user_users_result": {"items": "core_user", "total": "Int", "next_cursor": "String"},
    "totara_job_job_assignments_result": {
        "items": "totara_job_job_assignment",
        "total": "Int",
        "next_cursor": "String",
    },
    "core_user": {
        "id": "core_id",
        "idnumber": "String",
        "username": "String",
        "firstname": "String",
        "lastname": "String",
        "email": "String",
        "suspended": "Boolean",
        "timezone": "String",
        "lastaccess": "core_date",
        "custom_fields": "core_user_custom_field",
        "job_assignments": "totara_job_job_assignment",
    },
    "core_user_custom_field": {"shortname": "String", "data": "String", "data_type": "String"},
    "totara_job_job_assignment": {
        "id": "core_id",
        "idnumber": "String",
        "userid": "core_id",
        "fullname": "String",
        "startdate": "core_date",
        "enddate": "core_date",
        "position": "totara_hierarchy_position",
        "organisation": "totara_hierarchy_organisation",
        "managerja": "totara_job_job_assignment",
        "user": "core_user",
    },
    "totara_hierarchy_position": {"idnumber": "String", "fullname": "String"},
    "totara_hierarchy_organisation": {"idnumber": "String", "fullname": "String"},
}


@dataclass(frozen=True)
class Collection:
    """One paginated query: its input type, result type and where its records come from."""

    input_type: str
    result_type: str
    item_type: str


COLLECTIONS: Mapping[str, Collection] = {
    "core_user_users": Collection("core_user_users_query", "core_user_users_result", "core_user"),
    "totara_job_job_assignments": Collection(
        "totara_job_job_assignments_query", "totara_job_job_assignments_result", "totara_job_job_assignment"
    ),
}


class ComplexityExceeded(GraphQLError):
    """The query would cost more than the per-query maximum; `spent` is what it used before being stopped."""

    def __init__(self, cap: int, spent: int) -> None:
        super().__init__(f"Query complexity exceeded maximum allowed complexity of {cap}.")
        self.spent = spent


class RecordStore:
    """The site's users and job assignments as seeded, with the lookups resolvers need.

    A user with `deleted: true` stays in the store (Totara keeps the row) but is invisible to every query, and
    so are that user's job assignments.
    """

    def __init__(self, users: Sequence[Mapping[str, Any]], job_assignments: Sequence[Mapping[str, Any]]) -> None:
        self._users: dict[str, dict[str, Any]] = {}
        for user in users:
            record = dict(user)
            record["id"] = str(record["id"])
            self._users[record["id"]] = record
        self._job_assignments = [dict(ja, id=str(ja["id"]), userid=str(ja["userid"])) for ja in job_assignments]

    def mark_user_deleted(self, user_id: str) -> None:
        if user_id not in self._users:
            raise KeyError(f"no user with id {user_id!r} in the stand-in's seed")
        self._users[user_id]["deleted"] = True

    def visible_users(self) -> list[dict[str, Any]]:
        return [user for user in self._users.values() if not user.get("deleted")]

    def visible_job_assignments(self) -> list[dict[str, Any]]:
        return [ja for ja in self._job_assignments if self.user_by_id(ja["userid"]) is not None]

    def user_by_id(self, user_id: Any) -> dict[str, Any] | None:
        user = self._users.get(str(user_id)) if user_id is not None else None
        return None if user is None or user.get("deleted") else user

    def user_by_idnumber(self, idnumber: str) -> dict[str, Any] | None:
        for user in self._users.values():
            if user.get("idnumber") == idnumber and not user.get("deleted"):
                return user
        return None

    def job_assignments_of(self, user_id: str) -> list[dict[str, Any]]:
        return [ja for ja in self._job_assignments if ja["userid"] == user_id]

    def records(self, operation: str) -> list[dict[str, Any]]:
        if operation == "core_user_users":
            return self.visible_users()
        return self.visible_job_assignments()


def validate_selection(type_name: str, fields: Sequence[Field]) -> list[str]:
    """Every reason the selection does not fit the schema, worded as graphql-php words them."""
    problems: list[str] = []
    known = TYPES[type_name]
    for field in fields:
        if field.name == "__typename":
            continue
        field_type = known.get(field.name)
        if field_type is None:
            problems.append(f'Cannot query field "{field.name}" on type "{type_name}".')
        elif field_type in SCALAR_TYPES:
            if field.selections:
                problems.append(
                    f'Field "{field.name}" must not have a selection since type "{field_type}" has no subfields.'
                )
        elif not field.selections:
            problems.append(f'Field "{field.name}" of type "{field_type}" must have a sub selection.')
        else:
            problems.extend(validate_selection(field_type, field.selections))
        if type_name != "Query" and field.arguments:
            argument = next(iter(field.arguments))
            problems.append(f'Unknown argument "{argument}" on field "{field.name}" of type "{type_name}".')
    return problems


def count_leaves(fields: Sequence[Field]) -> int:
    """Leaf fields in a selection: `id position{idnumber fullname}` has three."""
    return sum(count_leaves(field.selections) if field.selections else 1 for field in fields)


def encode_cursor(limit: int, last_id: str) -> str:
    """An opaque cursor as Totara makes them: base64 of a small JSON object."""
    payload = json.dumps({"limit": limit, "columns": {"id": last_id}}, separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
        last_id = str(payload["columns"]["id"])
        limit = int(payload.get("limit") or DEFAULT_PAGE_SIZE)
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid pagination cursor.", category="invalid_parameter") from exc
    return {"limit": limit, "last_id": last_id}


@dataclass(frozen=True)
class _Page:
    limit: int
    after_id: str | None
    descending: bool


def _read_query_input(collection: Collection, value: Any) -> _Page:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise GraphQLError(f'Expected type "{collection.input_type}" to be an object.')
    for key in value:
        if key not in ("pagination", "sort", "filters"):
            raise GraphQLError(f'Field "{key}" is not defined by type "{collection.input_type}".')
    if value.get("filters"):
        raise GraphQLError("Filters are not supported by this Totara stand-in.")
    pagination = value.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise GraphQLError('Expected type "core_pagination_input" to be an object.')
    for key in pagination:
        if key not in ("limit", "cursor", "page"):
            raise GraphQLError(f'Field "{key}" is not defined by type "core_pagination_input".')
    cursor = pagination.get("cursor") or ""
    decoded = decode_cursor(cursor) if cursor else None
    limit = pagination.get("limit")
    if limit is None:
        limit = decoded["limit"] if decoded else DEFAULT_PAGE_SIZE
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise GraphQLError(f"Pagination limit must be a positive whole number, not {limit!r}.")
    sort = value.get("sort") or [{"column": "id", "direction": "ASC"}]
    if not isinstance(sort, list) or not all(isinstance(item, dict) for item in sort):
        raise GraphQLError('Expected type "[core_sort_input!]" to be a list of objects.')
    if len(sort) > 1:
        raise GraphQLError("Sorting by more than one column is not supported.", category="invalid_parameter")
    column = sort[0].get("column")
    direction = str(sort[0].get("direction") or "ASC").upper()
    if column != "id":
        raise GraphQLError(f'Sorting by "{column}" is not supported; only "id".', category="invalid_parameter")
    if direction not in ("ASC", "DESC"):
        raise GraphQLError(f'Unknown sort direction "{direction}".', category="invalid_parameter")
    return _Page(limit, decoded["last_id"] if decoded else None, direction == "DESC")


def _id_order(record: Mapping[str, Any]) -> tuple[int, str]:
    text = str(record["id"])
    return (int(text), "") if text.isdigit() else (0, text)


def _epoch_string(value: Any) -> str | None:
    if value in (None, "", 0, "0"):
        return None
    return str(int(value))


def _scalar(type_name: str, value: Any) -> Any:
    if type_name == "Boolean":
        return bool(value)  # non-null in Totara's schema: a seed without the flag means false
    if value is None:
        return None
    if type_name == "core_id":
        return str(value)
    if type_name == "core_date":
        return _epoch_string(value)
    if type_name == "Int":
        return int(value)
    return str(value)


FieldSource = Callable[[Mapping[str, Any], "RecordStore"], Any]

# fields whose value is not simply the seed record's key of the same name
_SPECIAL_SOURCES: Mapping[tuple[str, str], FieldSource] = {
    ("core_user", "job_assignments"): lambda record, store: store.job_assignments_of(str(record.get("id"))),
    ("core_user", "custom_fields"): lambda record, store: record.get("custom_fields") or [],
    ("totara_job_job_assignment", "user"): lambda record, store: (
        store.user_by_id(record.get("userid")) or _known_user(record.get("user"), store)
    ),
}


def _known_user(embedded: Any, store: RecordStore) -> Any:
    """A user given only by idnumber (as a manager's job assignment is seeded) completed from the store."""
    if isinstance(embedded, Mapping) and embedded.get("idnumber"):
        return store.user_by_idnumber(str(embedded["idnumber"])) or embedded
    return embedded


def resolve_object(
    type_name: str, record: Mapping[str, Any], fields: Sequence[Field], store: RecordStore
) -> dict[str, Any]:
    """The response object for one record: only the selected fields, each rendered as Totara renders it."""
    result: dict[str, Any] = {}
    for field in fields:
        if field.name == "__typename":
            result[field.response_key] = type_name
            continue
        field_type = TYPES[type_name][field.name]
        special = _SPECIAL_SOURCES.get((type_name, field.name))
        value = special(record, store) if special else record.get(field.name)
        if field_type in SCALAR_TYPES:
            result[field.response_key] = _scalar(field_type, value)
        elif value is None:
            result[field.response_key] = None
        elif isinstance(value, list):
            result[field.response_key] = [resolve_object(field_type, item, field.selections, store) for item in value]
        else:
            result[field.response_key] = resolve_object(field_type, value, field.selections, store)
    return result


@dataclass(frozen=True)
class ExecutionResult:
    """The `data` of a successful query and the complexity points it cost."""

    data: dict[str, Any]
    cost: int
    items_returned: int


def _check_variable_types(operation: Operation, field: Field, collection: Collection) -> None:
    argument = field.arguments.get("query")
    variable = getattr(argument, "name", None)
    if variable is None:
        return
    declared = operation.variable_types.get(variable, "")
    if declared.rstrip("!") != collection.input_type:
        raise GraphQLError(
            f'Variable "${variable}" of type "{declared}" used in position expecting type "{collection.input_type}".'
        )


def execute(
    operation: Operation,
    variables: Mapping[str, Any],
    store: RecordStore,
    *,
    max_complexity: int,
    max_depth: int,
) -> ExecutionResult:
    """Run a parsed operation against the store, enforcing depth and the per-query complexity cap."""
    if operation.kind != "query":
        type_name = operation.kind.capitalize()
        raise GraphQLError(f'Cannot query field "{operation.selections[0].name}" on type "{type_name}".')
    problems = validate_selection("Query", operation.selections)
    if problems:
        raise GraphQLError(problems[0])
    depth = selection_depth(operation.selections)
    if depth > max_depth:
        raise GraphQLError(f"Max query depth should be {max_depth} but got {depth}.")

    data: dict[str, Any] = {}
    cost = QUERY_BASE_COST
    items_returned = 0
    for field in operation.selections:
        if field.name == "__typename":
            data[field.response_key] = "Query"
            continue
        collection = COLLECTIONS[field.name]
        for argument in field.arguments:
            if argument != "query":
                raise GraphQLError(f'Unknown argument "{argument}" on field "{field.name}" of type "Query".')
        _check_variable_types(operation, field, collection)
        arguments = resolve_arguments(field.arguments, variables, operation)
        page = _read_query_input(collection, arguments.get("query"))

        records = sorted(store.records(field.name), key=_id_order, reverse=page.descending)
        if page.after_id is not None:
            after = _id_order({"id": page.after_id})
            records = [r for r in records if (_id_order(r) < after if page.descending else _id_order(r) > after)]
        total = len(store.records(field.name))
        chosen = records[: page.limit]
        has_more = len(records) > page.limit

        item_fields = next((f.selections for f in field.selections if f.name == "items"), ())
        cost += count_leaves(item_fields) * len(chosen)
        if cost > max_complexity:
            raise ComplexityExceeded(max_complexity, spent=max_complexity)

        result: dict[str, Any] = {}
        for result_field in field.selections:
            if result_field.name == "items":
                value: Any = [
                    resolve_object(collection.item_type, record, result_field.selections, store) for record in chosen
                ]
            elif result_field.name == "total":
                value = total
            elif result_field.name == "next_cursor":
                value = encode_cursor(page.limit, str(chosen[-1]["id"])) if has_more and chosen else ""
            else:
                value = collection.result_type
            result[result_field.response_key] = value
        data[field.response_key] = result
        items_returned += len(chosen)
    return ExecutionResult(data, cost, items_returned)
