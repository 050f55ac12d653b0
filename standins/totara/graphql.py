"""A small GraphQL reader: enough of the language to understand the queries a Totara API client sends.

It reads operations (`query`/`mutation`, optional name, variable definitions), fields with aliases, arguments
and nested selection sets, and literal values (strings, numbers, booleans, null, enums, lists, objects,
`$variables`). Fragments and directives are refused with a clear error rather than half-understood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class GraphQLError(Exception):
    """A request the GraphQL layer refuses; `message` is what goes into the response's `errors` list."""

    def __init__(self, message: str, category: str = "graphql") -> None:
        self.message = message
        self.category = category
        super().__init__(message)


@dataclass(frozen=True)
class VariableRef:
    """A `$name` placeholder in an argument, filled from the request's `variables`."""

    name: str


@dataclass(frozen=True)
class Field:
    """One selected field: `alias: name(arguments) { selections }`."""

    name: str
    alias: str | None
    arguments: Mapping[str, Any]
    selections: tuple[Field, ...]

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class Operation:
    """One operation of a document: its kind, optional name, declared variable types and top-level fields."""

    kind: str
    name: str | None
    variable_types: Mapping[str, str]
    selections: tuple[Field, ...]


_TOKEN = re.compile(
    r"""
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$():=@\[\]{}|&])
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokenise(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise GraphQLError(f'Syntax Error: Cannot parse the unexpected character "{source[position]}".')
        kind = match.lastgroup or ""
        if kind != "skip":
            tokens.append(_Token(kind, match.group()))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self._tokens = _tokenise(source)
        self._index = 0

    def _peek(self) -> _Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _next(self) -> _Token:
        token = self._peek()
        if token is None:
            raise GraphQLError("Syntax Error: Unexpected <EOF>")
        self._index += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise GraphQLError(f'Syntax Error: Expected "{text}", found "{token.text}"')

    def _at(self, text: str) -> bool:
        token = self._peek()
        return token is not None and token.text == text and token.kind != "string"

    def _name(self) -> str:
        token = self._next()
        if token.kind != "name":
            raise GraphQLError(f'Syntax Error: Expected Name, found "{token.text}"')
        return token.text

    def document(self) -> list[Operation]:
        operations: list[Operation] = []
        while self._peek() is not None:
            operations.append(self._operation())
        if not operations:
            raise GraphQLError("Syntax Error: Unexpected <EOF>")
        return operations

    def _operation(self) -> Operation:
        if self._at("{"):
            return Operation("query", None, {}, self._selection_set())
        keyword = self._name()
        if keyword == "fragment":
            raise GraphQLError("Fragments are not supported by this Totara stand-in.")
        if keyword not in ("query", "mutation", "subscription"):
            raise GraphQLError(f'Syntax Error: Unexpected Name "{keyword}"')
        name = None
        token = self._peek()
        if token is not None and token.kind == "name":
            name = self._name()
        variable_types: dict[str, str] = {}
        if self._at("("):
            self._next()
            while not self._at(")"):
                self._expect("$")
                variable = self._name()
                self._expect(":")
                variable_types[variable] = self._type_reference()
                if self._at("="):
                    self._next()
                    self._value()
            self._next()
        if self._at("@"):
            raise GraphQLError("Directives are not supported by this Totara stand-in.")
        return Operation(keyword, name, variable_types, self._selection_set())

    def _type_reference(self) -> str:
        if self._at("["):
            self._next()
            inner = self._type_reference()
            self._expect("]")
            text = f"[{inner}]"
        else:
            text = self._name()
        if self._at("!"):
            self._next()
            text += "!"
        return text

    def _selection_set(self) -> tuple[Field, ...]:
        self._expect("{")
        fields: list[Field] = []
        while not self._at("}"):
            if self._at("..."):
                raise GraphQLError("Fragments are not supported by this Totara stand-in.")
            fields.append(self._field())
        self._next()
        if not fields:
            raise GraphQLError('Syntax Error: Expected Name, found "}"')
        return tuple(fields)

    def _field(self) -> Field:
        alias = None
        name = self._name()
        if self._at(":"):
            self._next()
            alias, name = name, self._name()
        arguments: dict[str, Any] = {}
        if self._at("("):
            self._next()
            while not self._at(")"):
                argument = self._name()
                self._expect(":")
                arguments[argument] = self._value()
            self._next()
        if self._at("@"):
            raise GraphQLError("Directives are not supported by this Totara stand-in.")
        selections = self._selection_set() if self._at("{") else ()
        return Field(name, alias, arguments, selections)

    def _value(self) -> Any:
        token = self._next()
        if token.text == "$" and token.kind == "punct":
            return VariableRef(self._name())
        if token.kind == "string":
            return json.loads(token.text)
        if token.kind == "number":
            return float(token.text) if any(c in token.text for c in ".eE") else int(token.text)
        if token.kind == "name":
            return {"true": True, "false": False, "null": None}.get(token.text, token.text)
        if token.text == "[":
            items = []
            while not self._at("]"):
                items.append(self._value())
            self._next()
            return items
        if token.text == "{":
            fields: dict[str, Any] = {}
            while not self._at("}"):
                key = self._name()
                self._expect(":")
                fields[key] = self._value()
            self._next()
            return fields
        raise GraphQLError(f'Syntax Error: Unexpected "{token.text}"')


def parse_document(source: str) -> list[Operation]:
    """Every operation in a GraphQL document, or `GraphQLError` with a syntax message."""
    return _Parser(source).document()


def select_operation(operations: Sequence[Operation], operation_name: str | None) -> Operation:
    """The operation a request asks for: by `operationName`, or the only one in the document."""
    if operation_name:
        for operation in operations:
            if operation.name == operation_name:
                return operation
        raise GraphQLError(f'Unknown operation named "{operation_name}".')
    if len(operations) > 1:
        raise GraphQLError("Must provide operation name if query contains multiple operations.")
    return operations[0]


def resolve_arguments(
    arguments: Mapping[str, Any], variables: Mapping[str, Any], operation: Operation
) -> dict[str, Any]:
    """Argument values with every `$variable` replaced by the request's value for it (absent means null)."""

    def resolve(value: Any) -> Any:
        if isinstance(value, VariableRef):
            if value.name not in operation.variable_types:
                raise GraphQLError(f'Variable "${value.name}" is not defined.')
            return variables.get(value.name)
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    return {name: resolve(value) for name, value in arguments.items()}


def selection_depth(fields: Sequence[Field]) -> int:
    """How deeply a selection nests (a flat `{ a b }` is depth 1)."""
    return max((1 + selection_depth(field.selections) for field in fields), default=0)
