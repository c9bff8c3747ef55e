"""Double crux between two people, or between two sides of one person (solo mode).

The order follows the handbook: invitation, ground rules, positions and confidence,
operationalisation (taboo vague or loaded words and restate), cruxes written
independently and revealed together, candidate shared cruxes lined up by similarity of
meaning, confirmation and a resonance check, then recurse or settle with a test.
Every step is derived from the stored state, read as a typed
:class:`~bot.dialogues.crux_state.CruxState`, so the engine can resume anywhere:
``prompt`` asks the first phase still open, ``apply`` decodes the step
(:class:`~bot.dialogues.crux_state.CruxStep`) and hands the answer to its handler.
Matching cruxes is in :mod:`bot.dialogues.crux_matching`, the summary in
:mod:`bot.dialogues.crux_summary`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.dialogues.crux_answers import HANDLERS
from bot.dialogues.crux_matching import SEATS, vague_terms
from bot.dialogues.crux_state import CruxState, CruxStep, StepKey
from bot.dialogues.crux_summary import summary
from bot.dialogues.model import Choice, DialogueKind, Note, Prompt, Session, Summary
from bot.wording import verb

RULES = (
    "**Ground rules.** We assume each other are intelligent and acting in good faith. "
    "The aim is to find out what is true, not to win. Either of us may pause when it "
    "gets heated. Cruxes are written separately first and revealed together."
)
TEST_KINDS = (
    Choice("experiment", "An experiment"),
    Choice("bet", "A bet"),
    Choice("source", "A source to read"),
    Choice("prediction", "A prediction with a date"),
)
#: How each side stands on a proposed double crux.
STANCES = (
    Choice("holds", "I think it's true"),
    Choice("denies", "I think it's false"),
    Choice("no", "Not a crux for me"),
)


def new_state(claim: str, *, invited: bool) -> dict[str, Any]:
    return CruxState.new(claim, invited=invited).dump()


class CruxProtocol:
    kind = DialogueKind.CRUX.value
    note_id = "double-crux"

    # -- helpers -----------------------------------------------------------------

    def _each(
        self,
        session: Session,
        step: str,
        answered: dict[str, Any],
        text: str,
        **options: Any,
    ) -> Prompt:
        """A question every seat answers. In solo mode, one side at a time."""
        pending = tuple(s for s in SEATS if s not in answered)
        if session.solo:
            seat = pending[0]
            return Prompt(
                f"{step}:{seat}", f"*As {session.name(seat)}:* {text}", (seat,), **options
            )
        return Prompt(step, text, pending, **options)

    def _either(self, session: Session) -> tuple[str, ...]:
        return ("a",) if session.solo else SEATS

    def _anyone(self, session: Session, key: str, text: str, **options: Any) -> Prompt:
        """A question one answer settles, from either person (shown as "alice or bob")."""
        return Prompt(key, text, self._either(session), any_one=not session.solo, **options)

    # -- questions: the first phase still open asks -------------------------------

    def prompt(self, session: Session) -> Prompt | None:
        st = CruxState.load(session.state)
        if st.declined:
            return None
        phases: tuple[Callable[[Session, CruxState], Prompt | None], ...] = (
            self._ask_invite,
            self._ask_rules,
            self._ask_position,
            self._ask_taboo,
            self._ask_cruxes,
            self._ask_confirm,
            self._ask_propose,
            self._ask_resonance,
            self._ask_next,
            self._ask_test,
            self._ask_agreement,
        )
        for phase in phases:
            asked = phase(session, st)
            if asked is not None:
                return asked
        return None

    def _ask_invite(self, session: Session, st: CruxState) -> Prompt | None:
        if st.accepted:
            return None
        return Prompt(
            CruxStep.INVITE.key(),
            f"**{session.name('a')}** {verb(session.name('a'), 'invites')} "
            f"**{session.name('b')}** to a double crux "
            f"on:\n> {st.claim}\n\n{RULES}\n\n{session.name('b')}, do you accept?",
            ("b",),
            choices=(Choice("accept", "Accept"), Choice("decline", "Decline")),
            free_text=False,
        )

    def _ask_rules(self, session: Session, st: CruxState) -> Prompt | None:
        if session.solo:
            if "a" in st.rules:
                return None
            return Prompt(
                CruxStep.RULES.key(),
                f"Internal double crux between **{session.name('a')}** and "
                f"**{session.name('b')}** on:\n> {st.claim}\n\nGround rules: both "
                "sides are trying to help you; each gets heard, and each finds something "
                "true in the other. Ready?",
                ("a",),
                choices=(Choice("agree", "Ready"),),
                free_text=False,
            )
        if len(st.rules) >= 2:
            return None
        return self._each(
            session,
            CruxStep.RULES.key(),
            st.rules,
            f"{RULES}\n\nBoth of you, please accept to continue.",
            choices=(Choice("agree", "I agree"),),
            free_text=False,
        )

    def _ask_position(self, session: Session, st: CruxState) -> Prompt | None:
        if len(st.positions) < 2:
            return self._each(
                session,
                CruxStep.POSITION.key(),
                st.positions,
                f"On *{st.claim}*: what is your position, in a sentence or two?",
                long=True,
            )
        if len(st.confidence) < 2:
            return self._each(
                session,
                CruxStep.CONFIDENCE.key(),
                st.confidence,
                f"How confident are you that *{st.claim}* is true? 0 to 100.",
            )
        return None

    def _ask_taboo(self, session: Session, st: CruxState) -> Prompt | None:
        if not st.taboo_done:
            found = vague_terms(" ".join([st.claim, *st.positions.values()]))
            listed = ", ".join(f"'{w}'" for w in found) if found else "none from my list"
            return self._anyone(
                session,
                CruxStep.TABOO.key(),
                "**Operationalise.** Words that are vague or loaded carry a disagreement "
                f"without saying anything checkable. I spotted: {listed}.\n\nAdd any other "
                "words either of you wants tabooed (comma-separated), or say `none`.",
                choices=(Choice("none", "No more words"),),
            )
        if st.taboo and len(st.restated) < 2:
            words = ", ".join(f"'{w}'" for w in st.taboo)
            return self._each(
                session,
                CruxStep.RESTATE.key(),
                st.restated,
                f"Restate your position without {words}: say what you would expect to "
                "see in the world if you are right.",
                long=True,
            )
        return None

    def _ask_cruxes(self, session: Session, st: CruxState) -> Prompt | None:
        rnd = st.round
        if len(rnd.cruxes) >= 2:
            return None
        return self._each(
            session,
            CruxStep.CRUXES.key(len(st.rounds)),
            rnd.cruxes,
            f"List your cruxes for *{rnd.claim}*: claims which, if you found out "
            "they were false, would change your mind. One per line, concrete and "
            "checkable. "
            + (
                ""
                if session.solo
                else "The other person can't see them until you have both submitted."
            ),
            long=True,
            multi=True,
            private=not session.solo,
        )

    def _ask_confirm(self, session: Session, st: CruxState) -> Prompt | None:
        rnd = st.round
        number = len(st.rounds)
        for index, cand in enumerate(rnd.candidates or []):
            votes = rnd.votes.get(str(index), {})
            if len(votes) < 2:
                return self._each(
                    session,
                    CruxStep.CONFIRM.key(number, index),
                    votes,
                    f"Candidate double crux {index + 1}:\n"
                    f"- {session.name('a')}: {cand.a}\n- {session.name('b')}: {cand.b}\n"
                    "Is this one claim that is a crux for both of you (you would settle it "
                    "in opposite directions)?",
                    choices=(Choice("yes", "Yes, shared crux"), Choice("no", "No")),
                    free_text=False,
                )
        return None

    def _ask_propose(self, session: Session, st: CruxState) -> Prompt | None:
        rnd = st.round
        number = len(st.rounds)
        if not rnd.double and rnd.proposed is None:
            return self._anyone(
                session,
                CruxStep.PROPOSE.key(number),
                "No shared crux yet. Look at both lists: write one claim that would move "
                "both of you if it were settled, or say `none` to go straight to a test "
                "of the main claim.",
                choices=(Choice("none", "None"),),
            )
        proposed = rnd.proposed
        if proposed and proposed.votes is not None and len(proposed.votes) < 2:
            return self._each(
                session,
                CruxStep.AGREE.key(number),
                proposed.votes,
                f"Proposed double crux:\n> {proposed.text}\nDo you think it is true or "
                "false? And if it turned out the other way, would your mind change? A double "
                "crux is one that one of you holds and the other denies.",
                choices=STANCES,
                free_text=False,
            )
        return None

    def _ask_resonance(self, session: Session, st: CruxState) -> Prompt | None:
        rnd = st.round
        number = len(st.rounds)
        for index, crux in enumerate(rnd.double):
            answers = rnd.resonance.get(str(index), {})
            if len(answers) < 2:
                return self._each(
                    session,
                    CruxStep.RESONATE.key(number, index),
                    answers,
                    f"Resonance check:\n> {crux}\nIf this turned out false, would you "
                    "really change your mind about the main question?",
                    choices=(
                        Choice("yes", "Yes"),
                        Choice("somewhat", "Somewhat"),
                        Choice("no", "No (pseudo-crux)"),
                    ),
                    free_text=False,
                )
        return None

    def _ask_next(self, session: Session, st: CruxState) -> Prompt | None:
        rnd = st.round
        number = len(st.rounds)
        found = rnd.kept()
        if not found or rnd.next is not None:
            return None
        choices: tuple[Choice, ...] = (Choice("settle", "Settle it with a test"),)
        if number < session.settings.max_crux_rounds:
            choices = (Choice("recurse", "Dig for an easier-to-test crux"), *choices)
        return self._anyone(
            session,
            CruxStep.NEXT.key(number),
            "Double crux: **" + "**; **".join(found) + "**.\n\nDig underneath for an "
            "easier-to-test crux, or settle this one with a test?",
            choices=choices,
            free_text=False,
        )

    def _ask_test(self, session: Session, st: CruxState) -> Prompt | None:
        test = st.test
        if test.kind is None:
            return self._anyone(
                session,
                CruxStep.TEST_KIND.key(),
                "How could this be settled? Pick the kind of test.",
                choices=TEST_KINDS,
                free_text=False,
            )
        if test.detail is None:
            return self._anyone(
                session,
                CruxStep.TEST_DETAIL.key(),
                f"Describe the {test.kind} precisely: what you would do or read, and what "
                "result would favour which side.",
                long=True,
            )
        if test.date is None:
            return self._anyone(
                session,
                CruxStep.TEST_DATE.key(),
                "By when will you know? (e.g. 'in 2 weeks', 'friday', 2026-03-01)",
            )
        return None

    def _ask_agreement(self, session: Session, st: CruxState) -> Prompt | None:
        """Two people both accept the test, then both decide on sharing (not solo)."""
        test = st.test
        if session.solo:
            return None
        if len(st.test_ok) < 2:
            return self._each(
                session,
                CruxStep.TEST_OK.key(),
                st.test_ok,
                f"Agreed test: **{test.kind}**: {test.detail} (by {(test.date or '')[:10]}). "
                "Do you both accept it?",
                choices=(Choice("yes", "I accept"), Choice("no", "Change it")),
                free_text=False,
            )
        if len(st.share) < 2:
            return self._each(
                session,
                CruxStep.SHARE.key(),
                st.share,
                "Post the summary in the channel too? (Only if you both say yes.)",
                choices=(Choice("yes", "Yes"), Choice("no", "No, keep it here")),
                free_text=False,
            )
        return None

    # -- answers: one handler per step (see bot.dialogues.crux_answers) ----------

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        key = StepKey.parse(prompt.key)
        if key is None:
            return []
        st = CruxState.load(session.state)
        notes = await HANDLERS[key.step](session, st, key, seat, text.strip())
        st.store_into(session.state)
        return notes

    # -- summary -----------------------------------------------------------------

    def summary(self, session: Session) -> Summary:
        return summary(session)
