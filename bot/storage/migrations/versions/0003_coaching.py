"""coaching tables and the shared DM outbox

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "scheduled_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("unsolicited", sa.Boolean(), nullable=False),
        _ts("scheduled_for"),
        _ts("due_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        _ts("claimed_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_items")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_items_key")),
    )
    op.create_index("ix_scheduled_items_status_due", "scheduled_items", ["status", "due_at"])
    op.create_index(op.f("ix_scheduled_items_user_id"), "scheduled_items", ["user_id"])

    op.create_table(
        "coaching_profiles",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("paused_from", sa.Date(), nullable=True),
        sa.Column("nudge_enabled", sa.Boolean(), nullable=False),
        sa.Column("nudge_time", sa.String(length=5), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_coaching_profiles")),
    )

    op.create_table(
        "coaching_pauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_pauses")),
    )
    op.create_index(op.f("ix_coaching_pauses_user_id"), "coaching_pauses", ["user_id"])

    op.create_table(
        "coaching_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_prompts")),
    )
    op.create_index(op.f("ix_coaching_prompts_user_id"), "coaching_prompts", ["user_id"])

    op.create_table(
        "server_default_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_default_prompts")),
    )
    op.create_index(
        op.f("ix_server_default_prompts_guild_id"), "server_default_prompts", ["guild_id"]
    )

    op.create_table(
        "orient_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("prompts_json", sa.Text(), nullable=False),
        sa.Column("quick", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orient_sessions")),
        sa.UniqueConstraint("user_id", "local_date", name=op.f("uq_orient_sessions_user_id")),
    )
    op.create_index(op.f("ix_orient_sessions_user_id"), "orient_sessions", ["user_id"])

    op.create_table(
        "orient_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orient_answers")),
    )
    op.create_index(op.f("ix_orient_answers_session_id"), "orient_answers", ["session_id"])
    op.create_index(op.f("ix_orient_answers_user_id"), "orient_answers", ["user_id"])

    op.create_table(
        "practice_logs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("skill", sa.String(length=100), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("practised", sa.Text(), nullable=True),
        sa.Column("noticed", sa.Text(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        _ts("logged_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_logs")),
    )
    op.create_index(op.f("ix_practice_logs_user_id"), "practice_logs", ["user_id"])

    op.create_table(
        "practice_pushes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("skill", sa.String(length=100), nullable=False),
        sa.Column("target_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("milestones_reached", sa.Integer(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_pushes")),
    )
    op.create_index(op.f("ix_practice_pushes_user_id"), "practice_pushes", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_practice_pushes_user_id"), table_name="practice_pushes")
    op.drop_table("practice_pushes")
    op.drop_index(op.f("ix_practice_logs_user_id"), table_name="practice_logs")
    op.drop_table("practice_logs")
    op.drop_index(op.f("ix_orient_answers_user_id"), table_name="orient_answers")
    op.drop_index(op.f("ix_orient_answers_session_id"), table_name="orient_answers")
    op.drop_table("orient_answers")
    op.drop_index(op.f("ix_orient_sessions_user_id"), table_name="orient_sessions")
    op.drop_table("orient_sessions")
    op.drop_index(op.f("ix_server_default_prompts_guild_id"), table_name="server_default_prompts")
    op.drop_table("server_default_prompts")
    op.drop_index(op.f("ix_coaching_prompts_user_id"), table_name="coaching_prompts")
    op.drop_table("coaching_prompts")
    op.drop_index(op.f("ix_coaching_pauses_user_id"), table_name="coaching_pauses")
    op.drop_table("coaching_pauses")
    op.drop_table("coaching_profiles")
    op.drop_index(op.f("ix_scheduled_items_user_id"), table_name="scheduled_items")
    op.drop_index("ix_scheduled_items_status_due", table_name="scheduled_items")
    op.drop_table("scheduled_items")
