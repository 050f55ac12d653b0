"""The employing trust (VPD) in the keys of compliance_person and compliance_reconciliation, so several trusts
(whose employee numbers may coincide) share one warehouse.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:25:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('compliance_person', 'compliance_reconciliation')


def _marts() -> str | None:
    """The marts schema, or None on SQLite (batch mode's table rebuild bypasses the schema translate map)."""
    return None if op.get_bind().dialect.name == 'sqlite' else 'marts'


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=_marts()) as batch_op:
            batch_op.add_column(sa.Column('vpd', sa.String(length=3), nullable=False, server_default='',
                                          comment="The employing trust's ESR VPD code."))
            batch_op.drop_constraint(op.f(f'uq_{table}_as_of_date_employee_number_competency_name'), type_='unique')
            batch_op.create_unique_constraint(
                op.f(f'uq_{table}_as_of_date_vpd_employee_number_competency_name'),
                ['as_of_date', 'vpd', 'employee_number', 'competency_name'],
            )
        with op.batch_alter_table(table, schema=_marts()) as batch_op:
            batch_op.alter_column('vpd', server_default=None, existing_type=sa.String(length=3), existing_nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=_marts()) as batch_op:
            batch_op.drop_constraint(op.f(f'uq_{table}_as_of_date_vpd_employee_number_competency_name'), type_='unique')
            batch_op.create_unique_constraint(
                op.f(f'uq_{table}_as_of_date_employee_number_competency_name'),
                ['as_of_date', 'employee_number', 'competency_name'],
            )
            batch_op.drop_column('vpd')
