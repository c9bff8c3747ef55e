"""/ask from question to answer and what follows it, once for every adapter.

The sequence is the same in Discord and in the console, so it lives here:

1. the question is checked for distress first (:mod:`bot.care`): a person in pain gets
   the kind reply that points to people, never a technique note;
2. otherwise the notes answer it (:class:`bot.guidance.GuidanceService`);
3. either way the question is stored with the notes shown, and the reply carries the
   stored id. The buttons under the answer carry only that id, so they work after a
   restart and never have to trust text from the client;
4. "Show another note" finds the next-ranked note this person has not seen yet (the
   existing search with a larger k, filtered), written the same way as the answer;
   "That didn't help" is recorded and points to /techniques; both are stored with the
   question and the notes shown, which is what moderators review and export;
5. a kind reply may offer to post the question in the server's help channel: only the
   asker can, only once, and only while the server has such a channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.asking import text
from bot.asking.store import AskStore, FeedbackAction, FeedbackRecord, StoredAnswer
from bot.care import CARE_TITLE, CareAssessment, CareDetector, ServerPeople, care_reply
from bot.errors import Refusal
from bot.guidance import GuidanceService, Where
from bot.guild_config import GuildConfigService
from bot.guild_config.render import Style
from bot.storage import StorageUnavailable
from bot.wording import plural
from knowledge.answer import Answer, Citation, Decision, compose_answer, first_sentences
from knowledge.note import Note
from knowledge.retrieval import SearchResult

log = logging.getLogger(__name__)

#: How many notes beyond those already shown a search for "another" asks for.
SEARCH_AHEAD = 5
MAX_SEARCH = 40


class AskRefused(Refusal):
    """A press that cannot be honoured; the message is what the person reads."""


@dataclass(frozen=True)
class AskReply:
    #: None when the question could not be stored (the database was unreachable): the
    #: answer is still given, only without buttons, which would have nothing to act on.
    answer_id: int | None
    title: str
    text: str
    used_model: bool
    care: CareAssessment
    #: The kind reply offers to post the question in the server's help channel.
    can_share: bool = False
    #: The notes the answer cites, in order (none for a kind reply).
    citations: tuple[Citation, ...] = ()

    @property
    def offers_feedback(self) -> bool:
        return self.answer_id is not None and not self.care.distress


@dataclass(frozen=True)
class AnotherReply:
    question: str
    text: str
    used_model: bool = False
    #: None when every note that fits was already shown.
    note_id: str | None = None
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class SharePlan:
    """A question the asker chose to post: where, and whom it may notify."""

    answer_id: int
    guild_id: int
    channel_id: int
    question: str
    mentor_role_id: int | None
    ping_mentor_role: bool

    def heading(self, style: Style) -> str:
        role = text.mention(self.mentor_role_id, "role", style) if self.mentor_role_id else None
        return text.share_heading(role)


@dataclass(frozen=True)
class NoteTally:
    note_id: str
    title: str
    unhelpful: int = 0
    another: int = 0


@dataclass(frozen=True)
class FeedbackSummary:
    presses: int
    answers: int
    tallies: list[NoteTally] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.presses:
            return ["Nobody has pressed a feedback button under an /ask answer yet."]
        lines = [
            f"{plural(self.presses, 'press', 'presses')} on {plural(self.answers, 'answer')}. "
            "Per note: how many people "
            'said "That didn\'t help" or asked for another note after seeing it.',
            "",
        ]
        for tally in self.tallies:
            lines.append(
                f"- {tally.title} ({tally.note_id}): {tally.unhelpful} didn't help, "
                f"{tally.another} asked for another"
            )
        return lines


@dataclass
class AskService:
    guidance: GuidanceService
    store: AskStore
    guild_config: GuildConfigService
    detector: CareDetector
    now: Callable[[], datetime]

    # ------------------------------------------------------------------ answering

    async def ask(
        self,
        question: str,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None = None,
        where: Where | None = None,
        style: Style = "discord",
    ) -> AskReply:
        """Answer a question (kindly, when it shows distress) and store it for its buttons.

        The reply's ``care`` says whether it showed distress: adapters then show the
        reply to the asker alone.
        """
        assessment = await self.detector.aassess(question)
        if assessment.distress:
            care = (await self.guild_config.get(guild_id)).care if guild_id else None
            people = text.server_people(care, style) if care else ServerPeople()
            gentle_note, shown = await self._gentle_note(question, guild_id, assessment)
            answer_id = await self._save(user_id, guild_id, channel_id, question, shown, care=True)
            can_share = (
                answer_id is not None and care is not None and care.help_channel_id is not None
            )
            reply = care_reply(assessment, people, can_share=can_share, gentle_note=gentle_note)
            return AskReply(answer_id, CARE_TITLE, reply, False, assessment, can_share)
        guidance = await self.guidance.ask(
            question, guild_id=guild_id, where=where, gentle=assessment.gentle
        )
        shown = [c.note_id for c in guidance.answer.citations]
        answer_id = await self._save(user_id, guild_id, channel_id, question, shown, care=False)
        return AskReply(
            answer_id,
            question,
            guidance.text,
            guidance.used_model,
            assessment,
            citations=tuple(guidance.answer.citations),
        )

    async def _gentle_note(
        self, question: str, guild_id: int | None, assessment: CareAssessment
    ) -> tuple[str | None, list[str]]:
        """One note for later, when it fits confidently and blames nobody; never in a crisis."""
        if assessment.crisis:
            return None, []
        knowledge = self.guidance.knowledge
        offline = await knowledge.answer(question, k=3, guild_id=guild_id, gentle=True)
        if offline.decision is not Decision.ANSWER or not offline.citations:
            return None, []
        citation = offline.citations[0]
        note = knowledge.get_note(citation.note_id, guild_id=guild_id)
        if note is None:
            return None, []
        idea = first_sentences(note.summary, 1)
        credit = f" ({citation.author})" if citation.author else ""
        line = f"Later, when you feel up to it, one note may help: **{note.title}**{credit}: {idea}"
        return line, [note.id]

    async def _save(
        self,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        question: str,
        shown: list[str],
        *,
        care: bool,
    ) -> int | None:
        """Store the question for its buttons; None (logged) when the database is down,
        because the answer does not depend on it and should still reach the person."""
        try:
            return await self.store.save_answer(
                user_id=user_id,
                guild_id=guild_id,
                channel_id=channel_id,
                question=question,
                shown_note_ids=shown,
                care=care,
            )
        except StorageUnavailable:
            log.warning("an /ask answer was given without buttons: the database is unreachable")
            return None

    async def _answer(self, answer_id: int) -> StoredAnswer:
        answer = await self.store.get(answer_id)
        if answer is None:
            raise AskRefused(text.NOT_FOUND)
        return answer

    async def another(
        self, answer_id: int, user_id: int, where: Where | None = None
    ) -> AnotherReply:
        """The next-ranked note this person has not been shown for the same question."""
        answer = await self._answer(answer_id)
        if answer.care:
            raise AskRefused(text.CARE_ONLY)
        shown = await self.store.shown_to(answer, user_id)
        knowledge = self.guidance.knowledge
        results = await knowledge.search(
            answer.question,
            k=min(len(shown) + SEARCH_AHEAD, MAX_SEARCH),
            guild_id=answer.guild_id,
        )
        unseen = [r for r in results if r.note_id not in shown]

        def note_for(result: SearchResult) -> Note | None:
            return knowledge.get_note(result.note_id, guild_id=result.guild_id)

        def next_unseen() -> Answer:
            # The next-ranked unseen note that the composer finds close enough to the
            # question (its own similarity floor decides, as for the first answer).
            offline = compose_answer(answer.question, [], note_for)
            for result in unseen:
                offline = compose_answer(answer.question, [result], note_for)
                if offline.found:
                    break
            return offline

        # Composing is CPU work (sentence vectors): off the event loop, like the search.
        offline = await asyncio.to_thread(next_unseen)
        if not offline.found:
            await self.store.record(answer, user_id, shown, FeedbackAction.ANOTHER)
            return AnotherReply(answer.question, text.NO_MORE_NOTES)
        note_id = offline.citations[0].note_id
        await self.store.record(answer, user_id, shown, FeedbackAction.ANOTHER, note_id)
        guidance = await self.guidance.word(
            answer.question, offline, guild_id=answer.guild_id, where=where
        )
        return AnotherReply(
            answer.question,
            guidance.text,
            guidance.used_model,
            note_id,
            tuple(guidance.answer.citations),
        )

    async def unhelpful(self, answer_id: int, user_id: int) -> str:
        """Record that the answer did not help this person; the acknowledgement."""
        answer = await self._answer(answer_id)
        shown = await self.store.shown_to(answer, user_id)
        await self.store.record(answer, user_id, shown, FeedbackAction.UNHELPFUL)
        return text.UNHELPFUL_THANKS

    # ------------------------------------------------------------------ sharing

    async def plan_share(self, answer_id: int, user_id: int, style: Style = "discord") -> SharePlan:
        """Claim the asker's question for posting in the help channel (once)."""
        answer = await self._answer(answer_id)
        if answer.user_id != user_id:
            raise AskRefused(text.NOT_YOURS)
        care = (await self.guild_config.get(answer.guild_id)).care if answer.guild_id else None
        if not answer.care or care is None or care.help_channel_id is None:
            raise AskRefused(text.NO_HELP_CHANNEL)
        where = text.mention(care.help_channel_id, "channel", style)
        if answer.shared or not await self.store.claim_share(answer.id, user_id, self.now()):
            raise AskRefused(text.already_shared(where))
        assert answer.guild_id is not None
        return SharePlan(
            answer.id,
            answer.guild_id,
            care.help_channel_id,
            answer.question,
            care.mentor_role_id,
            care.ping_mentor_role,
        )

    async def shared(self, plan: SharePlan, message_id: int | None) -> None:
        await self.store.mark_shared(plan.answer_id, message_id)

    async def share_failed(self, plan: SharePlan) -> None:
        await self.store.release_share(plan.answer_id)

    # ------------------------------------------------------------------ moderators

    async def summary(self, guild_id: int) -> FeedbackSummary:
        """Per note: distinct people (per answer) who pressed each button after seeing it."""
        records = await self.store.feedback_for_guild(guild_id)
        counted: dict[str, dict[FeedbackAction, set[tuple[int, int]]]] = {}
        for record in records:
            for note_id in record.shown_note_ids:
                by_action = counted.setdefault(note_id, {a: set() for a in FeedbackAction})
                by_action[record.action].add((record.answer_id, record.user_id))
        knowledge = self.guidance.knowledge
        tallies = []
        for note_id, by_action in counted.items():
            note = knowledge.get_note(note_id, guild_id=guild_id)
            tallies.append(
                NoteTally(
                    note_id,
                    note.title if note is not None else "(a removed note)",
                    unhelpful=len(by_action[FeedbackAction.UNHELPFUL]),
                    another=len(by_action[FeedbackAction.ANOTHER]),
                )
            )
        tallies.sort(key=lambda t: (-t.unhelpful, -t.another, t.note_id))
        answers = {r.answer_id for r in records}
        return FeedbackSummary(len(records), len(answers), tallies)

    async def evaluation_jsonl(self, guild_id: int) -> bytes:
        """One line per press: the question, the notes shown, the action (no user ids)."""
        lines = [
            json.dumps(evaluation_row(r), ensure_ascii=False) for r in await self._rows(guild_id)
        ]
        return ("\n".join(lines) + "\n").encode() if lines else b""

    async def _rows(self, guild_id: int) -> list[FeedbackRecord]:
        """Every press, except a repeated "didn't help" by one person on one answer."""
        seen: set[tuple[int, int, tuple[str, ...]]] = set()
        rows = []
        for record in await self.store.feedback_for_guild(guild_id):
            key = (record.answer_id, record.user_id, record.shown_note_ids)
            if record.action is FeedbackAction.UNHELPFUL:
                if key in seen:
                    continue
                seen.add(key)
            rows.append(record)
        return rows


def evaluation_row(record: FeedbackRecord) -> dict[str, object]:
    return {
        "question": record.question,
        "shown_notes": list(record.shown_note_ids),
        "action": record.action.value,
        "next_note": record.note_id,
        "at": record.at.isoformat(),
    }
