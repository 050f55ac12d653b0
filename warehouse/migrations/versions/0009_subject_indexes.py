"""Covering indexes for compliance by subject

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 15:55:00
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f('ix_compliance_person_as_of_date_org_level_3'), table_name='compliance_person', schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_org_level_3_subject_status'), 'compliance_person', ['as_of_date', 'org_level_3', 'subject', 'status'], unique=False, schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_subject_status'), 'compliance_person', ['as_of_date', 'subject', 'status'], unique=False, schema='marts')


def downgrade() -> None:
    op.drop_index(op.f('ix_compliance_person_as_of_date_subject_status'), table_name='compliance_person', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_org_level_3_subject_status'), table_name='compliance_person', schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_org_level_3'), 'compliance_person', ['as_of_date', 'org_level_3'], unique=False, schema='marts')
