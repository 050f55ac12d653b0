"""The unified learner record's matching rules: which ESR, Totara and student records are one person.

A *candidate* row is one person record of one source system: `source_system` (`esr`, `totara`,
`student_system`), `source_key`, `employee_number` (the ESR key; an apprentice's `esr_employee_number`; a
Totara user's `idnumber`), `email`, `forenames`, `surname`, `date_of_birth`. Candidates must be each system's
whole current population, because "unique" below means unique among all of a system's records.

The *crosswalk* gives every source record its learner: (`source_system`, `source_key`, `learner_id`,
`match_method`, `confidence`, `matched_at`). `match_method` says how the record joined its learner: `new`
(it founded the learner), `exact`, `email`, `name_dob` or `steward`, each with its confidence
(`MATCH_CONFIDENCE`).

Rules, applied in order to each pair of systems (esr–totara, esr–student_system, totara–student_system):
1. `exact`: the same employee number (apprentice's ESR number, Totara idnumber = ESR employee number).
2. `email`: the same address after trimming and ignoring case, used only when it is unique within both systems
   (a shared mailbox is no evidence of identity, so it is simply not used).
3. `name_dob`: the same surname, date of birth and first initial after normalising accents, hyphens,
   apostrophes, spaces and case (`Siân O'Brien-Jones` = `Sian Obrien Jones`).
Nothing ambiguous is merged: more than one candidate at a rule, or a link that would put two records of one
system into one learner, or join two learners that already exist, goes to the *review* frame with its reason.

Stewards' decisions persist: a confirmed pair is merged (`steward`, 1.0) and a rejected pair is never merged
by any rule, even indirectly; a rejection of two records that already share a learner detaches the
later-matched of the two into a learner of its own. The latest decision on a pair wins.

Learner ids are stable: a record keeps its learner from run to run. New learners get `L` + an 8-digit sequence
continuing after the highest id ever issued (crosswalk and retired ids alike), numbered in the order of their
founding records (system order above, then source key), so the same inputs always give the same ids. When a
steward joins two existing learners, the older one (earliest `matched_at`) keeps its id and the other is
*retired* into it; retired ids are never issued again as long as the retired frame is passed back in.

Date of birth is read for matching only: no output carries it.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import itemgetter
from types import MappingProxyType

import numpy as np
import pandas as pd

SOURCE_SYSTEMS: tuple[str, ...] = ("esr", "totara", "student_system")
RULES: tuple[str, ...] = ("exact", "email", "name_dob")

#: Confidence of each way a record can join a learner.
MATCH_CONFIDENCE: Mapping[str, float] = MappingProxyType(
    {"new": 1.0, "steward": 1.0, "exact": 1.0, "email": 0.95, "name_dob": 0.85}
)

LEARNER_ID_PREFIX = "L"
LEARNER_ID_DIGITS = 8

CANDIDATE_COLUMNS = (
    "source_system",
    "source_key",
    "employee_number",
    "email",
    "forenames",
    "surname",
    "date_of_birth",
)
CROSSWALK_COLUMNS = ("source_system", "source_key", "learner_id", "match_method", "confidence", "matched_at")
DECISION_COLUMNS = (
    "source_system_a",
    "source_key_a",
    "source_system_b",
    "source_key_b",
    "decision",
    "decided_by",
    "decided_on",
)
REVIEW_COLUMNS = (
    "source_system_a",
    "source_key_a",
    "learner_id_a",
    "source_system_b",
    "source_key_b",
    "learner_id_b",
    "rule",
    "reason",
    "detail",
    "raised_at",
)
RETIRED_COLUMNS = ("learner_id", "merged_into", "retired_at")

_SYSTEM_RANK = {system: rank for rank, system in enumerate(SOURCE_SYSTEMS)}
_METHOD_RANK = {method: rank for rank, method in enumerate(("new", "exact", "steward", "email", "name_dob"))}
_SYSTEM_PAIRS = tuple(
    (SOURCE_SYSTEMS[i], SOURCE_SYSTEMS[j])
    for i in range(len(SOURCE_SYSTEMS))
    for j in range(i + 1, len(SOURCE_SYSTEMS))
)
#: Letters NFKD does not decompose into a base letter plus accent.
_LETTER_FOLDS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})

Ref = tuple[str, str]


@dataclass(frozen=True)
class IdentityResult:
    """One matching run's outputs.

    `crosswalk`: one row per source record (`CROSSWALK_COLUMNS`), the full new crosswalk to store.
    `review`: one row per pair a steward should decide (`REVIEW_COLUMNS`), the open items of this run.
    `retired`: every learner id merged into another (`RETIRED_COLUMNS`), earlier runs' included.
    """

    crosswalk: pd.DataFrame
    review: pd.DataFrame
    retired: pd.DataFrame


def normalise_name(text: object) -> str:
    """A name reduced for comparison: accents, hyphens, apostrophes, spaces and case removed.

    `O'Brien-Jones`, `Obrien Jones` and `OBRIEN-JONES` all become `obrienjones`; `Siân` becomes `sian`.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and pd.isna(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().translate(_LETTER_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum())


def normalise_email(text: object) -> str:
    """An address trimmed and case-folded (`" Sian.OBrien@NHS.net"` → `"sian.obrien@nhs.net"`), or ""."""
    if text is None or text is pd.NA or (isinstance(text, float) and pd.isna(text)):
        return ""
    return str(text).strip().casefold()


def match_learners(
    candidates: pd.DataFrame,
    crosswalk: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    *,
    matched_at: datetime,
    retired: pd.DataFrame | None = None,
) -> IdentityResult:
    """Link candidate person records into learners; see the module docstring for the rules.

    `crosswalk`, `decisions` and `retired` are the previous run's stored frames (None or empty on the first
    run); `matched_at` stamps new links, review rows and retirements.
    """
    stamp = pd.Timestamp(matched_at)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    people = _prepare_candidates(candidates)
    existing = _prepare_crosswalk(crosswalk, people["ref"])
    confirmed, rejected = _prepare_decisions(decisions)
    retired_before = _prepare_retired(retired)

    run = _MatchingRun(_sorted_refs(people["ref"], existing), existing, rejected, stamp)
    run.detach_rejected_pairs()
    run.join_existing_learners()
    run.apply_confirmations(confirmed)
    for rule in RULES:
        for system_a, system_b in _SYSTEM_PAIRS:
            linked, ambiguous = _rule_pairs(people, rule, system_a, system_b)
            for ref_a, ref_b, detail in ambiguous:
                run.raise_ambiguity(ref_a, ref_b, rule, detail)
            for ref_a, ref_b in linked:
                run.try_link(ref_a, ref_b, rule)
    del people  # the comparison keys are done with; the result needs the memory at national size
    return run.result(retired_before)


class _MatchingRun:
    """The clusters of one run (a union-find over source records) and what happened to them."""

    def __init__(
        self,
        refs: list[Ref],
        existing: Mapping[Ref, _StoredLink],
        rejected: set[frozenset[Ref]],
        stamp: pd.Timestamp,
    ) -> None:
        """`refs`: every record of the run, once each, in record order (`_ref_order`)."""
        self.refs = refs
        self.existing = existing
        self.rejected = rejected
        self.stamp = stamp
        self.parent: dict[Ref, Ref] = {ref: ref for ref in self.refs}
        # Only clusters of two or more records are listed: a region's or the nation's records are mostly alone
        # until the rules join them, and a list each would cost more than the record itself.
        self.joined: dict[Ref, list[Ref]] = {}
        self.detached: set[Ref] = set()
        self.edges: list[tuple[Ref, Ref, str]] = []
        self.reviews: dict[frozenset[Ref], tuple[Ref, Ref, str, str, str]] = {}
        self.rejected_partners: dict[Ref, set[Ref]] = defaultdict(set)
        for pair in rejected:
            ref_a, ref_b = sorted(pair, key=_ref_order)
            self.rejected_partners[ref_a].add(ref_b)
            self.rejected_partners[ref_b].add(ref_a)

    def find(self, ref: Ref) -> Ref:
        root = ref
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[ref] != root:
            self.parent[ref], ref = root, self.parent[ref]
        return root

    def union(self, ref_a: Ref, ref_b: Ref) -> None:
        root_a, root_b = self.find(ref_a), self.find(ref_b)
        if root_a == root_b:
            return
        members_a, members_b = self.joined.pop(root_a, [root_a]), self.joined.pop(root_b, [root_b])
        if len(members_a) < len(members_b):
            root_a, root_b, members_a, members_b = root_b, root_a, members_b, members_a
        self.parent[root_b] = root_a
        members_a.extend(members_b)
        self.joined[root_a] = members_a

    def members(self, root: Ref) -> list[Ref]:
        """The records of the cluster `root` heads."""
        return self.joined.get(root, [root])

    def systems(self, root: Ref) -> set[str]:
        return {system for system, _ in self.members(root)}

    def learner_ids(self, root: Ref) -> set[str]:
        return {
            self.existing[ref].learner_id
            for ref in self.members(root)
            if ref in self.existing and ref not in self.detached
        }

    def rejection_between(self, root_a: Ref, root_b: Ref) -> tuple[Ref, Ref] | None:
        """A steward-rejected pair with one record in each cluster, if any."""
        for member in self.members(root_a):
            for partner in self.rejected_partners.get(member, ()):
                if self.find(partner) == root_b:
                    return member, partner
        return None

    def detach_rejected_pairs(self) -> None:
        """A rejected pair already sharing a learner: the later-matched record leaves that learner."""
        for pair in sorted(self.rejected, key=lambda p: sorted(map(_ref_order, p))):
            ref_a, ref_b = sorted(pair, key=_ref_order)
            if ref_a not in self.existing or ref_b not in self.existing:
                continue
            if ref_a in self.detached or ref_b in self.detached:
                continue
            if self.existing[ref_a].learner_id != self.existing[ref_b].learner_id:
                continue
            self.detached.add(max(ref_a, ref_b, key=lambda ref: self.existing[ref].seniority(ref)))

    def join_existing_learners(self) -> None:
        by_learner: dict[str, list[Ref]] = defaultdict(list)
        for ref, link in self.existing.items():
            if ref not in self.detached:
                by_learner[link.learner_id].append(ref)
        for members in by_learner.values():
            for member in members[1:]:
                self.union(members[0], member)

    def apply_confirmations(self, confirmed: Iterable[frozenset[Ref]]) -> None:
        for pair in sorted(confirmed, key=lambda p: sorted(map(_ref_order, p))):
            ref_a, ref_b = sorted(pair, key=_ref_order)
            if ref_a not in self.parent or ref_b not in self.parent:
                continue  # applied on the run that first holds both records
            root_a, root_b = self.find(ref_a), self.find(ref_b)
            if root_a == root_b:
                continue
            clash = self.rejection_between(root_a, root_b)
            if clash is not None:
                detail = (
                    f"confirmed pair would join {_describe(clash[0])} and {_describe(clash[1])}, "
                    "which a steward rejected; withdraw one of the two decisions"
                )
                self._review(ref_a, ref_b, "steward", "steward_decisions_conflict", detail)
                continue
            self.union(ref_a, ref_b)
            self.edges.append((ref_a, ref_b, "steward"))

    def raise_ambiguity(self, ref_a: Ref, ref_b: Ref, rule: str, detail: str) -> None:
        """Review an ambiguous pair unless it is already settled (linked, decided, or linked elsewhere)."""
        if frozenset((ref_a, ref_b)) in self.rejected:
            return
        root_a, root_b = self.find(ref_a), self.find(ref_b)
        if root_a == root_b or ref_b[0] in self.systems(root_a) or ref_a[0] in self.systems(root_b):
            return
        self._review(ref_a, ref_b, rule, f"ambiguous_{rule}", detail)

    def try_link(self, ref_a: Ref, ref_b: Ref, rule: str) -> None:
        """Join the pair's learners if nothing speaks against it; otherwise say why in the review frame."""
        if frozenset((ref_a, ref_b)) in self.rejected:
            return
        root_a, root_b = self.find(ref_a), self.find(ref_b)
        if root_a == root_b:
            return
        shared = sorted(self.systems(root_a) & self.systems(root_b), key=_SYSTEM_RANK.__getitem__)
        if shared:
            holders = ", ".join(
                _describe(ref)
                for ref in sorted(self.members(root_a) + self.members(root_b), key=_ref_order)
                if ref[0] in shared
            )
            detail = (
                f"{rule} links {_describe(ref_a)} with {_describe(ref_b)}, but that would put more than one "
                f"{' and '.join(shared)} record into one learner ({holders})"
            )
            self._review(ref_a, ref_b, rule, "conflicting_match", detail)
            return
        clash = self.rejection_between(root_a, root_b)
        if clash is not None:
            detail = (
                f"{rule} links {_describe(ref_a)} with {_describe(ref_b)}, joining {_describe(clash[0])} and "
                f"{_describe(clash[1])}, which a steward rejected"
            )
            self._review(ref_a, ref_b, rule, "conflicts_with_rejection", detail)
            return
        ids_a, ids_b = self.learner_ids(root_a), self.learner_ids(root_b)
        if ids_a and ids_b:
            detail = (
                f"{rule} links {_describe(ref_a)} (learner {min(ids_a)}) with {_describe(ref_b)} "
                f"(learner {min(ids_b)}); joining two existing learners needs a steward's confirmation"
            )
            self._review(ref_a, ref_b, rule, "would_merge_existing_learners", detail)
            return
        self.union(ref_a, ref_b)
        self.edges.append((ref_a, ref_b, rule))

    def _review(self, ref_a: Ref, ref_b: Ref, rule: str, reason: str, detail: str) -> None:
        ref_a, ref_b = sorted((ref_a, ref_b), key=_ref_order)
        self.reviews.setdefault(frozenset((ref_a, ref_b)), (ref_a, ref_b, rule, reason, detail))

    def result(self, retired_before: pd.DataFrame) -> IdentityResult:
        learner_of_root, retirements = self._assign_learner_ids(retired_before)
        crosswalk = _typed_crosswalk(pd.DataFrame(self._links(learner_of_root), columns=list(CROSSWALK_COLUMNS)))
        review = pd.DataFrame(
            [
                (
                    a[0],
                    a[1],
                    learner_of_root[self.find(a)],
                    b[0],
                    b[1],
                    learner_of_root[self.find(b)],
                    rule,
                    reason,
                    detail,
                    self.stamp,
                )
                for a, b, rule, reason, detail in sorted(
                    self.reviews.values(), key=lambda row: (_ref_order(row[0]), _ref_order(row[1]))
                )
            ],
            columns=list(REVIEW_COLUMNS),
        )
        review = review.astype({name: "string" for name in REVIEW_COLUMNS if name != "raised_at"})
        review["raised_at"] = pd.to_datetime(review["raised_at"], utc=True)
        retired = retired_before
        if len(retirements):
            retired = _typed_retired(pd.concat([retired_before, retirements], ignore_index=True))
        return IdentityResult(crosswalk, review, retired.reset_index(drop=True))

    def _assign_learner_ids(self, retired_before: pd.DataFrame) -> tuple[dict[Ref, str], pd.DataFrame]:
        """Each cluster's learner id, by the record heading it, and the learners retired into others."""
        issued = {link.learner_id for link in self.existing.values()} | set(retired_before["learner_id"])
        next_number = 1 + max((_learner_number(learner_id) for learner_id in issued), default=0)
        learner_of_root: dict[Ref, str] = {}
        retirements: list[tuple[str, str, pd.Timestamp]] = []
        started: dict[str, pd.Timestamp] = {}
        for link in self.existing.values():
            if link.learner_id not in started or link.matched_at < started[link.learner_id]:
                started[link.learner_id] = link.matched_at
        roots = sorted(self._roots(), key=lambda root: _ref_order(self._founder(root)))
        for root in roots:
            owned = self.learner_ids(root)
            if owned:
                oldest = min(owned, key=lambda learner_id: (started[learner_id], learner_id))
                retirements.extend((other, oldest, self.stamp) for other in sorted(owned - {oldest}))
                learner_id = oldest
            else:
                learner_id = f"{LEARNER_ID_PREFIX}{next_number:0{LEARNER_ID_DIGITS}d}"
                next_number += 1
            learner_of_root[root] = learner_id
        return learner_of_root, pd.DataFrame(retirements, columns=list(RETIRED_COLUMNS))

    def _roots(self) -> list[Ref]:
        """The record heading each cluster (its own parent), in record order."""
        return [ref for ref in self.refs if self.parent[ref] == ref]

    def _founder(self, root: Ref) -> Ref:
        return min(self.members(root), key=_ref_order)

    def _links(self, learner_of_root: Mapping[Ref, str]) -> dict[str, list]:
        """The crosswalk's columns: how each record joined its learner, kept from the stored crosswalk or by this
        run's edges, in learner order and then record order.

        A stored link is kept as it was unless its learner changed (a steward joined two learners): then it
        is re-stamped, and the record at the absorbed end of the steward's pair becomes a `steward` link. A
        record new to its learner takes the method of the edge by which a walk from the learner's settled
        records (or from its founder, for a new learner) first reaches it.

        Built a cluster at a time, straight into columns: at national size a graph or a link per record for the
        whole run would each cost hundreds of megabytes.
        """
        edges_of: dict[Ref, list[tuple[Ref, Ref, str]]] = defaultdict(list)
        for edge in self.edges:
            edges_of[self.find(edge[0])].append(edge)
        self.edges.clear()
        columns: dict[str, list] = {name: [] for name in CROSSWALK_COLUMNS}
        for root in sorted(self._roots(), key=learner_of_root.__getitem__):
            learner_id = learner_of_root[root]
            members = sorted(self.members(root), key=_ref_order)
            settled = [
                ref
                for ref in members
                if ref in self.existing and ref not in self.detached and self.existing[ref].learner_id == learner_id
            ]
            links: dict[Ref, tuple[str, float, pd.Timestamp]] = {}
            for ref in settled:
                stored = self.existing[ref]
                links[ref] = (stored.method, stored.confidence, stored.matched_at)
            if not settled:
                links[members[0]] = ("new", MATCH_CONFIDENCE["new"], self.stamp)
            adjacency: dict[Ref, list[tuple[Ref, str]]] = defaultdict(list)
            for ref_a, ref_b, method in edges_of.pop(root, ()):
                adjacency[ref_a].append((ref_b, method))
                adjacency[ref_b].append((ref_a, method))
            self._walk(deque(settled or [members[0]]), adjacency, links)
            while True:
                # Records renumbered by a steward's merge hang on their old learner, not on an edge.
                renumbered = [ref for ref in members if ref not in links and ref in self.existing]
                if not renumbered:
                    break
                for ref in renumbered:
                    stored = self.existing[ref]
                    links[ref] = (stored.method, stored.confidence, self.stamp)
                self._walk(deque(renumbered), adjacency, links)
            for ref in members:
                method, confidence, matched_at = links[ref]
                columns["source_system"].append(ref[0])
                columns["source_key"].append(ref[1])
                columns["learner_id"].append(learner_id)
                columns["match_method"].append(method)
                columns["confidence"].append(confidence)
                columns["matched_at"].append(matched_at)
        return columns

    def _walk(
        self,
        queue: deque[Ref],
        adjacency: Mapping[Ref, list[tuple[Ref, str]]],
        links: dict[Ref, tuple[str, float, pd.Timestamp]],
    ) -> None:
        """Breadth first from records already placed: each record reached takes the method of its edge."""
        while queue:
            current = queue.popleft()
            neighbours = sorted(adjacency.get(current, ()), key=lambda item: _ref_order(item[0]))
            for neighbour, method in neighbours:
                if neighbour in links:
                    continue
                if neighbour in self.existing and neighbour not in self.detached and method != "steward":
                    stored = self.existing[neighbour]
                    links[neighbour] = (stored.method, stored.confidence, self.stamp)
                else:
                    links[neighbour] = (method, MATCH_CONFIDENCE[method], self.stamp)
                queue.append(neighbour)


@dataclass(frozen=True, slots=True)
class _StoredLink:
    learner_id: str
    method: str
    confidence: float
    matched_at: pd.Timestamp

    def seniority(self, ref: Ref) -> tuple[pd.Timestamp, int, tuple[int, str]]:
        """Sort key: the earliest-matched record of a learner first (founders before joiners on a tie)."""
        return (self.matched_at, _METHOD_RANK.get(self.method, len(_METHOD_RANK)), _ref_order(ref))


def _sorted_refs(candidate_refs: Iterable[Ref], existing: Mapping[Ref, _StoredLink]) -> list[Ref]:
    """Every record of the run once, candidates and stored records alike, in record order (`_ref_order`).

    Sorted a system at a time by key, which is the same order without a sort key tuple per record.
    """
    by_rank: dict[int, list[Ref]] = defaultdict(list)
    new_records = (ref for ref in candidate_refs if ref not in existing)
    for ref in chain(existing, new_records):
        by_rank[_SYSTEM_RANK.get(ref[0], len(_SYSTEM_RANK))].append(ref)
    ordered: list[Ref] = []
    for rank in sorted(by_rank):
        ordered.extend(sorted(by_rank.pop(rank), key=itemgetter(1)))
    return ordered


def _ref_order(ref: Ref) -> tuple[int, str]:
    return (_SYSTEM_RANK.get(ref[0], len(_SYSTEM_RANK)), ref[1])


def _describe(ref: Ref) -> str:
    return f"{ref[0]} {ref[1]}"


def _learner_number(learner_id: str) -> int:
    digits = learner_id[len(LEARNER_ID_PREFIX) :]
    return int(digits) if learner_id.startswith(LEARNER_ID_PREFIX) and digits.isdigit() else 0


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {missing}; it has {list(frame.columns)}")


def _text_column(values: pd.Series) -> pd.Series:
    """Text with blanks as "", whatever the incoming dtype (numbers read from CSV become their digits)."""
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    return values.astype("string").fillna("").str.strip()


def _prepare_candidates(candidates: pd.DataFrame) -> pd.DataFrame:
    """The candidates as the rules compare them; refuses unknown systems and duplicate records.

    One row per record: its `ref` tuple, its system's `rank`, its key's place in key order (`key_order`), its
    employee number as text (`exact_text`, for review details) and, per rule, the code of its comparison key
    (-1 for none). Codes follow the keys' sort order, so the rules sort and join on integers, and the normalised
    keys (a name and date of birth, an address: three million strings each at national size) are let go here.
    """
    _require_columns(candidates, CANDIDATE_COLUMNS, "candidates")
    people = pd.DataFrame(
        {
            "source_system": _text_column(candidates["source_system"]),
            "source_key": _text_column(candidates["source_key"]),
        }
    )
    unknown = people.loc[~people["source_system"].isin(SOURCE_SYSTEMS), "source_system"]
    if len(unknown):
        row = unknown.index[0]
        raise ValueError(
            f"candidates row {row}: source_system {unknown.iloc[0]!r} is not one of {', '.join(SOURCE_SYSTEMS)}"
        )
    blank = people.index[people["source_key"] == ""]
    if len(blank):
        raise ValueError(f"candidates row {blank[0]}: source_key is blank")
    duplicated = people.duplicated(["source_system", "source_key"])
    if duplicated.any():
        row = people.index[duplicated][0]
        raise ValueError(
            f"candidates row {row}: {people.at[row, 'source_system']} record "
            f"{people.at[row, 'source_key']!r} appears more than once; pass each record once"
        )
    # One tuple per record, shared by everything the run keeps about it (a national run holds three million).
    people["ref"] = pd.Series(
        list(zip(map(sys.intern, people["source_system"]), people["source_key"], strict=True)),
        index=people.index,
        dtype=object,
    )
    people["rank"] = people["source_system"].map(_SYSTEM_RANK).astype("int8")
    people["key_order"] = _sorted_codes(people["source_key"])
    people = people.drop(columns=["source_system", "source_key"])
    people["exact_text"] = _text_column(candidates["employee_number"])
    people["exact"] = _sorted_codes(people["exact_text"])
    people["email"] = _sorted_codes(candidates["email"].map(normalise_email))
    surname = candidates["surname"].map(normalise_name)
    initial = candidates["forenames"].map(normalise_name).str[:1]
    born = pd.to_datetime(candidates["date_of_birth"], errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    usable = (surname != "") & (initial != "") & (born != "")
    people["name_dob"] = _sorted_codes((surname + "|" + born + "|" + initial).where(usable, ""))
    return people


def _sorted_codes(values: pd.Series) -> np.ndarray:
    """Each value's place among the distinct values in sort order; -1 for a blank ("")."""
    codes, _ = pd.factorize(values.astype(object).where(values != "", None), sort=True)
    return codes


def _prepare_crosswalk(crosswalk: pd.DataFrame | None, candidate_refs: Iterable[Ref]) -> dict[Ref, _StoredLink]:
    """The stored links by record; a record that is also a candidate is keyed by the candidate's own ref tuple.

    Every column but the key is taken a distinct value at a time: a learner's records share one id, a run stamps
    all its links alike, and there are five methods, so one object per distinct value, not per record (a national
    crosswalk has three million rows).
    """
    if crosswalk is None or crosswalk.empty:
        return {}
    _require_columns(crosswalk, CROSSWALK_COLUMNS, "crosswalk")
    system_codes, systems = _distinct(crosswalk["source_system"], lambda value: sys.intern(str(value).strip()))
    learner_codes, learner_ids = _distinct(
        crosswalk["learner_id"], lambda value: value.strip() if isinstance(value, str) and value.strip() else None
    )
    method_codes, methods = _distinct(crosswalk["match_method"], str)
    confidence_codes, confidences = _distinct(crosswalk["confidence"], float)
    stamp_codes, stamps = _distinct(pd.to_datetime(crosswalk["matched_at"], utc=True), lambda value: value)
    canonical = {ref: ref for ref in candidate_refs}
    rows = zip(
        system_codes.tolist(),
        crosswalk["source_key"].tolist(),
        learner_codes.tolist(),
        method_codes.tolist(),
        confidence_codes.tolist(),
        stamp_codes.tolist(),
        strict=True,
    )
    stored: dict[Ref, _StoredLink] = {}
    for position, (system, key, learner, method, confidence, stamp) in enumerate(rows):
        ref = (systems[system], str(key).strip())
        ref = canonical.get(ref, ref)
        if ref in stored:
            raise ValueError(f"crosswalk row {position}: {_describe(ref)} appears more than once")
        if learner_ids[learner] is None:
            raise ValueError(f"crosswalk row {position}: {_describe(ref)} has no learner_id")
        stored[ref] = _StoredLink(
            learner_id=learner_ids[learner],
            method=methods[method],
            confidence=confidences[confidence],
            matched_at=stamps[stamp],
        )
    return stored


def _distinct(values: pd.Series, convert) -> tuple[np.ndarray, list]:
    """Each value's code and the distinct values (missing ones included), converted once each."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, [convert(value) for value in uniques]


def _prepare_decisions(decisions: pd.DataFrame | None) -> tuple[set[frozenset[Ref]], set[frozenset[Ref]]]:
    """The standing decision on each pair: the latest by `decided_on` (then by row order) wins."""
    if decisions is None or decisions.empty:
        return set(), set()
    _require_columns(decisions, DECISION_COLUMNS, "steward decisions")
    ordered = decisions.assign(_decided=pd.to_datetime(decisions["decided_on"], utc=True))
    ordered = ordered.sort_values("_decided", kind="stable")
    standing: dict[frozenset[Ref], str] = {}
    for row in ordered.itertuples(index=True):
        ref_a = (str(row.source_system_a).strip(), str(row.source_key_a).strip())
        ref_b = (str(row.source_system_b).strip(), str(row.source_key_b).strip())
        where = f"steward decision row {row.Index} ({_describe(ref_a)} / {_describe(ref_b)})"
        decision = str(row.decision).strip().lower()
        if decision not in ("confirmed", "rejected"):
            raise ValueError(f"{where}: decision {row.decision!r} must be 'confirmed' or 'rejected'")
        for system, _ in (ref_a, ref_b):
            if system not in SOURCE_SYSTEMS:
                raise ValueError(f"{where}: source system {system!r} is not one of {', '.join(SOURCE_SYSTEMS)}")
        if ref_a == ref_b:
            raise ValueError(f"{where}: a record cannot be paired with itself")
        standing[frozenset((ref_a, ref_b))] = decision
    confirmed = {pair for pair, decision in standing.items() if decision == "confirmed"}
    rejected = {pair for pair, decision in standing.items() if decision == "rejected"}
    return confirmed, rejected


def _prepare_retired(retired: pd.DataFrame | None) -> pd.DataFrame:
    if retired is None or retired.empty:
        frame = pd.DataFrame({name: pd.Series(dtype="string") for name in RETIRED_COLUMNS[:2]})
        frame["retired_at"] = pd.Series(dtype="datetime64[ns, UTC]")
        return frame
    _require_columns(retired, RETIRED_COLUMNS, "retired learners")
    return _typed_retired(retired.loc[:, list(RETIRED_COLUMNS)])


def _typed_retired(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"learner_id": "string", "merged_into": "string"})
    frame["retired_at"] = pd.to_datetime(frame["retired_at"], utc=True)
    return frame


def _typed_crosswalk(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(
        {"source_system": "string", "source_key": "string", "learner_id": "string", "match_method": "string"}
    )
    frame["confidence"] = frame["confidence"].astype("float64")
    frame["matched_at"] = pd.to_datetime(frame["matched_at"], utc=True)
    return frame


def _rule_pairs(
    people: pd.DataFrame, rule: str, system_a: str, system_b: str
) -> tuple[Iterable[tuple[Ref, Ref]], list[tuple[Ref, Ref, str]]]:
    """The pairs one rule links between two systems, and the pairs it finds ambiguous, in key order (then by the
    two records' keys).

    A key links a pair when exactly one record of each system holds it. Where more than one record of either
    system holds it, every cross pair is ambiguous, except for `email`, where a non-unique address is simply
    not evidence.
    """
    columns = ["ref", "key_order", rule] + (["exact_text"] if rule == "exact" else [])
    keyed = people[rule] >= 0
    left = people.loc[keyed & (people["rank"] == _SYSTEM_RANK[system_a]), columns]
    right = people.loc[keyed & (people["rank"] == _SYSTEM_RANK[system_b]), columns]
    if left.empty or right.empty:
        return (), []
    left = left.assign(count_a=left.groupby(rule)[rule].transform("size"))
    right = right.assign(count_b=right.groupby(rule)[rule].transform("size"))
    pairs = left.merge(right, on=rule, suffixes=("_a", "_b"))
    pairs = pairs.iloc[np.lexsort((pairs["key_order_b"], pairs["key_order_a"], pairs[rule]))]
    unique = (pairs["count_a"] == 1) & (pairs["count_b"] == 1)
    linked = zip(pairs.loc[unique, "ref_a"].tolist(), pairs.loc[unique, "ref_b"].tolist(), strict=True)
    if rule == "email":
        return linked, []
    ambiguous = [
        (
            row.ref_a,
            row.ref_b,
            _ambiguity_detail(rule, getattr(row, "exact_text_a", ""), system_a, row.count_a, system_b, row.count_b),
        )
        for row in pairs.loc[~unique].itertuples(index=False)
    ]
    return linked, ambiguous


def _ambiguity_detail(rule: str, key: str, system_a: str, count_a: int, system_b: str, count_b: int) -> str:
    holders = f"{count_a} {system_a} and {count_b} {system_b} records"
    if rule == "exact":
        return f"employee number {key} is held by {holders}"
    # The name_dob key contains the date of birth: describe it, never show it.
    return f"the same surname, date of birth and first initial are shared by {holders}"
