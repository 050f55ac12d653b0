"""Each person's competence history: which competences they hold and every award over the year.

The training needs analysis decides what a person's assignments require. For each requirement the latest award
is placed so the final snapshot has a realistic spread (most in date, some expiring within 90 days, some
expired, a few never done), worse in struggling units; earlier awards are then laid back one refresher period at
a time until the one in force at the baseline. Each award says where it was recorded: ESR (keyed by an
administrator, or fed from Totara overnight) and/or Totara. A few awards are in Totara only, a handful are
future-dated typos, and some rows keep a stale RAG, a blank expiry or hand-keyed date formats.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sample_trust.catalogue import Competence, TrainingNeeds
from sample_trust.dates import DAY_MONTH_NAME, ISO, UK, YMD_MIDNIGHT, add_months, days
from sample_trust.names import fold_for_email
from sample_trust.organisation import assignment_fields
from sample_trust.people import Person, TrustPlan
from sample_trust.reference import admins
from sample_trust.showcase import (
    BLANK_EXPIRY,
    FUTURE_AWARD,
    MANUAL_DATES,
    RENEWED_IN_DELTA,
    STALE_STATUS,
    TOTARA_ONLY,
    Showcase,
)

EXPIRING_WINDOW_DAYS = 90
MISSING_SHARE = 0.025
EXPIRED_SHARE = 0.065
EXPIRING_SHARE = 0.06
NEW_STARTER_DAYS = 84
NEW_STARTER_MISSING_SHARE = 0.45
PLACEHOLDER_SHARE = 0.4  # of missing requirements: a row with blank Date Last Awarded rather than no row
CARRIED_OVER_SHARE = 0.35  # awards from a previous NHS employer kept on transfer
CERTIFICATION_ONLINE_SHARE = 0.9  # awards of certification-backed subjects done in Totara
COURSE_ONLINE_SHARE = 0.7  # face-to-face courses booked and completed through Totara
TOTARA_ONLY_SHARE = 0.12  # recent renewals in Totara that the feed has not yet brought into ESR
TOTARA_ONLY_RECENT_DAYS = 180
FUTURE_AWARD_SHARE = 0.0015
BLANK_EXPIRY_SHARE = 0.01
STALE_STATUS_SHARE = 0.1  # of expired rows: ESR still shows the RAG from when it was awarded
MANUAL_DATES_SHARE = 0.03
EARLY_RENEWAL_SHARE = 0.6  # renewals done before the previous award lapsed; the rest lapse for a while first
LAPSE_SHARE_OF_PERIOD = 0.2  # mean lapse before a late renewal, as a share of the refresher period
EXTRA_COMPETENCE_COUNTS = (0, 0, 0, 0, 0, 0, 1, 1, 1, 2)  # non-required competences a person holds

MISSING, EXPIRED, EXPIRING, IN_DATE = "missing", "expired", "expiring", "in-date"


class Award(NamedTuple):
    """One achievement of a competence and where it was recorded."""

    awarded_on: date
    recorded_on: date  # when ESR shows it (for Totara-only awards, when Totara recorded it)
    in_esr: bool
    in_totara: bool
    updated_by: str  # ESR `Last Updated By`: the administrator or interface, never the learner
    completed_seconds: int  # time of day of the Totara completion


@dataclass(frozen=True, slots=True)
class CompetenceHistory:
    """A person's record of one competence: awards in the order recorded, and how ESR writes the row."""

    competence: Competence
    essential: bool  # required by the person's assignments (ESR `Essential`)
    awards: tuple[Award, ...]
    placeholder_on: date | None  # ESR has a row with blank Date Last Awarded from this day (never achieved)
    placeholder_by: str
    blank_expiry: bool  # ESR's Expiry Date left blank although the competence lapses
    stale_status: bool  # ESR's Compliance Status computed when awarded, never refreshed
    award_style: str  # date format of Date Last Awarded on this row
    expiry_style: str  # date format of Expiry Date on this row
    assigned_on: date  # when the requirement was assigned (Totara's due dates count from here)

    def esr_award_at(self, on: date) -> Award | None:
        """The award ESR shows at the end of day `on` (updated in place on renewal), or None."""
        found = None
        for award in self.awards:
            if award.recorded_on > on:
                break
            if award.in_esr:
                found = award
        return found

    def totara_award_at(self, on: date) -> Award | None:
        """The latest completion Totara holds by day `on`, or None."""
        found = None
        for award in self.awards:
            if award.in_totara and award.awarded_on <= on and (found is None or award.awarded_on > found.awarded_on):
                found = award
        return found

    def expires_on(self, award: Award) -> date | None:
        """When `award` lapses: award date plus the period in the competence name; None for `No Expiry`."""
        months = self.competence.period_months
        return None if months is None else add_months(award.awarded_on, months)


