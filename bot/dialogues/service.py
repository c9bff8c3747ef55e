"""The dialogue engine: one state machine runner for every protocol.

Every answer is stored together with the transition it causes and the next question,
in one transaction, before anything is sent. What still has to be sent is the set of
undelivered events; adapters send them and mark them delivered, so after a restart
(even a kill) they send exactly what was not sent yet and ask nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogues import crux, exercise, impossible, internal_crux, murphyjitsu, outcomes
from bot.dialogues.facilitator import Facilitator
from bot.dialogues.model import (
    OPEN_STATUSES,
    DialogueClosed,
    DialogueError,
    DialogueKind,
    DialogueSettings,
    InvalidAnswer,
    NotAParticipant,
    Note,
    NotYourTurn,
    Prompt,
    Seat,
    Session,
    Similarity,
    Status,
    Summary,
    UnknownDialogue,
)
from bot.dialogues.parsing import parse_yes_no
from bot.scheduling.model import DeliveryResult, OutboxItem, OutgoingMessage, default_message
from bot.storage import Database, StorageUnavailable
from bot.storage.dialogue_models import DialogueEvent, DialogueParticipant, DialogueRow
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim
from bot.wording import plural
from knowledge.note import Note as KnowledgeNote

log = logging.getLogger(__name__)
MAX_ANSWER = 4000
#: Choice values a plain "yes" or "no" stands for, whatever the choice is labelled.
AFFIRMATIVE = frozenset({"yes", "accept", "agree"})
NEGATIVE = frozenset({"no", "decline"})
RETRIES = 3


class ProtocolImpl(Protocol):
    kind: str

    def prompt(self, session: Session) -> Prompt | None: ...

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]: ...

    def summary(self, session: Session) -> Summary: ...


class Outbox(Protocol):
    async def schedule(
        self, user_id: int, kind: str, due_at: datetime, payload: dict[str, Any], key: str
    ) -> None: ...

    async def cancel(self, key: str) -> bool: ...


#: The outbox kind of a step's timer ping ("Your 5 minutes are up").
TIMER_KIND = "dialogue_timer"
#: The outbox kind of the "What happened?" DM at the date a dialogue set.
FOLLOWUP_KIND = "dialogue_followup"
#: How long after the follow-up DM a reply in DMs still counts as its answer.
OUTCOME_WINDOW = timedelta(days=3)


PROTOCOLS: dict[str, ProtocolImpl] = {
    DialogueKind.IMPOSSIBLE.value: impossible.ImpossibleProtocol(),
    DialogueKind.CRUX.value: crux.CruxProtocol(),
    DialogueKind.EXERCISE.value: exercise.ExerciseProtocol(),
}
#: Protocols that share a kind (and so its server setting) but run their own steps.
SPEC_PROTOCOLS: dict[tuple[str, str], ProtocolImpl] = {
    (DialogueKind.CRUX.value, internal_crux.SPEC): internal_crux.InternalCruxProtocol(),
    (DialogueKind.EXERCISE.value, murphyjitsu.NOTE_ID): murphyjitsu.MurphyjitsuProtocol(),
}


def protocol_for(kind: str, spec: str = "") -> ProtocolImpl:
    """The protocol a dialogue runs: its kind's, or a variant's (internal double crux)."""
    return SPEC_PROTOCOLS.get((kind, spec)) or PROTOCOLS[kind]


#: Notes the facilitator grounds each protocol's wording in.
GROUNDING: dict[str, tuple[str, ...]] = {
    DialogueKind.IMPOSSIBLE.value: ("why-is-this-impossible",),
    DialogueKind.CRUX.value: ("double-crux", "tabooing-words", "operationalise-a-disagreement"),
}
#: Exercises that are full protocols rather than a list of steps.
PROTOCOL_EXERCISES = {
    "why-is-this-impossible": DialogueKind.IMPOSSIBLE,
    "double-crux": DialogueKind.CRUX,
    "internal-double-crux": DialogueKind.CRUX,
}


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


@dataclass(frozen=True)
class Place:
    """Where a dialogue runs: a private thread, a DM channel, or nowhere (the console)."""

    guild_id: int | None = None
    channel_id: int | None = None
    origin_channel_id: int | None = None
    in_dm: bool = False


@dataclass(frozen=True)
class DialogueInfo:
    id: int
    kind: str
    spec: str
    title: str
    status: str
    step: str
    owner_id: int
    guild_id: int | None
    channel_id: int | None
    origin_channel_id: int | None
    in_dm: bool
    seats: dict[str, Seat]

    @property
    def user_ids(self) -> set[int]:
        return {s.user_id for s in self.seats.values()}

    def names(self, seats: Sequence[str], *, joiner: str = "and") -> str:
        found = dict.fromkeys(self.seats[s].name for s in seats if s in self.seats)
        return f" {joiner} ".join(found)

    def waiting_for(self, prompt: Prompt) -> str:
        """Who the question waits on: "alice and bob" when each must answer, "alice or
        bob" when one answer from either settles it."""
        return self.names(prompt.seats, joiner="or" if prompt.any_one else "and")


