"""Properties that must hold for every input, not just the hand-worked ones: the compliance rules of
`transforms/compliance` (built with `tests/compliance_cases.py`), tried on 40 generated trusts each, and the
parsers of ESR dates, ESR competence names and Totara report dates, tried on a few hundred generated values."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connectors.esr.competency_names import parse_competency_name
from connectors.esr.dates import parse_esr_dates, parse_expiry_dates
from connectors.totara.export_values import parse_report_dates
from learnscape.config import ComplianceSettings
from tests.compliance_cases import FIRE, IG, RESUS, assignment, award, inputs, need
from transforms.compliance.build import build_compliance

D = date(2026, 11, 23)
RULES = ComplianceSettings()
RANK = {"missing": 0, "expired": 1, "expiring": 2, "compliant": 3}
IN_DATE = {"compliant", "expiring"}
#: Each example builds the compliance tables once or twice (about 50 ms each), so the rule properties try 40.
EXAMPLES = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def statuses(case, as_of: date = D) -> dict[str, str]:
    """Each person's Fire Safety status on the date."""
    person = build_compliance(case, as_of, RULES).person
    fire = person.loc[person["competency_name"] == FIRE]
    return dict(zip(fire["employee_number"], fire["status"], strict=True))


def fire_award(employee: str, achieved: date, kind: str, expires: date | None, source: str = "esr") -> dict:
    return award(employee, FIRE, achieved, expires=expires, no_expiry=kind == "never", source=source)


def expiry_of(fire: dict) -> date | None:
    """When an award lapses: its own expiry, else two years (the period in the name) on; None for never."""
    if fire["no_expiry"]:
        return None
    if fire["expires_on"] is not None:
        return fire["expires_on"]
    return (pd.Timestamp(fire["achieved_on"]) + pd.DateOffset(months=24)).date()


@st.composite
def award_histories(draw, employee: str) -> tuple[list[dict], dict]:
    """Up to three Fire Safety awards from any source, dated up to six years before or three after D, then one
    more award dated after every award already dated on or before D, itself on or before D and in date on D."""
    earlier = []
    for _ in range(draw(st.integers(0, 3))):
        achieved = D + timedelta(days=draw(st.integers(-6 * 365, 3 * 365)))
        kind = draw(st.sampled_from(["derived", "explicit", "never"]))
        expires = achieved + timedelta(days=draw(st.integers(1, 5 * 365))) if kind == "explicit" else None
        source = draw(st.sampled_from(["esr", "totara_certification", "totara_course"]))
        earlier.append(fire_award(employee, achieved, kind, expires, source))
    dated = [a["achieved_on"] for a in earlier if a["achieved_on"] <= D]
    first = max(dated) + timedelta(days=1) if dated else D - timedelta(days=700)
    assume(first <= D)
    achieved = draw(st.dates(min_value=first, max_value=D))
    kind = draw(st.sampled_from(["explicit", "never", "derived"]))
    assume(kind != "derived" or (pd.Timestamp(achieved) + pd.DateOffset(months=24)).date() > D)
    expires = D + timedelta(days=draw(st.integers(1, 4 * 365))) if kind == "explicit" else None
    return earlier, fire_award(employee, achieved, kind, expires)


def _outlasts(later: dict, earlier: list[dict]) -> bool:
    """True when the later award lapses no sooner than the evidence it replaces (or there is none)."""
    counted = [a for a in earlier if a["achieved_on"] <= D]
    if not counted:
        return True
    current = max(counted, key=lambda a: (a["achieved_on"], expiry_of(a) or date.max))
    if expiry_of(later) is None:
        return True
    return expiry_of(current) is not None and expiry_of(later) >= expiry_of(current)


@EXAMPLES
@given(data=st.data(), people=st.integers(1, 6))
def test_a_later_award_in_date_on_the_reporting_date_keeps_the_person_in_date_and_never_lowers_a_status(data, people):
    """Adding a later award that is in date on D leaves the person in date (so their compliance never drops);
    and when that award lapses no sooner than the evidence it replaces, their status never drops in rank
    (missing < expired < expiring < compliant). A later award lapsing sooner may turn compliant into expiring:
    the policy counts the latest award, not the longest."""
    employees = [f"1000000{n}" for n in range(people)]
    histories = {e: data.draw(award_histories(e)) for e in employees}
    posts, needs = [assignment(e) for e in employees], [need("All", None, FIRE)]
    before = statuses(inputs(posts, needs, [a for earlier, _ in histories.values() for a in earlier]))
    after = statuses(inputs(posts, needs, [a for earlier, later in histories.values() for a in [*earlier, later]]))
    for employee, (earlier, later) in histories.items():
        assert after[employee] in IN_DATE
        if _outlasts(later, earlier):
            assert RANK[after[employee]] >= RANK[before[employee]], (earlier, later)