@lru_cache(maxsize=8)
def administrator_signatures(vpd: str) -> tuple[str, ...]:
    """`Last Updated By` values for the trust's learning administrators, e.g. `457RTALUKD01|Talukdar, Dr Raihan`."""
    signatures = []
    used: dict[str, int] = {}
    for admin in admins():
        letters = "".join(character for character in fold_for_email(admin.surname) if character.isalpha())
        stem = f"{vpd}R{letters[:6].upper()}"
        used[stem] = used.get(stem, 0) + 1
        signatures.append(f"{stem}{used[stem]:02d}|{admin.surname}, {admin.title} {admin.forename}")
    return tuple(signatures)


@dataclass(frozen=True)
class _Context:
    rng: random.Random
    reference: date  # the day the spread is aimed at: the final extract, or the leaver's last day
    baseline: date
    hire: date
    created: date
    leaves_on: date | None
    factor: float
    starter: bool
    signatures: tuple[str, ...]
    is_current: bool


def required_competences(person: Person, needs: TrainingNeeds) -> tuple[Competence, ...]:
    """What the TNA requires of the person: the union over all their assignments, in catalogue order."""
    required: dict[str, Competence] = {}
    for assignment in person.assignments:
        fields = assignment_fields(assignment.role, assignment.unit, assignment.category)
        for competence in needs.required_for(fields):
            required[competence.name] = competence
    return tuple(sorted(required.values(), key=lambda competence: competence.position))


def competence_histories(plan: TrustPlan, person: Person, needs: TrainingNeeds) -> tuple[CompetenceHistory, ...]:
    """The person's competence records (required ones and a few others), in catalogue order."""
    rng = random.Random(f"{plan.seed}:{person.index}:competences")
    calendar = plan.calendar
    left = person.leaves_on is not None and person.leaves_on <= calendar.final_on
    reference = person.leaves_on if left and person.leaves_on is not None else calendar.final_on
    context = _Context(
        rng=rng,
        reference=reference,
        baseline=calendar.baseline_on,
        hire=person.hire_date,
        created=person.created_on,
        leaves_on=person.leaves_on if left else None,
        factor=plan.staffing.quality_factor(person.primary.unit),
        starter=person.hire_date > reference - days(NEW_STARTER_DAYS),
        signatures=administrator_signatures(plan.vpd),
        is_current=not left,
    )
    required = required_competences(person, needs)
    showcase = plan.showcases.get(person.index)
    deltas = calendar.delta_dates
    histories = []
    for order, competence in enumerate(required):
        forced = None if showcase is None else _forced(showcase, competence, order, deltas)
        history = _history(context, competence, True, forced)
        if history is not None:
            histories.append(history)
    extra_count = rng.choice(EXTRA_COMPETENCE_COUNTS)
    if extra_count:
        others = [competence for competence in needs.competences if competence not in required]
        for competence in rng.sample(others, min(extra_count, len(others))):
            history = _history(context, competence, False, None)
            if history is not None:
                histories.append(history)
        histories.sort(key=lambda item: item.competence.position)
    return tuple(histories)


@dataclass(frozen=True)
class _Forced:
    category: str | None = None
    latest_on: date | None = None
    award_style: str | None = None
    expiry_style: str | None = None
    future_award: bool = False
    blank_expiry: bool = False
    stale_status: bool = False
    totara_only: bool = False


