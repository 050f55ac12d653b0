"""The warehouse's tables, layer by layer: audit, quarantine, staging, core, marts.

On PostgreSQL each layer is a schema (`staging.stg_esr_staff_in_post`, `marts.compliance_person`). SQLite has no
schemas, so the same tables live in one file under the same table names (the schema is dropped by
`schema_translate_map`, see `warehouse.engine`); table names are unique across layers for that reason.

Core tables that describe the trust at a point in time keep history as versions: `valid_from` is the extract date
of the file that brought the version and `valid_to` the extract date that replaced or ended it (NULL = current). A
reporting date D reads the version with `valid_from <= D < valid_to`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMAS = ("audit", "quarantine", "staging", "core", "marts")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _versioned() -> list[Column]:
    """Columns every versioned core table carries."""
    return [
        Column("row_hash", String(32), nullable=False, comment="Hash of the tracked columns; equal = unchanged."),
        Column("valid_from", Date, nullable=False, comment="Extract date of the file that brought this version."),
        Column("valid_to", Date, comment="Extract date that replaced or ended this version; NULL while current."),
        Column("confirmed_on", Date, nullable=False, comment="Latest extract date that showed this version."),
        Column("load_id", Integer, nullable=False, comment="The load that brought this version."),
    ]


# ---------------------------------------------------------------------------------------------------------- audit
load_log = Table(
    "load_log",
    metadata,
    Column("load_id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(40), nullable=False, comment="Dataset kind, e.g. esr_staff_in_post."),
    Column("source_file", String(500), nullable=False, comment="File name as received (or API endpoint)."),
    Column("source_path", Text, comment="Where the file was read from."),
    Column("file_date", Date, comment="Extract date from the file name."),
    Column("file_mode", String(10), comment="full or delta."),
    Column("vpd", String(3)),
    Column("checksum_sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger),
    Column("encoding", String(20)),
    Column("rows_in", Integer, nullable=False, default=0),
    Column("rows_accepted", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("rows_applied", Integer, nullable=False, default=0, comment="Rows that changed core."),
    Column("status", String(20), nullable=False, comment="staging, loaded, refused, failed, duplicate."),
    Column("message", Text),
    Column("run_id", String(40)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Index(None, "source", "status"),
    Index(None, "checksum_sha256"),
    schema="audit",
    comment="One row per batch received: what came in, what was accepted, and what became of it.",
)

run_log = Table(
    "run_log",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("as_of_date", Date, nullable=False),
    Column("status", String(20), nullable=False, comment="running, succeeded, failed."),
    Column("message", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    schema="audit",
    comment="One row per pipeline run.",
)

feed_log = Table(
    "feed_log",
    metadata,
    Column("feed_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), nullable=False),
    Column("as_of_date", Date, nullable=False),
    Column("feed_path", Text, nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    schema="audit",
    comment="One row per feed published to the outbox.",
)

# ----------------------------------------------------------------------------------------------------- quarantine
rejected_row = Table(
    "rejected_row",
    metadata,
    Column("rejected_id", Integer, primary_key=True, autoincrement=True),
    Column("load_id", Integer, ForeignKey("audit.load_log.load_id"), nullable=False),
    Column("source_file", String(500), nullable=False),
    Column("row_number", Integer, comment="Spreadsheet row in the file: the heading is row 1."),
    Column("field", String(120), comment="The file's heading of the failing field."),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    Column("record_json", Text, comment="The whole row as received, so nothing is lost."),
    Index(None, "load_id"),
    schema="quarantine",
    comment="Rows refused by validation, one row per row and failing field, kept with their reason.",
)


# -------------------------------------------------------------------------------------------------------- staging
def _staging_columns() -> list[Column]:
    """Columns every staging table carries: which load, file and row a record came from, and when."""
    return [
        Column("load_id", Integer, nullable=False),
        Column("row_number", Integer, nullable=False),
        Column("source_file", String(500), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    ]


stg_esr_staff_in_post = Table(
    "stg_esr_staff_in_post",
    metadata,
    *_staging_columns(),
    Column("employee_number", String(20)),
    Column("assignment_number", String(20)),
    Column("title", String(40)),
    Column("first_name", String(120)),
    Column("last_name", String(120)),
    Column("work_email", String(320)),
    Column("date_of_birth", Date),
    Column("vpd", String(3)),
    Column("organisation", String(240)),
    Column("org_level_3", String(240)),
    Column("org_level_4", String(240)),
    Column("org_level_5", String(240)),
    Column("position_title", String(240)),
    Column("job_role", String(240)),
    Column("occupation_code", String(10)),
    Column("staff_group", String(120)),
    Column("pay_band", String(40)),
    Column("assignment_category", String(60)),
    Column("assignment_status", String(60)),
    Column("contracted_wte", Float),
    Column("hire_date", Date),
    Column("assignment_start_date", Date),
    Column("assignment_end_date", Date),
    Column("supervisor_employee_number", String(20)),
    Column("last_updated", DateTime),
    Column("person_hash", String(32)),
    Column("assignment_hash", String(32)),
    Index(None, "load_id", "assignment_number"),
    schema="staging",
    comment="ESR staff-in-post rows as received and accepted by validation, one row per assignment per load.",
)

stg_esr_person = Table(
    "stg_esr_person",
    metadata,
    Column("load_id", Integer, nullable=False),
    Column("row_number", Integer, nullable=False, comment="The first row of the person in the staff file."),
    Column("vpd", String(3)),
    Column("employee_number", String(20)),
    Column("title", String(40)),
    Column("first_name", String(120)),
    Column("last_name", String(120)),
    Column("work_email", String(320)),
    Column("date_of_birth", Date),
    Column("person_hash", String(32)),
    Index(None, "load_id", "vpd", "employee_number"),
    schema="staging",
    comment="People of a staff-in-post load, one row per person (their first assignment row), for the merge.",
)

stg_esr_competence = Table(
    "stg_esr_competence",
    metadata,
    *_staging_columns(),
    Column("employee_number", String(20)),
    Column("competency_name", String(400)),
    Column("competence_level", String(120)),
    Column("min_requirement", String(120)),
    Column("essential", Boolean),
    Column("expiry_date", Date),
    Column("no_expiry", Boolean),
    Column("compliance_status", String(10)),
    Column("description", Text),
    Column("date_start", Date),
    Column("date_last_awarded", Date),
    Column("title", String(240)),
    Column("last_updated_by", String(240), comment="Who edited the record in ESR: audit only, never the learner."),
    Column("vpd", String(3)),
    Column("record_hash", String(32)),
    Index(None, "load_id", "employee_number", "competency_name"),
    schema="staging",
    comment="ESR competence rows as received and accepted, one row per person and competence per load.",
)

# ----------------------------------------------------------------------------------------------------------- core
person = Table(
    "person",
    metadata,
    Column("person_version_id", Integer, primary_key=True, autoincrement=True),
    Column("vpd", String(3), nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("title", String(40)),
    Column("first_name", String(120)),
    Column("last_name", String(120)),
    Column("work_email", String(320)),
    Column("date_of_birth", Date, comment="Identity matching only; never published."),
    *_versioned(),
    Index(None, "vpd", "employee_number", "valid_to"),
    schema="core",
    comment="ESR people, one row per person per version.",
)

assignment = Table(
    "assignment",
    metadata,
    Column("assignment_version_id", Integer, primary_key=True, autoincrement=True),
    Column("vpd", String(3), nullable=False),
    Column("assignment_number", String(20), nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("organisation", String(240)),
    Column("org_level_3", String(240)),
    Column("org_level_4", String(240)),
    Column("org_level_5", String(240)),
    Column("position_title", String(240)),
    Column("job_role", String(240)),
    Column("occupation_code", String(10)),
    Column("staff_group", String(120)),
    Column("pay_band", String(40)),
    Column("assignment_category", String(60)),
    Column("assignment_status", String(60)),
    Column("contracted_wte", Float),
    Column("hire_date", Date),
    Column("assignment_start_date", Date),
    Column("assignment_end_date", Date),
    Column("supervisor_employee_number", String(20)),
    Column("last_updated", DateTime),
    *_versioned(),
    Index(None, "vpd", "assignment_number", "valid_to"),
    Index(None, "valid_from", "valid_to"),
    # A build reads a range of Employee Numbers at a time (warehouse.snapshot.PeopleRange).
    Index(None, "vpd", "employee_number"),
    schema="core",
    comment="ESR assignments (positions held), one row per assignment per version.",
)

competence = Table(
    "competence",
    metadata,
    Column("competency_name", String(400), primary_key=True),
    Column("scope", String(10), nullable=False, comment="NHS for national, else the VPD of a local competence."),
    Column("framework", String(40), nullable=False, comment="CSTF or LOCAL."),
    Column("subject", String(240), nullable=False),
    Column("level", String(240)),
    Column("refresher_months", Integer, comment="Period read from the name; NULL = does not lapse."),
    Column("first_load_id", Integer, nullable=False),
    schema="core",
    comment="The competence catalogue, one row per competence name seen in any source or rule.",
)

esr_competence_record = Table(
    "esr_competence_record",
    metadata,
    Column("record_version_id", Integer, primary_key=True, autoincrement=True),
    Column("vpd", String(3), nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("competency_name", String(400), nullable=False),
    Column("competence_level", String(120)),
    Column("essential", Boolean),
    Column("date_last_awarded", Date),
    Column("expiry_date", Date),
    Column("no_expiry", Boolean, nullable=False, default=False),
    Column("compliance_status", String(10), comment="ESR's own RAG, kept to reconcile, not as truth."),
    *_versioned(),
    Index(None, "vpd", "employee_number", "competency_name", "valid_to"),
    schema="core",
    comment="ESR competence records, one row per person and competence per version.",
)

competence_achievement = Table(
    "competence_achievement",
    metadata,
    Column("achievement_id", Integer, primary_key=True, autoincrement=True),
    Column("vpd", String(3), nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("competency_name", String(400), nullable=False),
    Column("achieved_on", Date, nullable=False),
    Column("expires_on", Date, comment="Expiry as the source gave it; NULL = derive from the period."),
    Column("no_expiry", Boolean, nullable=False, default=False),
    Column("source", String(40), nullable=False, comment="esr, totara_certification, totara_course."),
    Column("source_key", String(400), nullable=False, comment="The source's own key of the award."),
    Column("first_seen_on", Date, nullable=False, comment="Extract date the warehouse first knew of the award."),
    Column("ended_on", Date, comment="Extract date from which the source no longer showed the award."),
    Column("load_id", Integer, nullable=False),
    Index(None, "vpd", "employee_number", "competency_name"),
    schema="core",
    comment="Every award seen, one row per person, competence, award date and source.",
)

training_requirement = Table(
    "training_requirement",
    metadata,
    Column("requirement_id", Integer, primary_key=True, autoincrement=True),
    Column("applies_to", String(40), nullable=False, comment="All, Staff Group, Job Role, Position Title, ..."),
    Column("match_value", String(240), comment="Matched exactly, case-insensitively; NULL for All."),
    Column("competency_name", String(400), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="The trust's training needs analysis, one row per rule per version of the file.",
)

stg_learning_record = Table(
    "stg_learning_record",
    metadata,
    *_staging_columns(),
    Column("source", String(40), nullable=False, comment="totara_course, totara_certification, totara_competency."),
    Column("user_key", String(100), comment="The learner's key in the source (Totara user ID number)."),
    Column("item_key", String(200), comment="ID number of the course, certification or competency."),
    Column("item_name", String(400)),
    Column("status", String(120)),
    Column("achieved_on", Date),
    Column("expires_on", Date),
    Column("is_evidence", Boolean, nullable=False),
    Column("record_hash", String(32), nullable=False),
    Index(None, "load_id", "record_hash"),
    schema="staging",
    comment="Learning records from Totara report exports as received and accepted, one row per export row.",
)

learning_record = Table(
    "learning_record",
    metadata,
    Column("record_id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(40), nullable=False),
    Column("user_key", String(100), nullable=False),
    Column("item_key", String(200), nullable=False),
    Column("item_name", String(400)),
    Column("status", String(120)),
    Column("achieved_on", Date, comment="Completion (or proficiency) date; NULL when not completed."),
    Column("expires_on", Date, comment="The source's own expiry (certifications)."),
    Column("is_evidence", Boolean, nullable=False, comment="True when the record shows a completion."),
    Column("record_hash", String(32), nullable=False),
    Column("first_seen_on", Date, nullable=False, comment="Export date the warehouse first saw this record."),
    Column("ended_on", Date, comment="Export date from which the source no longer showed it."),
    Column("load_id", Integer, nullable=False),
    Index(None, "source", "user_key", "item_key"),
    Index(None, "record_hash"),
    schema="core",
    comment="Learning records from the learning systems, one row per record version seen.",
)

skills_framework = Table(
    "skills_framework",
    metadata,
    Column("framework_row_id", Integer, primary_key=True, autoincrement=True),
    Column("skill_code", String(40), nullable=False),
    Column("skill_name", String(240), nullable=False),
    Column("category", String(120)),
    Column("evidence_source", String(40), nullable=False),
    Column("evidence_key", String(400), nullable=False),
    Column("valid_for_months", Integer, comment="NULL = the skill does not lapse."),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="The trust's skills framework, one row per skill and evidence source per version of the file.",
)

role_skill_profile = Table(
    "role_skill_profile",
    metadata,
    Column("profile_row_id", Integer, primary_key=True, autoincrement=True),
    Column("job_role", String(240), nullable=False),
    Column("skill_code", String(40), nullable=False),
    Column("priority", String(20), nullable=False, comment="essential or desirable."),
    Column("needed_by", Date, comment="A future capability the trust is building towards."),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="Skills each job role needs, one row per role and skill per version of the file.",
)

totara_user = Table(
    "totara_user",
    metadata,
    Column("user_id", String(40), primary_key=True, comment="Totara's own user id."),
    Column("idnumber", String(100), comment="ID number: the ESR Employee Number where HR Import set it."),
    Column("username", String(200)),
    Column("firstname", String(120)),
    Column("lastname", String(120)),
    Column("email", String(320)),
    Column("suspended", Boolean, nullable=False),
    Column("first_seen_on", Date, nullable=False),
    Column("last_seen_on", Date, nullable=False),
    Column("deleted_on", Date, comment="First pull that no longer listed the user (Totara omits deleted users)."),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="Totara users from the external API, one row per user.",
)

totara_job_assignment = Table(
    "totara_job_assignment",
    metadata,
    Column("job_assignment_id", String(40), primary_key=True),
    Column("idnumber", String(100), comment="ID number: the ESR Assignment Number where HR Import set it."),
    Column("user_id", String(40), nullable=False),
    Column("fullname", String(400)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("position_idnumber", String(200)),
    Column("organisation_idnumber", String(200)),
    Column("manager_idnumber", String(100)),
    Column("first_seen_on", Date, nullable=False),
    Column("last_seen_on", Date, nullable=False),
    Column("deleted_on", Date),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="Totara job assignments from the external API, one row per job assignment.",
)

unmatched_learner = Table(
    "unmatched_learner",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("source", String(40), nullable=False),
    Column("source_key", String(200), nullable=False, comment="The source's id of the user or assignment."),
    Column("match_key", String(200), comment="The key that failed to match (e.g. the ID number)."),
    Column("reason", Text, nullable=False),
    Index(None, "as_of_date", "source"),
    schema="audit",
    comment="Learners and assignments from other systems that match nobody in ESR, listed rather than dropped.",
)


survey_respondent = Table(
    "survey_respondent",
    metadata,
    Column("respondent_key", String(60), primary_key=True, comment="load id + the file's own row key; anonymous."),
    Column("load_id", Integer, nullable=False),
    Column("survey", String(20), nullable=False),
    Column("year", Integer),
    Column("period", String(20), nullable=False),
    Column("org_code", String(10)),
    *[Column(f"locality{n}", String(240)) for n in range(1, 9)],
    Column("staff_group", String(120)),
    Index(None, "load_id"),
    schema="core",
    comment="Anonymous survey respondents (no Sample ID or other identifier is kept), one row per response.",
)

survey_answer = Table(
    "survey_answer",
    metadata,
    Column("respondent_key", String(60), nullable=False),
    Column("load_id", Integer, nullable=False),
    Column("item_id", String(80), nullable=False, comment="Stable item id from schemas/survey_questions.csv."),
    Column("question_code", String(40)),
    Column("code", Integer, nullable=False, comment="The response code as the survey coded it."),
    Index(None, "load_id"),
    schema="core",
    comment="Answers of anonymous survey respondents, one row per respondent and answered item.",
)

survey_published_result = Table(
    "survey_published_result",
    metadata,
    Column("load_id", Integer, nullable=False),
    Column("survey", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("org_code", String(10), nullable=False),
    Column("benchmark_group", String(120)),
    Column("level", String(40)),
    Column("measure_type", String(20)),
    Column("measure_id", String(80)),
    Column("source_code", String(40)),
    Column("score_0_10", Float),
    Column("pct_positive", Float),
    Column("n", Integer),
    Column("suppressed", Boolean),
    schema="core",
    comment="Published NHS Staff Survey results as published (weighted figures kept unchanged).",
)

course_evaluation_response = Table(
    "course_evaluation_response",
    metadata,
    Column("load_id", Integer, nullable=False),
    Column("evaluation_id", String(80), nullable=False),
    Column("course_id", String(120), nullable=False),
    Column("session_id", String(120)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("kirkpatrick_level", Integer, nullable=False),
    Column("item_id", String(80), nullable=False),
    Column("item_text", Text),
    Column("scale", String(40)),
    Column("response_value", Float),
    schema="core",
    comment="Post-course evaluation answers without learner references or free text, one row per answer.",
)


def _student_columns() -> list[Column]:
    return [
        Column("updated_at", DateTime(timezone=True), nullable=False, comment="When the source last changed it."),
        Column("load_id", Integer, nullable=False),
    ]


student = Table(
    "student",
    metadata,
    Column("student_id", String(40), primary_key=True),
    Column("title", String(40)),
    Column("forenames", String(120)),
    Column("surname", String(120)),
    Column("preferred_name", String(120)),
    Column("date_of_birth", Date, comment="Identity matching only; never published."),
    Column("email", String(320), comment="Identity matching only; never published."),
    Column("esr_employee_number", String(20), comment="Set for apprentices, who are employees from day one."),
    Column("hcpc_number", String(20)),
    *_student_columns(),
    schema="core",
    comment="Students of the student management system, one row per live student.",
)

student_enrolment = Table(
    "student_enrolment",
    metadata,
    Column("enrolment_id", String(40), primary_key=True),
    Column("student_id", String(40), nullable=False),
    Column("programme_code", String(40)),
    Column("programme_name", String(240)),
    Column("route", String(40)),
    Column("cohort", String(20)),
    Column("academic_year", String(20)),
    Column("year_of_study", Integer),
    Column("mode", String(4)),
    Column("status_code", String(20), comment="The institution's own code."),
    Column("status", String(20), comment="active, interrupted, withdrawn, completed (mapped by configuration)."),
    Column("start_date", Date),
    Column("expected_end_date", Date),
    Column("end_date", Date),
    *_student_columns(),
    schema="core",
    comment="Programme enrolments, one row per enrolment.",
)

student_module_result = Table(
    "student_module_result",
    metadata,
    Column("student_id", String(40), primary_key=True),
    Column("module_code", String(40), primary_key=True),
    Column("academic_year", String(20), primary_key=True),
    Column("module_title", String(240)),
    Column("credits", Integer),
    Column("agreed_mark", Float),
    Column("agreed_grade", String(10)),
    Column("result", String(2), comment="P pass, F fail, R refer, D deferred."),
    Column("ratified_on", Date),
    *_student_columns(),
    schema="core",
    comment="Module results, one row per student, module and academic year.",
)

student_placement = Table(
    "student_placement",
    metadata,
    Column("placement_id", String(40), primary_key=True),
    Column("student_id", String(40), nullable=False),
    Column("provider_org_code", String(20)),
    Column("site", String(240)),
    Column("area", String(120)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("planned_hours", Float),
    Column("attended_hours", Float),
    Column("practice_assessor_id", String(40)),
    Column("status", String(20)),
    *_student_columns(),
    schema="core",
    comment="Practice placements, one row per placement.",
)

student_assessment = Table(
    "student_assessment",
    metadata,
    Column("assessment_id", String(40), primary_key=True),
    Column("placement_id", String(40)),
    Column("student_id", String(40), nullable=False),
    Column("event", String(40)),
    Column("assessed_on", Date),
    Column("assessor_id", String(40)),
    Column("outcome", String(40)),
    Column("proficiencies_signed", Integer),
    *_student_columns(),
    schema="core",
    comment="Practice assessments, one row per assessment event.",
)

source_watermark = Table(
    "source_watermark",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("collection", String(40), primary_key=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, comment="Newest change loaded so far."),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="How far each incremental pull has loaded; moved only in the transaction that loads the changes.",
)

learner_crosswalk = Table(
    "learner_crosswalk",
    metadata,
    Column("source_system", String(40), primary_key=True),
    Column("source_key", String(100), primary_key=True),
    Column("learner_id", String(20), nullable=False),
    Column("match_method", String(20), nullable=False, comment="new, exact, steward, email, name_dob."),
    Column("confidence", Float, nullable=False),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Index(None, "learner_id"),
    schema="core",
    comment="The unified learner record: one learner id per real person across ESR, Totara and the student system.",
)

identity_review = Table(
    "identity_review",
    metadata,
    Column("source_system_a", String(40), nullable=False),
    Column("source_key_a", String(100), nullable=False),
    Column("learner_id_a", String(20)),
    Column("source_system_b", String(40), nullable=False),
    Column("source_key_b", String(100), nullable=False),
    Column("learner_id_b", String(20)),
    Column("rule", String(20)),
    Column("reason", String(60), nullable=False),
    Column("detail", Text),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    schema="core",
    comment="Candidate matches a data steward must decide; never merged automatically.",
)

steward_decision = Table(
    "steward_decision",
    metadata,
    Column("source_system_a", String(40), nullable=False),
    Column("source_key_a", String(100), nullable=False),
    Column("source_system_b", String(40), nullable=False),
    Column("source_key_b", String(100), nullable=False),
    Column("decision", String(10), nullable=False, comment="confirmed or rejected."),
    Column("decided_by", String(120)),
    Column("decided_on", Date),
    Column("load_id", Integer, nullable=False),
    schema="core",
    comment="Data stewards' decisions on candidate matches, kept so they stick on every later run.",
)

retired_learner = Table(
    "retired_learner",
    metadata,
    Column("learner_id", String(20), primary_key=True),
    Column("merged_into", String(20), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=False),
    schema="core",
    comment="Learner ids merged into another by a steward's decision.",
)


# ---------------------------------------------------------------------------------------------------------- marts
compliance_person = Table(
    "compliance_person",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("assignment_number", String(20), nullable=False, comment="The person's primary assignment."),
    Column("organisation", String(240)),
    Column("org_level_3", String(240)),
    Column("staff_group", String(120)),
    Column("job_role", String(240)),
    Column("assignment_category", String(60)),
    Column("competency_name", String(400), nullable=False),
    Column("subject", String(240)),
    Column("status", String(10), nullable=False, comment="compliant, expiring, expired, missing."),
    Column("achieved_on", Date),
    Column("expires_on", Date),
    Column("days_to_expiry", Integer),
    Column("evidence_source", String(40)),
    Column("vpd", String(3), nullable=False, comment="The employing trust's ESR VPD code."),
    UniqueConstraint("as_of_date", "vpd", "employee_number", "competency_name"),
    # Compliance by subject is counted from this table (the summary has no subject): these two cover those
    # queries, trust-wide and per directorate, so they read the index alone.
    Index(None, "as_of_date", "subject", "status"),
    Index(None, "as_of_date", "org_level_3", "subject", "status"),
    Index(None, "as_of_date", "staff_group"),
    Index(None, "as_of_date", "competency_name"),
    Index(None, "as_of_date", "organisation"),
    Index(None, "as_of_date", "status"),
    schema="marts",
    comment="One row per person and required competence on the reporting date.",
)

compliance_summary = Table(
    "compliance_summary",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("dimension", String(40), nullable=False),
    Column("group_value", String(240), nullable=False),
    Column("competency_name", String(400), nullable=False, comment="A competence, or ALL."),
    Column("required", Integer, nullable=False),
    Column("in_date", Integer, nullable=False, comment="compliant + expiring."),
    Column("expiring", Integer, nullable=False),
    Column("expired", Integer, nullable=False),
    Column("missing", Integer, nullable=False),
    Column("compliance_pct", Float, nullable=False),
    Column("target_pct", Float, nullable=False),
    Column("rag", String(5), nullable=False),
    UniqueConstraint("as_of_date", "dimension", "group_value", "competency_name"),
    schema="marts",
    comment="Compliance counts per reporting date, dimension, group and competence (or ALL).",
)

compliance_reconciliation = Table(
    "compliance_reconciliation",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("competency_name", String(400), nullable=False),
    Column("esr_compliance_status", String(10), nullable=False),
    Column("learnscape_status", String(10), nullable=False),
    Column("esr_expiry_date", Date),
    Column("expires_on", Date),
    Column("evidence_source", String(40)),
    Column("explanation", Text, nullable=False),
    Column("vpd", String(3), nullable=False, comment="The employing trust's ESR VPD code."),
    UniqueConstraint("as_of_date", "vpd", "employee_number", "competency_name"),
    Index(None, "as_of_date"),
    schema="marts",
    comment="Person-competences where ESR's own Compliance Status disagrees with Learnscape's status.",
)

skills_log = Table(
    "skills_log",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("skill_code", String(40), nullable=False),
    Column("skill_name", String(240)),
    Column("category", String(120)),
    Column("evidenced_on", Date, comment="Latest achievement evidencing the skill, from any source."),
    Column("valid_until", Date, comment="When the skill lapses; NULL = does not lapse."),
    Column("evidence_source", String(40)),
    Column("evidence_key", String(400)),
    Column("vpd", String(3), nullable=False),
    UniqueConstraint("as_of_date", "vpd", "employee_number", "skill_code"),
    schema="marts",
    comment="Each person's skills held on the reporting date, one row per person and skill.",
)

skills_gap_person = Table(
    "skills_gap_person",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("employee_number", String(20), nullable=False),
    Column("assignment_number", String(20), nullable=False),
    Column("organisation", String(240)),
    Column("org_level_3", String(240)),
    Column("job_role", String(240)),
    Column("skill_code", String(40), nullable=False),
    Column("skill_name", String(240)),
    Column("category", String(120)),
    Column("priority", String(20), nullable=False),
    Column("needed_by", Date),
    Column("status", String(10), nullable=False, comment="held, expiring, lapsed, missing."),
    Column("evidenced_on", Date),
    Column("valid_until", Date),
    Column("evidence_source", String(40)),
    Column("is_future_capability", Boolean, nullable=False),
    Column("vpd", String(3), nullable=False),
    UniqueConstraint("as_of_date", "vpd", "employee_number", "skill_code"),
    Index(None, "as_of_date", "org_level_3"),
    Index(None, "as_of_date", "job_role", "skill_code"),
    schema="marts",
    comment="One row per person and skill their job role requires, with its status on the reporting date.",
)

skills_gap_summary = Table(
    "skills_gap_summary",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column(
        "dimension", String(40), nullable=False, comment="trust, org_level_3, org_level_4, org_level_5, organisation."
    ),
    Column("org_unit", String(240), nullable=False),
    Column("job_role", String(240), nullable=False),
    Column("skill_code", String(40), nullable=False),
    Column("skill_name", String(240)),
    Column("people_in_role", Integer, nullable=False),
    Column("holders", Integer, nullable=False),
    Column("coverage_pct", Float),
    Column("gap_count", Integer, nullable=False),
    Column("holders_in_90_days", Integer, nullable=False),
    Column("upcoming_gap_count", Integer, nullable=False),
    Column("coverage_pct_in_90_days", Float),
    UniqueConstraint("as_of_date", "dimension", "org_unit", "job_role", "skill_code"),
    Index(None, "as_of_date", "dimension", "org_unit"),
    schema="marts",
    comment="Essential-skill coverage per org unit, job role and skill, now and 90 days ahead.",
)

capability_forecast = Table(
    "capability_forecast",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("job_role", String(240), nullable=False),
    Column("skill_code", String(40), nullable=False),
    Column("skill_name", String(240)),
    Column("needed_by", Date, nullable=False),
    Column("holders_needed", Integer, nullable=False),
    Column("holders_now", Integer, nullable=False),
    Column("in_pipeline", Integer, nullable=False),
    Column("shortfall", Integer, nullable=False),
    UniqueConstraint("as_of_date", "job_role", "skill_code"),
    schema="marts",
    comment="Future capabilities: holders needed by the date versus held now and in the pipeline.",
)

learning_engagement = Table(
    "learning_engagement",
    metadata,
    Column("period", String(20), nullable=False, comment="2023 for the NSS, 2024-25 Q1 for pulse surveys."),
    Column("survey", String(20), nullable=False),
    Column("org_level", String(40), nullable=False, comment="organisation, directorate, department, staff_group."),
    Column("org_unit", String(240), nullable=False, comment="Named as compliance names it (e.g. Org Level 3)."),
    Column("measure", String(80), nullable=False),
    Column("source", String(20), nullable=False, comment="local (computed here) or published."),
    Column("score", Float, comment="0-10 (NPS -100..100); NULL when suppressed."),
    Column("n", Integer, comment="Respondents who answered the measure; NULL when suppressed."),
    Column("suppressed", Boolean, nullable=False),
    Index(None, "period", "org_level", "org_unit"),
    schema="marts",
    comment="Learning and engagement survey scores per period, org cut and measure; groups under 11 suppressed.",
)

course_evaluation = Table(
    "course_evaluation",
    metadata,
    Column("course_id", String(120), nullable=False),
    Column("period", String(20), nullable=False),
    Column("kirkpatrick_level", Integer, nullable=False),
    Column("measure", String(80), nullable=False),
    Column("value", Float),
    Column("n", Integer),
    Column("suppressed", Boolean, nullable=False),
    schema="marts",
    comment="Post-course evaluation results per course, period and Kirkpatrick level; groups under 11 suppressed.",
)

student_pipeline = Table(
    "student_pipeline",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("programme_code", String(40), nullable=False),
    Column("programme_name", String(240), nullable=False),
    Column("route", String(40), nullable=False),
    Column("cohort", String(20), nullable=False),
    Column("academic_year", String(20), nullable=False),
    Column("year_of_study", Integer),
    Column("status", String(20), nullable=False),
    Column("students", Integer, nullable=False),
    Column("planned_hours", Float, nullable=False),
    Column("attended_hours", Float, nullable=False),
    Column("assessments_achieved", Integer, nullable=False),
    Column("assessments_not_achieved", Integer, nullable=False),
    Column("causes_for_concern", Integer, nullable=False),
    Column("completions", Integer, nullable=False),
    Column("became_employees", Integer, nullable=False, comment="Students linked to an ESR person."),
    Column("median_days_completion_to_hire", Float, comment="For completers who were hired after completing."),
    schema="marts",
    comment="Students by programme, cohort, year and status: placement hours, assessments, completions, hires.",
)

learner = Table(
    "learner",
    metadata,
    Column("learner_id", String(20), nullable=False),
    Column("source_system", String(40), nullable=False),
    Column("source_key", String(100), nullable=False),
    Column("match_method", String(20), nullable=False),
    Column("confidence", Float, nullable=False),
    UniqueConstraint("source_system", "source_key"),
    Index(None, "learner_id"),
    schema="marts",
    comment="The unified learner record as BI tools see it: which source records are one person (no personal data).",
)

# ----------------------------------------------------------------------------------------- marts: BI dimensions
dim_org_unit = Table(
    "dim_org_unit",
    metadata,
    Column("as_of_date", Date, nullable=False),
    Column("organisation", String(240), nullable=False, comment="The lowest ESR unit; (not recorded) when blank."),
    Column("vpd", String(3)),
    Column("org_level_3", String(240), nullable=False),
    Column("org_level_4", String(240), nullable=False),
    Column("org_level_5", String(240), nullable=False),
    Column("drill_level_3", String(240), nullable=False),
    Column("drill_level_4", String(240), nullable=False),
    Column("drill_level_5", String(240), nullable=False),
    Column("hierarchy_path", Text, nullable=False),
    Column("levels_recorded", Integer, nullable=False),
    Column("assignments", Integer, nullable=False),
    Column("parent_paths_seen", Integer, nullable=False),
    UniqueConstraint("as_of_date", "organisation"),
    Index(None, "as_of_date", "org_level_3"),
    schema="marts",
    comment="The organisation hierarchy on each reporting date, flattened: one row per organisation.",
)

dim_date = Table(
    "dim_date",
    metadata,
    Column("calendar_date", Date, primary_key=True),
    Column("date_key", Integer, nullable=False, comment="YYYYMMDD."),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("month_name", String(9), nullable=False),
    Column("year_month", String(7), nullable=False),
    Column("day_of_month", Integer, nullable=False),
    Column("day_of_week", Integer, nullable=False, comment="1 = Monday to 7 = Sunday."),
    Column("day_name", String(9), nullable=False),
    Column("is_weekend", Boolean, nullable=False),
    Column("iso_year", Integer, nullable=False),
    Column("iso_week", Integer, nullable=False),
    Column("week_start", Date, nullable=False, comment="The Monday of the ISO week."),
    Column("month_start", Date, nullable=False),
    Column("month_end", Date, nullable=False),
    Column("is_month_end", Boolean, nullable=False),
    Column("financial_year", String(7), nullable=False, comment="NHS financial year, 1 April to 31 March."),
    Column("financial_year_start", Integer, nullable=False),
    Column("financial_quarter", Integer, nullable=False, comment="1 = April to June."),
    Column("financial_month", Integer, nullable=False, comment="1 = April."),
    UniqueConstraint("date_key"),
    schema="marts",
    comment="The calendar, one row per day, with the NHS financial year beside the calendar year.",
)

PUBLISHED_TABLES = (
    "compliance_person",
    "compliance_summary",
    "compliance_reconciliation",
    "skills_log",
    "skills_gap_person",
    "skills_gap_summary",
    "capability_forecast",
    "learning_engagement",
    "course_evaluation",
    "student_pipeline",
    "learner",
    "dim_org_unit",
    "dim_date",
)
