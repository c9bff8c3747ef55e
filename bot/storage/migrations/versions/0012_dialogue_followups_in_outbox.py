"""dialogue follow-ups are outbox rows, not keys in the dialogue's state (issue 16)

A finished dialogue used to keep its "What happened?" DMs in its state
(``_followups``) until they were handed to the outbox (``_followups_scheduled``), and
the sweep found the ones left behind with a LIKE on the JSON text. The engine now
schedules them in the transaction that writes the summary. Follow-ups still waiting in
a state become pending outbox items here, under the keys the engine uses, and both
keys leave every state.

An item that already exists under the same key is left as it is (sent, pending, or
cancelled: never sent twice, never revived).

Revision ID: 0012
Revises: 0011
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As the engine sends them (bot.dialogues.records.FOLLOWUP_KIND, outcomes.ASK).
FOLLOWUP_KIND = "dialogue_followup"
ASK = (
    "Reply here: start with yes, partly or no (did your prediction hold?), then say what happened."
)
STATE_KEYS = ("_followups", "_followups_scheduled")

dialogues = sa.table(
    "dialogues",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("state_json", sa.Text()),
)
scheduled_items = sa.table(
    "scheduled_items",
    sa.column("key", sa.String()),
    sa.column("user_id", sa.BigInteger()),
    sa.column("kind", sa.String()),
    sa.column("payload_json", sa.Text()),
    sa.column("unsolicited", sa.Boolean()),
    sa.column("scheduled_for", sa.DateTime(timezone=True)),
    sa.column("due_at", sa.DateTime(timezone=True)),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _due(value: str) -> datetime:
    due = datetime.fromisoformat(value)
    return (due if due.tzinfo is not None else due.replace(tzinfo=UTC)).astimezone(UTC)


def _schedule(bind: sa.Connection, dialogue_id: int, item: dict[str, Any], now: datetime) -> None:
    key = str(item["key"])
    exists = bind.execute(
        sa.select(scheduled_items.c.key).where(scheduled_items.c.key == key)
    ).first()
    if exists is not None:
        return
    payload = {"text": f"{item['text']}\n\n{ASK}", "dialogue_id": dialogue_id}
    due = _due(str(item["due_at"]))
    bind.execute(
        scheduled_items.insert().values(
            key=key,
            user_id=int(item["user_id"]),
            kind=FOLLOWUP_KIND,
            payload_json=json.dumps(payload, sort_keys=True, default=str),
            unsolicited=True,
            scheduled_for=due,
            due_at=due,
            status="pending",
            attempts=0,
            created_at=now,
        )
    )


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = bind.execute(
        # A cheap superset; the JSON itself decides below.
        sa.select(dialogues.c.id, dialogues.c.status, dialogues.c.state_json).where(
            dialogues.c.state_json.like("%\\_followups%", escape="\\")
        )
    ).all()
    for dialogue_id, status, state_json in rows:
        try:
            state = json.loads(state_json or "{}")
        except ValueError:
            continue  # a damaged state is left as it is (the engine skips it too)
        if not isinstance(state, dict) or not any(key in state for key in STATE_KEYS):
            continue
        if status == "ended" and not state.get("_followups_scheduled"):
            for item in state.get("_followups") or []:
                _schedule(bind, int(dialogue_id), item, now)
        for key in STATE_KEYS:
            state.pop(key, None)
        bind.execute(
            dialogues.update()
            .where(dialogues.c.id == dialogue_id)
            .values(state_json=json.dumps(state))
        )


def downgrade() -> None:
    # The follow-ups stay in the outbox, which older code sends from as well; without
    # ``_followups`` in a state, its sweep has nothing to schedule again.
    pass
