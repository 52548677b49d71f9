"""every open deadline of a case, and who has the case

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('client_case') as batch:
        batch.add_column(sa.Column('deadlines', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('assignee_sub', sa.String(), nullable=True))
        batch.add_column(sa.Column('assignee_name', sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client_case') as batch:
        batch.drop_column('assignee_name')
        batch.drop_column('assignee_sub')
        batch.drop_column('deadlines')
