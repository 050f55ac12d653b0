"""Initial warehouse: audit, quarantine, staging, core and compliance marts

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:08:43.949191
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('feed_log',
    sa.Column('feed_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('feed_path', sa.Text(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('feed_id', name=op.f('pk_feed_log')),
    schema='audit',
    comment='One row per feed published to the outbox.'
    )
    op.create_table('load_log',
    sa.Column('load_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False, comment='Dataset kind, e.g. esr_staff_in_post.'),
    sa.Column('source_file', sa.String(length=500), nullable=False, comment='File name as received (or API endpoint).'),
    sa.Column('source_path', sa.Text(), nullable=True, comment='Where the file was read from.'),
    sa.Column('file_date', sa.Date(), nullable=True, comment='Extract date from the file name.'),
    sa.Column('file_mode', sa.String(length=10), nullable=True, comment='full or delta.'),
    sa.Column('vpd', sa.String(length=3), nullable=True),
    sa.Column('checksum_sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('encoding', sa.String(length=20), nullable=True),
    sa.Column('rows_in', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('rows_applied', sa.Integer(), nullable=False, comment='Rows that changed core.'),
    sa.Column('status', sa.String(length=20), nullable=False, comment='staging, loaded, refused, failed, duplicate.'),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('run_id', sa.String(length=40), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('load_id', name=op.f('pk_load_log')),
    schema='audit',
    comment='One row per batch received: what came in, what was accepted, and what became of it.'
    )
    op.create_index(op.f('ix_load_log_checksum_sha256'), 'load_log', ['checksum_sha256'], unique=False, schema='audit')
    op.create_index(op.f('ix_load_log_source_status'), 'load_log', ['source', 'status'], unique=False, schema='audit')
    op.create_table('run_log',
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False, comment='running, succeeded, failed.'),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_run_log')),
    schema='audit',
    comment='One row per pipeline run.'
    )
    op.create_table('assignment',
    sa.Column('assignment_version_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vpd', sa.String(length=3), nullable=False),
    sa.Column('assignment_number', sa.String(length=20), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('organisation', sa.String(length=240), nullable=True),
    sa.Column('org_level_3', sa.String(length=240), nullable=True),
    sa.Column('org_level_4', sa.String(length=240), nullable=True),
    sa.Column('org_level_5', sa.String(length=240), nullable=True),
    sa.Column('position_title', sa.String(length=240), nullable=True),
    sa.Column('job_role', sa.String(length=240), nullable=True),
    sa.Column('occupation_code', sa.String(length=10), nullable=True),
    sa.Column('staff_group', sa.String(length=120), nullable=True),
    sa.Column('pay_band', sa.String(length=40), nullable=True),
    sa.Column('assignment_category', sa.String(length=60), nullable=True),
    sa.Column('assignment_status', sa.String(length=60), nullable=True),
    sa.Column('contracted_wte', sa.Float(), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('assignment_start_date', sa.Date(), nullable=True),
    sa.Column('assignment_end_date', sa.Date(), nullable=True),
    sa.Column('supervisor_employee_number', sa.String(length=20), nullable=True),
    sa.Column('last_updated', sa.DateTime(), nullable=True),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment='Hash of the tracked columns; equal = unchanged.'),
    sa.Column('valid_from', sa.Date(), nullable=False, comment='Extract date of the file that brought this version.'),
    sa.Column('valid_to', sa.Date(), nullable=True, comment='Extract date that replaced or ended this version; NULL while current.'),
    sa.Column('confirmed_on', sa.Date(), nullable=False, comment='Latest extract date that showed this version.'),
    sa.Column('load_id', sa.Integer(), nullable=False, comment='The load that brought this version.'),
    sa.PrimaryKeyConstraint('assignment_version_id', name=op.f('pk_assignment')),
    schema='core',
    comment='ESR assignments (positions held), one row per assignment per version.'
    )
    op.create_index(op.f('ix_assignment_valid_from_valid_to'), 'assignment', ['valid_from', 'valid_to'], unique=False, schema='core')
    op.create_index(op.f('ix_assignment_vpd_assignment_number_valid_to'), 'assignment', ['vpd', 'assignment_number', 'valid_to'], unique=False, schema='core')
    op.create_table('competence',
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False, comment='NHS for national, else the VPD of a local competence.'),
    sa.Column('framework', sa.String(length=40), nullable=False, comment='CSTF or LOCAL.'),
    sa.Column('subject', sa.String(length=240), nullable=False),
    sa.Column('level', sa.String(length=240), nullable=True),
    sa.Column('refresher_months', sa.Integer(), nullable=True, comment='Period read from the name; NULL = does not lapse.'),
    sa.Column('first_load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('competency_name', name=op.f('pk_competence')),
    schema='core',
    comment='The competence catalogue, one row per competence name seen in any source or rule.'
    )
    op.create_table('competence_achievement',
    sa.Column('achievement_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vpd', sa.String(length=3), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True, comment='Expiry as the source gave it; NULL = derive from the period.'),
    sa.Column('no_expiry', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False, comment='esr, totara_certification, totara_course.'),
    sa.Column('source_key', sa.String(length=400), nullable=False, comment="The source's own key of the award."),
    sa.Column('first_seen_on', sa.Date(), nullable=False, comment='Extract date the warehouse first knew of the award.'),
    sa.Column('ended_on', sa.Date(), nullable=True, comment='Extract date from which the source no longer showed the award.'),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('achievement_id', name=op.f('pk_competence_achievement')),
    schema='core',
    comment='Every award seen, one row per person, competence, award date and source.'
    )
    op.create_index(op.f('ix_competence_achievement_vpd_employee_number_competency_name'), 'competence_achievement', ['vpd', 'employee_number', 'competency_name'], unique=False, schema='core')
    op.create_table('esr_competence_record',
    sa.Column('record_version_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vpd', sa.String(length=3), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('competence_level', sa.String(length=120), nullable=True),
    sa.Column('essential', sa.Boolean(), nullable=True),
    sa.Column('date_last_awarded', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('no_expiry', sa.Boolean(), nullable=False),
    sa.Column('compliance_status', sa.String(length=10), nullable=True, comment="ESR's own RAG, kept to reconcile, not as truth."),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment='Hash of the tracked columns; equal = unchanged.'),
    sa.Column('valid_from', sa.Date(), nullable=False, comment='Extract date of the file that brought this version.'),
    sa.Column('valid_to', sa.Date(), nullable=True, comment='Extract date that replaced or ended this version; NULL while current.'),
    sa.Column('confirmed_on', sa.Date(), nullable=False, comment='Latest extract date that showed this version.'),
    sa.Column('load_id', sa.Integer(), nullable=False, comment='The load that brought this version.'),
    sa.PrimaryKeyConstraint('record_version_id', name=op.f('pk_esr_competence_record')),
    schema='core',
    comment='ESR competence records, one row per person and competence per version.'
    )
    op.create_index(op.f('ix_esr_competence_record_vpd_employee_number_competency_name_valid_to'), 'esr_competence_record', ['vpd', 'employee_number', 'competency_name', 'valid_to'], unique=False, schema='core')
    op.create_table('person',
    sa.Column('person_version_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vpd', sa.String(length=3), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=True),
    sa.Column('first_name', sa.String(length=120), nullable=True),
    sa.Column('last_name', sa.String(length=120), nullable=True),
    sa.Column('work_email', sa.String(length=320), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True, comment='Identity matching only; never published.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment='Hash of the tracked columns; equal = unchanged.'),
    sa.Column('valid_from', sa.Date(), nullable=False, comment='Extract date of the file that brought this version.'),
    sa.Column('valid_to', sa.Date(), nullable=True, comment='Extract date that replaced or ended this version; NULL while current.'),
    sa.Column('confirmed_on', sa.Date(), nullable=False, comment='Latest extract date that showed this version.'),
    sa.Column('load_id', sa.Integer(), nullable=False, comment='The load that brought this version.'),
    sa.PrimaryKeyConstraint('person_version_id', name=op.f('pk_person')),
    schema='core',
    comment='ESR people, one row per person per version.'
    )
    op.create_index(op.f('ix_person_vpd_employee_number_valid_to'), 'person', ['vpd', 'employee_number', 'valid_to'], unique=False, schema='core')
    op.create_table('training_requirement',
    sa.Column('requirement_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('applies_to', sa.String(length=40), nullable=False, comment='All, Staff Group, Job Role, Position Title, ...'),
    sa.Column('match_value', sa.String(length=240), nullable=True, comment='Matched exactly, case-insensitively; NULL for All.'),
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('requirement_id', name=op.f('pk_training_requirement')),
    schema='core',
    comment="The trust's training needs analysis, one row per rule per version of the file."
    )
    op.create_table('compliance_person',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('assignment_number', sa.String(length=20), nullable=False, comment="The person's primary assignment."),
    sa.Column('organisation', sa.String(length=240), nullable=True),
    sa.Column('org_level_3', sa.String(length=240), nullable=True),
    sa.Column('staff_group', sa.String(length=120), nullable=True),
    sa.Column('job_role', sa.String(length=240), nullable=True),
    sa.Column('assignment_category', sa.String(length=60), nullable=True),
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('subject', sa.String(length=240), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False, comment='compliant, expiring, expired, missing.'),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('days_to_expiry', sa.Integer(), nullable=True),
    sa.Column('evidence_source', sa.String(length=40), nullable=True),
    sa.UniqueConstraint('as_of_date', 'employee_number', 'competency_name', name=op.f('uq_compliance_person_as_of_date_employee_number_competency_name')),
    schema='marts',
    comment='One row per person and required competence on the reporting date.'
    )
    op.create_index(op.f('ix_compliance_person_as_of_date_competency_name'), 'compliance_person', ['as_of_date', 'competency_name'], unique=False, schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_org_level_3'), 'compliance_person', ['as_of_date', 'org_level_3'], unique=False, schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_staff_group'), 'compliance_person', ['as_of_date', 'staff_group'], unique=False, schema='marts')
    op.create_table('compliance_reconciliation',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=False),
    sa.Column('competency_name', sa.String(length=400), nullable=False),
    sa.Column('esr_compliance_status', sa.String(length=10), nullable=False),
    sa.Column('learnscape_status', sa.String(length=10), nullable=False),
    sa.Column('esr_expiry_date', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('evidence_source', sa.String(length=40), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    schema='marts',
    comment="Person-competences where ESR's own Compliance Status disagrees with Learnscape's status."
    )
    op.create_index(op.f('ix_compliance_reconciliation_as_of_date'), 'compliance_reconciliation', ['as_of_date'], unique=False, schema='marts')
    op.create_table('compliance_summary',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('group_value', sa.String(length=240), nullable=False),
    sa.Column('competency_name', sa.String(length=400), nullable=False, comment='A competence, or ALL.'),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('in_date', sa.Integer(), nullable=False, comment='compliant + expiring.'),
    sa.Column('expiring', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('compliance_pct', sa.Float(), nullable=False),
    sa.Column('target_pct', sa.Float(), nullable=False),
    sa.Column('rag', sa.String(length=5), nullable=False),
    sa.UniqueConstraint('as_of_date', 'dimension', 'group_value', 'competency_name', name=op.f('uq_compliance_summary_as_of_date_dimension_group_value_competency_name')),
    schema='marts',
    comment='Compliance counts per reporting date, dimension, group and competence (or ALL).'
    )
    op.create_table('stg_esr_competence',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=True),
    sa.Column('competency_name', sa.String(length=400), nullable=True),
    sa.Column('competence_level', sa.String(length=120), nullable=True),
    sa.Column('min_requirement', sa.String(length=120), nullable=True),
    sa.Column('essential', sa.Boolean(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('no_expiry', sa.Boolean(), nullable=True),
    sa.Column('compliance_status', sa.String(length=10), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_last_awarded', sa.Date(), nullable=True),
    sa.Column('title', sa.String(length=240), nullable=True),
    sa.Column('last_updated_by', sa.String(length=240), nullable=True, comment='Who edited the record in ESR: audit only, never the learner.'),
    sa.Column('vpd', sa.String(length=3), nullable=True),
    sa.Column('record_hash', sa.String(length=32), nullable=True),
    schema='staging',
    comment='ESR competence rows as received and accepted, one row per person and competence per load.'
    )
    op.create_index(op.f('ix_stg_esr_competence_load_id_employee_number_competency_name'), 'stg_esr_competence', ['load_id', 'employee_number', 'competency_name'], unique=False, schema='staging')
    op.create_table('stg_esr_staff_in_post',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('employee_number', sa.String(length=20), nullable=True),
    sa.Column('assignment_number', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=40), nullable=True),
    sa.Column('first_name', sa.String(length=120), nullable=True),
    sa.Column('last_name', sa.String(length=120), nullable=True),
    sa.Column('work_email', sa.String(length=320), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('vpd', sa.String(length=3), nullable=True),
    sa.Column('organisation', sa.String(length=240), nullable=True),
    sa.Column('org_level_3', sa.String(length=240), nullable=True),
    sa.Column('org_level_4', sa.String(length=240), nullable=True),
    sa.Column('org_level_5', sa.String(length=240), nullable=True),
    sa.Column('position_title', sa.String(length=240), nullable=True),
    sa.Column('job_role', sa.String(length=240), nullable=True),
    sa.Column('occupation_code', sa.String(length=10), nullable=True),
    sa.Column('staff_group', sa.String(length=120), nullable=True),
    sa.Column('pay_band', sa.String(length=40), nullable=True),
    sa.Column('assignment_category', sa.String(length=60), nullable=True),
    sa.Column('assignment_status', sa.String(length=60), nullable=True),
    sa.Column('contracted_wte', sa.Float(), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('assignment_start_date', sa.Date(), nullable=True),
    sa.Column('assignment_end_date', sa.Date(), nullable=True),
    sa.Column('supervisor_employee_number', sa.String(length=20), nullable=True),
    sa.Column('last_updated', sa.DateTime(), nullable=True),
    sa.Column('person_hash', sa.String(length=32), nullable=True),
    sa.Column('assignment_hash', sa.String(length=32), nullable=True),
    schema='staging',
    comment='ESR staff-in-post rows as received and accepted by validation, one row per assignment per load.'
    )
    op.create_index(op.f('ix_stg_esr_staff_in_post_load_id_assignment_number'), 'stg_esr_staff_in_post', ['load_id', 'assignment_number'], unique=False, schema='staging')
    op.create_table('rejected_row',
    sa.Column('rejected_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=True, comment='Spreadsheet row in the file: the heading is row 1.'),
    sa.Column('field', sa.String(length=120), nullable=True, comment="The file's heading of the failing field."),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('record_json', sa.Text(), nullable=True, comment='The whole row as received, so nothing is lost.'),
    sa.ForeignKeyConstraint(['load_id'], ['audit.load_log.load_id'], name=op.f('fk_rejected_row_load_id_load_log')),
    sa.PrimaryKeyConstraint('rejected_id', name=op.f('pk_rejected_row')),
    schema='quarantine',
    comment='Rows refused by validation, one row per row and failing field, kept with their reason.'
    )
    op.create_index(op.f('ix_rejected_row_load_id'), 'rejected_row', ['load_id'], unique=False, schema='quarantine')



def downgrade() -> None:

    op.drop_index(op.f('ix_rejected_row_load_id'), table_name='rejected_row', schema='quarantine')
    op.drop_table('rejected_row', schema='quarantine')
    op.drop_index(op.f('ix_stg_esr_staff_in_post_load_id_assignment_number'), table_name='stg_esr_staff_in_post', schema='staging')
    op.drop_table('stg_esr_staff_in_post', schema='staging')
    op.drop_index(op.f('ix_stg_esr_competence_load_id_employee_number_competency_name'), table_name='stg_esr_competence', schema='staging')
    op.drop_table('stg_esr_competence', schema='staging')
    op.drop_table('compliance_summary', schema='marts')
    op.drop_index(op.f('ix_compliance_reconciliation_as_of_date'), table_name='compliance_reconciliation', schema='marts')
    op.drop_table('compliance_reconciliation', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_staff_group'), table_name='compliance_person', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_org_level_3'), table_name='compliance_person', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_competency_name'), table_name='compliance_person', schema='marts')
    op.drop_table('compliance_person', schema='marts')
    op.drop_table('training_requirement', schema='core')
    op.drop_index(op.f('ix_person_vpd_employee_number_valid_to'), table_name='person', schema='core')
    op.drop_table('person', schema='core')
    op.drop_index(op.f('ix_esr_competence_record_vpd_employee_number_competency_name_valid_to'), table_name='esr_competence_record', schema='core')
    op.drop_table('esr_competence_record', schema='core')
    op.drop_index(op.f('ix_competence_achievement_vpd_employee_number_competency_name'), table_name='competence_achievement', schema='core')
    op.drop_table('competence_achievement', schema='core')
    op.drop_table('competence', schema='core')
    op.drop_index(op.f('ix_assignment_vpd_assignment_number_valid_to'), table_name='assignment', schema='core')
    op.drop_index(op.f('ix_assignment_valid_from_valid_to'), table_name='assignment', schema='core')
    op.drop_table('assignment', schema='core')
    op.drop_table('run_log', schema='audit')
    op.drop_index(op.f('ix_load_log_source_status'), table_name='load_log', schema='audit')
    op.drop_index(op.f('ix_load_log_checksum_sha256'), table_name='load_log', schema='audit')
    op.drop_table('load_log', schema='audit')
    op.drop_table('feed_log', schema='audit')

