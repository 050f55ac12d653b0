"""The survey definitions kept as data: the question map, the answer scales and the trust's local items.

Question numbers change every year (the same item is q20c in 2021, q22c in 2022, q24c in 2023), so answers are
keyed on (survey, year, question code) -> a stable item id, read from `schemas/survey_questions.csv`; nothing
in Python knows a question number. Loading is strict: a malformed row raises `SurveySchemaError` naming the
file, row and field, rather than silently vanishing from the map.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import yaml

import schemas
from connectors.surveys.constants import (
    LOCALITY_COLUMNS,
    NSS,
    ORGANISATION_CODE,
    ORGANISATION_NAME,
    PERIOD,
    PULSE,
    QUESTION_CODE,
    SAMPLE_ID,
    STAFF_GROUP,
)
from connectors.surveys.errors import SurveySchemaError
from connectors.surveys.tables import csv_records

SCHEMAS_DIR = schemas.SCHEMAS_DIR
QUESTIONS_FILE = "survey_questions.csv"
SCALES_FILE = "survey_scales.yaml"
LOCAL_ITEMS_FILE = "survey_local_items.yaml"

QUESTION_MAP_COLUMNS = (
    "survey",
    "year",
    "question_code",
    "item_id",
    "item_text",
    "scale",
    "direction",
    "sub_score",
    "element",
    "scored_only_if",
)
ANY_YEAR = "*"
"""A question map `year` of `*` holds for every year of that survey (the pulse items keep their numbers)."""

SCORINGS = ("mean", "nps", "routing")
DIRECTIONS = ("positive", "negative")
KNOWN_SURVEYS = (NSS, PULSE)
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_YEAR = re.compile(r"^\d{4}$")
_CONDITION = re.compile(r"^(?P<item>[a-z][a-z0-9_]*)=(?P<code>\d+)$")
_FIXED_HEADINGS = {
    heading.casefold()
    for heading in (SAMPLE_ID, ORGANISATION_CODE, ORGANISATION_NAME, STAFF_GROUP, PERIOD, *LOCALITY_COLUMNS)
}
_ITEM_TRAITS = ("scale", "direction", "sub_score", "element", "scored_only_if")


@dataclass(frozen=True)
class Scale:
    """How the codes of one answer scale read: their labels, and the 0-10 score of each (None = not
    scored)."""

    name: str
    scoring: str
    meaning: str
    labels: Mapping[int, str]
    scores: Mapping[int, float | None]

    def describe_codes(self) -> str:
        codes = sorted(self.scores)
        return f"{codes[0]}-{codes[-1]}" if codes == list(range(codes[0], codes[-1] + 1)) else str(codes)


@dataclass(frozen=True)
class LocalItem:
    """A trust-local question carried in survey response files under its own column heading."""

    column: str
    item_id: str
    surveys: tuple[str, ...]
    scale: str
    meaning: str
    measure: str | None = None
    sub_score: str | None = None
    element: str | None = None
    direction: str = "positive"


@dataclass(frozen=True)
class SurveyDefinitions:
    """Everything the readers and scoring need to know about survey questions, as loaded from `schemas/`.

    `questions` has one row per (survey, year, question code); `items` one row per stable item (mapped
    questions and local items) with what scoring needs: item_id, scale, scoring, direction, sub_score,
    element, scored_only_if_item, scored_only_if_code, measure.
    """

    questions: pd.DataFrame
    items: pd.DataFrame
    scales: Mapping[str, Scale]
    local_items: tuple[LocalItem, ...]
    question_index: Mapping[tuple[str, str, str], str]

    def item_for(self, survey: str, year: int, question_code: str) -> str | None:
        """The stable item id of a question code in one survey year, or None if the map does not know it."""
        code = question_code.strip().lower()
        return self.question_index.get((survey, str(year), code)) or self.question_index.get((survey, ANY_YEAR, code))

    def local_item_for(self, heading: str, survey: str) -> LocalItem | None:
        """The local item declared under this column heading for this survey, if any."""
        key = heading.strip().casefold()
        for item in self.local_items:
            if item.column.casefold() == key and survey in item.surveys:
                return item
        return None

    def scale_of(self, item_id: str) -> Scale:
        scale = self.items.loc[self.items["item_id"] == item_id, "scale"]
        if scale.empty:
            raise KeyError(f"item {item_id!r} is not in the question map or the local items")
        return self.scales[scale.iloc[0]]


def _load_yaml(path: Path) -> dict:
    if not path.exists():
        raise SurveySchemaError(path, "does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SurveySchemaError(path, f"is not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise SurveySchemaError(path, "must hold a YAML mapping at the top level")
    return raw


def load_scales(path: Path) -> Mapping[str, Scale]:
    """The answer scales of `survey_scales.yaml`, by name."""
    raw = _load_yaml(path).get("scales")
    if not isinstance(raw, dict) or not raw:
        raise SurveySchemaError(path, "must have a non-empty `scales` mapping")
    scales = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise SurveySchemaError(path, "a scale must be a mapping", field=str(name))
        scoring = spec.get("scoring")
        if scoring not in SCORINGS:
            raise SurveySchemaError(
                path,
                f"scoring must be one of {', '.join(SCORINGS)}",
                field=f"{name}.scoring",
                value=str(scoring),
            )
        codes = spec.get("codes")
        if not isinstance(codes, dict) or not codes:
            raise SurveySchemaError(path, "a scale needs a non-empty `codes` mapping", field=f"{name}.codes")
        labels: dict[int, str] = {}
        scores: dict[int, float | None] = {}
        for code, entry in codes.items():
            if not isinstance(code, int) or not isinstance(entry, dict) or "label" not in entry:
                raise SurveySchemaError(
                    path,
                    "each code must be an integer with {label, score}",
                    field=f"{name}.codes",
                    value=str(code),
                )
            score = entry.get("score")
            if score is not None and (not isinstance(score, int | float) or not 0 <= score <= 10):
                raise SurveySchemaError(
                    path,
                    "a score must be a number from 0 to 10 or null",
                    field=f"{name}.codes.{code}",
                    value=str(score),
                )
            if scoring == "routing" and score is not None:
                raise SurveySchemaError(
                    path,
                    "a routing scale is never scored: every score must be null",
                    field=f"{name}.codes.{code}",
                )
            labels[code] = str(entry["label"])
            scores[code] = None if score is None else float(score)
        scales[str(name)] = Scale(
            name=str(name),
            scoring=scoring,
            meaning=str(spec.get("meaning", "")),
            labels=MappingProxyType(labels),
            scores=MappingProxyType(scores),
        )
    return MappingProxyType(scales)


def load_question_map(path: Path, scales: Mapping[str, Scale]) -> pd.DataFrame:
    """The question map, one row per (survey, year, question code), every row checked.

    Columns: survey, year (a four-digit year or `*`), question_code (lower case), item_id, item_text, scale,
    direction, sub_score, element, scored_only_if (`<item_id>=<code>`: the item is scored only for respondents
    who gave that code to that item, e.g. the appraisal quality items only after `appraisal_had=1`).
    """
    if not path.exists():
        raise SurveySchemaError(path, "does not exist")
    records = csv_records(path)
    if not records:
        raise SurveySchemaError(path, "is empty")
    _, headings = records[0]
    if tuple(headings) != QUESTION_MAP_COLUMNS:
        raise SurveySchemaError(path, f"headings must be {','.join(QUESTION_MAP_COLUMNS)}", row=1)
    rows = []
    for row_number, cells in records[1:]:
        if len(cells) != len(QUESTION_MAP_COLUMNS):
            raise SurveySchemaError(
                path, f"row has {len(cells)} cells, expected {len(QUESTION_MAP_COLUMNS)}", row=row_number
            )
        row = dict(zip(QUESTION_MAP_COLUMNS, cells, strict=True))
        _check_question_row(path, row_number, row, scales)
        row["question_code"] = row["question_code"].lower()
        rows.append((row_number, row))
    frame = pd.DataFrame([row for _, row in rows], columns=list(QUESTION_MAP_COLUMNS), dtype=str)
    frame.index = pd.Index([number for number, _ in rows], name="row_number")
    _check_question_map_consistency(path, frame)
    return frame


def _check_question_row(path: Path, row_number: int, row: dict[str, str], scales: Mapping[str, Scale]) -> None:
    def fail(field: str, reason: str) -> SurveySchemaError:
        return SurveySchemaError(path, reason, row=row_number, field=field, value=row[field])

    if row["survey"] not in KNOWN_SURVEYS:
        raise fail("survey", f"survey must be one of {', '.join(KNOWN_SURVEYS)}")
    if not (_YEAR.match(row["year"]) or row["year"] == ANY_YEAR):
        raise fail("year", "year must be four digits, or * for every year")
    if not QUESTION_CODE.match(row["question_code"]):
        raise fail("question_code", "question code must look like q24c")
    if not _SLUG.match(row["item_id"]):
        raise fail("item_id", "item_id must be lower case letters, digits and underscores")
    if row["scale"] not in scales:
        raise fail("scale", f"scale is not in {SCALES_FILE}")
    scoring = scales[row["scale"]].scoring
    if scoring == "nps":
        raise fail("scale", f"0-10 recommend items are declared in {LOCAL_ITEMS_FILE} with the measure they feed")
    if row["direction"] not in DIRECTIONS:
        raise fail("direction", "direction must be positive or negative")
    for field in ("sub_score", "element"):
        if row[field] and not _SLUG.match(row[field]):
            raise fail(field, f"{field} must be lower case letters, digits and underscores")
    if row["element"] and not row["sub_score"]:
        raise fail("element", "an item with an element needs the sub-score that joins it")
    if scoring == "routing" and row["sub_score"]:
        raise fail("sub_score", "a routing question is not scored, so it cannot join a sub-score")
    if row["scored_only_if"] and not _CONDITION.match(row["scored_only_if"]):
        raise fail("scored_only_if", "scored_only_if must read <item_id>=<code>, e.g. appraisal_had=1")


def _check_question_map_consistency(path: Path, frame: pd.DataFrame) -> None:
    for keys, what in (
        (["survey", "year", "question_code"], "question code"),
        (["survey", "year", "item_id"], "item"),
    ):
        duplicated = frame.duplicated(keys, keep="first")
        if duplicated.any():
            row_number = int(frame.index[duplicated][0])
            raise SurveySchemaError(
                path,
                f"the same {what} is mapped twice for one survey year",
                row=row_number,
                field=keys[-1],
                value=frame.loc[row_number, keys[-1]],
            )
    for trait in _ITEM_TRAITS:
        first = frame.groupby("item_id")[trait].transform("first")
        differs = frame[trait] != first
        if differs.any():
            row_number = int(frame.index[differs][0])
            raise SurveySchemaError(
                path,
                f"item {frame.loc[row_number, 'item_id']} has a different {trait} in an earlier row: an item "
                "keeps its meaning across years (give a changed question a new item_id)",
                row=row_number,
                field=trait,
                value=frame.loc[row_number, trait],
            )
    scored = frame[frame["sub_score"] != ""]
    elements = scored.groupby("sub_score")["element"].nunique()
    if (elements > 1).any():
        sub_score = elements[elements > 1].index[0]
        row_number = int(scored.index[scored["sub_score"] == sub_score][0])
        raise SurveySchemaError(
            path, f"sub-score {sub_score} joins more than one element", row=row_number, field="element"
        )
    for row_number, condition in frame.loc[frame["scored_only_if"] != "", "scored_only_if"].items():
        item = _CONDITION.match(condition)["item"]
        if item not in set(frame["item_id"]):
            raise SurveySchemaError(
                path,
                "scored_only_if names an item that is not in the map",
                row=int(row_number),
                field="scored_only_if",
                value=condition,
            )


def load_local_items(path: Path, scales: Mapping[str, Scale], mapped_items: set[str]) -> tuple[LocalItem, ...]:
    """The trust's own survey items declared in `survey_local_items.yaml`."""
    raw = _load_yaml(path).get("items") or []
    if not isinstance(raw, list):
        raise SurveySchemaError(path, "`items` must be a list")
    items: list[LocalItem] = []
    for position, spec in enumerate(raw, start=1):
        field = f"items[{position}]"
        if not isinstance(spec, dict):
            raise SurveySchemaError(path, "an item must be a mapping", field=field)
        unknown = set(spec) - {
            "column",
            "item_id",
            "surveys",
            "scale",
            "meaning",
            "measure",
            "sub_score",
            "element",
            "direction",
        }
        if unknown:
            raise SurveySchemaError(path, f"unknown keys {sorted(unknown)}", field=field)
        for key in ("column", "item_id", "surveys", "scale", "meaning"):
            if not spec.get(key):
                raise SurveySchemaError(path, f"`{key}` is required", field=f"{field}.{key}")
        column = str(spec["column"]).strip()
        if column.casefold() in _FIXED_HEADINGS or QUESTION_CODE.match(column):
            raise SurveySchemaError(
                path,
                "a local item cannot use a standard heading or a question code",
                field=f"{field}.column",
                value=column,
            )
        item_id = str(spec["item_id"])
        if not _SLUG.match(item_id) or item_id in mapped_items or any(item.item_id == item_id for item in items):
            raise SurveySchemaError(
                path,
                "item_id must be a new lower-case id, not used by another item",
                field=f"{field}.item_id",
                value=item_id,
            )
        if any(item.column.casefold() == column.casefold() for item in items):
            raise SurveySchemaError(path, "the same column is declared twice", field=f"{field}.column", value=column)
        surveys = spec["surveys"]
        if not isinstance(surveys, list) or not set(surveys) <= set(KNOWN_SURVEYS):
            raise SurveySchemaError(
                path,
                f"surveys must be a list drawn from {', '.join(KNOWN_SURVEYS)}",
                field=f"{field}.surveys",
                value=str(surveys),
            )
        scale = str(spec["scale"])
        if scale not in scales:
            raise SurveySchemaError(path, f"scale is not in {SCALES_FILE}", field=f"{field}.scale", value=scale)
        measure = spec.get("measure")
        if (scales[scale].scoring == "nps") != bool(measure):
            raise SurveySchemaError(
                path,
                "an nps-scored item needs a `measure`, and only nps-scored items have one",
                field=f"{field}.measure",
                value=str(measure),
            )
        direction = spec.get("direction", "positive")
        if direction not in DIRECTIONS:
            raise SurveySchemaError(path, "direction must be positive or negative", field=f"{field}.direction")
        items.append(
            LocalItem(
                column=column,
                item_id=item_id,
                surveys=tuple(surveys),
                scale=scale,
                meaning=str(spec["meaning"]),
                measure=str(measure) if measure else None,
                sub_score=spec.get("sub_score") or None,
                element=spec.get("element") or None,
                direction=direction,
            )
        )
    return tuple(items)


