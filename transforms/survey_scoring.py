"""Survey scoring: answer codes -> 0-10 item scores -> respondent sub-scores and elements -> group measures,
Net Promoter Scores, Kirkpatrick summaries of course evaluations, and the two published survey marts.

The NHS Staff Survey method, followed here for local cuts:
- an item score is the answer code's 0-10 score from `schemas/survey_scales.yaml` (5-point: 1->0, 2->2.5,
  3->5, 4->7.5, 5->10), reversed (10 - score) for a negatively worded item; "Can't remember"-type codes are
  not scored;
- a respondent's sub-score is the mean of the items of that sub-score they answered (one answered item is
  enough);
- a respondent's element (theme) score is the mean of the sub-scores they have in it, and staff engagement is
  the element made of motivation, involvement and advocacy;
- a group's measure is the mean over its respondents of their score, so every respondent weighs the same
  however many items they answered (the national figures are further weighted by staff group; those are taken
  as published and never recomputed), and `n` is the number of respondents with a score — those who answered
  at least one of the measure's items, not the number of rows in the group;
- the appraisal quality items (q23b-d in 2023) count only for respondents who said they had an appraisal
  (q23a = 1 Yes): the questionnaire routes everyone else past them, so any answer they left there is ignored,
  and a respondent without an appraisal has no appraisals sub-score and is not in its `n`.

A respondent is known only by the file-local `response_id` the readers give; nothing here can reach a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import pandas as pd

from connectors.surveys.definitions import SurveyDefinitions
from connectors.surveys.localities import LocalityMap
from transforms.suppression import DEFAULT_THRESHOLD, suppress_small_cells

ENGAGEMENT_COLUMNS = (
    "period",
    "survey",
    "org_level",
    "org_unit",
    "measure",
    "source",
    "score",
    "n",
    "suppressed",
)
COURSE_EVALUATION_COLUMNS = (
    "course_id",
    "period",
    "kirkpatrick_level",
    "measure",
    "value",
    "n",
    "suppressed",
)
ORGANISATION = "organisation"
STAFF_GROUP = "staff_group"
PRE_TEST_ITEM = "pre_test_pct"
POST_TEST_ITEM = "post_test_pct"
TEST_GAIN_MEASURE = "test_gain_mean"
Period = Literal["month", "quarter"]


def item_scores(answers: pd.DataFrame, definitions: SurveyDefinitions) -> pd.DataFrame:
    """Every scored answer as a 0-10 item score: response_id, item_id, sub_score, element, score.

    Answers that carry no score are left out: routing questions, codes scored null ("Can't remember"), items
    outside any sub-score, 0-10 recommend items (summarised as NPS instead), and items whose `scored_only_if`
    condition the respondent did not meet.
    """
    items = definitions.items
    unknown = set(answers["item_id"]) - set(items["item_id"])
    if unknown:
        raise ValueError(f"answers hold items not in the survey definitions: {sorted(unknown)}")
    code_scores = pd.DataFrame(
        [(name, code, score) for name, scale in definitions.scales.items() for code, score in scale.scores.items()],
        columns=["scale", "code", "score"],
    ).astype({"code": "Int64", "score": "float64"})
    scored = answers.merge(items, on="item_id", how="left").merge(code_scores, on=["scale", "code"], how="left")
    gate = answers[["response_id", "item_id", "code"]].rename(
        columns={"item_id": "scored_only_if_item", "code": "gate_code"}
    )
    scored = scored.merge(gate, on=["response_id", "scored_only_if_item"], how="left")
    routed_out = scored["scored_only_if_item"].notna() & (
        scored["gate_code"].isna() | (scored["gate_code"] != scored["scored_only_if_code"])
    )
    keep = (scored["scoring"] == "mean") & scored["sub_score"].notna() & scored["score"].notna() & ~routed_out
    scored = scored[keep].copy()
    negative = scored["direction"] == "negative"
    scored.loc[negative, "score"] = 10.0 - scored.loc[negative, "score"]
    return scored[["response_id", "item_id", "sub_score", "element", "score"]].reset_index(drop=True)


def respondent_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's sub-scores and element scores: response_id, measure, measure_type, score.

    A sub-score is the mean of the respondent's item scores in it; an element the mean of the respondent's
    sub-scores in it (so an element counts every respondent with any of its sub-scores)."""
    sub = scores.groupby(["response_id", "sub_score"], as_index=False)["score"].mean()
    sub = sub.rename(columns={"sub_score": "measure"}).assign(measure_type="sub_score")
    element_of = scores.dropna(subset=["element"]).drop_duplicates("sub_score").set_index("sub_score")["element"]
    with_element = sub.assign(element=sub["measure"].map(element_of)).dropna(subset=["element"])
    element = with_element.groupby(["response_id", "element"], as_index=False)["score"].mean()
    element = element.rename(columns={"element": "measure"}).assign(measure_type="element")
    frame = pd.concat([sub, element], ignore_index=True)
    return frame[["response_id", "measure", "measure_type", "score"]]


