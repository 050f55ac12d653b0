"""The two GraphQL queries Learnscape sends to Totara, kept as data, and the page size each can afford.

Totara charges 5 complexity points per query plus one per selected leaf field per record returned, and refuses
a query costing more than 6,000. A page of `limit` records therefore costs `5 + leaf_fields × limit`; the page
size is chosen from the field list so that stays under the cap with a safety margin.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

QUERY_BASE_COST = 5
MAX_QUERY_COMPLEXITY = 6_000
DEFAULT_MARGIN = 0.10

USER_FIELDS: tuple[str, ...] = (
    "id",
    "idnumber",
    "username",
    "firstname",
    "lastname",
    "email",
    "suspended",
    "timezone",
    "lastaccess",
    "custom_fields { shortname data data_type }",
)

JOB_ASSIGNMENT_FIELDS: tuple[str, ...] = (
    "id",
    "idnumber",
    "userid",
    "fullname",
    "startdate",
    "enddate",
    "position { idnumber fullname }",
    "organisation { idnumber fullname }",
    "managerja { user { idnumber } }",
)

_FIELD_TOKEN = re.compile(r"[_A-Za-z][_0-9A-Za-z]*|[{}]|\S")


def count_leaf_fields(fields: Sequence[str]) -> int:
    """Leaf fields in a field list: `["id", "position { idnumber fullname }"]` has three."""
    tokens = _FIELD_TOKEN.findall(" ".join(fields))
    depth = 0
    leaves = 0
    for index, token in enumerate(tokens):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced braces in field list {list(fields)!r}")
        elif re.fullmatch(r"[_A-Za-z]\w*", token):
            opens_selection = index + 1 < len(tokens) and tokens[index + 1] == "{"
            leaves += 0 if opens_selection else 1
        else:
            raise ValueError(f"unexpected {token!r} in field list {list(fields)!r}")
    if depth != 0:
        raise ValueError(f"unbalanced braces in field list {list(fields)!r}")
    return leaves


def page_size_for(fields: Sequence[str], cap: int = MAX_QUERY_COMPLEXITY, *, margin: float = DEFAULT_MARGIN) -> int:
    """The largest page size whose query costs at most `(1 - margin) × cap` points.

    With the ten user fields (twelve leaves) and Totara's 6,000 cap this is 449 records a page: 5 + 12 × 449 =
    5,393 points, 10 % under the cap.
    """
    leaves = count_leaf_fields(fields)
    if leaves == 0:
        raise ValueError("a query must select at least one field")
    budget = int(cap * (1 - margin)) - QUERY_BASE_COST
    if budget < leaves:
        raise ValueError(f"a complexity cap of {cap} cannot afford even one record of {leaves} fields")
    return budget // leaves


@dataclass(frozen=True)
class TotaraQuery:
    """One paginated Totara query: the operation, the type of its `query` input and the fields to select."""

    operation: str
    input_type: str
    fields: tuple[str, ...]

    @property
    def leaf_fields(self) -> int:
        return count_leaf_fields(self.fields)

    @property
    def document(self) -> str:
        """The GraphQL text sent to `/api/graphql.php`, taking the pagination and sort as `$query`."""
        selection = "\n      ".join(self.fields)
        return (
            f"query learnscape_{self.operation}($query: {self.input_type}) {{\n"
            f"  {self.operation}(query: $query) {{\n"
            f"    items {{\n      {selection}\n    }}\n"
            "    total\n"
            "    next_cursor\n"
            "  }\n"
            "}\n"
        )

    def with_fields(self, fields: Sequence[str]) -> TotaraQuery:
        return TotaraQuery(self.operation, self.input_type, tuple(fields))


USERS_QUERY = TotaraQuery("core_user_users", "core_user_users_query", USER_FIELDS)
JOB_ASSIGNMENTS_QUERY = TotaraQuery(
    "totara_job_job_assignments", "totara_job_job_assignments_query", JOB_ASSIGNMENT_FIELDS
)
