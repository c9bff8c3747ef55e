"""Internal double crux: the same moves between two parts of one person.

The protocol (applied-rationality handbook; ``protocols.md``): name the two parts
neutrally, by what each wants rather than by a judgement; let one part say one thing;
have the other find something true in it; alternate; after each exchange, notice
whether the disagreement has turned out to be about something else; end with what each
part needs (and, if there is one, a small step that gives each some of it).

Every question is derived from the stored state, read as a typed
:class:`~bot.dialogues.internal_crux_state.InternalCruxState`, so the engine can resume
anywhere; each answer goes to its step's handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.dialogues.internal_crux_state import InternalCruxState, InternalStep, Turn
from bot.dialogues.model import (
    Choice,
    DialogueKind,
    InvalidAnswer,
    Note,
    Prompt,
    Session,
    Summary,
)
from bot.dialogues.parsing import mentions_word, parse_yes_no
from bot.text_input import has_visible_text, trim

SPEC = "internal"
SEATS = ("a", "b")
#: Exchanges (each part speaks once) before the dialogue moves to needs by itself.
MAX_ROUNDS = 4
MAX_NAME = 60
#: Words that judge a part instead of naming what it wants.
JUDGEMENTS = (
    "lazy",
    "weak",
    "stupid",
    "dumb",
    "bad",
    "good",
    "right",
    "wrong",
    "rational",
    "irrational",
    "sensible",
    "silly",
    "childish",
    "mature",
    "responsible",
    "irresponsible",
    "disciplined",
    "undisciplined",
    "grown-up",
    "adult",
    "selfish",
    "coward",
    "cowardly",
    "smart",
    "procrastinating",
    "procrastinator",
)
DEFAULT_NAMES = {"a": "Side A", "b": "Side B"}
CHECK_CHOICES = (
    Choice("same", "Still about this"),
    Choice("heard", "Both parts feel heard"),
)
DONE_WORDS = ("none", "no", "-", "nothing")


def judgement_in(name: str) -> str | None:
    """The judging word in a part's name, if any."""
    return next((word for word in JUDGEMENTS if mentions_word(name, word)), None)


def neutral_name(text: str) -> str:
    """A part's name, refused when it judges the part ("the lazy part")."""
    name = " ".join(trim(text).split())
    if not has_visible_text(name):
        raise InvalidAnswer("Give the part a name, e.g. 'the part that wants rest'.")
    if len(name) > MAX_NAME:
        raise InvalidAnswer(f"Keep the name under {MAX_NAME} characters.")
    word = judgement_in(name)
    if word:
        raise InvalidAnswer(
            f"'{word}' judges the part. Name it neutrally, by what it wants or protects, "
            "e.g. 'the part that wants rest'."
        )
    return name


def new_state(topic: str | None, names: dict[str, str] | None = None) -> dict[str, Any]:
    return InternalCruxState(claim=topic or "", topic=topic or "", names=dict(names or {})).dump()


def _other(seat: str) -> str:
    return "b" if seat == "a" else "a"