def group_scores(respondents: pd.DataFrame, scores_by_respondent: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Mean of respondent scores per group: the `by` columns, measure, measure_type, score, n (respondents
    with a score for the measure)."""
    by = list(by)
    merged = scores_by_respondent.merge(respondents[["response_id", *by]], on="response_id", how="inner")
    grouped = merged.groupby([*by, "measure", "measure_type"], as_index=False, dropna=False).agg(
        score=("score", "mean"), n=("score", "size")
    )
    return grouped


def net_promoter_score(values: Iterable[float]) -> float | None:
    """Net Promoter Score of 0-10 answers: % scoring 9-10 minus % scoring 0-6, from -100 to 100.

    7 and 8 are passives: they count in the denominator only. None when nobody answered."""
    answers = pd.Series(list(values), dtype="float64").dropna()
    if answers.empty:
        return None
    if ((answers < 0) | (answers > 10) | (answers % 1 != 0)).any():
        raise ValueError("NPS answers must be whole numbers from 0 to 10")
    promoters = (answers >= 9).sum()
    detractors = (answers <= 6).sum()
    return 100.0 * float(promoters - detractors) / len(answers)


def group_nps(
    respondents: pd.DataFrame, answers: pd.DataFrame, definitions: SurveyDefinitions, by: Sequence[str]
) -> pd.DataFrame:
    """NPS per group for each nps-scored item: the `by` columns, measure (the item's declared measure, e.g.
    learning_nps), measure_type `nps`, score, n (respondents who answered the item)."""
    by = list(by)
    nps_items = definitions.items.loc[definitions.items["scoring"] == "nps", ["item_id", "measure"]]
    chosen = answers.merge(nps_items, on="item_id", how="inner")
    merged = chosen.merge(respondents[["response_id", *by]], on="response_id", how="inner")
    columns = [*by, "measure", "measure_type", "score", "n"]
    if merged.empty:
        return pd.DataFrame(columns=columns)
    grouped = merged.groupby([*by, "measure"], dropna=False)["code"]
    frame = grouped.agg(score=lambda codes: net_promoter_score(codes.astype("float64")), n="size").reset_index()
    return frame.assign(measure_type="nps")[columns]


def respondent_units(respondents: pd.DataFrame, localities: LocalityMap, organisation_unit: str) -> pd.DataFrame:
    """Which groups each respondent counts in: response_id, period, survey, org_level, org_unit, parent_unit.

    Everyone counts in the organisation (named `organisation_unit`, as compliance names it); a respondent
    counts in a directorate, department or staff group when their label maps to one. parent_unit is the group
    the unit nests in (a department's directorate, or the organisation) — the families suppression
    protects."""
    base = respondents[["response_id", "period", "survey"]]
    parts = [base.assign(org_level=ORGANISATION, org_unit=organisation_unit, parent_level=None, parent_unit=None)]
    units_by_column: dict[str, pd.Series] = {}
    levels_by_column = {level.column: level.org_level for level in localities.levels}
    for level in localities.levels:
        units = respondents[level.column.lower()].map(lambda label, level=level: localities.unit_for(level, label))
        units_by_column[level.column] = units
        parent_units = pd.Series(organisation_unit, index=respondents.index, dtype=object)
        parent_levels = pd.Series(ORGANISATION, index=respondents.index, dtype=object)
        if level.parent is not None:
            # A unit nests in its parent level's unit; a respondent without a parent label nests in the trust.
            has_parent = units_by_column[level.parent].notna()
            parent_units[has_parent] = units_by_column[level.parent][has_parent]
            parent_levels[has_parent] = levels_by_column[level.parent]
        parts.append(
            base.assign(
                org_level=level.org_level,
                org_unit=units,
                parent_level=parent_levels,
                parent_unit=parent_units,
            )[units.notna()]
        )
    groups = respondents["staff_group"].map(localities.staff_group_for)
    parts.append(
        base.assign(org_level=STAFF_GROUP, org_unit=groups, parent_level=ORGANISATION, parent_unit=organisation_unit)[
            groups.notna()
        ]
    )
    return pd.concat(parts, ignore_index=True)


def unit_node(org_level: pd.Series, org_unit: pd.Series) -> pd.Series:
    """The suppression node key of a group: `directorate:457 Operations`."""
    return org_level.astype(str) + ":" + org_unit.astype(str)


def suppression_links(memberships: pd.DataFrame) -> pd.DataFrame:
    """The (parent, child, breakdown) links between group nodes that `respondent_units` memberships imply:
    directorates and staff groups in the organisation, departments in their directorate."""
    family = memberships.dropna(subset=["parent_unit"]).drop_duplicates(
        ["org_level", "org_unit", "parent_level", "parent_unit"]
    )
    return pd.DataFrame(
        {
            "parent": unit_node(family["parent_level"], family["parent_unit"]),
            "child": unit_node(family["org_level"], family["org_unit"]),
            "breakdown": family["org_level"],
        }
    ).reset_index(drop=True)


def learning_engagement(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    definitions: SurveyDefinitions,
    localities: LocalityMap,
    *,
    organisation_unit: str,
    published: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The `learning_engagement` mart: local cuts of every survey's responses, plus published organisation
    results.

    One row per period x survey x org_level x org_unit x measure x source: `period` (`2023` for the NSS,
    `2024-25 Q1` for pulse), `survey` (NSS, NQPS), `org_level` (organisation, directorate, department,
    staff_group), `org_unit` (named as compliance names it), `measure` (sub-scores such as development and
    appraisals, elements such as always_learning and staff_engagement, NPS measures such as learning_nps, and
    the published measure ids), `source` (`local` computed here, `published` as the survey published it),
    `score` (0-10, or -100..100 for NPS), `n` and `suppressed`.

    Every group that has respondents in a period gets a row for every measure asked that period, even when
    none of its respondents answered it (n = 0, suppressed), so the suppression families are complete. Local
    cells go through primary, secondary and element suppression; published rows keep their published figures,
    with any row under the threshold also hidden.
    """
    scores = respondent_scores(item_scores(answers, definitions))
    memberships = respondent_units(respondents, localities, organisation_unit)
    keys = ["period", "survey", "org_level", "org_unit"]
    cells = pd.concat(
        [
            group_scores(memberships, scores, keys),
            group_nps(memberships, answers, definitions, keys),
        ],
        ignore_index=True,
    )
    units = memberships[keys].drop_duplicates()
    measures = cells[["period", "survey", "measure", "measure_type"]].drop_duplicates()
    grid = units.merge(measures, on=["period", "survey"], how="inner")
    cells = grid.merge(cells, on=[*keys, "measure", "measure_type"], how="left")
    cells["n"] = cells["n"].fillna(0).astype("int64")
    cells["node"] = unit_node(cells["org_level"], cells["org_unit"])

    local = suppress_small_cells(
        cells,
        suppression_links(memberships),
        node_column="node",
        slice_columns=["period", "survey", "measure"],
        value_columns=["score"],
        threshold=threshold,
        composites=element_components(definitions),
        composite_column="measure",
    ).assign(source="local")
    frames = [local]
    if published is not None and not published.empty:
        frames.append(_published_rows(published, organisation_unit, threshold))
    mart = pd.concat([frame[list(ENGAGEMENT_COLUMNS)] for frame in frames], ignore_index=True)
    mart["score"] = mart["score"].astype("Float64")
    mart["n"] = mart["n"].astype("Int64")
    mart["suppressed"] = mart["suppressed"].astype(bool)
    order = {ORGANISATION: 0, "directorate": 1, "department": 2, STAFF_GROUP: 3}
    return mart.sort_values(
        ["survey", "period", "source", "org_level", "org_unit", "measure"],
        key=lambda column: column.map(order) if column.name == "org_level" else column,
    ).reset_index(drop=True)


def _published_rows(published: pd.DataFrame, organisation_unit: str, threshold: int) -> pd.DataFrame:
    """The trust's own published scores (elements, themes, sub-scores) as mart rows, figures untouched."""
    own = published[(published["level"] == ORGANISATION) & (published["measure_type"] != "question")]
    suppressed = own["suppressed"].astype(bool) | (own["n"].notna() & (own["n"] < threshold)).astype(bool)
    return pd.DataFrame(
        {
            "period": own["year"].astype(str),
            "survey": own["survey"],
            "org_level": ORGANISATION,
            "org_unit": organisation_unit,
            "measure": own["measure_id"],
            "source": "published",
            "score": own["score_0_10"].astype("Float64").mask(suppressed),
            "n": own["n"].astype("Int64").mask(suppressed),
            "suppressed": suppressed,
        }
    )


def period_label(timestamps: pd.Series, period: Period) -> pd.Series:
    """The reporting period of each timestamp: `2025-03` by month, or the NHS financial quarter `2024-25 Q4`
    (April-June is Q1), the same labels the pulse survey uses."""
    if period == "month":
        return timestamps.dt.strftime("%Y-%m")
    if period != "quarter":
        raise ValueError(f"period must be 'month' or 'quarter', got {period!r}")
    start = timestamps.dt.year - (timestamps.dt.month < 4).astype(int)
    quarter = (timestamps.dt.month - 4) % 12 // 3 + 1
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2) + " Q" + quarter.astype(str)


def kirkpatrick_summary(responses: pd.DataFrame, period: Period = "quarter") -> pd.DataFrame:
    """Course evaluations summarised per course, period and Kirkpatrick level, before suppression.

    Columns: course_id, period, kirkpatrick_level, measure, value, n. Levels 1-3 are read by each item's scale
    — `rating5` and `percent` items give `<item>_mean`, an `nps11` item `<item>_nps` (e.g. the course NPS), a
    `yes_no` item `<item>_pct` (% answering yes, e.g. applied in practice at level 3) — and level 2 adds
    `test_gain_mean`, the mean of post-test minus pre-test % within each evaluation that has both. Level 4
    items are organisational figures reported as given: the latest value submitted in the period, with n the
    number of submissions. n counts the evaluations behind each value.
    """
    frame = responses.assign(period=period_label(responses["submitted_at"], period))
    keys = ["course_id", "period", "kirkpatrick_level"]
    columns = [*keys, "measure", "value", "n"]
    parts = []
    learner = frame[frame["kirkpatrick_level"] < 4]
    for scale, suffix, summary in (
        ("rating5", "_mean", "mean"),
        ("percent", "_mean", "mean"),
        ("yes_no", "_pct", lambda values: 100.0 * values.mean()),
        ("nps11", "_nps", net_promoter_score),
    ):
        chosen = learner[learner["scale"] == scale]
        if chosen.empty:
            continue
        grouped = chosen.groupby([*keys, "item_id"])["response_value"].agg(value=summary, n="size").reset_index()
        parts.append(grouped.assign(measure=grouped["item_id"] + suffix)[columns])
    tests = learner[learner["item_id"].isin([PRE_TEST_ITEM, POST_TEST_ITEM])]
    paired = tests.pivot_table(
        index=[*keys, "evaluation_id"], columns="item_id", values="response_value", aggfunc="first"
    ).dropna()
    if not paired.empty and {PRE_TEST_ITEM, POST_TEST_ITEM} <= set(paired.columns):
        gain = (paired[POST_TEST_ITEM] - paired[PRE_TEST_ITEM]).rename("gain").reset_index()
        grouped = gain.groupby(keys)["gain"].agg(value="mean", n="size").reset_index()
        parts.append(grouped.assign(measure=TEST_GAIN_MEASURE)[columns])
    results = frame[frame["kirkpatrick_level"] == 4].sort_values("submitted_at", kind="stable")
    if not results.empty:
        grouped = results.groupby([*keys, "item_id"])["response_value"].agg(value="last", n="size").reset_index()
        parts.append(grouped.rename(columns={"item_id": "measure"})[columns])
    if not parts:
        return pd.DataFrame(columns=columns)
    summary = pd.concat(parts, ignore_index=True)
    summary["kirkpatrick_level"] = summary["kirkpatrick_level"].astype("int64")
    return summary.sort_values([*keys, "measure"]).reset_index(drop=True)


def course_evaluation(
    responses: pd.DataFrame, period: Period = "quarter", threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The `course_evaluation` mart: course_id, period, kirkpatrick_level, measure, value, n, suppressed.

    Learner measures (levels 1-3) resting on fewer than `threshold` evaluations are suppressed (value and n
    blanked). Level 4 figures are organisational results, not anyone's answers, and are published as given."""
    summary = kirkpatrick_summary(responses, period)
    learner = summary[summary["kirkpatrick_level"] < 4]
    suppressed = suppress_small_cells(
        learner,
        pd.DataFrame(columns=["parent", "child", "breakdown"]),
        node_column="course_id",
        slice_columns=["period", "kirkpatrick_level", "measure"],
        value_columns=["value"],
        threshold=threshold,
    )
    organisational = summary[summary["kirkpatrick_level"] == 4].assign(suppressed=False)
    mart = pd.concat([suppressed, organisational], ignore_index=True)[list(COURSE_EVALUATION_COLUMNS)]
    mart["value"] = mart["value"].astype("Float64")
    mart["n"] = mart["n"].astype("Int64")
    mart["suppressed"] = mart["suppressed"].astype(bool)
    return mart.sort_values(["course_id", "period", "kirkpatrick_level", "measure"]).reset_index(drop=True)


def element_components(definitions: SurveyDefinitions) -> Mapping[str, tuple[str, ...]]:
    """Each element and the sub-scores it is the mean of, from the question map."""
    items = definitions.items.dropna(subset=["element"])
    return {element: tuple(sorted(group["sub_score"].unique())) for element, group in items.groupby("element")}
