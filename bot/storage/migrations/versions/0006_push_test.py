"""practice pushes: the before/after test a push is judged by

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("practice_pushes") as batch:
        batch.add_column(sa.Column("test", sa.Text(), nullable=True))
        batch.add_column(sa.Column("test_before", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("practice_pushes") as batch:
        batch.drop_column("test_before")
        batch.drop_column("test")
