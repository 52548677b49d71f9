"""workflow starts and signals sent after the commit

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('workflow_command',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('workflow_id', sa.String(), nullable=False),
    sa.Column('workflow_type', sa.String(), nullable=True),
    sa.Column('task_queue', sa.String(), nullable=True),
    sa.Column('signal', sa.String(), nullable=True),
    sa.Column('arg', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workflow_command') as batch_op:
        batch_op.create_index('ix_workflow_command_workflow_id', ['workflow_id'], unique=False)
        batch_op.create_index('ix_workflow_command_sent_at', ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_table('workflow_command')
