"""the client's target group on the staff views (who is owed an assessment)

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Clients recorded before show none until their next client.recorded.
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_group', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.drop_column('target_group')
