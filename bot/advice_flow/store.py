"""SQL for the advice flow: drafts and false alarms, as plain :class:`Draft` values.

Each method is one short transaction. The post claim is a conditional update, so two
clicks (or two shards) can never publish the same draft twice.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from bot.advice import AdviceReport
from bot.advice_flow.model import Draft, DraftStatus, FalseAlarm, PostContext, ReceivedDraft
from bot.storage.database import Database
from bot.storage.models import AdviceDraft, AdviceFalseAlarm, utcnow


def _encode(report: AdviceReport | None, gentle: str, source: str, tags: tuple[str, ...]) -> str:
    """``report_json`` holds the report plus what the checker's row has no column for."""
    body: dict[str, Any] = {"gentle": gentle, "gentle_source": source, "tags": list(tags)}
    if report is not None:
        body["report"] = report.model_dump(mode="json")
    return json.dumps(body, ensure_ascii=False)


def _context_extras(context: PostContext) -> dict[str, Any]:
    """What a draft row has no column for: forum tags, parent, and (only when False, so
    older rows read as before) whether the bot was a member of the post's server."""
    extras: dict[str, Any] = {"tags": list(context.tags), "parent_id": context.parent_id}
    if not context.bot_present:
        extras["bot_present"] = False
    if context.stated_intent:
        extras["stated_intent"] = context.stated_intent
    return extras


def _context(row: AdviceDraft, body: dict[str, Any]) -> PostContext:
    """The post a stored draft answers, from its columns and its JSON body."""
    return PostContext(
        post_text=row.post_text,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        parent_id=body.get("parent_id"),
        post_message_id=row.post_message_id,
        post_author_id=row.post_author_id,
        tags=tuple(body.get("tags") or ()),
        bot_present=bool(body.get("bot_present", True)),
        stated_intent=str(body.get("stated_intent") or ""),
    )


def _to_draft(row: AdviceDraft) -> Draft | None:
    """A row as a Draft; None while it has no report yet (saved, check not finished)."""
    body: dict[str, Any] = json.loads(row.report_json or "{}")
    if "report" not in body:
        return None
    report = AdviceReport.model_validate(body["report"])
    context = _context(row, body)
    return Draft(
        id=row.id,
        author_id=row.author_id,
        context=context,
        text=row.draft_text,
        report=report,
        gentle_text=str(body.get("gentle") or report.suggestion),
        gentle_source=str(body.get("gentle_source") or "checker"),
        status=DraftStatus(row.status),
        posted_message_id=row.posted_message_id,
    )


@dataclass(frozen=True)
class SavedText:
    """A draft row's text when its report could not be read: enough to give it back."""

    id: int
    author_id: int
    text: str
    status: str


