"""dialogues tables

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialogues",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("spec", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=120), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("origin_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("in_dm", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialogues_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dialogues_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dialogues_channel_id"), ["channel_id"], unique=False)

    op.create_table(
        "dialogue_participants",
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_dialogue_participants_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dialogue_id", "seat", name=op.f("pk_dialogue_participants")),
    )
    with op.batch_alter_table("dialogue_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_participants_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "dialogue_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=120), nullable=False),
        sa.Column("seat", sa.String(length=10), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("meta_json", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_dialogue_events_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_events")),
        sa.UniqueConstraint("dialogue_id", "seq", name=op.f("uq_dialogue_events_dialogue_id")),
    )
    with op.batch_alter_table("dialogue_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_events_dialogue_id"), ["dialogue_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dialogue_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_events_dialogue_id"))
    op.drop_table("dialogue_events")
    with op.batch_alter_table("dialogue_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_participants_user_id"))
    op.drop_table("dialogue_participants")
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogues_channel_id"))
        batch_op.drop_index(batch_op.f("ix_dialogues_owner_id"))
        batch_op.drop_index(batch_op.f("ix_dialogues_status"))
    op.drop_table("dialogues")
