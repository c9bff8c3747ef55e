"""practice club: clubs, their check-ins, members' entries and choices (issue 18)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("in_forum", sa.Boolean(), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("open_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clubs")),
        sa.UniqueConstraint("guild_id", name=op.f("uq_clubs_guild_id")),
    )
    op.create_table(
        "club_check_ins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covers_from", sa.String(length=10), nullable=False),
        sa.Column("covers_to", sa.String(length=10), nullable=False),
        sa.Column("questions_json", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_check_ins")),
        sa.UniqueConstraint("club_id", "period", name="uq_club_check_ins_period"),
    )
    with op.batch_alter_table("club_check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_club_check_ins_club_id"), ["club_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_club_check_ins_thread_id"), ["thread_id"], unique=False
        )
    op.create_table(
        "club_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=True),
        sa.Column("share_hours", sa.Boolean(), nullable=False),
        sa.Column("quote_change", sa.Boolean(), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_entries")),
        sa.UniqueConstraint("check_in_id", "user_id", name="uq_club_entries_member"),
    )
    with op.batch_alter_table("club_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_club_entries_check_in_id"), ["check_in_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_club_entries_user_id"), ["user_id"], unique=False)
    op.create_table(
        "club_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("remind", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_members")),
        sa.UniqueConstraint("club_id", "user_id", name="uq_club_members_member"),
    )
    with op.batch_alter_table("club_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_club_members_club_id"), ["club_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_club_members_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("club_members")
    op.drop_table("club_entries")
    op.drop_table("club_check_ins")
    op.drop_table("clubs")
