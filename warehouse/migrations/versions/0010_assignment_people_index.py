"""Assignments by VPD and Employee Number, for a build read a range of people at a time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 17:40:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_assignment_vpd_employee_number'), 'assignment', ['vpd', 'employee_number'], unique=False, schema='core')


def downgrade() -> None:
    op.drop_index(op.f('ix_assignment_vpd_employee_number'), table_name='assignment', schema='core')
