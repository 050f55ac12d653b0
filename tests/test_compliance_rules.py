"""Hand-worked cases for each counting rule of trust-rules.md (reporting date 2026-03-31 unless stated)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from learnscape.config import ComplianceSettings
from tests.compliance_cases import FIRE, IG, INDUCTION, RESUS, assignment, award, esr_record, inputs, need
from transforms.compliance.build import build_compliance

D = date(2026, 3, 31)
RULES = ComplianceSettings()


def status_of(case, employee="10000001", competency=FIRE, as_of=D, rules=RULES):
    person = build_compliance(case, as_of, rules).person
    row = person.loc[(person.employee_number == employee) & (person.competency_name == competency)]
    assert len(row) <= 1
    return None if row.empty else row.iloc[0]


def one_person_with_fire_award(achieved, **award_options):
    return inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [award("10000001", FIRE, achieved, **award_options)],
    )


# ----------------------------------------------------------------------------------------------- status on date D
def test_award_expiring_on_the_reporting_date_counts_as_expired():
    row = status_of(one_person_with_fire_award(date(2024, 3, 31), expires=D))
    assert row.status == "expired"
    assert row.days_to_expiry == 0


def test_award_expiring_exactly_90_days_ahead_counts_as_expiring():
    row = status_of(one_person_with_fire_award(date(2024, 6, 29), expires=D + timedelta(days=90)))
    assert (row.status, row.days_to_expiry) == ("expiring", 90)


def test_award_expiring_91_days_ahead_counts_as_compliant():
    row = status_of(one_person_with_fire_award(date(2024, 6, 30), expires=D + timedelta(days=91)))
    assert (row.status, row.days_to_expiry) == ("compliant", 91)


def test_award_expiring_the_day_after_the_reporting_date_is_expiring():
    assert (
        status_of(one_person_with_fire_award(date(2024, 4, 1), expires=D + timedelta(days=1))).status
        == "expiring"
    )


def test_expiry_derived_from_the_period_in_the_competence_name_when_the_export_gives_none():
    row = status_of(one_person_with_fire_award(date(2024, 5, 15)))
    assert row.expires_on == date(2026, 5, 15)
    assert row.status == "expiring"


def test_derived_expiry_two_years_after_an_award_two_years_ago_to_the_day_is_expired():
    row = status_of(one_person_with_fire_award(date(2024, 3, 31)))
    assert (row.expires_on, row.status) == (D, "expired")


def test_no_expiry_never_lapses():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, INDUCTION)],
        [award("10000001", INDUCTION, date(2001, 1, 1), no_expiry=True)],
    )
    row = status_of(case, competency=INDUCTION)
    assert row.status == "compliant"
    assert row.expires_on is None
    assert row.days_to_expiry is None


def test_a_competence_without_a_period_in_its_name_and_no_expiry_date_never_lapses():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, INDUCTION)],
        [award("10000001", INDUCTION, date(2010, 1, 1))],
    )
    assert status_of(case, competency=INDUCTION).status == "compliant"


def test_never_achieved_is_missing():
    case = inputs([assignment("10000001")], [need("All", None, FIRE)])
    row = status_of(case)
    assert row.status == "missing"
    assert row.achieved_on is None and row.evidence_source is None


def test_award_dated_after_the_reporting_date_is_ignored():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [award("10000001", FIRE, date(2023, 1, 10)), award("10000001", FIRE, D + timedelta(days=1))],
    )
    row = status_of(case)
    assert row.achieved_on == date(2023, 1, 10)
    assert row.status == "expired"


def test_only_a_future_dated_award_means_missing():
    case = inputs(
        [assignment("10000001")], [need("All", None, FIRE)], [award("10000001", FIRE, date(2026, 6, 1))]
    )
    assert status_of(case).status == "missing"


def test_award_on_the_reporting_date_counts():
    assert status_of(one_person_with_fire_award(D)).status == "compliant"


def test_latest_award_wins_even_when_an_older_one_had_a_later_expiry():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [
            award("10000001", FIRE, date(2025, 1, 1), expires=date(2030, 1, 1)),
            award("10000001", FIRE, date(2025, 6, 1), expires=date(2026, 4, 1)),
        ],
    )
    row = status_of(case)
    assert (row.achieved_on, row.status) == (date(2025, 6, 1), "expiring")


def test_later_totara_certification_is_the_evidence_over_an_older_esr_record():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [
            award("10000001", FIRE, date(2023, 1, 1)),
            award(
                "10000001", FIRE, date(2025, 9, 1), expires=date(2027, 9, 1), source="totara_certification"
            ),
        ],
    )
    row = status_of(case)
    assert (row.evidence_source, row.status, row.expires_on) == (
        "totara_certification",
        "compliant",
        date(2027, 9, 1),
    )


# ------------------------------------------------------------------------------------------------------ population
@pytest.mark.parametrize(
    "status",
    [
        "Maternity & Adoption",
        "Career Break",
        "Suspend No Pay",
        "Suspend With Pay",
        "Out on External Secondment",
        "Terminate Assignment",
    ],
)
def test_excluded_statuses_do_not_count(status):
    case = inputs([assignment("10000001", status=status)], [need("All", None, FIRE)])
    assert status_of(case) is None


@pytest.mark.parametrize("status", ["Active Assignment", "Internal Secondment", "Acting Up"])
def test_in_post_statuses_count(status):
    case = inputs([assignment("10000001", status=status)], [need("All", None, FIRE)])
    assert status_of(case).status == "missing"


def test_assignment_ended_before_the_reporting_date_does_not_count():
    case = inputs([assignment("10000001", end=D - timedelta(days=1))], [need("All", None, FIRE)])
    assert status_of(case) is None


def test_assignment_ending_on_the_reporting_date_still_counts():
    case = inputs([assignment("10000001", end=D)], [need("All", None, FIRE)])
    assert status_of(case).status == "missing"


def test_excluded_statuses_are_a_setting():
    rules = ComplianceSettings(in_scope_statuses=("Active Assignment", "Maternity & Adoption"))
    case = inputs([assignment("10000001", status="Maternity & Adoption")], [need("All", None, FIRE)])
    assert status_of(case, rules=rules).status == "missing"


# ---------------------------------------------------------------------------------------------------- new starters
def test_requirement_counts_from_exactly_12_weeks_after_the_start_date():
    case = inputs([assignment("10000001", start=D - timedelta(weeks=12))], [need("All", None, FIRE)])
    assert status_of(case).status == "missing"


def test_requirement_does_not_count_one_day_inside_the_grace_period():
    case = inputs(
        [assignment("10000001", start=D - timedelta(weeks=12) + timedelta(days=1))], [need("All", None, FIRE)]
    )
    assert status_of(case) is None


def test_grace_period_is_a_setting():
    rules = ComplianceSettings(new_starter_grace_weeks=4)
    case = inputs([assignment("10000001", start=D - timedelta(weeks=5))], [need("All", None, FIRE)])
    assert status_of(case, rules=rules).status == "missing"


def test_a_new_second_assignment_does_not_delay_a_requirement_the_first_already_carries():
    case = inputs(
        [
            assignment("10000001", "10000001", wte=0.4),
            assignment("10000001", "10000001-2", wte=0.6, start=D - timedelta(days=10)),
        ],
        [need("All", None, FIRE)],
    )
    person = build_compliance(case, D, RULES).person
    assert len(person) == 1
    assert person.iloc[0].assignment_number == "10000001-2"


# ---------------------------------------------------------------------------------------------- two assignments
def test_requirement_shared_by_two_assignments_counts_once():
    case = inputs(
        [assignment("10000001", "10000001"), assignment("10000001", "10000001-2", category="Bank", wte=0.2)],
        [need("All", None, FIRE), need("Assignment Category", "bank", IG)],
    )
    person = build_compliance(case, D, RULES).person
    assert sorted(person.competency_name) == sorted([FIRE, IG])


def test_person_is_reported_under_the_assignment_with_the_highest_wte():
    case = inputs(
        [
            assignment("10000001", "10000001", wte=0.5, organisation="457 Brent Station"),
            assignment("10000001", "10000001-2", wte=0.8, organisation="457 EOC Bow"),
        ],
        [need("All", None, FIRE)],
    )
    row = status_of(case)
    assert (row.assignment_number, row.organisation) == ("10000001-2", "457 EOC Bow")


def test_equal_wte_falls_back_to_the_lowest_assignment_number_in_esr_order():
    case = inputs(
        [assignment("10000001", "10000001-10", wte=0.5), assignment("10000001", "10000001-2", wte=0.5)],
        [need("All", None, FIRE)],
    )
    assert status_of(case).assignment_number == "10000001-2"


def test_primary_is_chosen_among_in_scope_assignments_only():
    case = inputs(
        [
            assignment("10000001", "10000001", wte=1.0, status="Career Break"),
            assignment("10000001", "10000001-2", wte=0.3, organisation="457 EOC Waterloo"),
        ],
        [need("All", None, FIRE)],
    )
    assert status_of(case).assignment_number == "10000001-2"


# ------------------------------------------------------------------------------------------ training needs matching
def test_training_needs_match_their_field_exactly_and_case_insensitively():
    case = inputs(
        [
            assignment("10000001", job_role="Paramedic"),
            assignment("10000002", job_role="Paramedic Team Leader"),
        ],
        [need("Job Role", "PARAMEDIC", RESUS)],
    )
    person = build_compliance(case, D, RULES).person
    assert list(person.employee_number) == ["10000001"]


@pytest.mark.parametrize(
    "applies_to,value",
    [
        ("Staff Group", "allied health professionals"),
        ("Position Title", "Paramedic - Band 6"),
        ("Organisation", "457 Fulham Station"),
        ("Org Level 3", "457 operations"),
    ],
)
def test_each_applies_to_field_matches(applies_to, value):
    case = inputs([assignment("10000001")], [need(applies_to, value, RESUS)])
    assert status_of(case, competency=RESUS).status == "missing"


def test_unknown_applies_to_is_a_clear_error():
    case = inputs([assignment("10000001")], [need("Grade", "Band 6", RESUS)])
    with pytest.raises(ValueError, match="Grade"):
        build_compliance(case, D, RULES)


# -------------------------------------------------------------------------------------------------------- summary
def _team(n_in_date: int, n_total: int) -> list[dict]:
    return [assignment(f"2{i:07d}") for i in range(n_total)], [
        award(f"2{i:07d}", FIRE, date(2025, 12, 1)) for i in range(n_in_date)
    ]


@pytest.mark.parametrize("in_date,rag", [(9, "green"), (8, "amber"), (7, "red")])
def test_rag_is_green_at_the_target_amber_from_80_and_red_below(in_date, rag):
    team, awards = _team(in_date, 10)
    summary = build_compliance(inputs(team, [need("All", None, FIRE)], awards), D, RULES).summary
    trust = summary.query("dimension == 'trust' and competency_name == 'ALL'").iloc[0]
    assert (trust.required, trust.in_date, trust.compliance_pct, trust.rag) == (
        10,
        in_date,
        in_date * 10.0,
        rag,
    )


def test_summary_counts_each_status_and_in_date_includes_expiring():
    case = inputs(
        [assignment(f"1000000{i}") for i in range(1, 5)],
        [need("All", None, FIRE)],
        [
            award("10000001", FIRE, date(2025, 6, 1)),
            award("10000002", FIRE, date(2024, 5, 1)),
            award("10000003", FIRE, date(2023, 1, 1)),
        ],
    )
    summary = build_compliance(case, D, RULES).summary
    row = summary.query("dimension == 'staff_group' and competency_name == @FIRE").iloc[0]
    assert (row.group_value, row.required, row.in_date, row.expiring, row.expired, row.missing) == (
        "Allied Health Professionals",
        4,
        2,
        1,
        1,
        1,
    )
    assert row.compliance_pct == 50.0 and row.rag == "red"


def test_summary_has_every_published_dimension_and_an_all_row():
    case = inputs([assignment("10000001")], [need("All", None, FIRE), need("All", None, IG)])
    summary = build_compliance(case, D, RULES).summary
    assert set(summary.dimension) == {
        "trust",
        "org_level_3",
        "organisation",
        "staff_group",
        "job_role",
        "assignment_category",
    }
    trust_all = summary.query("dimension == 'trust' and competency_name == 'ALL'").iloc[0]
    assert (trust_all.group_value, trust_all.required) == ("457", 2)


def test_per_competence_target_overrides_the_trust_target():
    rules = ComplianceSettings(competency_targets={IG: 95.0})
    team, _ = _team(0, 20)
    awards = [award(f"2{i:07d}", IG, date(2026, 1, 1)) for i in range(18)]
    summary = build_compliance(inputs(team, [need("All", None, IG)], awards), D, rules).summary
    row = summary.query("dimension == 'trust' and competency_name == @IG").iloc[0]
    assert (row.compliance_pct, row.target_pct, row.rag) == (90.0, 95.0, "amber")


# -------------------------------------------------------------------------------------------------- reconciliation
def test_reconciliation_lists_esr_green_where_the_award_has_expired():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [award("10000001", FIRE, date(2023, 1, 1), expires=date(2025, 1, 1))],
        [esr_record("10000001", FIRE, "GREEN", date(2025, 1, 1))],
    )
    rec = build_compliance(case, D, RULES).reconciliation
    assert list(zip(rec.esr_compliance_status, rec.learnscape_status, strict=True)) == [("GREEN", "expired")]
    assert "stale" in rec.iloc[0].explanation


def test_reconciliation_gives_each_disagreement_its_first_reason():
    people = ["10000001", "10000002", "10000003", "10000004", "10000005"]
    case = inputs(
        [assignment(person) for person in people],
        [need("All", None, FIRE)],
        [
            award("10000001", FIRE, date(2025, 9, 1), expires=date(2027, 9, 1), source="totara_certification"),
            award("10000003", FIRE, date(2024, 4, 1), expires=date(2026, 5, 1)),
            award("10000004", FIRE, date(2024, 5, 1), expires=date(2026, 5, 1)),
            award("10000005", FIRE, date(2023, 1, 1), expires=date(2025, 1, 1)),
        ],
        [
            esr_record("10000001", FIRE, "RED", date(2025, 1, 1)),
            esr_record("10000002", FIRE, "AMBER", date(2026, 4, 30)),
            esr_record("10000003", FIRE, "GREEN", date(2026, 6, 1)),
            esr_record("10000004", FIRE, "GREEN", date(2026, 5, 1)),
            esr_record("10000005", FIRE, "GREEN", date(2025, 1, 1)),
        ],
    )
    rec = build_compliance(case, D, RULES).reconciliation.sort_values("employee_number")
    assert list(rec.employee_number) == people
    assert list(rec.explanation) == [
        "Learnscape counts newer totara_certification evidence that ESR does not hold.",
        "ESR rates a record that has no award dated on or before the reporting date.",
        "ESR's expiry date differs from the expiry Learnscape derived.",
        "ESR's expiring-soon window differs from the trust's window.",
        "ESR's status is stale: it was last recalculated before the expiry date passed.",
    ]


def test_reconciliation_is_empty_when_esr_agrees():
    case = inputs(
        [assignment("10000001")],
        [need("All", None, FIRE)],
        [award("10000001", FIRE, date(2025, 6, 1), expires=date(2027, 6, 1))],
        [esr_record("10000001", FIRE, "GREEN", date(2027, 6, 1))],
    )
    assert build_compliance(case, D, RULES).reconciliation.empty
