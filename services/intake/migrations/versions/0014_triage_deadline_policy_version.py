"""the policy version a case's triage_decision deadline came from (`kotopolku policy diff` names it)

Revision ID: 0014
Revises: 0013
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0014"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Empty for deadlines set before: the diff shows `-` for them, as before.
    with op.batch_alter_table('client_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_deadline_policy_version', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client_case', schema=None) as batch_op:
        batch_op.drop_column('next_deadline_policy_version')
