"""Internal double crux: the same moves between two parts of one person.

The protocol (applied-rationality handbook; ``protocols.md``): name the two parts
neutrally, by what each wants rather than by a judgement; let one part say one thing;
have the other find something true in it; alternate; after each exchange, notice
whether the disagreement has turned out to be about something else; end with what each
part needs (and, if there is one, a small step that gives each some of it).

Every question is derived from ``state``, so the engine can resume anywhere.
"""

from __future__ import annotations

import re
from typing import Any

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
    return {
        "claim": topic or "",
        "topic": topic or "",
        "ready": False,
        "names": dict(names or {}),
        "turns": [],
        "checks": [],
        "reframes": [],
        "heard": False,
        "needs": {},
        "step": None,
    }


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
        for phase in (self._ask_setup, self._ask_turn, self._ask_need, self._ask_step):
            asked = phase(session)
            if asked is not None:
                return asked
        return None

    def _ask_setup(self, session: Session) -> Prompt | None:
        """The topic, the ground rules, then a neutral name for each part."""
        st = session.state
        if not st["claim"]:
            return Prompt(
                "topic",
                "**Internal double crux.** What are two parts of you disagreeing about? "
                "Say it in a line (e.g. 'whether to exercise today').",
                ("a",),
            )
        if not st["ready"]:
            named = all(seat in st["names"] for seat in SEATS)
            between = (
                f"between **{self.name(session, 'a')}** and **{self.name(session, 'b')}** "
                if named
                else "between two parts of you "
            )
            return Prompt(
                "rules",
                f"Internal double crux {between}on:\n> {st['claim']}\n\n"
                "Ground rules: both parts are trying to help you. One part says one thing; "
                "the other first finds something true in it, then answers with one thing of "
                "its own. Ready?",
                ("a",),
                choices=(Choice("agree", "Ready"),),
                free_text=False,
            )
        for seat in SEATS:
            if seat not in st["names"]:
                first = "first" if seat == "a" else "second"
                return Prompt(
                    f"name:{seat}",
                    f"Name the {first} part neutrally, by what it wants or protects "
                    "('the part that wants rest'), not by a judgement ('the lazy part').",
                    ("a",),
                )
        return None

    def _ask_turn(self, session: Session) -> Prompt | None:
        """Alternate turns: what is true in the last one, a check every round, the next."""
        st = session.state
        turns: list[dict[str, Any]] = st["turns"]
        number = len(turns)
        if turns and "true" not in turns[-1]:
            last = turns[-1]
            listener = _other(last["seat"])
            return self._as(
                session,
                listener,
                f"true{number}",
                f"{self.name(session, last['seat'])} said:\n> {last['says']}\n\n"
                "What is true in it? Find something, even if you disagree with the rest.",
                long=True,
            )
        if number and number % 2 == 0 and len(st["checks"]) < number // 2 and not st["heard"]:
            return Prompt(
                f"check{number // 2}",
                f"**Notice.** Is the disagreement still about *{st['topic']}*, or has it "
                "turned out to be about something else? Say `same`, or `heard` if both "
                "parts feel heard, or write what it is really about.",
                ("a",),
                choices=CHECK_CHOICES,
            )
        if not st["heard"] and number < 2 * MAX_ROUNDS:
            speaker = "a" if number % 2 == 0 else "b"
            other = self.name(session, _other(speaker))
            return self._as(
                session,
                speaker,
                f"say{number + 1}",
                f"Say one thing you want {other} to hear about *{st['topic']}*: one thing, "
                "in a sentence or two.",
                long=True,
            )
        return None

    def _ask_need(self, session: Session) -> Prompt | None:
        for seat in SEATS:
            if seat not in session.state["needs"]:
                return self._as(
                    session,
                    seat,
                    f"need:{seat}",
                    "What do you need? What would have to be true for you to let "
                    f"{self.name(session, _other(seat))} have its way some of the time?",
                    long=True,
                )
        return None

    def _ask_step(self, session: Session) -> Prompt | None:
        if session.state["step"] is not None:
            return None
        a, b = self.name(session, "a"), self.name(session, "b")
        return Prompt(
            "step",
            f"One small step that gives **{a}** and **{b}** each some of what they "
            "need? Or `none`.",
            ("a",),
            choices=(Choice("none", "None for now"),),
        )

    # -- answers -----------------------------------------------------------------

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        st = session.state
        key = prompt.key
        value = text.strip()
        step = re.sub(r"[\d]+$", "", key.split(":")[0])
        if step == "topic":
            st["claim"] = st["topic"] = value[:500]
        elif step == "name":
            part = key.split(":")[1]
            name = neutral_name(value)
            other = st["names"].get(_other(part))
            if other and other.lower() == name.lower():
                raise InvalidAnswer("Give the two parts different names.")
            st["names"][part] = name
            return [
                Note(f"Part {1 if part == 'a' else 2}: **{name}**.", {"rename_seat": [part, name]})
            ]
        elif step == "rules":
            st["ready"] = True
        elif step == "say":
            speaker = prompt.seats[0]
            st["turns"].append({"seat": speaker, "says": value, "topic": st["topic"]})
        elif step == "true":
            st["turns"][-1]["true"] = value
        elif step == "check":
            lowered = value.lower().rstrip(".!")
            agreed = parse_yes_no(lowered)
            if agreed is False:
                raise InvalidAnswer("What is it about, then? Write it in a line, or say `same`.")
            if agreed:
                lowered = "same"
            st["checks"].append(value)
            if lowered == "heard":
                st["heard"] = True
                return [Note("Both parts have been heard. Now: what each of them needs.")]
            if lowered != "same":
                st["reframes"].append({"from": st["topic"], "to": value})
                st["topic"] = value
                return [
                    Note(
                        f"The disagreement turns out to be about: **{value}**. Carry on from there."
                    )
                ]
            if len(st["turns"]) >= 2 * MAX_ROUNDS:
                return [Note("That's a good run of exchanges. Now: what each part needs.")]
        elif step == "need":
            st["needs"][prompt.seats[0]] = value
        elif step == "step":
            st["step"] = "" if value.lower() in DONE_WORDS else value
        return []

    # -- summary -----------------------------------------------------------------

    def summary(self, session: Session) -> Summary:
        st = session.state
        a, b = self.name(session, "a"), self.name(session, "b")
        lines = [f"**Between:** {a} and {b}", f"**On:** {st['claim']}", "", "**Exchange**"]
        for turn in st["turns"]:
            speaker = self.name(session, turn["seat"])
            listener = self.name(session, _other(turn["seat"]))
            lines.append(f"- {speaker}: {turn['says']}")
            if turn.get("true"):
                lines.append(f"  {listener} finds true in it: {turn['true']}")
        if st["reframes"]:
            lines += ["", "**What it turned out to be about**"]
            lines += [f"- not {r['from']}, but {r['to']}" for r in st["reframes"]]
        lines += ["", "**What each part needs**"]
        for seat in SEATS:
            lines.append(f"- {self.name(session, seat)}: {st['needs'].get(seat, '—')}")
        if st["step"]:
            lines += ["", f"**A step for both:** {st['step']}"]
        return Summary(title=f"Internal double crux: {st['claim']}", text="\n".join(lines))