def _item_catalogue(
    questions: pd.DataFrame, local_items: tuple[LocalItem, ...], scales: Mapping[str, Scale]
) -> pd.DataFrame:
    mapped = questions.drop_duplicates("item_id")[
        ["item_id", "scale", "direction", "sub_score", "element", "scored_only_if"]
    ].copy()
    mapped["measure"] = ""
    local = pd.DataFrame(
        [
            {
                "item_id": item.item_id,
                "scale": item.scale,
                "direction": item.direction,
                "sub_score": item.sub_score or "",
                "element": item.element or "",
                "scored_only_if": "",
                "measure": item.measure or "",
            }
            for item in local_items
        ],
        columns=list(mapped.columns),
    )
    items = pd.concat([mapped, local], ignore_index=True)
    condition = items["scored_only_if"].str.extract(_CONDITION)
    items["scored_only_if_item"] = condition["item"]
    items["scored_only_if_code"] = pd.to_numeric(condition["code"]).astype("Int64")
    items["scoring"] = items["scale"].map(lambda name: scales[name].scoring)
    for column in ("sub_score", "element", "measure"):
        items[column] = items[column].replace("", None)
    return items.drop(columns="scored_only_if")[
        [
            "item_id",
            "scale",
            "scoring",
            "direction",
            "sub_score",
            "element",
            "scored_only_if_item",
            "scored_only_if_code",
            "measure",
        ]
    ]


def load_survey_definitions(schemas_dir: Path | None = None) -> SurveyDefinitions:
    """Load and cross-check the question map, scales and local items from `schemas_dir` (default: the
    repository's `schemas/`)."""
    folder = schemas_dir or SCHEMAS_DIR
    scales = load_scales(folder / SCALES_FILE)
    questions = load_question_map(folder / QUESTIONS_FILE, scales)
    local_items = load_local_items(folder / LOCAL_ITEMS_FILE, scales, set(questions["item_id"]))
    index = {(row.survey, row.year, row.question_code): row.item_id for row in questions.itertuples(index=False)}
    return SurveyDefinitions(
        questions=questions,
        items=_item_catalogue(questions, local_items, scales),
        scales=scales,
        local_items=local_items,
        question_index=MappingProxyType(index),
    )
