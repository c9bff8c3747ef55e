"""usage hits: cooldowns and model-call caps shared by every process (issue 13)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "usage_hits",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_hits")),
    )
    op.create_index(
        "ix_usage_hits_key",
        "usage_hits",
        ["subject_id", "scope", "action", "expires_at"],
        unique=False,
    )
    op.create_index(op.f("ix_usage_hits_expires_at"), "usage_hits", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_usage_hits_expires_at"), table_name="usage_hits")
    op.drop_index("ix_usage_hits_key", table_name="usage_hits")
    op.drop_table("usage_hits")
