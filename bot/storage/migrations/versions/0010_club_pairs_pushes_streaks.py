"""practice club: accountability pairs, group pushes, forgiving streaks (issue 18)

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "club_pair_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("skill", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_pair_requests")),
        sa.UniqueConstraint("club_id", "user_id", name="uq_club_pair_requests_member"),
    )
    _index("club_pair_requests", "club_id", "user_id")
    op.create_table(
        "club_pairs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("first_user_id", sa.BigInteger(), nullable=False),
        sa.Column("second_user_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("skill", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_pairs")),
    )
    _index("club_pairs", "club_id", "first_user_id", "second_user_id")
    op.create_table(
        "club_pushes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("goal_minutes", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_day", sa.String(length=10), nullable=False),
        sa.Column("last_day", sa.String(length=10), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("in_forum", sa.Boolean(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("running", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_pushes")),
        sa.UniqueConstraint("running", name=op.f("uq_club_pushes_running")),
    )
    _index("club_pushes", "club_id")
    op.create_table(
        "club_push_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("push_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_push_members")),
        sa.UniqueConstraint("push_id", "user_id", name="uq_club_push_members_member"),
    )
    _index("club_push_members", "push_id", "user_id")
    op.create_table(
        "streak_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("freezes_per_month", sa.Integer(), nullable=False),
        sa.Column("remind", sa.Boolean(), nullable=False),
        sa.Column("remind_time", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streak_settings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_streak_settings_user_id")),
    )


def downgrade() -> None:
    op.drop_table("streak_settings")
    op.drop_table("club_push_members")
    op.drop_table("club_pushes")
    op.drop_table("club_pairs")
    op.drop_table("club_pair_requests")
