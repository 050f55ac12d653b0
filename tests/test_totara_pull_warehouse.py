"""Totara users and job assignments pulled over real HTTP from the local Totara stand-in into the warehouse:
deletions found by absence, an implausible pull refused, and Totara people who match nobody in ESR listed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from flows.build import build_compliance_task
from flows.totara import pull_totara_task
from standins.totara.seed import employee_number, small_trust_seed
from standins.totara.server import run_totara_standin
from tests.esr_files import staff_row, write_staff
from tests.pipeline_support import ingest
from warehouse.models import totara_job_assignment, totara_user, unmatched_learner

D = date(2026, 11, 23)
CLIENT = {"client_id": "learnscape", "client_secret": "s3cret-for-tests"}


@pytest.fixture
def totara_site(trust, monkeypatch):
    config, engine, landing = trust
    with run_totara_standin(small_trust_seed(12), **CLIENT) as (base_url, standin):
        monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_ID", CLIENT["client_id"])
        monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_SECRET", CLIENT["client_secret"])
        config = config.model_copy(
            update={"sources": config.sources.model_copy(
                update={"totara": config.sources.totara.model_copy(update={"base_url": base_url, "enabled": True})}
            )}
        )
        yield (config, engine, landing), standin


def pull(trust_fixture, day: date = D):
    config, engine, _ = trust_fixture
    return {o.source: o for o in pull_totara_task.fn(engine, config, day, "test")}


def test_users_and_job_assignments_are_pulled_with_suspended_and_deleted_handled(totara_site):
    trust_fixture, standin = totara_site
    outcomes = pull(trust_fixture)
    assert outcomes["totara_users"].status == "loaded" and outcomes["totara_job_assignments"].status == "loaded"
    with trust_fixture[1].connect() as connection:
        users = {r.username: r for r in connection.execute(select(totara_user)).all()}
        jobs = connection.execute(select(totara_job_assignment)).all()
    assert {"guest", "admin"} <= set(users)
    assert len(users) == 2 + 12 - 1  # the seed's deleted person is omitted by Totara
    assert sum(u.suspended for u in users.values()) == 1
    assert jobs and all(j.deleted_on is None for j in jobs)


def test_a_user_deleted_in_totara_is_marked_deleted_on_the_next_pull(totara_site):
    trust_fixture, standin = totara_site
    pull(trust_fixture, date(2026, 11, 22))
    with trust_fixture[1].connect() as connection:
        victim = connection.execute(select(totara_user).where(totara_user.c.username != "admin")).first()
    standin.mark_user_deleted(victim.user_id)
    pull(trust_fixture)
    with trust_fixture[1].connect() as connection:
        deleted = connection.execute(select(totara_user).where(totara_user.c.deleted_on.is_not(None))).all()
    assert [(u.user_id, u.deleted_on) for u in deleted] == [(victim.user_id, D)]


def test_a_pull_that_would_delete_most_users_is_refused(totara_site):
    trust_fixture, standin = totara_site
    pull(trust_fixture, date(2026, 11, 22))
    with trust_fixture[1].connect() as connection:
        ids = list(connection.execute(select(totara_user.c.user_id)).scalars())
    for user_id in ids[: len(ids) // 2 + 1]:
        standin.mark_user_deleted(user_id)
    outcome = pull(trust_fixture)["totara_users"]
    assert outcome.status == "refused" and "incomplete" in outcome.message
    with trust_fixture[1].connect() as connection:
        assert connection.execute(select(totara_user).where(totara_user.c.deleted_on.is_not(None))).all() == []


def test_totara_people_who_match_nobody_in_esr_are_listed_not_dropped(totara_site):
    trust_fixture, _ = totara_site
    config, engine, landing = trust_fixture
    in_esr = [employee_number(i) for i in range(6)]
    write_staff(landing, "20261122", "full", [staff_row(number) for number in in_esr])
    ingest(trust_fixture)
    pull(trust_fixture)
    build_compliance_task.fn(engine, config, D)
    with engine.connect() as connection:
        listed = connection.execute(select(unmatched_learner).where(unmatched_learner.c.as_of_date == D)).all()
    users = {r.match_key for r in listed if r.source == "totara_user"}
    expected = {employee_number(i) for i in range(6, 12)}
    assert users == expected
    assert all(r.reason for r in listed)


def test_wrong_credentials_stop_the_pull_with_a_clear_error_and_no_secret(totara_site, monkeypatch):
    trust_fixture, _ = totara_site
    monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_SECRET", "not-the-secret")
    with pytest.raises(Exception) as raised:
        pull(trust_fixture)
    assert "oauth2/token.php" in str(raised.value) and "not-the-secret" not in str(raised.value)
