"""Anonymity: small groups are suppressed, and no suppressed group can be worked out by subtraction."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.suppression import (
    COMPOSITE,
    PRIMARY,
    SECONDARY,
    hidden_count_by_family,
    suppress_small_cells,
)

ORG = "organisation:Trust"


def cells(counts: dict[str, int], measure: str = "development") -> pd.DataFrame:
    return pd.DataFrame(
        {"measure": measure, "node": list(counts), "n": list(counts.values()), "score": [6.5] * len(counts)}
    )


def links(*triples: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(triples, columns=["parent", "child", "breakdown"])


DIRECTORATES = links(
    (ORG, "directorate:A", "directorate"),
    (ORG, "directorate:B", "directorate"),
    (ORG, "directorate:C", "directorate"),
)


def suppress(frame: pd.DataFrame, hierarchy: pd.DataFrame, **options) -> pd.DataFrame:
    return suppress_small_cells(
        frame, hierarchy, node_column="node", slice_columns=["measure"], value_columns=["score"], **options
    )


def hidden(result: pd.DataFrame) -> set[str]:
    return set(result.loc[result["suppressed"], "node"])


class TestPrimary:
    def test_eleven_responses_are_shown_and_ten_are_not(self):
        result = suppress(cells({"directorate:A": 11, "directorate:B": 10}), links())
        assert hidden(result) == {"directorate:B"}

    def test_suppressed_cell_loses_its_score_and_its_n(self):
        result = suppress(cells({"directorate:B": 4}), links()).iloc[0]
        assert result["suppressed"]
        assert pd.isna(result["score"]) and pd.isna(result["n"])
        assert result["suppressed_because"] == PRIMARY

    def test_group_nobody_answered_is_suppressed(self):
        assert hidden(suppress(cells({"directorate:A": 0}), links())) == {"directorate:A"}

    def test_threshold_is_a_parameter(self):
        result = suppress(cells({"directorate:A": 5, "directorate:B": 4}), links(), threshold=5)
        assert hidden(result) == {"directorate:B"}


class TestSecondary:
    def test_one_small_directorate_hides_the_next_smallest_so_it_cannot_be_subtracted(self):
        # Organisation 100 = 50 + 40 + 10: with only C hidden, C = 100 - 50 - 40.
        result = suppress(
            cells({ORG: 100, "directorate:A": 50, "directorate:B": 40, "directorate:C": 10}), DIRECTORATES
        )
        assert hidden(result) == {"directorate:B", "directorate:C"}
        reasons = dict(zip(result["node"], result["suppressed_because"], strict=True))
        assert (reasons["directorate:C"], reasons["directorate:B"]) == (PRIMARY, SECONDARY)

    def test_two_small_directorates_already_protect_each_other(self):
        result = suppress(cells({ORG: 100, "directorate:A": 82, "directorate:B": 9, "directorate:C": 9}), DIRECTORATES)
        assert hidden(result) == {"directorate:B", "directorate:C"}

    def test_a_small_only_department_hides_its_directorate_and_then_a_sibling_directorate(self):
        # The directorate's single department (8) is hidden; the directorate (30) minus nothing would show it
        # (less its unlabelled remainder), so the directorate goes too, and then the organisation family needs a
        # second hidden directorate: the smaller of A and B.
        frame = cells({ORG: 130, "directorate:A": 60, "directorate:B": 40, "directorate:C": 30, "department:C1": 8})
        hierarchy = pd.concat([DIRECTORATES, links(("directorate:C", "department:C1", "department"))])
        assert hidden(suppress(frame, hierarchy)) == {"department:C1", "directorate:C", "directorate:B"}

    def test_directorate_hidden_to_protect_a_sibling_hides_its_smallest_department(self):
        # B is hidden only to protect C; B's departments 25 + 15 would add back up to B, so one of them goes.
        frame = cells(
            {
                ORG: 100,
                "directorate:A": 50,
                "directorate:B": 40,
                "directorate:C": 10,
                "department:B1": 25,
                "department:B2": 15,
            }
        )
        hierarchy = pd.concat(
            [
                DIRECTORATES,
                links(
                    ("directorate:B", "department:B1", "department"), ("directorate:B", "department:B2", "department")
                ),
            ]
        )
        assert hidden(suppress(frame, hierarchy)) == {"directorate:B", "directorate:C", "department:B2"}

    def test_breakdowns_of_the_same_parent_are_separate_families(self):
        frame = cells({ORG: 100, "directorate:A": 60, "directorate:B": 40, "staff_group:X": 95, "staff_group:Y": 5})
        hierarchy = links(
            (ORG, "directorate:A", "directorate"),
            (ORG, "directorate:B", "directorate"),
            (ORG, "staff_group:X", "staff_group"),
            (ORG, "staff_group:Y", "staff_group"),
        )
        assert hidden(suppress(frame, hierarchy)) == {"staff_group:X", "staff_group:Y"}

    def test_ties_between_siblings_are_broken_the_same_way_every_time(self):
        frame = cells({ORG: 90, "directorate:A": 40, "directorate:B": 40, "directorate:C": 10})
        assert hidden(suppress(frame, DIRECTORATES)) == {"directorate:A", "directorate:C"}


class TestComposite:
    def test_element_is_hidden_when_one_of_its_sub_scores_is(self):
        frame = pd.concat(
            [
                cells({"directorate:A": 30}, "development"),
                cells({"directorate:A": 9}, "appraisals"),
                cells({"directorate:A": 30}, "always_learning"),
            ]
        )
        result = suppress(
            frame, links(), composites={"always_learning": ["development", "appraisals"]}, composite_column="measure"
        )
        state = dict(zip(result["measure"], result["suppressed_because"], strict=True))
        assert state == {"development": None, "appraisals": PRIMARY, "always_learning": COMPOSITE}

    def test_element_hidden_through_a_sub_score_is_then_protected_from_subtraction(self):
        frame = pd.concat(
            [
                cells({ORG: 100, "directorate:A": 50, "directorate:B": 40, "directorate:C": 10}, "development"),
                cells({ORG: 100, "directorate:A": 50, "directorate:B": 40, "directorate:C": 10}, "appraisals"),
                cells({ORG: 100, "directorate:A": 50, "directorate:B": 40, "directorate:C": 12}, "always_learning"),
            ]
        )
        result = suppress(
            frame,
            DIRECTORATES,
            composites={"always_learning": ["development", "appraisals"]},
            composite_column="measure",
        )
        element = result[result["measure"] == "always_learning"]
        assert hidden(element) == {"directorate:B", "directorate:C"}


def test_cells_must_be_unique_per_slice_and_node():
    with pytest.raises(ValueError, match="not unique"):
        suppress(cells({"directorate:A": 20}).pipe(lambda frame: pd.concat([frame, frame])), links())


@st.composite
def trust_tables(draw):
    """A trust of 1-5 directorates with 1-3 departments each (plus unlabelled respondents) and 1-4 staff groups,
    with counts for two sub-scores and their element, each adding up the hierarchy."""
    shape = draw(
        st.lists(
            st.tuples(st.lists(st.integers(0, 30), min_size=1, max_size=3), st.integers(0, 3)),
            min_size=1,
            max_size=5,
        )
    )
    group_count = draw(st.integers(1, 4))
    rows, hierarchy = [], []
    for measure in ("development", "appraisals", "always_learning"):
        organisation = 0
        for d, (departments, unlabelled) in enumerate(shape):
            drop = draw(st.integers(0, 2)) if measure != "always_learning" else 0
            counts = [max(0, n - drop) for n in departments]
            directorate = sum(counts) + unlabelled
            organisation += directorate
            rows.append((measure, f"directorate:{d}", directorate))
            for k, n in enumerate(counts):
                rows.append((measure, f"department:{d}.{k}", n))
        rows.append((measure, ORG, organisation))
        cuts = sorted(draw(st.lists(st.integers(0, organisation), min_size=group_count - 1, max_size=group_count - 1)))
        for g, (low, high) in enumerate(zip([0, *cuts], [*cuts, organisation], strict=True)):
            rows.append((measure, f"staff_group:{g}", high - low))
    for d, (departments, _) in enumerate(shape):
        hierarchy.append((ORG, f"directorate:{d}", "directorate"))
        hierarchy.extend((f"directorate:{d}", f"department:{d}.{k}", "department") for k in range(len(departments)))
    hierarchy.extend((ORG, f"staff_group:{g}", "staff_group") for g in range(group_count))
    frame = pd.DataFrame(rows, columns=["measure", "node", "n"]).assign(score=5.0)
    return frame, links(*hierarchy), draw(st.integers(1, 15))


COMPOSITES = {"always_learning": ["development", "appraisals"]}


def suppressed_table(table):
    frame, hierarchy, threshold = table
    result = suppress(frame, hierarchy, threshold=threshold, composites=COMPOSITES, composite_column="measure")
    return frame, hierarchy, threshold, result


@settings(max_examples=150, deadline=None)
@given(trust_tables())
def test_no_published_cell_rests_on_fewer_responses_than_the_threshold(table):
    frame, _, threshold, result = suppressed_table(table)
    shown = frame[~result["suppressed"].to_numpy()]
    assert (shown["n"] >= threshold).all()
    assert result.loc[~result["suppressed"], "n"].notna().all()
    assert result.loc[result["suppressed"], ["n", "score"]].isna().all().all()


@settings(max_examples=150, deadline=None)
@given(trust_tables())
def test_no_family_has_exactly_one_hidden_cell(table):
    _, hierarchy, _, result = suppressed_table(table)
    audit = hidden_count_by_family(result, hierarchy, node_column="node", slice_columns=["measure"])
    assert not (audit["hidden"] == 1).any(), audit[audit["hidden"] == 1]


@settings(max_examples=100, deadline=None)
@given(trust_tables())
def test_an_element_is_never_shown_where_one_of_its_sub_scores_is_hidden(table):
    _, _, _, result = suppressed_table(table)
    flags = result.pivot(index="node", columns="measure", values="suppressed")
    assert not (~flags["always_learning"] & (flags["development"] | flags["appraisals"])).any()


@settings(max_examples=100, deadline=None)
@given(trust_tables())
def test_suppressing_an_already_suppressed_table_changes_nothing(table):
    _, hierarchy, threshold, result = suppressed_table(table)
    again = suppress(
        result.drop(columns=["suppressed", "suppressed_because"]),
        hierarchy,
        threshold=threshold,
        composites=COMPOSITES,
        composite_column="measure",
    )
    assert list(again["suppressed"]) == list(result["suppressed"])
