"""the access log records the case's municipality (coordinators query their own) and a list's filters

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('query', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_access_log_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
    # Earlier reads: the case's municipality as the projection knows it now.
    op.execute(
        "UPDATE access_log SET municipality_code = "
        "(SELECT case_view.municipality_code FROM case_view WHERE case_view.case_id = access_log.case_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_at'))
        batch_op.drop_index(batch_op.f('ix_access_log_municipality_code'))
        batch_op.drop_column('query')
        batch_op.drop_column('municipality_code')
