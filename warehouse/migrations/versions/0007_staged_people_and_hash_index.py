"""Staged people and learning-record hash index for fast merges

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:08:02.476320
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('stg_esr_person',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False, comment='The first row of the person in the staff file.'),
    sa.Column('vpd', sa.String(length=3), nullable=True),
    sa.Column('employee_number', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=40), nullable=True),
    sa.Column('first_name', sa.String(length=120), nullable=True),
    sa.Column('last_name', sa.String(length=120), nullable=True),
    sa.Column('work_email', sa.String(length=320), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('person_hash', sa.String(length=32), nullable=True),
    schema='staging',
    comment='People of a staff-in-post load, one row per person (their first assignment row), for the merge.'
    )
    op.create_index(op.f('ix_stg_esr_person_load_id_vpd_employee_number'), 'stg_esr_person', ['load_id', 'vpd', 'employee_number'], unique=False, schema='staging')
    op.drop_index(op.f('ix_stg_learning_record_load_id'), table_name='stg_learning_record', schema='staging')
    op.create_index(op.f('ix_stg_learning_record_load_id_record_hash'), 'stg_learning_record', ['load_id', 'record_hash'], unique=False, schema='staging')



def downgrade() -> None:

    op.drop_index(op.f('ix_stg_learning_record_load_id_record_hash'), table_name='stg_learning_record', schema='staging')
    op.create_index(op.f('ix_stg_learning_record_load_id'), 'stg_learning_record', ['load_id'], unique=False, schema='staging')
    op.drop_index(op.f('ix_stg_esr_person_load_id_vpd_employee_number'), table_name='stg_esr_person', schema='staging')
    op.drop_table('stg_esr_person', schema='staging')

