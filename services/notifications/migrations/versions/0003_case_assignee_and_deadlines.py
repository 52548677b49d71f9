"""a case's assignee and open deadlines in the projection; notifications to one person

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('case_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_sub', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('deadlines', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_index(batch_op.f('ix_case_view_assignee_sub'), ['assignee_sub'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_sub', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_recipient_sub'), ['recipient_sub'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_recipient_sub'))
        batch_op.drop_column('recipient_sub')
    with op.batch_alter_table('case_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_view_assignee_sub'))
        batch_op.drop_column('deadlines')
        batch_op.drop_column('assignee_sub')
