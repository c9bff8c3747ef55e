"""questions asked with /ask and feedback on their answers

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asked_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("shown_note_ids", sa.Text(), nullable=False),
        sa.Column("care", sa.Boolean(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asked_questions")),
    )
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asked_questions_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asked_questions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("shown_note_ids", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["asked_questions.id"],
            name=op.f("fk_answer_feedback_answer_id_asked_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    with op.batch_alter_table("answer_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_feedback_answer_id"), ["answer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answer_feedback_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_feedback_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_feedback_user_id"))
        batch_op.drop_index(batch_op.f("ix_answer_feedback_guild_id"))
        batch_op.drop_index(batch_op.f("ix_answer_feedback_answer_id"))
    op.drop_table("answer_feedback")
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asked_questions_user_id"))
        batch_op.drop_index(batch_op.f("ix_asked_questions_guild_id"))
    op.drop_table("asked_questions")
