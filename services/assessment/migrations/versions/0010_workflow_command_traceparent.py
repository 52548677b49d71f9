"""a workflow command keeps the trace context it was written in in its own column

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Rows written before keep their traceparent wrapped in the argument (still read by the relay).
    with op.batch_alter_table('workflow_command', schema=None) as batch_op:
        batch_op.add_column(sa.Column('traceparent', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workflow_command', schema=None) as batch_op:
        batch_op.drop_column('traceparent')