@dataclass(frozen=True)
class Delivery:
    """An event still to be sent: a question, a note, an echoed answer or the summary."""

    event_id: int
    seq: int
    kind: str
    text: str
    dialogue: DialogueInfo
    prompt: Prompt | None
    meta: dict[str, Any]


@dataclass(frozen=True)
class TurnResult:
    dialogue: DialogueInfo
    seat: str
    answer: str
    prompt: Prompt | None
    finished: bool


@dataclass(frozen=True)
class TranscriptLine:
    kind: str
    who: str
    text: str


@dataclass
class SweepReport:
    reminded: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    #: Dialogues the sweep could not handle (logged with their traceback, then skipped).
    failed: list[int] = field(default_factory=list)


def _info(row: DialogueRow, seats: dict[str, Seat]) -> DialogueInfo:
    return DialogueInfo(
        id=row.id,
        kind=row.kind,
        spec=row.spec,
        title=row.title,
        status=row.status,
        step=row.step,
        owner_id=row.owner_id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        origin_channel_id=row.origin_channel_id,
        in_dm=row.in_dm,
        seats=seats,
    )


@dataclass(frozen=True)
class ServerRules:
    """What a server's moderators decided about dialogues (see bot.guild_config)."""

    enabled: frozenset[str] = frozenset(kind.value for kind in DialogueKind)
    max_depth: int | None = None
    public_summaries: bool = True
    thread_channel_id: int | None = None


ServerRulesSource = Callable[[int], Awaitable[ServerRules]]


