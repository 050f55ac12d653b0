"""The sample trust looks like a London ambulance service: workforce mix, structure, statuses, compliance spread.

Checked on a 2,000-person trust by reading the files back as a consumer would, applying the trust's own
training needs analysis file to the staff file.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import median

import pytest

from tests.sample_trust_support import AS_OF, MEDIUM_STAFF, esr_files, parse_esr_date, read_rows, sample_trust

FINAL_ON = AS_OF - timedelta(days=1)
IN_SCOPE = {"Active Assignment", "Internal Secondment", "Acting Up"}
PERIOD = re.compile(r"- (\d+) Years?\|$")


@pytest.fixture(scope="module")
def trust():
    return sample_trust(MEDIUM_STAFF)


@pytest.fixture(scope="module")
def staff(trust):
    return read_rows(esr_files(trust, "staff_in_post")[-1])[1]


@pytest.fixture(scope="module")
def competences(trust):
    return read_rows(esr_files(trust, "competences")[-1])[1]


@pytest.fixture(scope="module")
def primary(staff):
    return [row for row in staff if row["Assignment Number"] == row["Employee Number"]]


def _tna(trust) -> list[tuple[str, str, str]]:
    with (trust.landing_dir / "trust" / "training_needs_analysis.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (row["Applies To"].casefold(), row["Value"].casefold(), row["Competency Name"])
            for row in csv.DictReader(handle)
        ]


def _required(row: dict[str, str], rules: list[tuple[str, str, str]]) -> set[str]:
    fields = {heading.casefold(): value.casefold() for heading, value in row.items()}
    return {name for applies_to, value, name in rules if applies_to == "all" or fields.get(applies_to) == value}


def _expiry(row: dict[str, str]) -> date | None:
    """The expiry date of a held competence: the export's, else award plus the period in the name."""
    if row["Expiry Date"] == "No Expiry":
        return None
    if row["Expiry Date"]:
        return parse_esr_date(row["Expiry Date"])
    awarded = parse_esr_date(row["Date Last Awarded"])
    years = int(PERIOD.search(row["Competency Name"]).group(1))
    return awarded.replace(year=awarded.year + years, day=min(awarded.day, 28))


@pytest.fixture(scope="module")
def statuses(trust, staff, competences):
    """(organisation, status) for each in-scope person and required competence on the final extract date."""
    rules = _tna(trust)
    held = {(row["Employee Number"], row["Competency Name"]): row for row in competences}
    required: dict[str, set[str]] = defaultdict(set)
    where: dict[str, str] = {}
    for row in staff:
        started = parse_esr_date(row["Assignment Start Date"])
        if row["Assignment Status"] in IN_SCOPE and started <= FINAL_ON - timedelta(weeks=12):
            required[row["Employee Number"]] |= _required(row, rules)
            if row["Assignment Number"] == row["Employee Number"]:
                where[row["Employee Number"]] = row["Organisation"]
    found = []
    for person, names in required.items():
        for name in names:
            row = held.get((person, name))
            awarded = None if row is None else parse_esr_date(row["Date Last Awarded"])
            if awarded is None or awarded > FINAL_ON:
                status = "missing"
            else:
                expires = _expiry(row)
                if expires is None or expires > FINAL_ON + timedelta(days=90):
                    status = "in date"
                elif expires > FINAL_ON:
                    status = "expiring"
                else:
                    status = "expired"
            found.append((where.get(person, ""), status))
    return found


def _shares(counter: Counter) -> dict[str, float]:
    total = sum(counter.values())
    return {key: count / total for key, count in counter.items()}


def test_staff_groups_come_in_ambulance_trust_proportions(primary):
    shares = _shares(Counter(row["Staff Group"] for row in primary))
    assert 0.30 <= shares["Allied Health Professionals"] <= 0.40
    assert 0.25 <= shares["Additional Clinical Services"] <= 0.35
    assert 0.20 <= shares["Administrative and Clerical"] <= 0.30
    assert 0.02 <= shares["Estates and Ancillary"] <= 0.07
    assert 0.008 <= shares["Nursing and Midwifery Registered"] <= 0.035
    assert 0.0 < shares["Medical and Dental"] <= 0.015
    assert 0.003 <= shares["Add Prof Scientific and Technic"] <= 0.02
    assert 0.01 <= shares["Students"] <= 0.04
    assert set(shares) <= {
        "Allied Health Professionals", "Additional Clinical Services", "Administrative and Clerical",
        "Estates and Ancillary", "Nursing and Midwifery Registered", "Medical and Dental",
        "Add Prof Scientific and Technic", "Healthcare Scientists", "Students",
    }  # fmt: skip


def test_most_assignments_are_active_with_small_shares_away(staff):
    shares = _shares(Counter(row["Assignment Status"] for row in staff))
    assert shares["Active Assignment"] > 0.88
    assert 0.01 <= shares["Maternity & Adoption"] <= 0.04
    for status in ("Internal Secondment", "Acting Up"):
        assert 0.003 <= shares.get(status, 0) <= 0.03
    for status in ("Career Break", "Suspend No Pay", "Suspend With Pay", "Out on External Secondment"):
        assert shares.get(status, 0) <= 0.01


def test_categories_include_permanent_fixed_term_bank_and_honorary(staff):
    categories = Counter(row["Assignment Category"] for row in staff)
    assert categories["Permanent"] > 0.8 * len(staff)
    assert {"Fixed Term Temp", "Bank", "Honorary"} <= set(categories)


def test_about_five_percent_of_people_have_a_second_assignment(staff, primary):
    with_second = {row["Employee Number"] for row in staff if row["Assignment Number"].endswith("-2")}
    assert 0.03 <= len(with_second) / len(primary) <= 0.07


