"""policy versions: the one each assessment's deadline came from, those applied, and the signals that tell running assessments

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Empty in assessments started before versions were kept.
    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column('policy_version', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        'policy_version',
        sa.Column('version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('effective_from', sa.Date(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('applied_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('signalled', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('version'),
    )
    op.create_table(
        'workflow_command',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('workflow_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('task_queue', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('arg', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('given_up_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('workflow_command') as batch:
        batch.create_index('ix_workflow_command_workflow_id', ['workflow_id'], unique=False)
        batch.create_index('ix_workflow_command_sent_at', ['sent_at'], unique=False)
        batch.create_index('ix_workflow_command_given_up_at', ['given_up_at'], unique=False)


def downgrade() -> None:
    op.drop_table('workflow_command')
    op.drop_table('policy_version')
    with op.batch_alter_table('assessment') as batch:
        batch.drop_column('policy_version')
