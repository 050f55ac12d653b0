"""Student system and unified learner record

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:36:49.008668
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('identity_review',
    sa.Column('source_system_a', sa.String(length=40), nullable=False),
    sa.Column('source_key_a', sa.String(length=100), nullable=False),
    sa.Column('learner_id_a', sa.String(length=20), nullable=True),
    sa.Column('source_system_b', sa.String(length=40), nullable=False),
    sa.Column('source_key_b', sa.String(length=100), nullable=False),
    sa.Column('learner_id_b', sa.String(length=20), nullable=True),
    sa.Column('rule', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    schema='core',
    comment='Candidate matches a data steward must decide; never merged automatically.'
    )
    op.create_table('learner_crosswalk',
    sa.Column('source_system', sa.String(length=40), nullable=False),
    sa.Column('source_key', sa.String(length=100), nullable=False),
    sa.Column('learner_id', sa.String(length=20), nullable=False),
    sa.Column('match_method', sa.String(length=20), nullable=False, comment='new, exact, steward, email, name_dob.'),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'source_key', name=op.f('pk_learner_crosswalk')),
    schema='core',
    comment='The unified learner record: one learner id per real person across ESR, Totara and the student system.'
    )
    op.create_index(op.f('ix_learner_crosswalk_learner_id'), 'learner_crosswalk', ['learner_id'], unique=False, schema='core')
    op.create_table('retired_learner',
    sa.Column('learner_id', sa.String(length=20), nullable=False),
    sa.Column('merged_into', sa.String(length=20), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('learner_id', name=op.f('pk_retired_learner')),
    schema='core',
    comment="Learner ids merged into another by a steward's decision."
    )
    op.create_table('source_watermark',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('collection', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='Newest change loaded so far.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'collection', name=op.f('pk_source_watermark')),
    schema='core',
    comment='How far each incremental pull has loaded; moved only in the transaction that loads the changes.'
    )
    op.create_table('steward_decision',
    sa.Column('source_system_a', sa.String(length=40), nullable=False),
    sa.Column('source_key_a', sa.String(length=100), nullable=False),
    sa.Column('source_system_b', sa.String(length=40), nullable=False),
    sa.Column('source_key_b', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False, comment='confirmed or rejected.'),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=False),
    schema='core',
    comment="Data stewards' decisions on candidate matches, kept so they stick on every later run."
    )
    op.create_table('student',
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=True),
    sa.Column('forenames', sa.String(length=120), nullable=True),
    sa.Column('surname', sa.String(length=120), nullable=True),
    sa.Column('preferred_name', sa.String(length=120), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True, comment='Identity matching only; never published.'),
    sa.Column('email', sa.String(length=320), nullable=True, comment='Identity matching only; never published.'),
    sa.Column('esr_employee_number', sa.String(length=20), nullable=True, comment='Set for apprentices, who are employees from day one.'),
    sa.Column('hcpc_number', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When the source last changed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('student_id', name=op.f('pk_student')),
    schema='core',
    comment='Students of the student management system, one row per live student.'
    )
    op.create_table('student_assessment',
    sa.Column('assessment_id', sa.String(length=40), nullable=False),
    sa.Column('placement_id', sa.String(length=40), nullable=True),
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('assessor_id', sa.String(length=40), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('proficiencies_signed', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When the source last changed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_student_assessment')),
    schema='core',
    comment='Practice assessments, one row per assessment event.'
    )
    op.create_table('student_enrolment',
    sa.Column('enrolment_id', sa.String(length=40), nullable=False),
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('programme_code', sa.String(length=40), nullable=True),
    sa.Column('programme_name', sa.String(length=240), nullable=True),
    sa.Column('route', sa.String(length=40), nullable=True),
    sa.Column('cohort', sa.String(length=20), nullable=True),
    sa.Column('academic_year', sa.String(length=20), nullable=True),
    sa.Column('year_of_study', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=4), nullable=True),
    sa.Column('status_code', sa.String(length=20), nullable=True, comment="The institution's own code."),
    sa.Column('status', sa.String(length=20), nullable=True, comment='active, interrupted, withdrawn, completed (mapped by configuration).'),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('expected_end_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When the source last changed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_student_enrolment')),
    schema='core',
    comment='Programme enrolments, one row per enrolment.'
    )
    op.create_table('student_module_result',
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('module_code', sa.String(length=40), nullable=False),
    sa.Column('academic_year', sa.String(length=20), nullable=False),
    sa.Column('module_title', sa.String(length=240), nullable=True),
    sa.Column('credits', sa.Integer(), nullable=True),
    sa.Column('agreed_mark', sa.Float(), nullable=True),
    sa.Column('agreed_grade', sa.String(length=10), nullable=True),
    sa.Column('result', sa.String(length=2), nullable=True, comment='P pass, F fail, R refer, D deferred.'),
    sa.Column('ratified_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When the source last changed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('student_id', 'module_code', 'academic_year', name=op.f('pk_student_module_result')),
    schema='core',
    comment='Module results, one row per student, module and academic year.'
    )
    op.create_table('student_placement',
    sa.Column('placement_id', sa.String(length=40), nullable=False),
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('provider_org_code', sa.String(length=20), nullable=True),
    sa.Column('site', sa.String(length=240), nullable=True),
    sa.Column('area', sa.String(length=120), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('planned_hours', sa.Float(), nullable=True),
    sa.Column('attended_hours', sa.Float(), nullable=True),
    sa.Column('practice_assessor_id', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When the source last changed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('placement_id', name=op.f('pk_student_placement')),
    schema='core',
    comment='Practice placements, one row per placement.'
    )
    op.create_table('learner',
    sa.Column('learner_id', sa.String(length=20), nullable=False),
    sa.Column('source_system', sa.String(length=40), nullable=False),
    sa.Column('source_key', sa.String(length=100), nullable=False),
    sa.Column('match_method', sa.String(length=20), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.UniqueConstraint('source_system', 'source_key', name=op.f('uq_learner_source_system_source_key')),
    schema='marts',
    comment='The unified learner record as BI tools see it: which source records are one person (no personal data).'
    )
    op.create_index(op.f('ix_learner_learner_id'), 'learner', ['learner_id'], unique=False, schema='marts')
    op.create_table('student_pipeline',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('programme_code', sa.String(length=40), nullable=False),
    sa.Column('programme_name', sa.String(length=240), nullable=False),
    sa.Column('route', sa.String(length=40), nullable=False),
    sa.Column('cohort', sa.String(length=20), nullable=False),
    sa.Column('academic_year', sa.String(length=20), nullable=False),
    sa.Column('year_of_study', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('planned_hours', sa.Float(), nullable=False),
    sa.Column('attended_hours', sa.Float(), nullable=False),
    sa.Column('assessments_achieved', sa.Integer(), nullable=False),
    sa.Column('assessments_not_achieved', sa.Integer(), nullable=False),
    sa.Column('causes_for_concern', sa.Integer(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.Column('became_employees', sa.Integer(), nullable=False, comment='Students linked to an ESR person.'),
    sa.Column('median_days_completion_to_hire', sa.Float(), nullable=True, comment='For completers who were hired after completing.'),
    schema='marts',
    comment='Students by programme, cohort, year and status: placement hours, assessments, completions, hires.'
    )



def downgrade() -> None:

    op.drop_table('student_pipeline', schema='marts')
    op.drop_index(op.f('ix_learner_learner_id'), table_name='learner', schema='marts')
    op.drop_table('learner', schema='marts')
    op.drop_table('student_placement', schema='core')
    op.drop_table('student_module_result', schema='core')
    op.drop_table('student_enrolment', schema='core')
    op.drop_table('student_assessment', schema='core')
    op.drop_table('student', schema='core')
    op.drop_table('steward_decision', schema='core')
    op.drop_table('source_watermark', schema='core')
    op.drop_table('retired_learner', schema='core')
    op.drop_index(op.f('ix_learner_crosswalk_learner_id'), table_name='learner_crosswalk', schema='core')
    op.drop_table('learner_crosswalk', schema='core')
    op.drop_table('identity_review', schema='core')

