"""server default prompts live only in the server configuration (issue 16)

The older ``server_default_prompts`` table held a server's default orient prompts
before ``coaching.default_prompts`` existed in the server configuration. Its rows
move into the configuration (where a server has not set the key there already),
with an audit entry so ``/config history`` says where they came from, and the
table is dropped: one source of default prompts.

Revision ID: 0011
Revises: 0010
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Who the audit log names for a change made by a migration, not a person.
MIGRATION_ACTOR = 0


def _old_prompts(bind: sa.Connection) -> dict[int, list[str]]:
    rows = bind.execute(
        sa.text("SELECT guild_id, text FROM server_default_prompts ORDER BY guild_id, position")
    )
    prompts: dict[int, list[str]] = defaultdict(list)
    for guild_id, text in rows:
        prompts[int(guild_id)].append(str(text))
    return prompts


def _move(bind: sa.Connection, guild_id: int, prompts: list[str], now: datetime) -> None:
    row = bind.execute(
        sa.text("SELECT data, version FROM guild_config WHERE guild_id = :g"), {"g": guild_id}
    ).first()
    data = json.loads(row[0] or "{}") if row is not None else {}
    coaching = data.setdefault("coaching", {})
    if coaching.get("default_prompts"):
        return  # set in the configuration already: that one has been winning
    old_value = json.dumps(coaching.get("default_prompts", []))
    coaching["default_prompts"] = prompts
    document = json.dumps(data, ensure_ascii=False)
    if row is None:
        bind.execute(
            sa.text(
                "INSERT INTO guild_config (guild_id, data, version, updated_at) "
                "VALUES (:g, :d, 1, :t)"
            ),
            {"g": guild_id, "d": document, "t": now},
        )
    else:
        bind.execute(
            sa.text(
                "UPDATE guild_config SET data = :d, version = version + 1, updated_at = :t "
                "WHERE guild_id = :g"
            ),
            {"g": guild_id, "d": document, "t": now},
        )
    bind.execute(
        sa.text(
            "INSERT INTO config_audit (guild_id, actor_id, key, old_value, new_value, at) "
            "VALUES (:g, :a, 'coaching.default_prompts', :o, :n, :t)"
        ),
        {
            "g": guild_id,
            "a": MIGRATION_ACTOR,
            "o": old_value,
            "n": json.dumps(prompts, ensure_ascii=False),
            "t": now,
        },
    )


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    for guild_id, prompts in _old_prompts(bind).items():
        _move(bind, guild_id, prompts, now)
    op.drop_index(op.f("ix_server_default_prompts_guild_id"), table_name="server_default_prompts")
    op.drop_table("server_default_prompts")


def downgrade() -> None:
    # The prompts stay in the configuration, which older code also reads first.
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