def _forced(showcase: Showcase | None, competence: Competence, order: int, deltas: tuple[date, ...]) -> _Forced | None:
    """What a showcase person's quirks fix about this competence, if anything."""
    if showcase is None or not showcase.quirks:
        return None
    quirks = showcase.quirks
    subject = competence.title.split(" ", 1)[1]
    if MANUAL_DATES in quirks and order in (0, 1):
        return _Forced(category=IN_DATE, award_style=UK if order == 0 else ISO, expiry_style=ISO if order else None)
    if RENEWED_IN_DELTA in quirks and subject == "Fire Safety":
        return _Forced(latest_on=deltas[2] - days(5))
    if FUTURE_AWARD in quirks and subject == "Information Governance":
        return _Forced(category=IN_DATE, future_award=True)
    if BLANK_EXPIRY in quirks and subject == "Equality, Diversity and Human Rights":
        return _Forced(category=IN_DATE, blank_expiry=True)
    if STALE_STATUS in quirks and subject == "Conflict Resolution":
        return _Forced(category=EXPIRED, stale_status=True)
    if TOTARA_ONLY in quirks and subject == "Fire Safety":
        return _Forced(totara_only=True)
    return None


def _category(context: _Context, essential: bool) -> str:
    factor = context.factor
    missing = MISSING_SHARE * factor + (NEW_STARTER_MISSING_SHARE if context.starter else 0.0)
    expired = EXPIRED_SHARE * factor
    expiring = EXPIRING_SHARE * (0.5 + 0.5 * factor)
    draw = context.rng.random()
    if essential and draw < missing:
        return MISSING
    draw -= missing if essential else 0.0
    if draw < expired:
        return EXPIRED
    if draw < expired + expiring:
        return EXPIRING
    return IN_DATE


def _latest_award(context: _Context, months: int, category: str) -> date:
    rng = context.rng
    reference = context.reference
    if category == EXPIRED:
        lapsed_for = min(1000, int(rng.expovariate(1 / 150)))
        latest = add_months(reference - days(lapsed_for), -months)
    elif category == EXPIRING:
        latest = add_months(reference + days(_whole(rng, 1, EXPIRING_WINDOW_DAYS)), -months)
    else:
        period_days = (add_months(reference, months) - reference).days
        latest = reference - days(_whole(rng, 0, period_days - EXPIRING_WINDOW_DAYS - 1))
    if latest < context.hire - days(30) and rng.random() > CARRIED_OVER_SHARE:
        # Not carried over from a previous employer: done since joining instead.
        span = max(0, (reference - context.hire).days)
        latest = context.hire + days(_whole(rng, 0, span))
    return latest


def _history(
    context: _Context, competence: Competence, essential: bool, forced: _Forced | None
) -> CompetenceHistory | None:
    """One competence record, or None when it was never achieved and ESR keeps no row for it."""
    rng = context.rng
    months = competence.period_months
    category, award_dates = _award_dates(context, competence, essential, forced)
    placeholder_on = None
    if not award_dates:
        if not essential or rng.random() >= PLACEHOLDER_SHARE:
            return None
        placeholder_on = max(context.created, context.hire)
        if placeholder_on > context.reference:
            return None
    awards = _recorded_awards(context, competence, award_dates, forced)

    manual = rng.random() < MANUAL_DATES_SHARE
    award_style = (UK if rng.random() < 0.5 else ISO) if manual else YMD_MIDNIGHT
    expiry_style = ISO if manual and rng.random() < 0.3 else DAY_MONTH_NAME
    blank_expiry = months is not None and rng.random() < BLANK_EXPIRY_SHARE
    stale_status = category == EXPIRED and rng.random() < STALE_STATUS_SHARE
    if forced is not None:
        award_style = forced.award_style or award_style
        expiry_style = forced.expiry_style or expiry_style
        blank_expiry = blank_expiry or forced.blank_expiry
        stale_status = stale_status or forced.stale_status
    return CompetenceHistory(
        competence=competence,
        essential=essential,
        awards=awards,
        placeholder_on=placeholder_on,
        placeholder_by=_pick(rng, context.signatures) if placeholder_on is not None else "",
        blank_expiry=blank_expiry and months is not None,
        stale_status=stale_status,
        award_style=award_style,
        expiry_style=expiry_style,
        assigned_on=max(context.hire, context.created),
    )