@st.composite
def small_trusts(draw):
    """Up to four people with up to three assignments each, mixed statuses, roles, groups and start dates, and
    training needs drawn from rules on all staff, a staff group and a job role."""
    assignments = []
    for person in range(draw(st.integers(1, 4))):
        employee = f"1000000{person}"
        for number in range(draw(st.integers(1, 3))):
            start = D - timedelta(days=draw(st.integers(-30, 3 * 365)))
            ended = draw(st.booleans())
            assignments.append(
                assignment(
                    employee,
                    employee if number == 0 else f"{employee}-{number + 1}",
                    status=draw(st.sampled_from(["Active Assignment", "Acting Up", "Career Break", "Suspend No Pay"])),
                    start=start,
                    end=start + timedelta(days=draw(st.integers(0, 900))) if ended else None,
                    wte=draw(st.sampled_from([0.2, 0.5, 0.8, 1.0])),
                    staff_group=draw(st.sampled_from(["Allied Health Professionals", "Additional Clinical Services"])),
                    job_role=draw(st.sampled_from(["Paramedic", "Emergency Care Assistant", "Team Leader"])),
                )
            )
    rules = [
        need("All", None, FIRE),
        need("Staff Group", "allied health professionals", RESUS),
        need("Job Role", "Emergency Care Assistant", IG),
        need("Job Role", "team leader", RESUS),
    ]
    needs = draw(st.lists(st.sampled_from(rules), min_size=1, max_size=4, unique_by=lambda n: tuple(n.values())))
    return assignments, needs


def _required(case) -> tuple[int, pd.DataFrame]:
    tables = build_compliance(case, D, RULES)
    return len(tables.person), tables.summary


@EXAMPLES
@given(trust=small_trusts(), data=st.data())
def test_excluding_an_assignment_never_raises_the_required_count(trust, data):
    assignments, needs = trust
    excluded = data.draw(st.integers(0, len(assignments) - 1))
    how = data.draw(st.sampled_from(["removed", "on career break", "ended before the date"]))
    changed = [dict(a) for a in assignments]
    if how == "removed":
        del changed[excluded]
    elif how == "on career break":
        changed[excluded]["assignment_status"] = "Career Break"
    else:
        changed[excluded]["assignment_end_date"] = D - timedelta(days=1)
    before, _ = _required(inputs(assignments, needs))
    if not changed:
        return  # nobody left in post: nothing can be required
    after, summary = _required(inputs(changed, needs))
    assert after <= before
    if not summary.empty:
        counts = summary["in_date"] + summary["expired"] + summary["missing"]
        assert (counts == summary["required"]).all()


def _expected_status(days_left: int) -> str:
    if days_left <= 0:
        return "expired"
    return "expiring" if days_left <= RULES.expiring_window_days else "compliant"


@EXAMPLES
@given(days_left=st.lists(st.integers(-2000, 2000), min_size=2, max_size=25), shift=st.integers(-3650, 3650))
def test_status_is_a_function_of_expiry_relative_to_the_reporting_date_and_rises_with_it(days_left, shift):
    """One person per expiry, each `days_left` days after a reporting date moved `shift` days from D: the status
    depends on that difference alone (expired at 0 or less, expiring up to 90, compliant beyond) and never
    falls as the expiry moves later."""
    as_of = D + timedelta(days=shift)
    employees = [f"2{n:07d}" for n in range(len(days_left))]
    awards = [
        award(e, FIRE, as_of - timedelta(days=2500), expires=as_of + timedelta(days=left))
        for e, left in zip(employees, days_left, strict=True)
    ]
    posts = [assignment(e, start=as_of - timedelta(days=1000)) for e in employees]
    found = statuses(inputs(posts, [need("All", None, FIRE)], awards), as_of=as_of)
    assert [found[e] for e in employees] == [_expected_status(left) for left in days_left]
    ranked = [RANK[found[e]] for _, e in sorted(zip(days_left, employees, strict=True))]
    assert ranked == sorted(ranked)


