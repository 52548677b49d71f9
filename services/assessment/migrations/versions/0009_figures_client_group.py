"""the assessment figures' grouping by the groups the projects reach (client_group)

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0009"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # From the client's path (AssessmentInput); empty in assessments started before: group `unknown`.
    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column('client_groups', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment') as batch:
        batch.drop_column('client_groups')
