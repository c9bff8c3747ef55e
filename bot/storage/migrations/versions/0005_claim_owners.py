"""claim owners: who handles a draft, when a scheduled DM's send began

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("advice_drafts") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=80), nullable=True))
    with op.batch_alter_table("scheduled_items") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_items") as batch:
        batch.drop_column("sending_at")
    with op.batch_alter_table("advice_drafts") as batch:
        batch.drop_column("owner")
