"""Anonymity for published survey tables: small-group suppression and protection against working cells out.

Primary rule: a cell resting on fewer than `threshold` responses (11, the NHS Staff Survey's rule) is
suppressed — its values and its `n` are blanked and `suppressed` is true.

Secondary rule: groups nest (directorates add up to the organisation, departments to their directorate, staff
groups to the organisation), and a mean over respondents is additive: parent n x parent score minus the
visible children's n x score is the hidden child's total. So within every family — a parent and the children
one breakdown splits it into — the number of hidden cells must never be exactly one. When it is, the
next-smallest visible sibling is hidden too (or, if the hidden cell is the only child, the parent; if the
hidden cell is the parent, its smallest child), and the check repeats across the whole table until nothing
changes, since each new hidden cell can expose another family. Families are treated as adding up even when
some respondents gave no breakdown label: that costs a little visibility and never relies on the unlabelled
remainder staying unknown.

Composite rule: an element (always_learning) is hidden wherever one of its components (development,
appraisals) is hidden, so it cannot be combined with the visible components to recover the hidden one.

The functions are generic: cells are identified by a node key within independent slices (e.g. period x survey
x measure), and the hierarchy is a frame of (parent, child, breakdown) links between node keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

DEFAULT_THRESHOLD = 11
PRIMARY = "fewer than the threshold of responses"
SECONDARY = "hidden so a suppressed group in its family cannot be worked out by subtraction"
COMPOSITE = "a component of this composite measure is suppressed"


def suppress_small_cells(
    cells: pd.DataFrame,
    links: pd.DataFrame,
    *,
    node_column: str,
    slice_columns: Sequence[str] = (),
    value_columns: Sequence[str] = (),
    n_column: str = "n",
    threshold: int = DEFAULT_THRESHOLD,
    composites: Mapping[str, Sequence[str]] | None = None,
    composite_column: str | None = None,
) -> pd.DataFrame:
    """Apply primary, secondary and composite suppression to a table of published cells.

    `cells`: one row per published cell, unique on `slice_columns` + `node_column`, with a response count in
    `n_column`. `links`: columns `parent`, `child`, `breakdown` naming node keys — the child's respondents are
    part of the parent's, and the children of one (parent, breakdown) together make up the parent.
    `composites` maps a composite measure (a value of `composite_column`, one of the slice columns) to its
    component measures.

    Returns the cells with `suppressed` (bool) and `suppressed_because` (text or None) added, and
    `value_columns` and `n_column` blanked where suppressed (n becomes a nullable integer).
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    slice_columns = list(slice_columns)
    composites = dict(composites or {})
    if composites and composite_column not in slice_columns:
        raise ValueError("composite_column must be one of slice_columns when composites are given")
    key_columns = [*slice_columns, node_column]
    if cells.duplicated(key_columns).any():
        duplicate = cells[cells.duplicated(key_columns, keep=False)].iloc[0]
        raise ValueError(f"cells are not unique on {key_columns}: {duplicate[key_columns].to_dict()}")

    keys = [(tuple(row[:-1]), row[-1]) for row in cells[key_columns].itertuples(index=False, name=None)]
    counts = dict(zip(keys, pd.to_numeric(cells[n_column], errors="coerce"), strict=True))
    reason: dict[tuple[tuple, Hashable], str] = {
        key: PRIMARY for key, n in counts.items() if pd.isna(n) or n < threshold
    }

    families: dict[tuple[Hashable, Hashable], list[Hashable]] = defaultdict(list)
    for parent, child, breakdown in links[["parent", "child", "breakdown"]].itertuples(index=False, name=None):
        if child not in families[(parent, breakdown)]:
            families[(parent, breakdown)].append(child)
    slices = sorted({slice_key for slice_key, _ in keys}, key=repr)
    composite_position = slice_columns.index(composite_column) if composites else -1

    def smallest_visible(slice_key: tuple, nodes: list[Hashable]) -> Hashable | None:
        visible = [node for node in nodes if (slice_key, node) not in reason]
        return min(visible, key=lambda node: (counts[(slice_key, node)], repr(node))) if visible else None

    changed = True
    while changed:
        changed = False
        for slice_key in slices:
            for (parent, _), children in families.items():
                if (slice_key, parent) not in counts:
                    continue
                present = [child for child in children if (slice_key, child) in counts]
                if not present:
                    continue
                hidden_children = [child for child in present if (slice_key, child) in reason]
                parent_hidden = (slice_key, parent) in reason
                if len(hidden_children) + parent_hidden != 1:
                    continue
                target = smallest_visible(slice_key, present)
                if target is None:
                    target = parent
                reason[(slice_key, target)] = SECONDARY
                changed = True
        if composites:
            for slice_key, node in keys:
                measure = slice_key[composite_position]
                if measure not in composites or (slice_key, node) in reason:
                    continue
                for component in composites[measure]:
                    component_key = (
                        slice_key[:composite_position] + (component,) + slice_key[composite_position + 1 :],
                        node,
                    )
                    if component_key in reason:
                        reason[(slice_key, node)] = COMPOSITE
                        changed = True
                        break

    result = cells.copy()
    because = pd.Series([reason.get(key) for key in keys], index=cells.index, dtype="object")
    suppressed = because.notna()
    result["suppressed"] = suppressed.to_numpy()
    result["suppressed_because"] = because
    result[n_column] = pd.to_numeric(result[n_column], errors="coerce").astype("Int64").mask(suppressed)
    for column in value_columns:
        result[column] = result[column].mask(suppressed)
    return result


def hidden_count_by_family(
    cells: pd.DataFrame,
    links: pd.DataFrame,
    *,
    node_column: str,
    slice_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """How many cells of each family are suppressed, per slice: slice columns, parent, breakdown, members,
    hidden. The audit behind the secondary rule: no row may have hidden == 1."""
    slice_columns = list(slice_columns)
    flagged = {
        (tuple(row[:-2]), row[-2]): bool(row[-1])
        for row in cells[[*slice_columns, node_column, "suppressed"]].itertuples(index=False, name=None)
    }
    slices = sorted({slice_key for slice_key, _ in flagged}, key=repr)
    families: dict[tuple[Hashable, Hashable], list[Hashable]] = defaultdict(list)
    for parent, child, breakdown in links[["parent", "child", "breakdown"]].itertuples(index=False, name=None):
        families[(parent, breakdown)].append(child)
    rows = []
    for slice_key in slices:
        for (parent, breakdown), children in families.items():
            if (slice_key, parent) not in flagged:
                continue
            members = [parent] + [child for child in dict.fromkeys(children) if (slice_key, child) in flagged]
            if len(members) == 1:
                continue
            hidden = sum(flagged[(slice_key, member)] for member in members)
            rows.append((*slice_key, parent, breakdown, len(members), hidden))
    return pd.DataFrame(rows, columns=[*slice_columns, "parent", "breakdown", "members", "hidden"])