class InternalCruxProtocol:
    kind = DialogueKind.CRUX.value
    note_id = "internal-double-crux"

    @staticmethod
    def name(session: Session, seat: str) -> str:
        return str(session.state["names"].get(seat) or session.name(seat))

    def _as(self, session: Session, seat: str, key: str, text: str, **options: Any) -> Prompt:
        return Prompt(key, f"*As {self.name(session, seat)}:* {text}", (seat,), **options)

    # -- questions ---------------------------------------------------------------

    def prompt(self, session: Session) -> Prompt | None:
        """The first open phase's question: set-up, the turns, the needs, a step."""
        st = InternalCruxState.load(session.state)
        for phase in (self._ask_setup, self._ask_turn, self._ask_need, self._ask_step):
            asked = phase(session, st)
            if asked is not None:
                return asked
        return None

    def _ask_setup(self, session: Session, st: InternalCruxState) -> Prompt | None:
        """The topic, the ground rules, then a neutral name for each part."""
        if not st.claim:
            return Prompt(
                InternalStep.TOPIC.key(),
                "**Internal double crux.** What are two parts of you disagreeing about? "
                "Say it in a line (e.g. 'whether to exercise today').",
                ("a",),
            )
        if not st.ready:
            named = all(seat in st.names for seat in SEATS)
            between = (
                f"between **{self.name(session, 'a')}** and **{self.name(session, 'b')}** "
                if named
                else "between two parts of you "
            )
            return Prompt(
                InternalStep.RULES.key(),
                f"Internal double crux {between}on:\n> {st.claim}\n\n"
                "Ground rules: both parts are trying to help you. One part says one thing; "
                "the other first finds something true in it, then answers with one thing of "
                "its own. Ready?",
                ("a",),
                choices=(Choice("agree", "Ready"),),
                free_text=False,
            )
        for seat in SEATS:
            if seat not in st.names:
                first = "first" if seat == "a" else "second"
                return Prompt(
                    InternalStep.NAME.key(seat=seat),
                    f"Name the {first} part neutrally, by what it wants or protects "
                    "('the part that wants rest'), not by a judgement ('the lazy part').",
                    ("a",),
                )
        return None

    def _ask_turn(self, session: Session, st: InternalCruxState) -> Prompt | None:
        """Alternate turns: what is true in the last one, a check every round, the next."""
        turns = st.turns
        number = len(turns)
        if turns and turns[-1].true is None:
            last = turns[-1]
            listener = _other(last.seat)
            return self._as(
                session,
                listener,
                InternalStep.TRUE.key(number),
                f"{self.name(session, last.seat)} said:\n> {last.says}\n\n"
                "What is true in it? Find something, even if you disagree with the rest.",
                long=True,
            )
        if number and number % 2 == 0 and len(st.checks) < number // 2 and not st.heard:
            return Prompt(
                InternalStep.CHECK.key(number // 2),
                f"**Notice.** Is the disagreement still about *{st.topic}*, or has it "
                "turned out to be about something else? Say `same`, or `heard` if both "
                "parts feel heard, or write what it is really about.",
                ("a",),
                choices=CHECK_CHOICES,
            )
        if not st.heard and number < 2 * MAX_ROUNDS:
            speaker = "a" if number % 2 == 0 else "b"
            other = self.name(session, _other(speaker))
            return self._as(
                session,
                speaker,
                InternalStep.SAY.key(number + 1),
                f"Say one thing you want {other} to hear about *{st.topic}*: one thing, "
                "in a sentence or two.",
                long=True,
            )
        return None

    def _ask_need(self, session: Session, st: InternalCruxState) -> Prompt | None:
        for seat in SEATS:
            if seat not in st.needs:
                return self._as(
                    session,
                    seat,
                    InternalStep.NEED.key(seat=seat),
                    "What do you need? What would have to be true for you to let "
                    f"{self.name(session, _other(seat))} have its way some of the time?",
                    long=True,
                )
        return None

    def _ask_step(self, session: Session, st: InternalCruxState) -> Prompt | None:
        if st.step is not None:
            return None
        a, b = self.name(session, "a"), self.name(session, "b")
        return Prompt(
            InternalStep.STEP.key(),
            f"One small step that gives **{a}** and **{b}** each some of what they "
            "need? Or `none`.",
            ("a",),
            choices=(Choice("none", "None for now"),),
        )

    # -- answers: one handler per step ------------------------------------------

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        decoded = InternalStep.parse(prompt.key)
        if decoded is None:
            return []
        step, part = decoded
        st = InternalCruxState.load(session.state)
        handlers: dict[InternalStep, Callable[[InternalCruxState, str, str], list[Note]]] = {
            InternalStep.TOPIC: self._on_topic,
            InternalStep.NAME: self._on_name,
            InternalStep.RULES: self._on_rules,
            InternalStep.SAY: self._on_say,
            InternalStep.TRUE: self._on_true,
            InternalStep.CHECK: self._on_check,
            InternalStep.NEED: self._on_need,
            InternalStep.STEP: self._on_step,
        }
        notes = handlers[step](st, part or prompt.seats[0], text.strip())
        st.store_into(session.state)
        return notes

    def _on_topic(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.claim = st.topic = value[:500]
        return []

    def _on_name(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        name = neutral_name(value)
        other = st.names.get(_other(part))
        if other and other.lower() == name.lower():
            raise InvalidAnswer("Give the two parts different names.")
        st.names[part] = name
        return [Note(f"Part {1 if part == 'a' else 2}: **{name}**.", {"rename_seat": [part, name]})]

    def _on_rules(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.ready = True
        return []

    def _on_say(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.turns.append(Turn(seat=part, says=value, topic=st.topic))
        return []

    def _on_true(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.turns[-1].true = value
        return []

    def _on_check(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        lowered = value.lower().rstrip(".!")
        agreed = parse_yes_no(lowered)
        if agreed is False:
            raise InvalidAnswer("What is it about, then? Write it in a line, or say `same`.")
        if agreed:
            lowered = "same"
        st.checks.append(value)
        if lowered == "heard":
            st.heard = True
            return [Note("Both parts have been heard. Now: what each of them needs.")]
        if lowered != "same":
            st.reframes.append({"from": st.topic, "to": value})
            st.topic = value
            return [
                Note(f"The disagreement turns out to be about: **{value}**. Carry on from there.")
            ]
        if len(st.turns) >= 2 * MAX_ROUNDS:
            return [Note("That's a good run of exchanges. Now: what each part needs.")]
        return []

    def _on_need(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.needs[part] = value
        return []

    def _on_step(self, st: InternalCruxState, part: str, value: str) -> list[Note]:
        st.step = "" if value.lower() in DONE_WORDS else value
        return []

    # -- summary -----------------------------------------------------------------

    def summary(self, session: Session) -> Summary:
        st = InternalCruxState.load(session.state)
        a, b = self.name(session, "a"), self.name(session, "b")
        lines = [f"**Between:** {a} and {b}", f"**On:** {st.claim}", "", "**Exchange**"]
        for turn in st.turns:
            speaker = self.name(session, turn.seat)
            listener = self.name(session, _other(turn.seat))
            lines.append(f"- {speaker}: {turn.says}")
            if turn.true:
                lines.append(f"  {listener} finds true in it: {turn.true}")
        if st.reframes:
            lines += ["", "**What it turned out to be about**"]
            lines += [f"- not {r['from']}, but {r['to']}" for r in st.reframes]
        lines += ["", "**What each part needs**"]
        for seat in SEATS:
            lines.append(f"- {self.name(session, seat)}: {st.needs.get(seat, '—')}")
        if st.step:
            lines += ["", f"**A step for both:** {st.step}"]
        return Summary(title=f"Internal double crux: {st.claim}", text="\n".join(lines))