class DialogueService:
    """Start, answer, steer and export dialogues; hand adapters what is left to send."""

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
        self.db = db
        self.clock = clock
        self.settings = settings or DialogueSettings()
        self.facilitator = facilitator
        self.similarity = similarity
        self.outbox = outbox
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

    def _lock(self, dialogue_id: int) -> asyncio.Lock:
        lock = self._locks.get(dialogue_id)
        if lock is None:
            lock = self._locks[dialogue_id] = asyncio.Lock()
        return lock

    async def _seats(self, s: AsyncSession, dialogue_id: int) -> dict[str, Seat]:
        rows = await s.scalars(
            select(DialogueParticipant)
            .where(DialogueParticipant.dialogue_id == dialogue_id)
            .order_by(DialogueParticipant.seat)
        )
        return {r.seat: Seat(r.seat, r.user_id, r.name) for r in rows}

    @staticmethod
    async def _rename_seat(s: AsyncSession, dialogue_id: int, seat: str, name: str) -> None:
        """A protocol named a seat during the dialogue (the parts of an internal crux)."""
        row = await s.scalar(
            select(DialogueParticipant).where(
                DialogueParticipant.dialogue_id == dialogue_id, DialogueParticipant.seat == seat
            )
        )
        if row is not None:
            row.name = name[:100]
            await s.flush()

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

    @staticmethod
    async def _next_seq(s: AsyncSession, dialogue_id: int) -> int:
        current = await s.scalar(
            select(func.max(DialogueEvent.seq)).where(DialogueEvent.dialogue_id == dialogue_id)
        )
        return int(current or 0) + 1

    async def _emit(
        self,
        s: AsyncSession,
        row: DialogueRow,
        kind: str,
        text: str,
        *,
        step: str = "",
        seat: str | None = None,
        user_id: int | None = None,
        private: bool = False,
        meta: dict[str, Any] | None = None,
        delivered: bool = False,
    ) -> None:
        now = self.clock.now()
        s.add(
            DialogueEvent(
                dialogue_id=row.id,
                seq=await self._next_seq(s, row.id),
                kind=kind,
                step=step,
                seat=seat,
                user_id=user_id,
                text=text,
                private=private,
                meta_json=json.dumps(meta or {}),
                delivered_at=now if delivered else None,
                created_at=now,
            )
        )
        await s.flush()

    async def _advance(
        self, s: AsyncSession, row: DialogueRow, session: Session, protocol: ProtocolImpl
    ) -> Prompt | None:
        """Ask the next question (once), or finish with the summary."""
        nxt = protocol.prompt(session)
        if nxt is None:
            summary = protocol.summary(session)
            row.status = Status.ENDED.value
            row.step = ""
            session.state["_followups"] = [
                {"user_id": f.user_id, "due_at": f.due_at.isoformat(), "text": f.text, "key": f.key}
                for f in summary.followups
            ]
            await self._emit(
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
                await self._emit(s, row, "question", nxt.text, step=nxt.key, meta=nxt.to_meta())
        row.state_json = json.dumps(session.state)
        row.version += 1
        row.updated_at = self.clock.now()
        return nxt

    async def _transact(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """Run ``work`` in one transaction, retrying when SQLite reports a busy database."""
        for attempt in range(RETRIES):
            try:
                async with self.db.session() as s:
                    return await work(s)
            except StorageUnavailable:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    # -- starting ----------------------------------------------------------------

    async def _start(
        self,
        kind: DialogueKind,
        people: list[tuple[str, Person]],
        state: dict[str, Any],
        place: Place,
        title: str,
        *,
        spec: str = "",
        intro: str | None = None,
    ) -> DialogueInfo:
        protocol = protocol_for(kind.value, spec)
        await self.ensure_allowed(kind, place.guild_id)

        async def work(s: AsyncSession) -> DialogueInfo:
            now = self.clock.now()
            row = DialogueRow(
                kind=kind.value,
                spec=spec,
                status=Status.ACTIVE.value,
                step="",
                state_json="{}",
                title=title[:200],
                owner_id=people[0][1].user_id,
                guild_id=place.guild_id,
                channel_id=place.channel_id,
                origin_channel_id=place.origin_channel_id,
                in_dm=place.in_dm,
                version=0,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            s.add(row)
            await s.flush()
            for seat, person in people:
                s.add(
                    DialogueParticipant(
                        dialogue_id=row.id,
                        seat=seat,
                        user_id=person.user_id,
                        name=person.name[:100],
                    )
                )
            await s.flush()
            seats = {seat: Seat(seat, p.user_id, p.name[:100]) for seat, p in people}
            session = self._session(row, seats)
            session.state = state
            if intro:
                await self._emit(s, row, "note", intro)
            await self._advance(s, row, session, protocol)
            return _info(row, seats)

        info: DialogueInfo = await self._transact(work)
        log.info("dialogue %d started (%s)", info.id, kind.value)
        return info

    async def start_impossible(
        self, owner: Person, goal: str | None, place: Place, *, max_depth: int | None = None
    ) -> DialogueInfo:
        server_depth = (await self.server_rules(place.guild_id)).max_depth
        depth = max(1, min(max_depth or server_depth or self.settings.max_depth, 6))
        # An invisible goal counts as no goal: the dialogue then asks for it.
        clean = trim(goal)[:500] if goal and has_visible_text(goal) else None
        return await self._start(
            DialogueKind.IMPOSSIBLE,
            [("a", owner)],
            impossible.new_state(clean, depth),
            place,
            f"Why is this impossible? {clean or ''}".strip(),
            intro=(
                "**Very specifically, why is this impossible?** We'll take the goal apart "
                f"into concrete obstacles (down to {plural(depth, 'level')}), sort them, and end with "
                "first steps, a prediction and a follow-up. Pause or end any time."
            ),
        )

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
        claim = trim(claim)[:500]
        if not has_visible_text(claim):
            raise InvalidAnswer("A double crux needs a claim to disagree about.")
        if partner is None:
            return await self.start_internal_crux(owner, claim, place, sides=sides)
        if partner.user_id == owner.user_id:
            raise InvalidAnswer("Pick someone else as your partner, or use solo mode.")
        return await self._start(
            DialogueKind.CRUX,
            [("a", owner), ("b", partner)],
            crux.new_state(claim, invited=True),
            place,
            f"Double crux: {claim}",
        )

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
        clean = trim(topic)[:500] if topic and has_visible_text(topic) else None
        names: dict[str, str] = {}
        if sides is not None:
            # A side left blank is named by the dialogue's first questions.
            names = {
                seat: internal_crux.neutral_name(name)
                for seat, name in zip(("a", "b"), sides, strict=True)
                if has_visible_text(name) and trim(name) not in internal_crux.DEFAULT_NAMES.values()
            }
        people = [
            ("a", Person(owner.user_id, names.get("a", "Side A"))),
            ("b", Person(owner.user_id, names.get("b", "Side B"))),
        ]
        return await self._start(
            DialogueKind.CRUX,
            people,
            internal_crux.new_state(clean, names),
            place,
            f"Internal double crux: {clean or ''}".strip(),
            spec=internal_crux.SPEC,
        )

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
        if not note.steps:
            raise InvalidAnswer(f"{note.title} has no steps to walk through.")
        state = (
            murphyjitsu.new_state(note.title)
            if note.id == murphyjitsu.NOTE_ID
            else exercise.new_state(note.id, note.title, note.steps)
        )
        return await self._start(
            DialogueKind.EXERCISE,
            [("a", owner)],
            state,
            place,
            note.title,
            spec=note.id,
            intro=f"**{note.title}**: {note.summary}",
        )

    # -- answering ---------------------------------------------------------------

    @staticmethod
    def _normalise(prompt: Prompt, text: str) -> tuple[str, str]:
        """(value for the protocol, text for the transcript)."""
        if not has_visible_text(text):
            raise InvalidAnswer(EMPTY_TEXT_MESSAGE)
        text = trim(text)
        if len(text) > MAX_ANSWER:
            raise InvalidAnswer(f"Please keep an answer under {MAX_ANSWER} characters.")
        if prompt.choices:
            lowered = text.lower().rstrip(".!")
            for number, choice in enumerate(prompt.choices, 1):
                if lowered in (choice.value.lower(), choice.label.lower(), str(number)):
                    return choice.value, choice.label
            # "yes" at "do you accept?" or "Ready?" means the affirmative choice.
            agreed = parse_yes_no(lowered)
            if agreed is not None:
                wanted = AFFIRMATIVE if agreed else NEGATIVE
                for choice in prompt.choices:
                    if choice.value.lower() in wanted:
                        return choice.value, choice.label
            if not prompt.free_text:
                options = ", ".join(f"{c.label} ({c.value})" for c in prompt.choices)
                raise InvalidAnswer(f"Choose one of: {options}.")
        return text, text

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
        async with self._lock(dialogue_id):

            async def work(s: AsyncSession) -> TurnResult:
                row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
                if row is None:
                    raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
                seats = await self._seats(s, dialogue_id)
                if user_id not in {seat.user_id for seat in seats.values()}:
                    raise NotAParticipant("Only the people in this dialogue can answer here.")
                if row.status == Status.PAUSED.value:
                    raise DialogueClosed("This dialogue is paused; resume it to continue.")
                if row.status != Status.ACTIVE.value:
                    raise DialogueClosed(f"This dialogue has {row.status}.")
                session = self._session(row, seats)
                protocol = protocol_for(row.kind, row.spec)
                prompt = protocol.prompt(session)
                if prompt is None:
                    raise DialogueClosed("This dialogue is finished.")
                if expected_step is not None and expected_step != prompt.key:
                    raise InvalidAnswer("That question has already been answered.")
                mine = [seat for seat in prompt.seats if _user_of(seats, seat) == user_id]
                if not mine:
                    waiting = _info(row, seats).waiting_for(prompt)
                    raise NotYourTurn(f"This question is for {waiting}.")
                seat = mine[0]
                value, shown = self._normalise(prompt, text)
                notes = await protocol.apply(session, prompt, seat, value)
                await self._emit(
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
                    await self._emit(s, row, "note", note.text, meta=note.meta)
                    renamed = note.meta.get("rename_seat")
                    if renamed:
                        await self._rename_seat(s, row.id, str(renamed[0]), str(renamed[1]))
                        seats = await self._seats(s, dialogue_id)
                row.last_activity_at = self.clock.now()
                row.reminded_at = None
                nxt = await self._advance(s, row, session, protocol)
                return TurnResult(_info(row, seats), seat, shown, nxt, nxt is None)

            result: TurnResult = await self._transact(work)
        # The step a timer was running for is answered: its "time is up" ping is stale.
        await self.cancel_timers(
            dialogue_id, keep_step=result.prompt.key if result.prompt else None
        )
        if result.finished:
            await self.schedule_followups(dialogue_id)
        return result

    # -- steering ----------------------------------------------------------------

    async def _steer(
        self, dialogue_id: int, user_id: int, change: Callable[[DialogueRow, str], str | None]
    ) -> DialogueInfo:
        async with self._lock(dialogue_id):

            async def work(s: AsyncSession) -> DialogueInfo:
                row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
                if row is None:
                    raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
                seats = await self._seats(s, dialogue_id)
                who = next((x.name for x in seats.values() if x.user_id == user_id), None)
                if who is None:
                    raise NotAParticipant("Only the people in this dialogue can do that.")
                if len({x.user_id for x in seats.values()}) == 1:
                    who = "you"
                note = change(row, who)
                if note:
                    await self._emit(s, row, "note", note)
                    row.updated_at = row.last_activity_at = self.clock.now()
                    if row.status == Status.ACTIVE.value:
                        prompt = protocol_for(row.kind, row.spec).prompt(self._session(row, seats))
                        if prompt is not None:
                            await self._emit(
                                s,
                                row,
                                "question",
                                prompt.text,
                                step=prompt.key,
                                meta={**prompt.to_meta(), "repeat": True},
                            )
                return _info(row, seats)

            info: DialogueInfo = await self._transact(work)
        if info.status != Status.ACTIVE.value:
            # Paused, ended: nobody is doing the step any more, so no "time is up" ping.
            await self.cancel_timers(dialogue_id)
        return info

    async def pause(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        def change(row: DialogueRow, who: str) -> str | None:
            if row.status != Status.ACTIVE.value:
                raise DialogueClosed(f"This dialogue is {row.status}, not active.")
            row.status = Status.PAUSED.value
            return f"Paused by {who}. Resume when you're ready; nothing is lost."

        return await self._steer(dialogue_id, user_id, change)

    async def resume(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        def change(row: DialogueRow, who: str) -> str | None:
            if row.status != Status.PAUSED.value:
                raise DialogueClosed(f"This dialogue is {row.status}, not paused.")
            row.status = Status.ACTIVE.value
            return f"Resumed by {who}. Where we were:"

        return await self._steer(dialogue_id, user_id, change)

    async def end(self, dialogue_id: int, user_id: int) -> DialogueInfo:
        def change(row: DialogueRow, who: str) -> str | None:
            if row.status not in OPEN_STATUSES:
                raise DialogueClosed(f"This dialogue has already {row.status}.")
            row.status = Status.ENDED.value
            row.step = ""
            return f"Ended by {who}. The transcript stays available: export it any time."

        return await self._steer(dialogue_id, user_id, change)

    async def attach_channel(self, dialogue_id: int, channel_id: int) -> None:
        """Record the private thread created for a dialogue (after an invitation)."""

        async def work(s: AsyncSession) -> None:
            row = await s.get(DialogueRow, dialogue_id)
            if row is not None:
                row.channel_id = channel_id

        await self._transact(work)

    # -- reading -----------------------------------------------------------------

    async def get(self, dialogue_id: int) -> DialogueInfo:
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
            return _info(row, await self._seats(s, dialogue_id))

    async def current_prompt(self, dialogue_id: int) -> Prompt | None:
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None or row.status not in OPEN_STATUSES:
                return None
            seats = await self._seats(s, dialogue_id)
            return protocol_for(row.kind, row.spec).prompt(self._session(row, seats))

    async def summary(self, dialogue_id: int) -> Summary | None:
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                return None
            seats = await self._seats(s, dialogue_id)
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
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(DialogueRow)
                    .join(DialogueParticipant, DialogueParticipant.dialogue_id == DialogueRow.id)
                    .where(
                        DialogueParticipant.user_id == user_id,
                        DialogueRow.status.in_(statuses),
                    )
                    .order_by(DialogueRow.id.desc())
                )
            ).unique()
            out = []
            seen: set[int] = set()
            for row in rows:
                if row.id not in seen:
                    seen.add(row.id)
                    out.append(_info(row, await self._seats(s, row.id)))
            return out

    async def in_channel(self, channel_id: int) -> list[DialogueInfo]:
        """Open dialogues running in a channel (a thread, or a DM channel), newest first."""
        async with self.db.session() as s:
            rows = await s.scalars(
                select(DialogueRow)
                .where(DialogueRow.channel_id == channel_id, DialogueRow.status.in_(OPEN_STATUSES))
                .order_by(DialogueRow.id.desc())
            )
            return [_info(row, await self._seats(s, row.id)) for row in rows.all()]

    async def awaiting(
        self, user_id: int, dialogues: Sequence[DialogueInfo]
    ) -> DialogueInfo | None:
        """The first of ``dialogues`` whose open question waits on ``user_id``."""
        for info in dialogues:
            if info.status != Status.ACTIVE.value or user_id not in info.user_ids:
                continue
            prompt = await self.current_prompt(info.id)
            if prompt is not None and any(
                _user_of(info.seats, seat) == user_id for seat in prompt.seats
            ):
                return info
        return None

    async def waiting_on_dm(self, user_id: int) -> bool:
        """True when a DM dialogue waits for this user's typed answer (the DM listener skips)."""
        dms = [d for d in await self.open_for_user(user_id) if d.in_dm]
        return await self.awaiting(user_id, dms) is not None

    async def transcript(self, dialogue_id: int, viewer_id: int | None) -> list[TranscriptLine]:
        """Every line so far; another person's private answers stay hidden until revealed."""
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
            seats = await self._seats(s, dialogue_id)
            events = (
                await s.scalars(
                    select(DialogueEvent)
                    .where(DialogueEvent.dialogue_id == dialogue_id)
                    .order_by(DialogueEvent.seq)
                )
            ).all()
        open_step = row.step if row.status in OPEN_STATUSES else ""
        lines = []
        for event in events:
            who = "Touchstone"
            if event.seat is not None and event.seat in seats:
                who = seats[event.seat].name
            text = event.text
            if event.private and event.step == open_step and event.user_id != viewer_id:
                text = "(hidden until everyone has submitted)"
            lines.append(TranscriptLine(event.kind, who, text))
        return lines

    async def export_markdown(self, dialogue_id: int, viewer_id: int | None) -> str:
        info = await self.get(dialogue_id)
        if viewer_id is not None and viewer_id not in info.user_ids:
            raise NotAParticipant("Only the people in this dialogue can export it.")
        lines = [
            f"# {info.title or info.kind}",
            "",
            f"- dialogue: #{info.id} ({info.kind}{', ' + info.spec if info.spec else ''})",
            f"- status: {info.status}",
            "- participants: " + ", ".join(s.name for s in info.seats.values()),
            "",
        ]
        for line in await self.transcript(dialogue_id, viewer_id):
            if line.kind == "question":
                lines.append(f"**Touchstone asks:** {line.text}\n")
            elif line.kind == "answer":
                quoted = line.text.replace("\n", "\n> ")
                lines.append(f"**{line.who}:**\n> {quoted}\n")
            elif line.kind == "summary":
                lines.append(f"## Summary\n\n{line.text}\n")
            elif line.kind == "outcome":
                lines.append(f"## What happened\n\n**{line.who}:**\n> {line.text}\n")
            else:
                lines.append(f"*{line.text}*\n")
        return "\n".join(lines)

    # -- delivery ----------------------------------------------------------------

    async def pending_deliveries(self, dialogue_id: int | None = None) -> list[Delivery]:
        """Events not yet sent, oldest first (all dialogues, or one)."""
        async with self.db.session() as s:
            query = (
                select(DialogueEvent, DialogueRow)
                .join(DialogueRow, DialogueRow.id == DialogueEvent.dialogue_id)
                .where(DialogueEvent.delivered_at.is_(None))
                .order_by(DialogueEvent.dialogue_id, DialogueEvent.seq)
            )
            if dialogue_id is not None:
                query = query.where(DialogueEvent.dialogue_id == dialogue_id)
            pairs = (await s.execute(query)).all()
            seats_by: dict[int, dict[str, Seat]] = {}
            out = []
            for event, row in pairs:
                if row.id not in seats_by:
                    seats_by[row.id] = await self._seats(s, row.id)
                meta = json.loads(event.meta_json)
                prompt = Prompt.from_meta(event.text, meta) if event.kind == "question" else None
                out.append(
                    Delivery(
                        event.id,
                        event.seq,
                        event.kind,
                        event.text,
                        _info(row, seats_by[row.id]),
                        prompt,
                        {**meta, "seat": event.seat},
                    )
                )
            return out

    async def prepare(self, delivery: Delivery) -> Delivery:
        """Before sending: start a timer the question mentions, and let the model reword it.

        Both are idempotent, so preparing again after a crash changes nothing.
        """
        prompt = delivery.prompt
        if prompt is None:
            return delivery
        if prompt.timer_minutes and not delivery.meta.get("timer_scheduled"):
            await self._schedule_timer(delivery, prompt.timer_minutes)
            delivery = await self._update_meta(delivery, {"timer_scheduled": True})
        if (
            self.facilitator is not None
            and self.facilitator.available
            and not delivery.meta.get("polished")
        ):
            recent = [
                f"{line.who}: {line.text}"
                for line in await self.transcript(delivery.dialogue.id, None)
                if line.kind == "answer" and "hidden" not in line.text
            ]
            better = await self.facilitator.rephrase(
                prompt.text,
                recent,
                GROUNDING.get(delivery.dialogue.kind, (delivery.dialogue.spec,)),
                guild_id=delivery.dialogue.guild_id,
            )
            if better:
                text = f"{better}\n\n-# Offline wording: {prompt.text}"[:MAX_ANSWER]
                delivery = await self._update_meta(delivery, {"polished": True}, text=text)
        return delivery

    async def _update_meta(
        self, delivery: Delivery, changes: dict[str, Any], *, text: str | None = None
    ) -> Delivery:
        async def work(s: AsyncSession) -> None:
            event = await s.get(DialogueEvent, delivery.event_id)
            if event is not None:
                meta = json.loads(event.meta_json)
                meta.update(changes)
                event.meta_json = json.dumps(meta)
                if text is not None:
                    event.text = text

        await self._transact(work)
        new_text = text if text is not None else delivery.text
        prompt = delivery.prompt
        if prompt is not None and text is not None:
            prompt = Prompt.from_meta(new_text, prompt.to_meta())
        return Delivery(
            delivery.event_id,
            delivery.seq,
            delivery.kind,
            new_text,
            delivery.dialogue,
            prompt,
            {**delivery.meta, **changes},
        )

    async def mark_delivered(self, event_id: int, message_id: int | None = None) -> None:
        async def work(s: AsyncSession) -> None:
            event = await s.get(DialogueEvent, event_id)
            if event is not None and event.delivered_at is None:
                event.delivered_at = self.clock.now()
                event.message_id = message_id

        await self._transact(work)

    # -- time --------------------------------------------------------------------

    async def _schedule_timer(self, delivery: Delivery, minutes: int) -> None:
        info = delivery.dialogue
        due = self.clock.now() + timedelta(minutes=minutes)
        payload: dict[str, Any] = {
            "text": f"⏱ Your {plural(minutes, 'minute')} are up ({info.title}). "
            "How far did you get? "
            "Write it down and answer the step.",
            "dialogue_id": info.id,
            "step": delivery.prompt.key if delivery.prompt else "",
        }
        if info.channel_id is not None and not info.in_dm:
            payload["channel_id"] = info.channel_id
        await self._send_later(
            info.owner_id, TIMER_KIND, due, payload, _timer_key(info.id, delivery.seq)
        )

    async def cancel_timers(self, dialogue_id: int, *, keep_step: str | None = None) -> int:
        """Cancel the pending timer pings of a dialogue, except the one for ``keep_step``
        (the step still being worked on). Returns how many were cancelled."""
        outbox = self.outbox()
        if outbox is None:
            return 0
        async with self.db.session() as s:
            events = (
                await s.execute(
                    select(DialogueEvent.seq, DialogueEvent.step, DialogueEvent.meta_json).where(
                        DialogueEvent.dialogue_id == dialogue_id,
                        DialogueEvent.kind == "question",
                        DialogueEvent.meta_json.like('%"timer_scheduled": true%'),
                    )
                )
            ).all()
        cancelled = 0
        for seq, step, _meta in events:
            if keep_step is not None and step == keep_step:
                continue
            if await outbox.cancel(_timer_key(dialogue_id, seq)):
                cancelled += 1
        return cancelled

    async def render_timer(self, item: OutboxItem) -> OutgoingMessage | None:
        """The timer ping at send time; None (skipped) once the dialogue is no longer on
        the step the timer ran for, so a late ping never asks about a finished step."""
        dialogue_id = item.payload.get("dialogue_id")
        async with self.db.session() as s:
            row = await s.get(DialogueRow, int(dialogue_id)) if dialogue_id is not None else None
        if row is None or row.status != Status.ACTIVE.value:
            return None
        step = item.payload.get("step")
        if step and row.step != step:
            return None
        return default_message(item.payload)

    async def _send_later(
        self, user_id: int, kind: str, due_at: datetime, payload: dict[str, Any], key: str
    ) -> bool:
        outbox = self.outbox()
        if outbox is None:
            log.warning("no outbox available; %s %s not scheduled", kind, key)
            return False
        await outbox.schedule(user_id, kind, due_at, payload, key)
        return True

    async def schedule_followups(self, dialogue_id: int) -> int:
        """Hand the follow-up DMs of a finished dialogue to the outbox (idempotent keys)."""
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                return 0
            state = json.loads(row.state_json)
        pending = state.get("_followups") or []
        if not pending or state.get("_followups_scheduled"):
            return 0
        sent = 0
        for item in pending:
            if await self._send_later(
                int(item["user_id"]),
                FOLLOWUP_KIND,
                datetime.fromisoformat(item["due_at"]),
                {"text": f"{item['text']}\n\n{outcomes.ASK}", "dialogue_id": dialogue_id},
                str(item["key"]),
            ):
                sent += 1
        if sent == len(pending):

            async def work(s: AsyncSession) -> None:
                row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
                if row is not None:
                    st = json.loads(row.state_json)
                    st["_followups_scheduled"] = True
                    row.state_json = json.dumps(st)

            await self._transact(work)
        return sent

    # -- outcomes: the answer to "What happened?" -------------------------------------

    async def followup_sent(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        """After-hook of the follow-up DM: from now on, this person's DM reply is the
        outcome of the dialogue's prediction."""
        dialogue_id = item.payload.get("dialogue_id")
        if result != DeliveryResult.SENT or dialogue_id is None:
            return

        async def work(s: AsyncSession) -> None:
            row = await s.get(DialogueRow, int(dialogue_id), with_for_update=True)
            if row is not None:
                state = json.loads(row.state_json)
                state.setdefault("_followup_sent", {})[str(item.user_id)] = (
                    self.clock.now().isoformat()
                )
                row.state_json = json.dumps(state)

        await self._transact(work)

    async def awaiting_outcome(self, user_id: int) -> int | None:
        """The dialogue whose "What happened?" this person was asked and hasn't answered
        (the latest, within the answer window)."""
        now = self.clock.now()
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(DialogueRow)
                    .join(DialogueParticipant, DialogueParticipant.dialogue_id == DialogueRow.id)
                    .where(
                        DialogueParticipant.user_id == user_id,
                        DialogueRow.state_json.like('%"_followup_sent"%'),
                    )
                    .order_by(DialogueRow.updated_at.desc(), DialogueRow.id.desc())
                )
            ).all()
        for row in rows:
            state = json.loads(row.state_json)
            sent = state.get("_followup_sent", {}).get(str(user_id))
            if sent is None or str(user_id) in state.get("outcomes", {}):
                continue
            if now - datetime.fromisoformat(sent) <= OUTCOME_WINDOW:
                return row.id
        return None

    async def record_outcome(self, dialogue_id: int, user_id: int, text: str) -> str:
        """Keep the answer to "What happened?" with the prediction it checks."""
        if not has_visible_text(text):
            raise InvalidAnswer(EMPTY_TEXT_MESSAGE)
        text = trim(text)[:MAX_ANSWER]
        held = outcomes.parse_held(text)

        async def work(s: AsyncSession) -> str | None:
            row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
            if row is None:
                raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
            seats = await self._seats(s, dialogue_id)
            seat = next((x.seat for x in seats.values() if x.user_id == user_id), None)
            if seat is None:
                raise NotAParticipant("Only the people in this dialogue can answer here.")
            state = json.loads(row.state_json)
            state.setdefault("outcomes", {})[str(user_id)] = {
                "text": text,
                "held": held,
                "at": self.clock.now().isoformat(),
            }
            row.state_json = json.dumps(state)
            await self._emit(
                s,
                row,
                "outcome",
                text,
                step="outcome",
                seat=seat,
                user_id=user_id,
                meta={"held": held},
                delivered=True,
            )
            return outcomes.prediction_of(state)

        prediction: str | None = await self._transact(work)
        return (
            "Saved with your dialogue"
            + (f", next to your prediction ({prediction})" if prediction else "")
            + f": {outcomes.describe(held)}. It shows in the dialogue's export and in your "
            "monthly review."
        )

    async def file_dm(self, user_id: int, text: str) -> str | None:
        """A DM that answers a follow-up is filed as its outcome (the reply to send);
        None when no follow-up waits, so the DM goes elsewhere (the morning prompts)."""
        dialogue_id = await self.awaiting_outcome(user_id)
        if dialogue_id is None or not text.strip():
            return None
        return await self.record_outcome(dialogue_id, user_id, text)

    async def prediction_tally(
        self, user_id: int, since: datetime, until: datetime
    ) -> outcomes.PredictionTally:
        """Predictions this person checked between ``since`` and ``until``, and how often
        they held (for the monthly review)."""
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(DialogueRow.state_json)
                    .join(DialogueParticipant, DialogueParticipant.dialogue_id == DialogueRow.id)
                    .where(
                        DialogueParticipant.user_id == user_id,
                        DialogueRow.state_json.like('%"outcomes"%'),
                    )
                )
            ).all()
        verdicts: list[str | None] = []
        for state_json in rows:
            found = json.loads(state_json).get("outcomes", {}).get(str(user_id))
            if found and since <= datetime.fromisoformat(found["at"]) < until:
                verdicts.append(found.get("held"))
        return outcomes.PredictionTally(
            checked=len(verdicts),
            held=verdicts.count(outcomes.HELD),
            partly=verdicts.count(outcomes.PARTLY),
            not_held=verdicts.count(outcomes.NOT_HELD),
        )

    async def sweep(self) -> SweepReport:
        """Remind idle dialogues once, expire abandoned ones, retry unscheduled follow-ups."""
        now = self.clock.now()
        remind_before = now - timedelta(hours=self.settings.reminder_after_hours)
        expire_before = now - timedelta(days=self.settings.expire_after_days)
        report = SweepReport()
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(DialogueRow).where(
                        DialogueRow.status.in_(OPEN_STATUSES),
                        DialogueRow.last_activity_at < remind_before,
                    )
                )
            ).all()
            ended = (
                await s.scalars(
                    select(DialogueRow.id).where(
                        DialogueRow.status == Status.ENDED.value,
                        DialogueRow.state_json.like('%"_followups": [{%'),
                        ~DialogueRow.state_json.like('%"_followups_scheduled": true%'),
                    )
                )
            ).all()
        for dialogue_id in ended:
            try:
                await self.schedule_followups(dialogue_id)
            except Exception:
                log.exception("dialogue %d: follow-ups not scheduled; sweep goes on", dialogue_id)
                report.failed.append(dialogue_id)
        for row in rows:
            # One damaged dialogue is logged and skipped; it must never stop the sweep
            # (a partner's erasure once made every later sweep fail on the same row).
            try:
                await self._sweep_one(row, now, expire_before, report)
            except Exception:
                log.exception("dialogue %d: sweep skipped it", row.id)
                report.failed.append(row.id)
        return report

    async def _sweep_one(
        self, row: DialogueRow, now: datetime, expire_before: datetime, report: SweepReport
    ) -> None:
        last = row.last_activity_at
        if last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        if last < expire_before:
            await self._expire(row.id)
            report.expired.append(row.id)
        elif (
            row.reminded_at is None
            and row.status == Status.ACTIVE.value
            and await self._remind(row.id)
        ):
            report.reminded.append(row.id)

    async def _expire(self, dialogue_id: int) -> None:
        await self._expire_row(dialogue_id)
        await self.cancel_timers(dialogue_id)

    async def _expire_row(self, dialogue_id: int) -> None:
        async with self._lock(dialogue_id):

            async def work(s: AsyncSession) -> None:
                row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
                if row is None or row.status not in OPEN_STATUSES:
                    return
                row.status = Status.EXPIRED.value
                row.step = ""
                row.updated_at = self.clock.now()
                await self._emit(
                    s,
                    row,
                    "note",
                    "This dialogue expired after a long silence. The transcript is kept; "
                    "export it, or start again when you're ready.",
                )

            await self._transact(work)

    async def _note(self, dialogue_id: int, text: str) -> None:
        async def work(s: AsyncSession) -> None:
            row = await s.get(DialogueRow, dialogue_id)
            if row is not None:
                await self._emit(s, row, "note", text)

        await self._transact(work)

    async def _remind(self, dialogue_id: int) -> bool:
        info = await self.get(dialogue_id)
        prompt = await self.current_prompt(dialogue_id)
        if prompt is None:
            return False
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            assert row is not None
            row.reminded_at = self.clock.now()
            stamp = row.last_activity_at.isoformat()
        waiting = {_user_of(info.seats, seat) for seat in prompt.seats}
        for user_id in sorted(u for u in waiting if u is not None):
            payload: dict[str, Any] = {
                "text": f"Your dialogue **{info.title}** is waiting for your answer:\n\n"
                f"{prompt.text}",
                "dialogue_id": dialogue_id,
            }
            if info.channel_id is not None and not info.in_dm:
                payload["channel_id"] = info.channel_id
            sent = await self._send_later(
                user_id,
                "dialogue_reminder",
                self.clock.now(),
                payload,
                f"dlg:{dialogue_id}:remind:{user_id}:{stamp}",
            )
            if not sent:
                await self._note(dialogue_id, str(payload["text"]))
        return True


def _timer_key(dialogue_id: int, seq: int) -> str:
    return f"dlg:{dialogue_id}:timer:{seq}"


def _user_of(seats: dict[str, Seat], seat: str) -> int | None:
    """Who sits in ``seat``; None for a seat whose row is gone (never a KeyError)."""
    found = seats.get(seat)
    return found.user_id if found is not None else None
