"""Surveys and evaluations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:34:20.745358
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('course_evaluation_response',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.String(length=80), nullable=False),
    sa.Column('course_id', sa.String(length=120), nullable=False),
    sa.Column('session_id', sa.String(length=120), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kirkpatrick_level', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False),
    sa.Column('item_text', sa.Text(), nullable=True),
    sa.Column('scale', sa.String(length=40), nullable=True),
    sa.Column('response_value', sa.Float(), nullable=True),
    schema='core',
    comment='Post-course evaluation answers without learner references or free text, one row per answer.'
    )
    op.create_table('survey_answer',
    sa.Column('respondent_key', sa.String(length=60), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False, comment='Stable item id from schemas/survey_questions.csv.'),
    sa.Column('question_code', sa.String(length=40), nullable=True),
    sa.Column('code', sa.Integer(), nullable=False, comment='The response code as the survey coded it.'),
    schema='core',
    comment='Answers of anonymous survey respondents, one row per respondent and answered item.'
    )
    op.create_index(op.f('ix_survey_answer_load_id'), 'survey_answer', ['load_id'], unique=False, schema='core')
    op.create_table('survey_published_result',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('survey', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('org_code', sa.String(length=10), nullable=False),
    sa.Column('benchmark_group', sa.String(length=120), nullable=True),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('measure_type', sa.String(length=20), nullable=True),
    sa.Column('measure_id', sa.String(length=80), nullable=True),
    sa.Column('source_code', sa.String(length=40), nullable=True),
    sa.Column('score_0_10', sa.Float(), nullable=True),
    sa.Column('pct_positive', sa.Float(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=True),
    schema='core',
    comment='Published NHS Staff Survey results as published (weighted figures kept unchanged).'
    )
    op.create_table('survey_respondent',
    sa.Column('respondent_key', sa.String(length=60), nullable=False, comment="load id + the file's own row key; anonymous."),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('survey', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('org_code', sa.String(length=10), nullable=True),
    sa.Column('locality1', sa.String(length=240), nullable=True),
    sa.Column('locality2', sa.String(length=240), nullable=True),
    sa.Column('locality3', sa.String(length=240), nullable=True),
    sa.Column('locality4', sa.String(length=240), nullable=True),
    sa.Column('locality5', sa.String(length=240), nullable=True),
    sa.Column('locality6', sa.String(length=240), nullable=True),
    sa.Column('locality7', sa.String(length=240), nullable=True),
    sa.Column('locality8', sa.String(length=240), nullable=True),
    sa.Column('staff_group', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('respondent_key', name=op.f('pk_survey_respondent')),
    schema='core',
    comment='Anonymous survey respondents (no Sample ID or other identifier is kept), one row per response.'
    )
    op.create_index(op.f('ix_survey_respondent_load_id'), 'survey_respondent', ['load_id'], unique=False, schema='core')
    op.create_table('course_evaluation',
    sa.Column('course_id', sa.String(length=120), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('kirkpatrick_level', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    schema='marts',
    comment='Post-course evaluation results per course, period and Kirkpatrick level; groups under 11 suppressed.'
    )
    op.create_table('learning_engagement',
    sa.Column('period', sa.String(length=20), nullable=False, comment='2023 for the NSS, 2024-25 Q1 for pulse surveys.'),
    sa.Column('survey', sa.String(length=20), nullable=False),
    sa.Column('org_level', sa.String(length=40), nullable=False, comment='organisation, directorate, department, staff_group.'),
    sa.Column('org_unit', sa.String(length=240), nullable=False, comment='Named as compliance names it (e.g. Org Level 3).'),
    sa.Column('measure', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False, comment='local (computed here) or published.'),
    sa.Column('score', sa.Float(), nullable=True, comment='0-10 (NPS -100..100); NULL when suppressed.'),
    sa.Column('n', sa.Integer(), nullable=True, comment='Respondents who answered the measure; NULL when suppressed.'),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    schema='marts',
    comment='Learning and engagement survey scores per period, org cut and measure; groups under 11 suppressed.'
    )
    op.create_index(op.f('ix_learning_engagement_period_org_level_org_unit'), 'learning_engagement', ['period', 'org_level', 'org_unit'], unique=False, schema='marts')



def downgrade() -> None:

    op.drop_index(op.f('ix_learning_engagement_period_org_level_org_unit'), table_name='learning_engagement', schema='marts')
    op.drop_table('learning_engagement', schema='marts')
    op.drop_table('course_evaluation', schema='marts')
    op.drop_index(op.f('ix_survey_respondent_load_id'), table_name='survey_respondent', schema='core')
    op.drop_table('survey_respondent', schema='core')
    op.drop_table('survey_published_result', schema='core')
    op.drop_index(op.f('ix_survey_answer_load_id'), table_name='survey_answer', schema='core')
    op.drop_table('survey_answer', schema='core')
    op.drop_table('course_evaluation_response', schema='core')

