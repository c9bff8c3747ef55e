"""Double crux between two people, or between two sides of one person (solo mode).

The order follows the handbook: invitation, ground rules, positions and confidence,
operationalisation (taboo vague or loaded words and restate), cruxes written
independently and revealed together, candidate shared cruxes lined up by similarity of
meaning, confirmation and a resonance check, then recurse or settle with a test.
Every step is derived from ``state``, so the engine can resume anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.dialogues.model import (
    Choice,
    DialogueKind,
    FollowUp,
    InvalidAnswer,
    Note,
    Prompt,
    Session,
    Summary,
)
from bot.dialogues.parsing import mentions_word, parse_confidence, parse_date, parse_items
from bot.wording import possessive, verb

#: Words that tend to carry a disagreement without saying anything checkable.
VAGUE_TERMS: tuple[str, ...] = (
    "always",
    "never",
    "everyone",
    "nobody",
    "obviously",
    "clearly",
    "should",
    "good",
    "bad",
    "better",
    "best",
    "worse",
    "fair",
    "unfair",
    "natural",
    "normal",
    "real",
    "free",
    "deserve",
    "merit",
    "toxic",
    "harmful",
    "safe",
    "dangerous",
    "effective",
    "efficient",
    "success",
    "successful",
    "quality",
    "lazy",
    "smart",
    "significant",
    "a lot",
    "most",
    "works",
    "selects for",
    "meaningful",
    "important",
)
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
#: Cosine similarity (MiniLM, the shipped embeddings) from which two cruxes are lined up
#: as a candidate shared crux. Cruxes of one disagreement share a topic, so related
#: ones score modestly ("regulars would keep coming if it were hands-on" against
#: "attendance drops from 6 to 3" is about 0.28): the bar is low, and a pair must also
#: be each other's closest match. People confirm or reject every candidate.
CANDIDATE_THRESHOLD = 0.25
#: The same for word overlap, when the embedding model can't be reached.
LEXICAL_THRESHOLD = 0.2
#: Two scores this close count as a tie for "closest match".
TIE = 0.01
MAX_CANDIDATES = 3
#: How each side stands on a proposed double crux.
STANCES = (
    Choice("holds", "I think it's true"),
    Choice("denies", "I think it's false"),
    Choice("no", "Not a crux for me"),
)
#: Answers that are a menu choice, never a statement of a position.
MENU_ANSWER = re.compile(r"\s*(\d{1,3}|none|-)\s*[.)]?\s*", re.IGNORECASE)
SEATS = ("a", "b")


def new_state(claim: str, *, invited: bool) -> dict[str, Any]:
    return {
        "claim": claim.strip(),
        "accepted": not invited,
        "declined": False,
        "rules": {},
        "positions": {},
        "confidence": {},
        "taboo_done": False,
        "taboo": [],
        "restated": {},
        "rounds": [_new_round(claim.strip())],
        "test": {},
        "test_ok": {},
        "share": {},
    }


def _new_round(claim: str) -> dict[str, Any]:
    return {
        "claim": claim,
        "cruxes": {},
        "candidates": None,
        "votes": {},
        "proposed": None,
        "double": [],
        "resonance": {},
        "next": None,
    }


def vague_terms(text: str, extra: Sequence[str] = ()) -> list[str]:
    """The built-in vague or loaded words found in ``text``, plus every word the pair added."""
    found = [term for term in VAGUE_TERMS if mentions_word(text, term)]
    return list(dict.fromkeys([*found, *(w for w in extra if w)]))


def lexical_similarity(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
    """Word-overlap similarity, used when the embedding model can't be reached."""

    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 3}

    out: list[list[float]] = []
    for a in left:
        row = []
        for b in right:
            wa, wb = words(a), words(b)
            row.append(len(wa & wb) / len(wa | wb) if wa and wb else 0.0)
        out.append(row)
    return out