# --- parsers -------------------------------------------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@st.composite
def esr_date_texts(draw) -> tuple[date, str]:
    """A date written in one of the shapes ESR exports mix (`30-Nov-2028`, `2025/12/02 00:00:00`, `02/12/2025`,
    ISO), with or without leading zeros where the shape allows, the month name in any case, and a time of day
    where the shape carries one."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
    pad = draw(st.booleans())
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    hours = f"{hour:02d}" if pad else str(hour)
    shape = draw(st.sampled_from(["dd-Mon-yyyy", "yyyy/mm/dd", "dd/mm/yyyy", "iso"]))
    timed = draw(st.booleans())
    if shape == "dd-Mon-yyyy":
        month = draw(st.sampled_from([str.title, str.upper, str.lower]))(MONTHS[day.month - 1])
        text = f"{d}-{month}-{day.year}" + (f" {hours}:{minute:02d}:{second:02d}" if timed else "")
    elif shape == "iso":
        clock = draw(st.sampled_from([f"{hour:02d}:{minute:02d}", f"{hour:02d}:{minute:02d}:{second:02d}"]))
        text = day.isoformat() + (draw(st.sampled_from(["T", " "])) + clock if timed else "")
    else:
        clock = draw(st.sampled_from([f"{hours}:{minute:02d}", f"{hours}:{minute:02d}:{second:02d}"]))
        written = f"{day.year}/{m}/{d}" if shape == "yyyy/mm/dd" else f"{d}/{m}/{day.year}"
        text = written + (f" {clock}" if timed else "")
    return day, text


@settings(max_examples=300, deadline=None, database=None)
@given(written=st.lists(esr_date_texts(), min_size=1, max_size=8))
def test_the_esr_date_parser_reads_back_every_date_in_every_shape_esr_writes(written):
    parsed = parse_esr_dates(pd.Series([text for _, text in written], dtype="str"))
    assert not parsed.unparseable.any(), [t for (_, t), bad in zip(written, parsed.unparseable, strict=True) if bad]
    assert [value.date() for value in parsed.dates] == [day for day, _ in written]


@settings(max_examples=100, deadline=None, database=None)
@given(
    spacing=st.lists(st.sampled_from(["", " ", "  "]), min_size=3, max_size=3),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_no_expiry_is_read_as_never_lapsing_in_any_case_or_spacing(spacing, case):
    text = f"{spacing[0]}{case('no')}{spacing[1] or ' '}{case('expiry')}{spacing[2]}"
    parsed = parse_expiry_dates(pd.Series([text, "30-Nov-2028"], dtype="str"))
    assert parsed.no_expiry.tolist() == [True, False] and not parsed.unparseable.any()


subject_words = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz()&,'", min_size=2, max_size=12)


@st.composite
def competence_names(draw) -> tuple[str, str, str | None, int | None]:
    words = draw(st.lists(subject_words, min_size=1, max_size=4))
    if len(words) > 1 and draw(st.booleans()):
        words[0] = f"{words[0]}-{words[1]}"
    subject = " ".join(words)
    level = draw(st.sampled_from([None, "Level 2", "Level 3 - Adults", "Basic Prevent Awareness"]))
    count = draw(st.integers(1, 12))
    unit, months = draw(
        st.sampled_from(
            [("Year", 12), ("Years", 12), ("years", 12), ("YEARS", 12), ("yr", 12), ("Yrs", 12), ("Month", 1)]
            + [("Months", 1), ("mth", 1), ("MTHS", 1)]
        )
    )
    has_period = draw(st.booleans())
    separator = draw(st.sampled_from([" - ", " -", "- ", "-"])) if has_period else ""
    period = f"{separator}{count}{draw(st.sampled_from(['', ' ']))}{unit}" if has_period else ""
    scope = draw(st.sampled_from(["NHS|CSTF", "457|LOCAL", "R1F|CLINICAL"]))
    title = subject + (f" - {level}" if level else "")
    return f"{scope}|{title}{period}|", subject, level, count * months if has_period else None


@settings(max_examples=300, deadline=None, database=None)
@given(name=competence_names())
def test_the_refresher_period_and_subject_are_read_from_any_competence_name(name):
    text, subject, level, months = name
    assume(not subject.rstrip().endswith(("-", " ")) and "--" not in subject)
    parsed = parse_competency_name(text)
    assert (parsed.subject, parsed.level, parsed.refresher_months) == (subject.strip(), level, months)


@settings(max_examples=200, deadline=None, database=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    month_style=st.sampled_from(["%b", "%B"]),
    padded=st.booleans(),
    minute=st.none() | st.integers(0, 24 * 60 - 1),
)
def test_totara_report_dates_read_back_as_the_calendar_date_written(day, month_style, padded, minute):
    text = day.strftime(f"%d {month_style} %Y")
    if not padded:
        text = text.lstrip("0")
    if minute is not None:
        text += f" at {minute // 60:02d}:{minute % 60:02d}"
    parsed = parse_report_dates(pd.Series([text]), "Europe/London")
    assert parsed.dates.tolist() == [day] and not parsed.unreadable.any()
