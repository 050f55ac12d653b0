"""The trust's structure for a given size: org units, who leads them, and where ordinary staff work.

A London-sized ambulance trust has about 70 stations in operational sectors, two control rooms, a clinical hub
and corporate teams. A smaller sample trust keeps every sector but fewer stations. Leaders (chief executive,
directors, heads of each Org Level 4, team leaders of each unit) are fixed posts: post `k` is held by person
`k * stride`, so a supervisor's employee number is known without generating anyone else, and every supervisor
is a real manager in the staff file.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from sample_trust.reference import (
    JobRoleRecord,
    RoleSpec,
    directorates,
    job_roles,
    org_units,
    stations,
    unit_kinds,
)

STATIONS_PER_THOUSAND_STAFF = 7  # 10,000 staff → 70 stations
MIN_STATIONS = 7  # one per sector
HEAD_MIN_EXPECTED_STAFF = 8  # smaller Org Level 4 groups report straight to their director
STRUGGLING_STATION_SHARE = 0.15
STRUGGLING_UNIT_SHARE = 0.10


@dataclass(frozen=True)
class OrgUnit:
    """An ESR organisation (the lowest unit an assignment sits in) and the hierarchy above it.

    Names carry the VPD prefix as ESR shows them (`457 Fulham Station`); a blank level is "". `code` is the
    unit's stable identifier (Totara's organisation ID number).
    """

    code: str
    kind: str
    organisation: str
    org_level_3: str
    org_level_4: str
    org_level_5: str
    weight: float


@dataclass(frozen=True)
class LeaderPost:
    """A management post: what it is, where it sits, and the post it reports to (None for the chief executive)."""

    tier: str  # chief_executive, director, head, team_leader
    role: RoleSpec
    unit: OrgUnit
    reports_to: int | None


def assignment_fields(role: RoleSpec, unit: OrgUnit, category: str) -> dict[str, str]:
    """An assignment's fields keyed by lower-case ESR heading, as training needs analysis rules match them."""
    return {
        "staff group": role.staff_group,
        "job role": role.job_role,
        "position title": role.position_title,
        "organisation": unit.organisation,
        "org level 3": unit.org_level_3,
        "org level 4": unit.org_level_4,
        "org level 5": unit.org_level_5,
        "assignment category": category,
        "occupation code": role.occupation_code,
        "pay band": role.pay_band,
    }


def _prefixed(vpd: str, name: str) -> str:
    return f"{vpd} {name}" if name else ""


