"""Survey and evaluation files through the warehouse: anonymous storage, suppressed marts, clear refusals."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import inspect, select

from flows.build import build_surveys_task
from sample_trust.surveys import write_sample_surveys
from tests.pipeline_support import ingest
from warehouse.engine import is_sqlite
from warehouse.models import course_evaluation, learning_engagement

DIRECTORATES = ["457 Operations", "457 Emergency Operations Centres", "457 Corporate Services", "457 Medical"]
STAFF_GROUPS = ["Allied Health Professionals", "Additional Clinical Services", "Administrative and Clerical"]


@pytest.fixture
def survey_trust(trust):
    config, engine, landing = trust
    write_sample_surveys(landing / "surveys", "R1F", DIRECTORATES, STAFF_GROUPS, respondents=400, seed=7,
                         as_of=date(2026, 11, 23))
    outcomes = ingest(trust)
    build_surveys_task.fn(engine, config)
    return trust, outcomes


def mart(trust_fixture, table) -> pd.DataFrame:
    with trust_fixture[1].connect() as connection:
        result = connection.execute(select(table))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_every_survey_file_loads(survey_trust):
    _, outcomes = survey_trust
    surveys = {name: o for name, o in outcomes.items() if o.source in {"survey_responses", "survey_results",
                                                                        "course_evaluations"}}
    assert len(surveys) >= 6 and {o.status for o in surveys.values()} == {"loaded"}


def test_no_published_cell_rests_on_fewer_than_11_responses(survey_trust):
    trust_fixture, _ = survey_trust
    for table in (learning_engagement, course_evaluation):
        frame = mart(trust_fixture, table)
        assert not frame.empty
        shown = frame.loc[~frame["suppressed"].astype(bool)]
        learner_rows = shown if table is learning_engagement else shown[shown["kirkpatrick_level"] < 4]
        assert (learner_rows["n"].dropna() >= 11).all()
        hidden = frame.loc[frame["suppressed"].astype(bool)]
        assert hidden["n"].isna().all()
    engagement = mart(trust_fixture, learning_engagement)
    assert {"always_learning", "staff_engagement", "learning_nps"} <= set(engagement["measure"])
    assert set(engagement["source"]) == {"local", "published"}
    assert engagement["suppressed"].astype(bool).any()


def test_survey_tables_hold_no_person_identifier(survey_trust):
    trust_fixture, _ = survey_trust
    engine = trust_fixture[1]
    inspector = inspect(engine)
    names = {"survey_respondent", "survey_answer", "course_evaluation_response", "learning_engagement",
             "course_evaluation"}
    for name in names:
        schema = None if is_sqlite(engine) else ("marts" if name in {"learning_engagement", "course_evaluation"}
                                                 else "core")
        columns = {c["name"] for c in inspector.get_columns(name, schema=schema)}
        assert not columns & {"sample_id", "learner_ref", "free_text", "employee_number", "email"}


def test_a_file_with_an_unmapped_question_is_refused_with_a_clear_error(trust):
    config, engine, landing = trust
    (landing / "surveys").mkdir(parents=True)
    (landing / "surveys" / "nss_2023_R1F_responses.csv").write_text(
        "Sample ID,Organisation code,Organisation Name,LOCALITY1,STAFFGROUP,q2a,q99z\n"
        "S1,R1F,Trust,Operations,Allied Health Professionals,4,3\n",
        encoding="utf-8",
    )
    outcome = ingest(trust)["nss_2023_R1F_responses.csv"]
    assert outcome.status == "refused"
    assert "q99z" in outcome.message.lower() and "nss_2023_R1F_responses.csv" in outcome.message