def pair_candidates(scores: list[list[float]], threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one pairs of cruxes, most similar first, from ``threshold`` up, each the
    other's closest match (within a tie)."""
    if not scores or not scores[0]:
        return []
    row_best = [max(row) for row in scores]
    col_best = [max(row[j] for row in scores) for j in range(len(scores[0]))]
    pairs = sorted(
        ((score, i, j) for i, row in enumerate(scores) for j, score in enumerate(row)),
        reverse=True,
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    chosen: list[tuple[int, int, float]] = []
    for score, i, j in pairs:
        if score < threshold or len(chosen) >= MAX_CANDIDATES:
            break
        if i in used_i or j in used_j:
            continue
        if score < row_best[i] - TIE or score < col_best[j] - TIE:
            continue
        used_i.add(i)
        used_j.add(j)
        chosen.append((i, j, round(float(score), 3)))
    return chosen


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

    @staticmethod
    def _round(state: dict[str, Any]) -> dict[str, Any]:
        rounds: list[dict[str, Any]] = state["rounds"]
        return rounds[-1]

    # -- questions ---------------------------------------------------------------

    def prompt(self, session: Session) -> Prompt | None:
        st = session.state
        if st["declined"]:
            return None
        if not st["accepted"]:
            return Prompt(
                "invite",
                f"**{session.name('a')}** {verb(session.name('a'), 'invites')} "
                f"**{session.name('b')}** to a double crux "
                f"on:\n> {st['claim']}\n\n{RULES}\n\n{session.name('b')}, do you accept?",
                ("b",),
                choices=(Choice("accept", "Accept"), Choice("decline", "Decline")),
                free_text=False,
            )
        if session.solo:
            if "a" not in st["rules"]:
                return Prompt(
                    "rules",
                    f"Internal double crux between **{session.name('a')}** and "
                    f"**{session.name('b')}** on:\n> {st['claim']}\n\nGround rules: both "
                    "sides are trying to help you; each gets heard, and each finds something "
                    "true in the other. Ready?",
                    ("a",),
                    choices=(Choice("agree", "Ready"),),
                    free_text=False,
                )
        elif len(st["rules"]) < 2:
            return self._each(
                session,
                "rules",
                st["rules"],
                f"{RULES}\n\nBoth of you, please accept to continue.",
                choices=(Choice("agree", "I agree"),),
                free_text=False,
            )
        if len(st["positions"]) < 2:
            return self._each(
                session,
                "position",
                st["positions"],
                f"On *{st['claim']}*: what is your position, in a sentence or two?",
                long=True,
            )
        if len(st["confidence"]) < 2:
            return self._each(
                session,
                "confidence",
                st["confidence"],
                f"How confident are you that *{st['claim']}* is true? 0 to 100.",
            )
        if not st["taboo_done"]:
            found = vague_terms(" ".join([st["claim"], *st["positions"].values()]))
            listed = ", ".join(f"'{w}'" for w in found) if found else "none from my list"
            return self._anyone(
                session,
                "taboo",
                "**Operationalise.** Words that are vague or loaded carry a disagreement "
                f"without saying anything checkable. I spotted: {listed}.\n\nAdd any other "
                "words either of you wants tabooed (comma-separated), or say `none`.",
                choices=(Choice("none", "No more words"),),
            )
        if st["taboo"] and len(st["restated"]) < 2:
            words = ", ".join(f"'{w}'" for w in st["taboo"])
            return self._each(
                session,
                "restate",
                st["restated"],
                f"Restate your position without {words}: say what you would expect to "
                "see in the world if you are right.",
                long=True,
            )
        rnd = self._round(st)
        number = len(st["rounds"])
        if len(rnd["cruxes"]) < 2:
            return self._each(
                session,
                f"cruxes{number}",
                rnd["cruxes"],
                f"List your cruxes for *{rnd['claim']}*: claims which, if you found out "
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
        for index, cand in enumerate(rnd["candidates"] or []):
            votes = rnd["votes"].get(str(index), {})
            if len(votes) < 2:
                return self._each(
                    session,
                    f"confirm{number}.{index}",
                    votes,
                    f"Candidate double crux {index + 1}:\n"
                    f"- {session.name('a')}: {cand['a']}\n- {session.name('b')}: {cand['b']}\n"
                    "Is this one claim that is a crux for both of you (you would settle it "
                    "in opposite directions)?",
                    choices=(Choice("yes", "Yes, shared crux"), Choice("no", "No")),
                    free_text=False,
                )
        if not rnd["double"] and rnd["proposed"] is None:
            return self._anyone(
                session,
                f"propose{number}",
                "No shared crux yet. Look at both lists: write one claim that would move "
                "both of you if it were settled, or say `none` to go straight to a test "
                "of the main claim.",
                choices=(Choice("none", "None"),),
            )
        proposed = rnd["proposed"]
        if proposed and proposed.get("votes") is not None and len(proposed["votes"]) < 2:
            return self._each(
                session,
                f"agree{number}",
                proposed["votes"],
                f"Proposed double crux:\n> {proposed['text']}\nDo you think it is true or "
                "false? And if it turned out the other way, would your mind change? A double "
                "crux is one that one of you holds and the other denies.",
                choices=STANCES,
                free_text=False,
            )
        for index, crux in enumerate(rnd["double"]):
            answers = rnd["resonance"].get(str(index), {})
            if len(answers) < 2:
                return self._each(
                    session,
                    f"resonate{number}.{index}",
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
        kept = self.kept(rnd)
        if kept and rnd["next"] is None:
            can_recurse = number < session.settings.max_crux_rounds
            choices: tuple[Choice, ...] = (Choice("settle", "Settle it with a test"),)
            if can_recurse:
                choices = (Choice("recurse", "Dig for an easier-to-test crux"), *choices)
            return self._anyone(
                session,
                f"next{number}",
                "Double crux: **" + "**; **".join(kept) + "**.\n\nDig underneath for an "
                "easier-to-test crux, or settle this one with a test?",
                choices=choices,
                free_text=False,
            )
        test = st["test"]
        if "kind" not in test:
            return self._anyone(
                session,
                "test_kind",
                "How could this be settled? Pick the kind of test.",
                choices=TEST_KINDS,
                free_text=False,
            )
        if "detail" not in test:
            return self._anyone(
                session,
                "test_detail",
                f"Describe the {test['kind']} precisely: what you would do or read, and what "
                "result would favour which side.",
                long=True,
            )
        if "date" not in test:
            return self._anyone(
                session,
                "test_date",
                "By when will you know? (e.g. 'in 2 weeks', 'friday', 2026-03-01)",
            )
        if not session.solo and len(st["test_ok"]) < 2:
            return self._each(
                session,
                "test_ok",
                st["test_ok"],
                f"Agreed test: **{test['kind']}**: {test['detail']} (by {test['date'][:10]}). "
                "Do you both accept it?",
                choices=(Choice("yes", "I accept"), Choice("no", "Change it")),
                free_text=False,
            )
        if not session.solo and len(st["share"]) < 2:
            return self._each(
                session,
                "share",
                st["share"],
                "Post the summary in the channel too? (Only if you both say yes.)",
                choices=(Choice("yes", "Yes"), Choice("no", "No, keep it here")),
                free_text=False,
            )
        return None

    @staticmethod
    def kept(rnd: dict[str, Any]) -> list[str]:
        """Double cruxes that survived the resonance check."""
        out = []
        for index, crux in enumerate(rnd["double"]):
            answers = rnd["resonance"].get(str(index), {})
            if answers and "no" not in answers.values():
                out.append(crux)
        return out

    # -- answers -----------------------------------------------------------------

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        st = session.state
        step = re.sub(r"[\d.]+$", "", prompt.key.split(":")[0])
        rnd = self._round(st)
        value = text.strip()
        if step == "invite":
            if value == "decline":
                st["declined"] = True
                return [Note(f"{session.name('b')} declined the invitation.")]
            st["accepted"] = True
            return [Note(f"{session.name('b')} accepted.")]
        if step == "rules":
            st["rules"][seat] = True
        elif step == "position":
            st["positions"][seat] = _statement(value, "your position")
        elif step == "confidence":
            st["confidence"][seat] = parse_confidence(value)
        elif step == "taboo":
            added = (
                []
                if value.lower() in ("none", "no", "-")
                else [w.strip().lower() for w in re.split(r"[,;\n]", value) if w.strip()]
            )
            st["taboo"] = vague_terms(" ".join([st["claim"], *st["positions"].values()]), added)
            st["taboo_done"] = True
            if not st["taboo"]:
                return [Note("No words to taboo; on to cruxes.")]
            if not session.solo:
                who = session.name(seat)
                words = ", ".join(f"'{w}'" for w in st["taboo"])
                return [
                    Note(
                        f"{who} settled the list of tabooed words: {words}. Next, each of "
                        "you restates their position without them."
                    )
                ]
        elif step == "restate":
            used = [w for w in st["taboo"] if mentions_word(value, w)]
            if used:
                raise InvalidAnswer(
                    "Your restatement still uses " + ", ".join(f"'{w}'" for w in used) + "; "
                    "say what you mean without it."
                )
            st["restated"][seat] = _statement(value, "your restated position")
        elif step == "cruxes":
            rnd["cruxes"][seat] = parse_items(value)
            if len(rnd["cruxes"]) < 2:
                if session.solo:
                    return []
                who = session.name(seat)
                mine = "your" if who.lower() == "you" else "their"
                return [Note(f"{who} {verb(who, 'has', 'have')} submitted {mine} cruxes (hidden).")]
            return [await self._reveal(session, rnd)]
        elif step == "confirm":
            index = prompt.key.split(":")[0].rsplit(".", 1)[1]
            rnd["votes"].setdefault(index, {})[seat] = value
            votes = rnd["votes"][index]
            if len(votes) == 2 and all(v == "yes" for v in votes.values()):
                cand = rnd["candidates"][int(index)]
                rnd["double"].append(cand["a"])
                # Each listed their own crux: the first side holds the claim, the other's
                # opposite crux denies it.
                rnd.setdefault("stances", {})[cand["a"]] = {"holds": "a", "denies": "b"}
                return [
                    Note(
                        f"Double crux confirmed: **{cand['a']}** "
                        f"({_stance_text(session, {'holds': 'a', 'denies': 'b'})})"
                    )
                ]
        elif step == "propose":
            if value.lower() in ("none", "-"):
                rnd["proposed"] = {"text": None, "votes": None}
            else:
                rnd["proposed"] = {"text": value, "votes": {}}
        elif step == "agree":
            proposed = rnd["proposed"]
            proposed["votes"][seat] = value
            if len(proposed["votes"]) == 2:
                return [self._settle_proposal(session, rnd, proposed)]
        elif step == "resonate":
            index = prompt.key.split(":")[0].rsplit(".", 1)[1]
            rnd["resonance"].setdefault(index, {})[seat] = value
            answers = rnd["resonance"][index]
            if len(answers) == 2 and "no" in answers.values():
                return [Note(f"Dropped as a pseudo-crux: {rnd['double'][int(index)]}")]
        elif step == "next":
            rnd["next"] = value
            if value == "recurse":
                st["rounds"].append(_new_round(self.kept(rnd)[0]))
                return [Note(f"Round {len(st['rounds'])}: cruxes underneath the double crux.")]
        elif step == "test_kind":
            st["test"] = {"kind": value}
        elif step == "test_detail":
            st["test"]["detail"] = value
        elif step == "test_date":
            st["test"]["date"] = parse_date(value, session.now).isoformat()
        elif step == "test_ok":
            st["test_ok"][seat] = value
            if len(st["test_ok"]) == 2 and "no" in st["test_ok"].values():
                st["test"] = {}
                st["test_ok"] = {}
                return [Note("Let's find a test you both accept.")]
        elif step == "share":
            st["share"][seat] = value
        return []

    @staticmethod
    def _settle_proposal(session: Session, rnd: dict[str, Any], proposed: dict[str, Any]) -> Note:
        """Both stances are in: a double crux when one side holds it and the other denies
        it, and both would change their minds; recorded with who stands where."""
        votes: dict[str, str] = proposed["votes"]
        text = proposed["text"]
        holders = [s for s in SEATS if votes.get(s) == "holds"]
        deniers = [s for s in SEATS if votes.get(s) == "denies"]
        proposed["stances"] = {"holds": holders, "denies": deniers}
        if len(holders) == 1 and len(deniers) == 1:
            stance = {"holds": holders[0], "denies": deniers[0]}
            rnd["double"].append(text)
            rnd.setdefault("stances", {})[text] = stance
            return Note(f"Double crux confirmed: **{text}** ({_stance_text(session, stance)})")
        rnd["proposed"] = {"text": None, "votes": None}
        if "no" in votes.values():
            return Note("Not a crux for both of you; let's settle the main claim instead.")
        agreed = "true" if holders else "false"
        return Note(
            f"You both think it is {agreed}, so it is not where you disagree; "
            "let's settle the main claim instead."
        )

    async def _reveal(self, session: Session, rnd: dict[str, Any]) -> Note:
        left, right = rnd["cruxes"]["a"], rnd["cruxes"]["b"]
        scores: list[list[float]] | None = None
        if session.similarity is not None:
            try:
                scores = await session.similarity(left, right)
            except Exception:  # the model file missing must not stop the dialogue
                scores = None
        threshold = CANDIDATE_THRESHOLD
        if scores is None:
            scores = lexical_similarity(left, right)
            threshold = LEXICAL_THRESHOLD
        rnd["candidates"] = [
            {"a": left[i], "b": right[j], "score": score}
            for i, j, score in pair_candidates(scores, threshold)
        ]
        lines = ["**Both have submitted. Cruxes, side by side:**"]
        for seat, items in (("a", left), ("b", right)):
            lines.append(f"__{session.name(seat)}__")
            lines += [f"{n}. {item}" for n, item in enumerate(items, 1)]
        if rnd["candidates"]:
            lines.append("**Candidate shared cruxes** (similar in meaning):")
            lines += [
                f"- {c['a']} ⟷ {c['b']} (similarity {c['score']:.2f})" for c in rnd["candidates"]
            ]
        else:
            lines.append("No pair of cruxes looks alike; you can propose one.")
        return Note("\n".join(lines), {"reveal": True})

    # -- summary -----------------------------------------------------------------

    def summary(self, session: Session) -> Summary:
        st = session.state
        if st["declined"]:
            return Summary(title="Double crux declined", text="The invitation was declined.")
        names = {s: session.name(s) for s in SEATS}
        lines = [f"**Claim:** {st['claim']}", "", "**Positions**"]
        for seat in SEATS:
            conf = st["confidence"].get(seat)
            lines.append(f"- {names[seat]} ({conf}%): {st['positions'].get(seat, '')}")
            if seat in st["restated"]:
                lines.append(f"  restated: {st['restated'][seat]}")
        lines.append("**Tabooed terms:** " + (", ".join(st["taboo"]) if st["taboo"] else "none"))
        doubles: list[str] = []
        for number, rnd in enumerate(st["rounds"], 1):
            lines += ["", f"**Round {number}: {rnd['claim']}**"]
            for seat in SEATS:
                items = rnd["cruxes"].get(seat, [])
                lines.append(
                    f"{possessive(names[seat]).capitalize()} cruxes: " + ("; ".join(items) or "—")
                )
            kept = self.kept(rnd)
            doubles += kept
            lines.append("Double crux: " + ("; ".join(kept) if kept else "none found"))
            for crux in kept:
                stance = rnd.get("stances", {}).get(crux)
                if stance:
                    lines.append(f"  {_stance_text(session, stance)}")
        test = st["test"]
        if test:
            lines += [
                "",
                f"**Agreed test ({test.get('kind')}):** {test.get('detail')}",
                f"**Settled by:** {test.get('date', '')[:10]}",
            ]
        share = not session.solo and all(st["share"].get(s) == "yes" for s in SEATS)
        followups: tuple[FollowUp, ...] = ()
        if test.get("date"):
            due = datetime.fromisoformat(test["date"])
            users = sorted({s.user_id for s in session.seats.values()})
            followups = tuple(
                FollowUp(
                    uid,
                    due,
                    f"Today is the date you set to settle your double crux on "
                    f"**{st['claim']}**: {test.get('detail')}. What did you find?",
                    f"dlg:{session.id}:followup:{uid}",
                )
                for uid in users
            )
        return Summary(
            title=f"Double crux: {st['claim']}",
            text="\n".join(lines),
            image="crux_map",
            image_data={
                "claim": st["claim"],
                "names": names,
                "positions": st["positions"],
                "confidence": st["confidence"],
                "rounds": [
                    {"claim": r["claim"], "cruxes": r["cruxes"], "double": self.kept(r)}
                    for r in st["rounds"]
                ],
                "test": test,
                "doubles": doubles,
            },
            followups=followups,
            share_in_channel=share,
        )


def _statement(value: str, what: str) -> str:
    """A position in words; a bare menu choice ("1", "none") typed at the wrong moment
    is refused rather than stored as someone's position."""
    if MENU_ANSWER.fullmatch(value):
        raise InvalidAnswer(
            f"'{value.strip()}' looks like a menu choice, not {what}: write it in a sentence."
        )
    return value


def _stance_text(session: Session, stance: dict[str, str]) -> str:
    """ "alice holds it, bob denies it" (a solo crux names its two sides)."""
    holds, denies = session.name(stance["holds"]), session.name(stance["denies"])
    return f"{holds} {verb(holds, 'holds')} it, {denies} {verb(denies, 'denies', 'deny')} it"