class StaffingPlan:
    """Org units, leader posts and the odds of each post and unit for ordinary staff, for one trust size."""

    def __init__(self, vpd: str, staff: int, seed: int) -> None:
        self.vpd = vpd
        self.staff = staff
        self.offices = self._office_units()
        self.units = self._active_units()
        self._team_leader_roles = {record.kind: record for record in unit_kinds()}
        self._roles = job_roles()
        self._role_ends = tuple(accumulate(record.share for record in self._roles))
        self._role_units = {record.role: self._units_for(record) for record in self._roles}
        expected = self._expected_staff()
        self._posts: list[LeaderPost] = []
        self._director_post: dict[str, int] = {}
        self._head_post: dict[tuple[str, str], int] = {}
        self._plan_senior_posts(expected)
        self._team_leader_start: dict[str, int] = {}
        self._team_leader_count: dict[str, int] = {}
        self._team_leader_starts: list[int] = []
        self._team_leader_units: list[OrgUnit] = []
        first_team_leader = len(self._posts)
        next_slot = first_team_leader
        for unit in self.units:
            count = int(expected[unit.code] / self._team_leader_roles[unit.kind].span + 0.5)
            self._team_leader_start[unit.code] = next_slot
            self._team_leader_count[unit.code] = count
            if count:
                self._team_leader_starts.append(next_slot)
                self._team_leader_units.append(unit)
            next_slot += count
        self._first_team_leader = first_team_leader
        self.leader_count = next_slot
        self.stride = max(1, staff // self.leader_count)
        self._quality = self._quality_factors(seed)

    def _office_units(self) -> dict[str, OrgUnit]:
        offices = {}
        for position, record in enumerate(directorates()):
            offices[record.org_level_3] = OrgUnit(
                code=f"{self.vpd}-ORG-{position + 1:04d}",
                kind="office",
                organisation=_prefixed(self.vpd, record.office),
                org_level_3=_prefixed(self.vpd, record.org_level_3),
                org_level_4="",
                org_level_5="",
                weight=0.0,
            )
        return offices

    def _active_units(self) -> tuple[OrgUnit, ...]:
        number = len(self.offices)
        all_stations = stations()
        wanted = min(len(all_stations), max(MIN_STATIONS, round(self.staff * STATIONS_PER_THOUSAND_STAFF / 1000)))
        rank_in_sector: dict[str, int] = {}
        sector_order: dict[str, int] = {}
        ranked = []
        for position, station in enumerate(all_stations):
            rank = rank_in_sector.get(station.sector, 0)
            rank_in_sector[station.sector] = rank + 1
            sector_order.setdefault(station.sector, len(sector_order))
            ranked.append(((rank, sector_order[station.sector]), position))
        chosen = {position for _, position in sorted(ranked)[:wanted]}
        units = []
        for position, station in enumerate(all_stations):
            number += 1
            if position in chosen:
                units.append(
                    OrgUnit(
                        code=f"{self.vpd}-ORG-{number:04d}",
                        kind="station",
                        organisation=_prefixed(self.vpd, f"{station.name} Station"),
                        org_level_3=_prefixed(self.vpd, "Operations"),
                        org_level_4=_prefixed(self.vpd, station.sector),
                        org_level_5=_prefixed(self.vpd, f"{station.name} Station"),
                        weight=station.weight,
                    )
                )
        for record in org_units():
            number += 1
            units.append(
                OrgUnit(
                    code=f"{self.vpd}-ORG-{number:04d}",
                    kind=record.kind,
                    organisation=_prefixed(self.vpd, record.organisation),
                    org_level_3=_prefixed(self.vpd, record.org_level_3),
                    org_level_4=_prefixed(self.vpd, record.org_level_4),
                    org_level_5=_prefixed(self.vpd, record.org_level_5),
                    weight=record.weight,
                )
            )
        return tuple(units)

    def _units_for(self, record: JobRoleRecord) -> tuple[tuple[OrgUnit, ...], tuple[float, ...]]:
        kind_total = sum(weight for _, weight in record.unit_kinds)
        units: list[OrgUnit] = []
        weights: list[float] = []
        for kind, kind_weight in record.unit_kinds:
            of_kind = [unit for unit in self.units if unit.kind == kind]
            unit_total = sum(unit.weight for unit in of_kind)
            for unit in of_kind:
                units.append(unit)
                weights.append(kind_weight / kind_total * unit.weight / unit_total)
        return tuple(units), tuple(accumulate(weights))

    def _expected_staff(self) -> dict[str, float]:
        expected = {unit.code: 0.0 for unit in self.units}
        role_total = self._role_ends[-1]
        for record in self._roles:
            units, ends = self._role_units[record.role]
            previous = 0.0
            for unit, end in zip(units, ends, strict=True):
                expected[unit.code] += self.staff * record.share / role_total * (end - previous) / ends[-1]
                previous = end
        return expected

    def _plan_senior_posts(self, expected: dict[str, float]) -> None:
        records = directorates()
        chief = records[0]
        self._posts.append(LeaderPost("chief_executive", chief.director, self.offices[chief.org_level_3], None))
        self._director_post[_prefixed(self.vpd, chief.org_level_3)] = 0
        for record in records[1:]:
            self._director_post[_prefixed(self.vpd, record.org_level_3)] = len(self._posts)
            self._posts.append(LeaderPost("director", record.director, self.offices[record.org_level_3], 0))
        heads = {_prefixed(self.vpd, record.org_level_3): record.head for record in records}
        groups: dict[tuple[str, str], list[OrgUnit]] = {}
        for unit in self.units:
            if unit.org_level_4:
                groups.setdefault((unit.org_level_3, unit.org_level_4), []).append(unit)
        for (level_3, level_4), members in groups.items():
            if sum(expected[unit.code] for unit in members) < HEAD_MIN_EXPECTED_STAFF:
                continue
            base = next((unit for unit in members if unit.kind == "sector_ops"), members[0])
            self._head_post[(level_3, level_4)] = len(self._posts)
            self._posts.append(LeaderPost("head", heads[level_3], base, self._director_post[level_3]))

    def _quality_factors(self, seed: int) -> dict[str, float]:
        """How much worse than average each unit keeps its training (1.0 = average); some are clearly worse."""
        factors = {}
        station_codes = [unit.code for unit in self.units if unit.kind == "station"]
        shuffled = list(station_codes)
        random.Random(f"{seed}:struggling-stations").shuffle(shuffled)
        struggling = set(shuffled[: max(1, round(len(shuffled) * STRUGGLING_STATION_SHARE))])
        for unit in (*self.offices.values(), *self.units):
            rng = random.Random(f"{seed}:unit:{unit.code}")
            if unit.code in struggling or (unit.kind != "station" and rng.random() < STRUGGLING_UNIT_SHARE):
                factors[unit.code] = rng.uniform(2.4, 3.2)
            else:
                factors[unit.code] = rng.uniform(0.55, 1.15)
        return factors

    def quality_factor(self, unit: OrgUnit) -> float:
        """The unit's training factor: multiplies its odds of expired and missing competences."""
        return self._quality[unit.code]

    def leader_slot_of(self, index: int) -> int | None:
        """The leader post held by person `index`, or None for ordinary staff."""
        slot, remainder = divmod(index, self.stride)
        if remainder or slot >= self.leader_count or index >= self.staff:
            return None
        return slot

    def index_of_slot(self, slot: int) -> int:
        """The person index holding leader post `slot`."""
        return slot * self.stride

    def leader_post(self, slot: int) -> LeaderPost:
        """Leader post `slot`: senior posts first, then each unit's team leaders."""
        if slot < self._first_team_leader:
            return self._posts[slot]
        position = bisect_right(self._team_leader_starts, slot) - 1
        unit = self._team_leader_units[position]
        return LeaderPost(
            "team_leader", self._team_leader_roles[unit.kind].team_leader, unit, self._manager_of_unit(unit)
        )

    def _manager_of_unit(self, unit: OrgUnit) -> int:
        head = self._head_post.get((unit.org_level_3, unit.org_level_4))
        return head if head is not None else self._director_post[unit.org_level_3]

    def supervisor_slot(self, unit: OrgUnit, rng: random.Random) -> int:
        """The leader post an ordinary assignment in `unit` reports to: one of its team leaders, else their manager."""
        count = self._team_leader_count[unit.code]
        if count:
            return self._team_leader_start[unit.code] + rng.randrange(count)
        return self._manager_of_unit(unit)

    def pick_role(self, rng: random.Random) -> JobRoleRecord:
        """A post for an ordinary member of staff, drawn by workforce share."""
        return self._roles[bisect_right(self._role_ends, rng.random() * self._role_ends[-1])]

    def pick_unit(self, record: JobRoleRecord, rng: random.Random) -> OrgUnit:
        """Where someone in that post works, drawn by unit kind and unit size."""
        units, ends = self._role_units[record.role]
        return units[min(len(units) - 1, bisect_right(ends, rng.random() * ends[-1]))]

    def role_record(self, position_title: str) -> JobRoleRecord:
        """The ordinary post with this position title."""
        for record in self._roles:
            if record.role.position_title == position_title:
                return record
        raise KeyError(f"no post titled {position_title!r} in sample_trust/data/job_roles.csv")

    def representative_postings(self) -> list[tuple[RoleSpec, OrgUnit]]:
        """One typical (post, unit) for every post in the trust: ordinary posts, leaders, team leaders."""
        postings = [(record.role, self._role_units[record.role][0][0]) for record in self._roles]
        postings += [(post.role, post.unit) for post in self._posts]
        seen_kinds: set[str] = set()
        for unit in self.units:
            if unit.kind not in seen_kinds:
                seen_kinds.add(unit.kind)
                postings.append((self._team_leader_roles[unit.kind].team_leader, unit))
        return postings

    @property
    def all_units(self) -> tuple[OrgUnit, ...]:
        """Directorate offices and every active unit."""
        return (*self.offices.values(), *self.units)
