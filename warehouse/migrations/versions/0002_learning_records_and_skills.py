"""Learning records, skills framework, role profiles, Totara users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:21:11.243856
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('unmatched_learner',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False, comment="The source's id of the user or assignment."),
    sa.Column('match_key', sa.String(length=200), nullable=True, comment='The key that failed to match (e.g. the ID number).'),
    sa.Column('reason', sa.Text(), nullable=False),
    schema='audit',
    comment='Learners and assignments from other systems that match nobody in ESR, listed rather than dropped.'
    )
    op.create_index(op.f('ix_unmatched_learner_as_of_date_source'), 'unmatched_learner', ['as_of_date', 'source'], unique=False, schema='audit')
    op.create_table('learning_record',
    sa.Column('record_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('user_key', sa.String(length=100), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('item_name', sa.String(length=400), nullable=True),
    sa.Column('status', sa.String(length=120), nullable=True),
    sa.Column('achieved_on', sa.Date(), nullable=True, comment='Completion (or proficiency) date; NULL when not completed.'),
    sa.Column('expires_on', sa.Date(), nullable=True, comment="The source's own expiry (certifications)."),
    sa.Column('is_evidence', sa.Boolean(), nullable=False, comment='True when the record shows a completion.'),
    sa.Column('record_hash', sa.String(length=32), nullable=False),
    sa.Column('first_seen_on', sa.Date(), nullable=False, comment='Export date the warehouse first saw this record.'),
    sa.Column('ended_on', sa.Date(), nullable=True, comment='Export date from which the source no longer showed it.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_learning_record')),
    schema='core',
    comment='Learning records from the learning systems, one row per record version seen.'
    )
    op.create_index(op.f('ix_learning_record_record_hash'), 'learning_record', ['record_hash'], unique=False, schema='core')
    op.create_index(op.f('ix_learning_record_source_user_key_item_key'), 'learning_record', ['source', 'user_key', 'item_key'], unique=False, schema='core')
    op.create_table('role_skill_profile',
    sa.Column('profile_row_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_role', sa.String(length=240), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False, comment='essential or desirable.'),
    sa.Column('needed_by', sa.Date(), nullable=True, comment='A future capability the trust is building towards.'),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('profile_row_id', name=op.f('pk_role_skill_profile')),
    schema='core',
    comment='Skills each job role needs, one row per role and skill per version of the file.'
    )
    op.create_table('skills_framework',
    sa.Column('framework_row_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('skill_name', sa.String(length=240), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=True),
    sa.Column('evidence_source', sa.String(length=40), nullable=False),
    sa.Column('evidence_key', sa.String(length=400), nullable=False),
    sa.Column('valid_for_months', sa.Integer(), nullable=True, comment='NULL = the skill does not lapse.'),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('framework_row_id', name=op.f('pk_skills_framework')),
    schema='core',
    comment="The trust's skills framework, one row per skill and evidence source per version of the file."
    )
    op.create_table('totara_job_assignment',
    sa.Column('job_assignment_id', sa.String(length=40), nullable=False),
    sa.Column('idnumber', sa.String(length=100), nullable=True, comment='ID number: the ESR Assignment Number where HR Import set it.'),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('fullname', sa.String(length=400), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('position_idnumber', sa.String(length=200), nullable=True),
    sa.Column('organisation_idnumber', sa.String(length=200), nullable=True),
    sa.Column('manager_idnumber', sa.String(length=100), nullable=True),
    sa.Column('first_seen_on', sa.Date(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=False),
    sa.Column('deleted_on', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('job_assignment_id', name=op.f('pk_totara_job_assignment')),
    schema='core',
    comment='Totara job assignments from the external API, one row per job assignment.'
    )
    op.create_table('totara_user',
    sa.Column('user_id', sa.String(length=40), nullable=False, comment="Totara's own user id."),
    sa.Column('idnumber', sa.String(length=100), nullable=True, comment='ID number: the ESR Employee Number where HR Import set it.'),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('firstname', sa.String(length=120), nullable=True),
    sa.Column('lastname', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('first_seen_on', sa.Date(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=False),
    sa.Column('deleted_on', sa.Date(), nullable=True, comment='First pull that no longer listed the user (Totara omits deleted users).'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totara_user')),
    schema='core',
    comment='Totara users from the external API, one row per user.'
    )
    op.create_table('stg_learning_record',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False, comment='totara_course, totara_certification, totara_competency.'),
    sa.Column('user_key', sa.String(length=100), nullable=True, comment="The learner's key in the source (Totara user ID number)."),
    sa.Column('item_key', sa.String(length=200), nullable=True, comment='ID number of the course, certification or competency.'),
    sa.Column('item_name', sa.String(length=400), nullable=True),
    sa.Column('status', sa.String(length=120), nullable=True),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('is_evidence', sa.Boolean(), nullable=False),
    sa.Column('record_hash', sa.String(length=32), nullable=False),
    schema='staging',
    comment='Learning records from Totara report exports as received and accepted, one row per export row.'
    )
    op.create_index(op.f('ix_stg_learning_record_load_id'), 'stg_learning_record', ['load_id'], unique=False, schema='staging')



def downgrade() -> None:

    op.drop_index(op.f('ix_stg_learning_record_load_id'), table_name='stg_learning_record', schema='staging')
    op.drop_table('stg_learning_record', schema='staging')
    op.drop_table('totara_user', schema='core')
    op.drop_table('totara_job_assignment', schema='core')
    op.drop_table('skills_framework', schema='core')
    op.drop_table('role_skill_profile', schema='core')
    op.drop_index(op.f('ix_learning_record_source_user_key_item_key'), table_name='learning_record', schema='core')
    op.drop_index(op.f('ix_learning_record_record_hash'), table_name='learning_record', schema='core')
    op.drop_table('learning_record', schema='core')
    op.drop_index(op.f('ix_unmatched_learner_as_of_date_source'), table_name='unmatched_learner', schema='audit')
    op.drop_table('unmatched_learner', schema='audit')

