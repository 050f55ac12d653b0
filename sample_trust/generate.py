"""Generate a whole sample trust: ESR extracts, Totara exports and stand-in data, trust rules and a README.

People are generated one at a time and written to every open file before the next is drawn, so memory stays
flat from a few hundred staff to well over a million. The same (staff, seed, as_of, vpd, history) always gives
byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sample_trust.catalogue import load_training_needs
from sample_trust.competences import competence_histories
from sample_trust.esr_files import COMPETENCES_KIND, STAFF_KIND, EsrExtractWriter
from sample_trust.people import TrustPlan, build_person
from sample_trust.schedule import ExtractSchedule
from sample_trust.totara import TotaraWriter, build_contractor
from sample_trust.trust_rules import write_trust_rules

README_NAME = "README.txt"
_GENERATED_PATTERNS = (
    ("landing/esr", re.compile(r"^esr_(staff_in_post|competences)_[A-Za-z0-9]{3}_\d{8}_(full|delta)\.csv$")),
    (
        "landing/totara",
        re.compile(r"^totara_(course_completion|certification_completion|competency_status)_\d{8}\.csv$"),
    ),
    ("standins/totara", re.compile(r"^(users|job_assignments)\.jsonl$")),
)


@dataclass(frozen=True)
class SampleTrustSummary:
    """What was generated: folders, the as-of date, counts from the final (current) snapshot, and every file.

    `staff` is people in post on the final ESR extract, `assignments` the rows of its staff in post file and
    `competence_rows` the rows of its competences file.
    """

    out_dir: Path
    landing_dir: Path
    standins_dir: Path
    as_of: date
    staff: int
    assignments: int
    competence_rows: int
    files: tuple[Path, ...]


def generate_sample_trust(
    out_dir: Path,
    staff: int = 10_000,
    seed: int = 457,
    as_of: date | None = None,
    vpd: str = "457",
    history: bool = True,
) -> SampleTrustSummary:
    """Write a sample trust of `staff` people in post on `as_of` (default today) under `out_dir`.

    Layout: `landing/esr/` ESR extracts (with `history`, a baseline full 364 days back, four-weekly deltas and a
    final full dated the day before `as_of`; without, only that final full), `landing/totara/` Report Builder
    exports, `landing/trust/` the trust's rules files, `standins/totara/` users and job assignments for the
    Totara stand-in server, and `README.txt`. Files this generator wrote earlier in those folders are replaced.
    """
    as_of = as_of or date.today()
    out_dir = Path(out_dir)
    landing_dir = out_dir / "landing"
    standins_dir = out_dir / "standins"
    plan = TrustPlan.build(staff, seed, as_of, vpd)
    needs = load_training_needs(vpd)
    schedule = ExtractSchedule.for_calendar(plan.calendar, history)
    _remove_previous_outputs(out_dir)

    counts = write_trust_rules(landing_dir / "trust", needs, plan.staffing, as_of)
    with (
        EsrExtractWriter(landing_dir / "esr", vpd, schedule, plan.calendar) as esr,
        TotaraWriter(plan, needs, landing_dir / "totara", standins_dir / "totara") as totara,
    ):
        for index in range(plan.people_count):
            person = build_person(plan, index)
            histories = competence_histories(plan, person, needs)
            esr.write_person(person, histories)
            totara.write_person(person, histories)
        for index in range(plan.people_count, plan.people_count + plan.contractors):
            totara.write_contractor(build_contractor(plan, index))
    counts.update(esr.row_counts())
    counts.update(totara.row_counts())
    final = schedule.final.position
    final_staff_file = esr.paths(STAFF_KIND)[final]
    final_competences_file = esr.paths(COMPETENCES_KIND)[final]
    readme = out_dir / README_NAME
    readme.write_text(_readme(plan, schedule, out_dir, counts, history), encoding="utf-8")
    return SampleTrustSummary(
        out_dir=out_dir,
        landing_dir=landing_dir,
        standins_dir=standins_dir,
        as_of=as_of,
        staff=plan.staff,
        assignments=counts[final_staff_file],
        competence_rows=counts[final_competences_file],
        files=(*sorted(counts), readme),
    )


def _remove_previous_outputs(out_dir: Path) -> None:
    """Delete files an earlier run wrote (only names this generator uses), so no stale extract is left behind."""
    for folder, pattern in _GENERATED_PATTERNS:
        directory = out_dir / folder
        if directory.is_dir():
            for path in directory.iterdir():
                if path.is_file() and pattern.match(path.name):
                    path.unlink()


def _readme(
    plan: TrustPlan, schedule: ExtractSchedule, out_dir: Path, counts: Mapping[Path, int], history: bool
) -> str:
    calendar = plan.calendar
    lines = [
        f"Sample trust {plan.vpd}: a London ambulance service sized to {plan.staff:,} staff in post",
        "=" * 72,
        "",
        f"As of {calendar.as_of.isoformat()} (seed {plan.seed}). Every file is regenerated identically from",
        "the same staff count, seed, as-of date, VPD and history setting. All people are fictional.",
        "",
        f"Staff in post on the final extract: {plan.staff:,}; leavers during the year: {plan.leavers:,};",
        f"Totara users with no ESR record (contractors): {plan.contractors:,}.",
        "",
        "ESR extracts (landing/esr/)",
    ]
    if history:
        lines.append(
            f"  Baseline full {calendar.baseline_on.isoformat()}, a delta every 4 weeks, final full "
            f"{calendar.final_on.isoformat()}."
        )
        lines.append("  Deltas hold only rows changed since the previous extract: new starters, leavers as")
        lines.append("  'Terminate Assignment' with an end date, status changes, renewals updated in place.")
    else:
        lines.append(f"  One full extract dated {calendar.final_on.isoformat()} (no history).")
    lines += [
        "  Awkward parts on purpose: the final full staff file is UTF-8 with a byte-order mark; one delta's",
        "  staff file is Windows-1252; some files end in blank lines; dates mix 30-Nov-2028,",
        "  2025/12/02 00:00:00, 02/12/2025 and 2025-12-02; expiry may be 'No Expiry' or blank; competence",
        "  names and 'Last Updated By' contain pipes and commas; names carry accents and apostrophes.",
        "",
        "Files (rows or JSON lines):",
    ]
    for path in sorted(counts):
        lines.append(f"  {path.relative_to(out_dir).as_posix():<70} {counts[path]:>10,}")
    lines += [
        "",
        "Other folders",
        f"  landing/totara/   Report Builder exports dated {calendar.final_on.isoformat()}",
        "  landing/trust/    training needs analysis, skills framework, role skill profiles",
        "  standins/totara/  users and job assignments for the Totara stand-in server (deleted users are",
        '                    marked "deleted": true; the server leaves them out)',
        "",
        f"Extracts: {len(schedule.extracts)} ({sum(extract.is_delta for extract in schedule.extracts)} deltas).",
        "",
    ]
    return "\n".join(lines)
