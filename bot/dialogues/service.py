"""The dialogue engine: one state machine runner for every protocol.

Every answer is stored together with the transition it causes and the next question,
in one transaction, before anything is sent. What still has to be sent is the set of
undelivered events; adapters send them and mark them delivered, so after a restart
(even a kill) they send exactly what was not sent yet and ask nothing twice.

Storage lives in :mod:`bot.dialogues.repository`, what is sent later (timers,
follow-ups, outcomes) in :mod:`bot.dialogues.followups`; this module runs the steps.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogues import starts, steering
from bot.dialogues.delivery import prepare
from bot.dialogues.export import markdown, transcript_lines
from bot.dialogues.facilitator import Facilitator
from bot.dialogues.followups import FollowUps
from bot.dialogues.model import (
    OPEN_STATUSES,
    DialogueClosed,
    DialogueError,
    DialogueKind,
    DialogueSettings,
    InvalidAnswer,
    NotAParticipant,
    NotYourTurn,
    Prompt,
    Seat,
    Session,
    Similarity,
    Status,
    Summary,
    UnknownDialogue,
)
from bot.dialogues.parsing import normalise_answer
from bot.dialogues.records import (
    Delivery,
    DialogueInfo,
    Outbox,
    Person,
    Place,
    ServerRules,
    ServerRulesSource,
    SweepReport,
    TranscriptLine,
    TurnResult,
    info_of,
    user_of,
)
from bot.dialogues.registry import PROTOCOL_EXERCISES, ProtocolImpl, protocol_for
from bot.dialogues.repository import DialogueRepository
from bot.dialogues.starts import Start
from bot.dialogues.sweep import Sweeper
from bot.storage import Database
from bot.storage.dialogue_models import DialogueRow
from knowledge.note import Note as KnowledgeNote

#: Re-exported: callers import the engine's types from here.
__all__ = [
    "Delivery",
    "DialogueInfo",
    "DialogueService",
    "Person",
    "Place",
    "ServerRules",
    "TranscriptLine",
    "TurnResult",
]

log = logging.getLogger(__name__)


class DialogueService(FollowUps):
    """Start, answer, steer and export dialogues; hand adapters what is left to send.

    Timers, follow-ups and outcomes (``cancel_timers``, ``schedule_followups``,
    ``record_outcome``...) come from :class:`FollowUps`, which shares its repository.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        settings: DialogueSettings | None = None,
        facilitator: Facilitator | None = None,
        similarity: Similarity | None = None,
        outbox: Callable[[], Outbox | None] = lambda: None,
        notes: Callable[[], Awaitable[Callable[[str], KnowledgeNote | None]]] | None = None,
        rules: ServerRulesSource | None = None,
    ) -> None:
        super().__init__(DialogueRepository(db, clock), clock, outbox)
        self.db = db
        self.settings = settings or DialogueSettings()
        self.facilitator = facilitator
        self.similarity = similarity
        self._notes = notes
        self._rules = rules
        self._locks: dict[int, asyncio.Lock] = {}

    async def server_rules(self, guild_id: int | None) -> ServerRules:
        """The server's rules; DMs and unconfigured servers get the defaults."""
        if guild_id is None or self._rules is None:
            return ServerRules()
        return await self._rules(guild_id)

    async def ensure_allowed(self, kind: DialogueKind, guild_id: int | None) -> None:
        """Raise DialogueError when the server's moderators turned this dialogue off."""
        if kind.value not in (await self.server_rules(guild_id)).enabled:
            raise DialogueError(
                f"This server's moderators have turned off {kind.value} dialogues here."
            )

    async def may_share_publicly(self, info: DialogueInfo) -> bool:
        """A summary goes to the channel only where the server allows it."""
        return (await self.server_rules(info.guild_id)).public_summaries

    # -- plumbing ----------------------------------------------------------------

    def lock(self, dialogue_id: int) -> asyncio.Lock:
        """The lock that serialises changes to one dialogue within this process."""
        lock = self._locks.get(dialogue_id)
        if lock is None:
            lock = self._locks[dialogue_id] = asyncio.Lock()
        return lock

    def _session(self, row: DialogueRow, seats: dict[str, Seat]) -> Session:
        return Session(
            id=row.id,
            kind=row.kind,
            spec=row.spec,
            title=row.title,
            seats=seats,
            state=json.loads(row.state_json),
            settings=self.settings,
            now=self.clock.now(),
            similarity=self.similarity,
        )

    async def _advance(
        self, s: AsyncSession, row: DialogueRow, session: Session, protocol: ProtocolImpl
    ) -> Prompt | None:
        """Ask the next question (once), or finish with the summary."""
        nxt = protocol.prompt(session)
        if nxt is None:
            summary = protocol.summary(session)
            row.status = Status.ENDED.value
            row.step = ""
            await self.schedule_followups(s, row.id, summary.followups)
            await self.repo.emit(
                s,
                row,
                "summary",
                summary.text,
                meta={
                    "title": summary.title,
                    "image": summary.image,
                    "share": summary.share_in_channel,
                },
            )
        else:
            row.step = nxt.key
            if session.state.get("_asked") != nxt.key:
                session.state["_asked"] = nxt.key
                await self.repo.emit(s, row, "question", nxt.text, step=nxt.key, meta=nxt.to_meta())
        row.state_json = json.dumps(session.state)
        row.version += 1
        row.updated_at = self.clock.now()
        return nxt

    # -- starting ----------------------------------------------------------------

    async def _start(self, start: Start, place: Place) -> DialogueInfo:
        protocol = protocol_for(start.kind.value, start.spec)
        await self.ensure_allowed(start.kind, place.guild_id)
        owner_id = start.people[0][1].user_id

        async def work(s: AsyncSession) -> DialogueInfo:
            row = self.repo.new_row(start.kind.value, start.spec, start.title, owner_id, place)
            seats = await self.repo.create(s, row, start.people)
            session = self._session(row, seats)
            session.state = start.state
            if start.intro:
                await self.repo.emit(s, row, "note", start.intro)
            await self._advance(s, row, session, protocol)
            return info_of(row, seats)

        info: DialogueInfo = await self.repo.transact(work)
        log.info("dialogue %d started (%s)", info.id, start.kind.value)
        return info

    async def start_impossible(
        self, owner: Person, goal: str | None, place: Place, *, max_depth: int | None = None
    ) -> DialogueInfo:
        server_depth = (await self.server_rules(place.guild_id)).max_depth
        depth = max(1, min(max_depth or server_depth or self.settings.max_depth, 6))
        return await self._start(starts.impossible_start(owner, goal, depth), place)

    async def start_crux(
        self,
        owner: Person,
        partner: Person | None,
        claim: str,
        place: Place,
        *,
        sides: tuple[str, str] | None = None,
    ) -> DialogueInfo:
        """A double crux with ``partner`` (who is invited first), or solo with two sides."""
        claim = starts.crux_claim(claim)
        if partner is None:
            return await self.start_internal_crux(owner, claim, place, sides=sides)
        return await self._start(starts.crux_start(owner, partner, claim), place)

    async def start_internal_crux(
        self,
        owner: Person,
        topic: str | None,
        place: Place,
        *,
        sides: tuple[str, str] | None = None,
    ) -> DialogueInfo:
        """Two parts of one person: named neutrally (here, or as the first questions),
        then alternating, each finding something true in the other."""
        return await self._start(starts.internal_crux_start(owner, topic, sides), place)

    async def start_exercise(
        self, owner: Person, note: KnowledgeNote, place: Place
    ) -> DialogueInfo:
        protocol_kind = PROTOCOL_EXERCISES.get(note.id)
        if protocol_kind is DialogueKind.IMPOSSIBLE:
            return await self.start_impossible(owner, None, place)
        if note.id == "internal-double-crux":
            return await self.start_internal_crux(owner, None, place)
        if protocol_kind is DialogueKind.CRUX:
            raise InvalidAnswer(
                "Double crux has its own command: /crux (with a partner, or solo in DMs)."
            )
        return await self._start(starts.exercise_start(owner, note), place)

    # -- answering ---------------------------------------------------------------

    async def answer(
        self,
        dialogue_id: int,
        user_id: int,
        text: str,
        *,
        expected_step: str | None = None,
        echo: bool = False,
    ) -> TurnResult:
        """Record ``user_id``'s answer to the open question and move on.

        ``expected_step`` (from a button or form) refuses answers to a question that has
        since moved on. ``echo`` marks answers that did not appear as a message by the
        author (buttons, forms, the console), so the adapter shows them in the transcript.
        """
        async with self.lock(dialogue_id):

            async def work(s: AsyncSession) -> TurnResult:
                return await self._answer(s, dialogue_id, user_id, text, expected_step, echo)

            result: TurnResult = await self.repo.transact(work)
        # The step a timer was running for is answered: its "time is up" ping is stale.
        await self.cancel_timers(
            dialogue_id, keep_step=result.prompt.key if result.prompt else None
        )
        return result

    async def _open_row(
        self, s: AsyncSession, dialogue_id: int, user_id: int
    ) -> tuple[DialogueRow, dict[str, Seat]]:
        """The locked row of an active dialogue ``user_id`` takes part in, and its seats."""
        row = await self.repo.fetch(s, dialogue_id)
        if row is None:
            raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
        seats = await self.repo.seats(s, dialogue_id)
        if user_id not in {seat.user_id for seat in seats.values()}:
            raise NotAParticipant("Only the people in this dialogue can answer here.")
        if row.status == Status.PAUSED.value:
            raise DialogueClosed("This dialogue is paused; resume it to continue.")
        if row.status != Status.ACTIVE.value:
            raise DialogueClosed(f"This dialogue has {row.status}.")
        return row, seats

    async def _answer(
        self,
        s: AsyncSession,
        dialogue_id: int,
        user_id: int,
        text: str,
        expected_step: str | None,
        echo: bool,
    ) -> TurnResult:
        row, seats = await self._open_row(s, dialogue_id, user_id)
        session = self._session(row, seats)
        protocol = protocol_for(row.kind, row.spec)
        prompt = protocol.prompt(session)
        if prompt is None:
            raise DialogueClosed("This dialogue is finished.")
        if expected_step is not None and expected_step != prompt.key:
            raise InvalidAnswer("That question has already been answered.")
        mine = [seat for seat in prompt.seats if user_of(seats, seat) == user_id]
        if not mine:
            waiting = info_of(row, seats).waiting_for(prompt)
            raise NotYourTurn(f"This question is for {waiting}.")
        seat = mine[0]
        value, shown = normalise_answer(prompt, text)
        notes = await protocol.apply(session, prompt, seat, value)
        await self.repo.emit(
            s,
            row,
            "answer",
            shown,
            step=prompt.key,
            seat=seat,
            user_id=user_id,
            private=prompt.private,
            meta={"value": value, "echo": echo and not prompt.private},
            delivered=not echo or prompt.private,
        )
        for note in notes:
            await self.repo.emit(s, row, "note", note.text, meta=note.meta)
            renamed = note.meta.get("rename_seat")
            if renamed:
                await self.repo.rename_seat(s, row.id, str(renamed[0]), str(renamed[1]))
                seats = await self.repo.seats(s, dialogue_id)
        row.last_activity_at = self.clock.now()
        row.reminded_at = None
        nxt = await self._advance(s, row, session, protocol)
        return TurnResult(info_of(row, seats), seat, shown, nxt, nxt is None)

    # -- steering ----------------------------------------------------------------

    async def _steer(
        self, dialogue_id: int, user_id: int, change: Callable[[DialogueRow, str], str | None]
    ) -> DialogueInfo:
        async with self.lock(dialogue_id):

            async def work(s: AsyncSession) -> DialogueInfo:
                row = await self.repo.fetch(s, dialogue_id)
                if row is None:
                    raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
                seats = await self.repo.seats(s, dialogue_id)
                who = next((x.name for x in seats.values() if x.user_id == user_id), None)
                if who is None:
                    raise NotAParticipant("Only the people in this dialogue can do that.")
                if len({x.user_id for x in seats.values()}) == 1:
                    who = "you"
                note = change(row, who)
                if note:
                    await self._steered(s, row, seats, note)
                return info_of(row, seats)

            info: DialogueInfo = await self.repo.transact(work)
        if info.status != Status.ACTIVE.value:
            # Paused, ended: nobody is doing the step any more, so no "time is up" ping.
            await self.cancel_timers(dialogue_id)
        return info

    async def _steered(
        self, s: AsyncSession, row: DialogueRow, seats: dict[str, Seat], note: str
    ) -> None:
        """Say who steered, and repeat the open question of a dialogue still running."""
        await self.repo.emit(s, row, "note", note)
        row.updated_at = row.last_activity_at = self.clock.now()
        if row.status == Status.ACTIVE.value:
            prompt = protocol_for(row.kind, row.spec).prompt(self._session(row, seats))
            if prompt is not None:
                await self.repo.emit(
                    s,
                    row,
                    "question",
                    prompt.text,
                    step=prompt.key,
                    meta={**prompt.to_meta(), "repeat": True},
                )

    async def pause(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        return await self._steer(dialogue_id, user_id, steering.pause)

    async def resume(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        return await self._steer(dialogue_id, user_id, steering.resume)

    async def end(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        return await self._steer(dialogue_id, user_id, steering.end)

    async def attach_channel(self, dialogue_id: int, channel_id: int) -> None:
        """Record the private thread created for a dialogue (after an invitation)."""
        await self.repo.attach_channel(dialogue_id, channel_id)

    # -- reading -----------------------------------------------------------------

    async def get(self, dialogue_id: int) -> DialogueInfo:
        loaded = await self.repo.load(dialogue_id)
        if loaded is None:
            raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
        return info_of(*loaded)

    async def current_prompt(self, dialogue_id: int) -> Prompt | None:
        loaded = await self.repo.load(dialogue_id)
        if loaded is None or loaded[0].status not in OPEN_STATUSES:
            return None
        row, seats = loaded
        return protocol_for(row.kind, row.spec).prompt(self._session(row, seats))

    async def summary(self, dialogue_id: int) -> Summary | None:
        loaded = await self.repo.load(dialogue_id)
        if loaded is None:
            return None
        row, seats = loaded
        session = self._session(row, seats)
        protocol = protocol_for(row.kind, row.spec)
        if protocol.prompt(session) is not None:
            return None
        return protocol.summary(session)

    async def open_for_user(
        self, user_id: int, *, include_closed: bool = False
    ) -> list[DialogueInfo]:
        """Open dialogues ``user_id`` takes part in (or all of them), newest first."""
        statuses = [s.value for s in Status] if include_closed else list(OPEN_STATUSES)
        return await self.repo.for_user(user_id, statuses)

    async def in_channel(self, channel_id: int) -> list[DialogueInfo]:
        """Open dialogues running in a channel (a thread, or a DM channel), newest first."""
        return await self.repo.in_channel(channel_id)

    async def target_for(self, user_id: int, channel_id: int | None) -> DialogueInfo | None:
        """Which dialogue "this" is, for both adapters: the person's one here, else their
        open ones, else closed ones; the one waiting on them first, else the newest."""
        here = await self.in_channel(channel_id) if channel_id else []
        mine = [d for d in here if user_id in d.user_ids] or await self.open_for_user(user_id)
        mine = mine or await self.open_for_user(user_id, include_closed=True)
        return (await self.awaiting(user_id, mine) or mine[0]) if mine else None

    async def awaiting(
        self, user_id: int, dialogues: Sequence[DialogueInfo]
    ) -> DialogueInfo | None:
        """The first of ``dialogues`` whose open question waits on ``user_id``."""
        for info in dialogues:
            if info.status != Status.ACTIVE.value or user_id not in info.user_ids:
                continue
            prompt = await self.current_prompt(info.id)
            if prompt is not None and any(
                user_of(info.seats, seat) == user_id for seat in prompt.seats
            ):
                return info
        return None

    async def waiting_on_dm(self, user_id: int) -> bool:
        """True when a DM dialogue waits for this user's typed answer (the DM listener skips)."""
        dms = [d for d in await self.open_for_user(user_id) if d.in_dm]
        return await self.awaiting(user_id, dms) is not None

    async def transcript(self, dialogue_id: int, viewer_id: int | None) -> list[TranscriptLine]:
        """Every line so far; another person's private answers stay hidden until revealed."""
        loaded = await self.repo.events(dialogue_id)
        if loaded is None:
            raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
        return transcript_lines(*loaded, viewer_id)

    async def export_markdown(self, dialogue_id: int, viewer_id: int | None) -> str:
        info = await self.get(dialogue_id)
        if viewer_id is not None and viewer_id not in info.user_ids:
            raise NotAParticipant("Only the people in this dialogue can export it.")
        return markdown(info, await self.transcript(dialogue_id, viewer_id))

    # -- delivery ----------------------------------------------------------------

    async def pending_deliveries(self, dialogue_id: int | None = None) -> list[Delivery]:
        """Events not yet sent, oldest first (all dialogues, or one)."""
        return await self.repo.undelivered(dialogue_id)

    async def prepare(self, delivery: Delivery) -> Delivery:
        """Before sending: start a timer the question mentions, and let the model reword it.

        Both are idempotent, so preparing again after a crash changes nothing.
        """
        return await prepare(delivery, self.repo, self, self.facilitator, self.transcript)

    async def mark_delivered(self, event_id: int, message_id: int | None = None) -> None:
        await self.repo.mark_delivered(event_id, message_id)

    # -- the sweep (see bot.dialogues.sweep) -----------------------------------------

    async def sweep(self) -> SweepReport:
        """Remind idle dialogues once, expire abandoned ones."""
        return await Sweeper(self).sweep()