def test_the_hierarchy_has_directorates_sectors_stations_and_control_rooms(staff):
    level_3 = {row["Org Level 3"] for row in staff}
    assert {"457 Operations", "457 Emergency Operations Centres", "457 Clinical Education", "457 Corporate Services",
            "457 Medical Directorate", "457 Quality Governance"} <= level_3  # fmt: skip
    sectors = {row["Org Level 4"] for row in staff if row["Org Level 3"] == "457 Operations"}
    assert {"457 North West", "457 North Central", "457 North East", "457 South East", "457 South West",
            "457 Central"} <= sectors  # fmt: skip
    stations = {row["Org Level 5"] for row in staff if row["Org Level 5"].endswith(" Station")}
    assert len(stations) == 14  # 7 per thousand staff
    assert {"457 EOC Waterloo", "457 EOC Bow"} <= {row["Org Level 5"] for row in staff}
    assert "457 Sector North West Ops" in {row["Organisation"] for row in staff}


def test_position_titles_bands_and_occupation_codes_fit_together(staff):
    for row in staff:
        assert len(row["Occupation Code"]) == 3
        assert (row["Occupation Code"][0] in "01289") == (row["Staff Group"] == "Medical and Dental")
        if row["Pay Band"].startswith("Band "):
            assert row["Position Title"].endswith(row["Pay Band"]) or row["Staff Group"] == "Students"
    assert "Paramedic - Band 6" in {row["Position Title"] for row in staff}


def test_contracted_hours_are_between_a_fifth_and_full_time_except_bank(staff):
    for row in staff:
        wte = float(row["Contracted WTE"])
        if row["Assignment Category"] == "Bank":
            assert wte == 0.0
        else:
            assert 0.2 <= wte <= 1.0


def test_new_starters_within_12_weeks_and_known_leavers_within_90_days_exist(primary):
    hires = [parse_esr_date(row["Hire Date"]) for row in primary]
    assert sum(FINAL_ON - timedelta(weeks=12) < hired <= FINAL_ON for hired in hires) >= 0.015 * len(primary)
    ends = [parse_esr_date(row["Assignment End Date"]) for row in primary if row["Assignment End Date"]]
    assert any(AS_OF < ended <= AS_OF + timedelta(days=90) for ended in ends)


def test_people_are_adults_of_working_age_when_hired(primary):
    for row in primary:
        born = parse_esr_date(row["Date of Birth"])
        assert (parse_esr_date(row["Hire Date"]) - born).days >= 18 * 365
        assert 18 <= (AS_OF - born).days / 365.25 <= 70


def test_clinical_people_need_between_12_and_20_competences(trust, staff):
    rules = _tna(trust)
    clinical = [
        row for row in staff if row["Staff Group"] in ("Allied Health Professionals", "Additional Clinical Services")
    ]
    counts = [len(_required(row, rules)) for row in clinical]
    assert min(counts) >= 12 and max(counts) <= 20


def test_compliance_spread_on_the_final_date(statuses):
    shares = _shares(Counter(status for _, status in statuses))
    assert shares["in date"] > 0.75
    assert 0.04 <= shares["expiring"] <= 0.09
    assert 0.05 <= shares["expired"] <= 0.11
    assert 0.01 <= shares["missing"] <= 0.05


def test_some_stations_are_clearly_worse_than_the_rest(statuses):
    per_station: dict[str, Counter] = defaultdict(Counter)
    for organisation, status in statuses:
        if organisation.endswith(" Station"):
            per_station[organisation][status] += 1
    rates = sorted(
        counter["in date"] / sum(counter.values()) for counter in per_station.values() if sum(counter.values()) >= 100
    )
    assert len(rates) >= 10
    assert rates[0] < median(rates) - 0.08


def test_rag_mostly_agrees_with_the_expiry_but_a_few_are_stale(competences):
    agree = disagree = 0
    for row in competences:
        if row["Essential"] != "Y" or not row["Date Last Awarded"] or row["Expiry Date"] in ("", "No Expiry"):
            continue
        expires = parse_esr_date(row["Expiry Date"])
        expected = "RED" if expires <= FINAL_ON else "AMBER" if expires <= FINAL_ON + timedelta(days=90) else "GREEN"
        if row["Compliance Status"] == expected:
            agree += 1
        else:
            disagree += 1
    assert disagree > 0
    assert disagree / (agree + disagree) < 0.02


def test_essential_levels_titles_and_editors_look_like_esr(competences, staff):
    assert {row["Essential"] for row in competences} == {"Y", "N"}
    assert {"1 - Attended", "2 - Assessed"} <= {row["Competence Level"] for row in competences}
    assert all(row["Title"].startswith("457 ") for row in competences)
    assert all(row["Min Requirement"] == "" for row in competences)
    names = {row["Employee Number"]: f"{row['Last Name']}, {row['Title']} {row['First Name']}" for row in staff}
    for row in competences:
        editor = row["Last Updated By"].partition("|")[2]
        assert editor and editor != names[row["Employee Number"]]


def test_a_handful_of_awards_are_dated_after_the_extract(competences):
    future = [
        row for row in competences if row["Date Last Awarded"] and parse_esr_date(row["Date Last Awarded"]) > FINAL_ON
    ]
    assert 1 <= len(future) <= 0.005 * len(competences)


def test_some_missing_requirements_have_a_row_with_a_blank_award_date(competences):
    blank = [row for row in competences if row["Date Last Awarded"] == ""]
    assert blank
    assert all(row["Essential"] == "Y" and row["Compliance Status"] == "RED" for row in blank)