@dataclass
class DraftStore:
    db: Database

    async def create(
        self,
        author_id: int,
        context: PostContext,
        text: str,
        status: str,
        owner: str | None = None,
    ) -> int:
        """Save the text first, before anything can fail, and return its id."""
        async with self.db.session() as session:
            row = AdviceDraft(
                guild_id=context.guild_id,
                channel_id=context.channel_id,
                post_message_id=context.post_message_id,
                post_author_id=context.post_author_id,
                author_id=author_id,
                post_text=context.post_text,
                draft_text=text,
                intent="unknown",
                flagged=False,
                score=0.0,
                report_json=json.dumps(_context_extras(context)),
                status=status,
                owner=owner,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def set_report(
        self,
        draft_id: int,
        report: AdviceReport,
        gentle: str,
        source: str,
        *,
        text: str | None = None,
        status: str | None = None,
        context: PostContext | None = None,
    ) -> Draft:
        async with self.db.session() as session:
            row = await session.get(AdviceDraft, draft_id)
            if row is None:
                raise LookupError(draft_id)
            previous: dict[str, Any] = json.loads(row.report_json or "{}")
            if context is not None:
                row.post_text = context.post_text
                row.post_author_id = context.post_author_id
                previous = _context_extras(context)
            body = json.loads(_encode(report, gentle, source, tuple(previous.get("tags") or ())))
            body["parent_id"] = previous.get("parent_id")
            if "bot_present" in previous:
                body["bot_present"] = previous["bot_present"]
            row.report_json = json.dumps(body, ensure_ascii=False)
            row.intent = report.intent.value
            row.flagged = report.flagged
            row.score = report.score
            if text is not None:
                row.draft_text = text
            if status is not None:
                row.status = status
                row.owner = None
            row.updated_at = utcnow()
            draft = _to_draft(row)
            assert draft is not None
            return draft

    async def get(self, draft_id: int) -> Draft | None:
        async with self.db.session() as session:
            row = await session.get(AdviceDraft, draft_id)
            return None if row is None else _to_draft(row)

    async def saved_text(self, draft_id: int) -> SavedText | None:
        async with self.db.session() as session:
            row = await session.get(AdviceDraft, draft_id)
            if row is None:
                return None
            return SavedText(row.id, row.author_id, row.draft_text, row.status)

    async def claim_orphans(
        self,
        status: DraftStatus,
        worker: str,
        alive: Callable[[str | None], Awaitable[bool]],
        busy: Collection[int] = (),
        limit: int = 20,
    ) -> list[int]:
        """Drafts left in ``status`` by a process that stopped, now owned by ``worker``.

        An orphan's owner is dead (or it is ours but not being handled, e.g. a recovery
        that must try again). Taking it over is a conditional update on the old owner,
        so two survivors never both take the same draft.
        """
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(AdviceDraft.id, AdviceDraft.owner)
                    .where(AdviceDraft.status == status.value)
                    .order_by(AdviceDraft.id)
                    .limit(limit)
                )
            ).all()
        verdicts: dict[str | None, bool] = {}
        claimed: list[int] = []
        for draft_id, owner in rows:
            if owner == worker:
                if draft_id in busy:
                    continue
            else:
                if owner not in verdicts:
                    verdicts[owner] = await alive(owner)
                if verdicts[owner]:
                    continue
            same_owner = (
                AdviceDraft.owner.is_(None) if owner is None else AdviceDraft.owner == owner
            )
            async with self.db.session() as session:
                result = await session.execute(
                    update(AdviceDraft)
                    .where(
                        AdviceDraft.id == draft_id,
                        AdviceDraft.status == status.value,
                        same_owner,
                    )
                    .values(owner=worker, updated_at=utcnow())
                )
                if getattr(result, "rowcount", 0):
                    claimed.append(draft_id)
        return claimed

    async def received(self, draft_id: int) -> ReceivedDraft | None:
        """A stored text still waiting for its check (status ``received``)."""
        async with self.db.session() as session:
            row = await session.get(AdviceDraft, draft_id)
            if row is None or row.status != DraftStatus.RECEIVED.value:
                return None
            body: dict[str, Any] = json.loads(row.report_json or "{}")
            context = _context(row, body)
            return ReceivedDraft(row.id, row.author_id, context, row.draft_text)

    async def transition(
        self, draft_id: int, allowed_from: tuple[DraftStatus, ...], to: DraftStatus, **values: Any
    ) -> bool:
        """Move to ``to`` only from one of ``allowed_from``; False if someone got there first."""
        async with self.db.session() as session:
            result = await session.execute(
                update(AdviceDraft)
                .where(
                    AdviceDraft.id == draft_id,
                    AdviceDraft.status.in_([s.value for s in allowed_from]),
                )
                .values(status=to.value, updated_at=utcnow(), **values)
            )
            return bool(getattr(result, "rowcount", 0))

    async def record_false_alarm(self, alarm: FalseAlarm) -> bool:
        """Record once per draft; False when this draft was already marked."""
        async with self.db.session() as session:
            if alarm.draft_id is not None:
                existing = await session.scalar(
                    select(AdviceFalseAlarm.id).where(AdviceFalseAlarm.draft_id == alarm.draft_id)
                )
                if existing is not None:
                    return False
            session.add(
                AdviceFalseAlarm(
                    guild_id=alarm.guild_id,
                    user_id=alarm.user_id,
                    draft_id=alarm.draft_id,
                    post_text=alarm.post_text,
                    reply_text=alarm.reply_text,
                    score=alarm.score,
                )
            )
            return True

    async def false_alarms(self, guild_id: int | None, limit: int = 50) -> list[FalseAlarm]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(AdviceFalseAlarm)
                .where(AdviceFalseAlarm.guild_id == guild_id)
                .order_by(AdviceFalseAlarm.created_at.desc(), AdviceFalseAlarm.id.desc())
                .limit(limit)
            )
            return [
                FalseAlarm(
                    r.guild_id,
                    r.user_id,
                    r.draft_id,
                    r.post_text,
                    r.reply_text,
                    r.score,
                    r.created_at,
                )
                for r in rows.all()
            ]

    async def flag_counts(self, guild_id: int | None) -> tuple[int, int]:
        """(drafts flagged, of which marked as a mistake) in one server."""
        async with self.db.session() as session:
            flagged = await session.scalar(
                select(func.count(AdviceDraft.id)).where(
                    AdviceDraft.guild_id == guild_id, AdviceDraft.flagged.is_(True)
                )
            )
            mistakes = await session.scalar(
                select(func.count(AdviceFalseAlarm.id)).where(AdviceFalseAlarm.guild_id == guild_id)
            )
            return int(flagged or 0), int(mistakes or 0)
