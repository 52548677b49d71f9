"""assessments and their corrections

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel



revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'assessment',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('became_client_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('residence_basis', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('native_language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('schedule', sa.JSON(), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('plan_needed', sa.Boolean(), nullable=True),
        sa.Column('plan_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('wellbeing_county_participant', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('no_plan_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.Column('overdue', sa.Boolean(), nullable=False),
        sa.Column('escalated', sa.Boolean(), nullable=False),
        sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_municipality_code'), ['municipality_code'], unique=False)
    op.create_table(
        'assessment_correction',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('assessment_id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('corrected_by_sub', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('corrected_by_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('assessment_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_correction_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_correction_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('assessment_correction')
    op.drop_table('assessment')