def _award_dates(
    context: _Context, competence: Competence, essential: bool, forced: _Forced | None
) -> tuple[str, list[date]]:
    """The category aimed at on the reference day and the award dates that produce it, oldest first."""
    rng = context.rng
    months = competence.period_months
    category = forced.category if forced is not None and forced.category else None
    if months is None:
        # A once-only competence (induction): done in the first fortnight, unless never done at all.
        awarded_on = context.hire + days(_whole(rng, 0, 14))
        never = category is None and essential and rng.random() < MISSING_SHARE * context.factor
        if never or awarded_on > context.reference:
            return MISSING, []
        return IN_DATE, [awarded_on]
    category = category or _category(context, essential)
    if forced is not None and forced.latest_on is not None:
        latest = forced.latest_on
    elif forced is not None and forced.totara_only:
        latest = context.reference - days(_whole(rng, 20, 60))
    elif category == MISSING:
        return category, []
    else:
        latest = _latest_award(context, months, category)
    return category, _earlier_awards(context, latest, months, forced)


def _recorded_awards(
    context: _Context, competence: Competence, award_dates: list[date], forced: _Forced | None
) -> tuple[Award, ...]:
    """Awards with where they were recorded: some recent renewals in Totara only, a rare future-dated typo."""
    rng = context.rng
    awards = [_record(context, competence, awarded_on) for awarded_on in award_dates]
    if not awards:
        return ()
    latest = awards[-1]
    if (
        len(awards) > 1
        and competence.certification_id
        and latest.in_totara
        and latest.awarded_on > context.reference - days(TOTARA_ONLY_RECENT_DAYS)
        and rng.random() < TOTARA_ONLY_SHARE
    ):
        awards[-1] = latest._replace(in_esr=False)
    if forced is not None and forced.totara_only:
        awards = [award._replace(in_esr=True) for award in awards[:-1]]
        awards.append(latest._replace(in_esr=False, in_totara=True))
    if forced is not None and forced.latest_on is not None:
        awards[-1] = latest._replace(recorded_on=latest.awarded_on, in_esr=True, in_totara=False)
    wants_future = forced.future_award if forced is not None else rng.random() < FUTURE_AWARD_SHARE
    if competence.period_months is not None and context.is_current and wants_future:
        awards.append(
            Award(
                awarded_on=context.reference + days(_whole(rng, 30, 330)),
                recorded_on=max(awards[-1].recorded_on, context.reference - days(_whole(rng, 0, 25))),
                in_esr=True,
                in_totara=False,
                updated_by=_pick(rng, context.signatures),
                completed_seconds=0,
            )
        )
    return tuple(awards)


def _earlier_awards(context: _Context, latest: date, months: int, forced: _Forced | None) -> list[date]:
    """The latest award and those before it, oldest first, back to the one in force at the baseline."""
    rng = context.rng
    dates = [latest]
    current = latest
    while current > context.baseline:
        if forced is not None and forced.totara_only and len(dates) == 1:
            late = 30  # lapsed a month before the renewal
        elif rng.random() < EARLY_RENEWAL_SHARE:
            late = -_whole(rng, 0, 60)
        else:
            late = int(rng.expovariate(1 / (LAPSE_SHARE_OF_PERIOD * months * 30.4)))
        previous = add_months(current, -months) - days(late)
        if previous < context.hire - days(30):
            break
        dates.append(previous)
        current = previous
    dates.reverse()
    return dates


def _whole(rng: random.Random, low: int, high: int) -> int:
    """A whole number from `low` to `high` inclusive (a cheaper `randint` for the hot loop)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, choices: tuple[str, ...]) -> str:
    return choices[int(rng.random() * len(choices))]


def _record(context: _Context, competence: Competence, awarded_on: date) -> Award:
    """Where and when an award was recorded."""
    rng = context.rng
    if competence.certification_id:
        in_totara = rng.random() < CERTIFICATION_ONLINE_SHARE
    elif competence.course_id:
        in_totara = rng.random() < COURSE_ONLINE_SHARE
    else:
        in_totara = False
    if in_totara:
        lag = 1 if rng.random() < 0.8 else _whole(rng, 2, 6)  # the overnight Totara to ESR feed
    else:
        draw = rng.random()
        lag = 0 if draw < 0.4 else _whole(rng, 1, 6) if draw < 0.85 else _whole(rng, 7, 30)
    recorded_on = max(awarded_on + days(lag), context.created)
    if context.leaves_on is not None:
        recorded_on = max(awarded_on, min(recorded_on, context.leaves_on))
    return Award(
        awarded_on=awarded_on,
        recorded_on=recorded_on,
        in_esr=True,
        in_totara=in_totara,
        updated_by=_pick(rng, context.signatures),
        completed_seconds=_whole(rng, 7 * 3600, 22 * 3600),
    )
