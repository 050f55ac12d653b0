"""BI dimensions (dim_org_unit, dim_date), unique keys on the marts' grains, and indexes for BI filters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _marts() -> str | None:
    """The marts schema, or None on SQLite: batch mode's table rebuild names tables in raw SQL, past the engine's
    schema translate map, so on SQLite the schema must not be given at all."""
    return None if op.get_bind().dialect.name == 'sqlite' else 'marts'


def upgrade() -> None:

    op.create_table('dim_date',
    sa.Column('calendar_date', sa.Date(), nullable=False),
    sa.Column('date_key', sa.Integer(), nullable=False, comment='YYYYMMDD.'),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('month_name', sa.String(length=9), nullable=False),
    sa.Column('year_month', sa.String(length=7), nullable=False),
    sa.Column('day_of_month', sa.Integer(), nullable=False),
    sa.Column('day_of_week', sa.Integer(), nullable=False, comment='1 = Monday to 7 = Sunday.'),
    sa.Column('day_name', sa.String(length=9), nullable=False),
    sa.Column('is_weekend', sa.Boolean(), nullable=False),
    sa.Column('iso_year', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False, comment='The Monday of the ISO week.'),
    sa.Column('month_start', sa.Date(), nullable=False),
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('is_month_end', sa.Boolean(), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False, comment='NHS financial year, 1 April to 31 March.'),
    sa.Column('financial_year_start', sa.Integer(), nullable=False),
    sa.Column('financial_quarter', sa.Integer(), nullable=False, comment='1 = April to June.'),
    sa.Column('financial_month', sa.Integer(), nullable=False, comment='1 = April.'),
    sa.PrimaryKeyConstraint('calendar_date', name=op.f('pk_dim_date')),
    sa.UniqueConstraint('date_key', name=op.f('uq_dim_date_date_key')),
    schema='marts',
    comment='The calendar, one row per day, with the NHS financial year beside the calendar year.'
    )
    op.create_table('dim_org_unit',
    sa.Column('as_of_date', sa.Date(), nullable=False),
    sa.Column('organisation', sa.String(length=240), nullable=False, comment='The lowest ESR unit; (not recorded) when blank.'),
    sa.Column('vpd', sa.String(length=3), nullable=True),
    sa.Column('org_level_3', sa.String(length=240), nullable=False),
    sa.Column('org_level_4', sa.String(length=240), nullable=False),
    sa.Column('org_level_5', sa.String(length=240), nullable=False),
    sa.Column('drill_level_3', sa.String(length=240), nullable=False),
    sa.Column('drill_level_4', sa.String(length=240), nullable=False),
    sa.Column('drill_level_5', sa.String(length=240), nullable=False),
    sa.Column('hierarchy_path', sa.Text(), nullable=False),
    sa.Column('levels_recorded', sa.Integer(), nullable=False),
    sa.Column('assignments', sa.Integer(), nullable=False),
    sa.Column('parent_paths_seen', sa.Integer(), nullable=False),
    sa.UniqueConstraint('as_of_date', 'organisation', name=op.f('uq_dim_org_unit_as_of_date_organisation')),
    schema='marts',
    comment='The organisation hierarchy on each reporting date, flattened: one row per organisation.'
    )
    op.create_index(op.f('ix_dim_org_unit_as_of_date_org_level_3'), 'dim_org_unit', ['as_of_date', 'org_level_3'], unique=False, schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_organisation'), 'compliance_person', ['as_of_date', 'organisation'], unique=False, schema='marts')
    op.create_index(op.f('ix_compliance_person_as_of_date_status'), 'compliance_person', ['as_of_date', 'status'], unique=False, schema='marts')
    op.create_index(op.f('ix_skills_gap_person_as_of_date_job_role_skill_code'), 'skills_gap_person', ['as_of_date', 'job_role', 'skill_code'], unique=False, schema='marts')
    # Unique keys on existing tables in batch mode: SQLite cannot ALTER a constraint, so the table is rebuilt there.
    with op.batch_alter_table('compliance_reconciliation', schema=_marts()) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_compliance_reconciliation_as_of_date_employee_number_competency_name'), ['as_of_date', 'employee_number', 'competency_name'])
    with op.batch_alter_table('skills_gap_summary', schema=_marts()) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_skills_gap_summary_as_of_date_dimension_org_unit_job_role_skill_code'), ['as_of_date', 'dimension', 'org_unit', 'job_role', 'skill_code'])
    with op.batch_alter_table('capability_forecast', schema=_marts()) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_capability_forecast_as_of_date_job_role_skill_code'), ['as_of_date', 'job_role', 'skill_code'])


def downgrade() -> None:

    with op.batch_alter_table('capability_forecast', schema=_marts()) as batch_op:
        batch_op.drop_constraint(op.f('uq_capability_forecast_as_of_date_job_role_skill_code'), type_='unique')
    with op.batch_alter_table('skills_gap_summary', schema=_marts()) as batch_op:
        batch_op.drop_constraint(op.f('uq_skills_gap_summary_as_of_date_dimension_org_unit_job_role_skill_code'), type_='unique')
    with op.batch_alter_table('compliance_reconciliation', schema=_marts()) as batch_op:
        batch_op.drop_constraint(op.f('uq_compliance_reconciliation_as_of_date_employee_number_competency_name'), type_='unique')
    op.drop_index(op.f('ix_skills_gap_person_as_of_date_job_role_skill_code'), table_name='skills_gap_person', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_status'), table_name='compliance_person', schema='marts')
    op.drop_index(op.f('ix_compliance_person_as_of_date_organisation'), table_name='compliance_person', schema='marts')
    op.drop_index(op.f('ix_dim_org_unit_as_of_date_org_level_3'), table_name='dim_org_unit', schema='marts')
    op.drop_table('dim_org_unit', schema='marts')
    op.drop_table('dim_date', schema='marts')
