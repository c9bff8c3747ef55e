""" "Very specifically, why is this impossible?" as a protocol.

The obstacle tree lives in :class:`~bot.dialogues.impossible_state.ImpossibleState`'s
``nodes``, keyed by path ids ("1", "1.2", "1.2.1"). Questions are derived from the tree:
drill each reason depth-first until the owner says it is concrete or the depth limit is
reached, then label every obstacle (the concrete ones, then each reason above them),
then ask for a five-minute first step (or a neighbouring goal), a prediction and a
follow-up date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dialogues.impossible_state import (
    ImpossibleState,
    ImpossibleStep,
    label_of,
    label_order,
    leaves,
    order,
)
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
from bot.dialogues.parsing import confidence_in, parse_confidence, parse_date, parse_items
from bot.wording import plural

LABELS: dict[str, str] = {
    "impossible": "actually impossible",
    "hard": "very hard",
    "inconvenient": "merely inconvenient",
}
CONCRETE_WORDS = ("concrete", "done", "that's it", "thats it", "stop", "leaf")
FOLLOW_UP_CHOICES = (
    Choice("tomorrow", "Tomorrow"),
    Choice("3 days", "In 3 days"),
    Choice("1 week", "In a week"),
    Choice("2 weeks", "In 2 weeks"),
)


def new_state(goal: str | None, max_depth: int) -> dict[str, Any]:
    """The stored state a new dialogue starts from (see :class:`ImpossibleState`)."""
    return ImpossibleState.new(goal, max_depth).dump()


#: The one seat of this solo dialogue.
OWNER = ("a",)


class ImpossibleProtocol:
    kind = DialogueKind.IMPOSSIBLE.value
    note_id = "why-is-this-impossible"

    def prompt(self, session: Session) -> Prompt | None:
        """The first open phase's question: the goal, the tree, the steps, the check-in."""
        st = ImpossibleState.load(session.state)
        phases = (
            self._ask_goal,
            self._ask_why,
            self._ask_label,
            self._ask_action,
            self._ask_prediction,
        )
        for phase in phases:
            asked = phase(st)
            if asked is not None:
                return asked
        return None

    @staticmethod
    def _ask_goal(st: ImpossibleState) -> Prompt | None:
        """The goal, how likely it feels, and the first reasons it is impossible."""
        if not st.goal:
            return Prompt(
                ImpossibleStep.GOAL.key(),
                "What's the goal that feels impossible? One sentence.",
                OWNER,
            )
        if st.confidence is None:
            return Prompt(
                ImpossibleStep.CONFIDENCE.key(),
                f"Your goal: **{st.goal}**\n\nHow likely do you think it is that you "
                "achieve it, as things stand? A number from 0 to 100.",
                OWNER,
                hint="e.g. 20%",
            )
        if not st.roots:
            return Prompt(
                ImpossibleStep.REASONS.key(),
                "List every reason this is impossible. Several reasons: one per line (or "
                "separated by ';' on one line). Don't filter: the vague ones and the "
                "embarrassing ones too.",
                OWNER,
                long=True,
                multi=True,
            )
        return None

    @staticmethod
    def _ask_why(st: ImpossibleState) -> Prompt | None:
        """Take the next obstacle not yet taken apart one level down."""
        for nid in order(st):
            node = st.nodes[nid]
            if not node.expanded:
                return Prompt(
                    ImpossibleStep.WHY.key(nid),
                    f"**{nid}. {node.text}**\n\nVery specifically, why is *that* "
                    "impossible? List the concrete obstacles underneath, one per line (or "
                    "separated by ';'). If it is already concrete enough to act on, say "
                    "`concrete`.",
                    OWNER,
                    choices=(Choice("concrete", "It's concrete"),),
                    long=True,
                    multi=True,
                )
        return None

    @staticmethod
    def _ask_label(st: ImpossibleState) -> Prompt | None:
        """Sort each obstacle, children first: impossible, very hard or inconvenient."""
        for nid in label_order(st):
            node = st.nodes[nid]
            if node.label is None:
                under = ""
                if node.children:
                    listed = "; ".join(
                        f"{child} {LABELS[str(st.nodes[child].label)]}" for child in node.children
                    )
                    under = f"Under it: {listed}. Now that you've looked underneath: "
                return Prompt(
                    ImpossibleStep.LABEL.key(nid),
                    f"**{nid}. {node.text}**\n\n{under or 'Look at it for a few seconds. '}"
                    "Is this actually impossible, very hard, or merely inconvenient?",
                    OWNER,
                    choices=tuple(Choice(k, v.capitalize()) for k, v in LABELS.items()),
                    free_text=False,
                )
        return None

    @staticmethod
    def _ask_action(st: ImpossibleState) -> Prompt | None:
        """A first step for each leaf obstacle (a neighbouring goal for a hard constraint)."""
        for nid in leaves(st):
            node = st.nodes[nid]
            if node.action is None:
                if node.label == "impossible":
                    text = (
                        f"**{nid}. {node.text}** is a hard constraint. What achievable "
                        "neighbouring goal would get you most of what you wanted?"
                    )
                else:
                    text = (
                        f"**{nid}. {node.text}** ({LABELS[str(node.label)]}). What makes it "
                        "hard, and what is a concrete first step of five minutes or less?"
                    )
                return Prompt(ImpossibleStep.ACTION.key(nid), text, OWNER)
        return None

    @staticmethod
    def _ask_prediction(st: ImpossibleState) -> Prompt | None:
        """A prediction to check later, and when to check in."""
        if st.prediction is None:
            return Prompt(
                ImpossibleStep.PREDICTION.key(),
                "Make a prediction: if you take these first steps, what do you expect "
                f"to happen, and how likely is the goal now (0-100)? You said "
                f"{st.confidence}% at the start.",
                OWNER,
                hint="e.g. I'll get one evening a week back; 45%",
            )
        if st.followup_at is None:
            return Prompt(
                ImpossibleStep.FOLLOWUP.key(),
                "When should I check in with you to ask what happened? Pick one or type "
                "a date (e.g. 'friday', 'in 10 days', 2026-03-01).",
                OWNER,
                choices=FOLLOW_UP_CHOICES,
            )
        return None

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        """Record the answer in the typed state, then store it back in the same shape."""
        parsed = ImpossibleStep.parse(prompt.key)
        if parsed is None:
            return []
        st = ImpossibleState.load(session.state)
        notes = self._record(st, *parsed, text, session)
        st.store_into(session.state)
        return notes

    @staticmethod
    def _record(
        st: ImpossibleState, step: ImpossibleStep, nid: str, text: str, session: Session
    ) -> list[Note]:
        """Change ``st`` for one answer; raises InvalidAnswer before changing anything."""
        if step is ImpossibleStep.GOAL:
            st.goal = text.strip()[:500]
        elif step is ImpossibleStep.CONFIDENCE:
            st.confidence = parse_confidence(text)
        elif step is ImpossibleStep.REASONS:
            st.add_children(None, parse_items(text))
            return [Note(f"{plural(len(st.roots), 'reason')} noted. Now, one at a time.")]
        elif step is ImpossibleStep.WHY:
            st.nodes[nid].expanded = True
            if text.strip().lower().rstrip(".!") not in CONCRETE_WORDS:
                st.add_children(nid, parse_items(text))
        elif step is ImpossibleStep.LABEL:
            value = text.strip().lower()
            if value not in LABELS:
                raise InvalidAnswer("Choose impossible, hard or inconvenient.")
            st.nodes[nid].label = value
        elif step is ImpossibleStep.ACTION:
            st.nodes[nid].action = text.strip()
        elif step is ImpossibleStep.PREDICTION:
            final = confidence_in(text)
            if final is None:
                raise InvalidAnswer(
                    "Add how likely the goal is now, as a number from 0 to 100, e.g. "
                    "'I'll get one evening a week back; 45%'."
                )
            st.prediction = text.strip()
            st.final_confidence = final
        elif step is ImpossibleStep.FOLLOWUP:
            st.followup_at = parse_date(text, session.now).isoformat()
        return []

    def summary(self, session: Session) -> Summary:
        """The tree with its labels and first steps, and the follow-up that asks how
        the prediction went."""
        st = ImpossibleState.load(session.state)
        final = st.final_confidence
        if st.followup_at is None:
            raise ValueError("a summary needs the follow-up date, asked last")
        followup = datetime.fromisoformat(st.followup_at)
        lines = [
            f"**Goal:** {st.goal}",
            f"**Confidence at the start:** {st.confidence}%"
            + (f" · **now:** {final}%" if final is not None else ""),
            "",
            "**Obstacles**",
            *self._tree_lines(st),
            "",
            f"**Prediction:** {st.prediction}",
            f"**Follow-up:** {followup:%A %d %B %Y}",
        ]
        owner = session.seats["a"]
        actions = [
            str(st.nodes[n].action)
            for n in leaves(st)
            if st.nodes[n].label != "impossible" and st.nodes[n].action
        ]
        reminder = (
            f"A while ago you worked on **{st.goal}** with me. You predicted: "
            f"{st.prediction}\n"
            + (f"Your first steps were: {'; '.join(actions)}\n" if actions else "")
            + "What happened? (Run /impossible again to redo the tree with what you know now.)"
        )
        return Summary(
            title=f"Why is this impossible? {st.goal}",
            text="\n".join(lines),
            image="obstacle_tree",
            image_data={
                "goal": st.goal,
                "nodes": {
                    nid: {**node.dump(), "label": label_of(st, nid)}
                    for nid, node in st.nodes.items()
                },
                "roots": st.roots,
                "confidence": st.confidence,
                "final_confidence": final,
            },
            followups=(FollowUp(owner.user_id, followup, reminder, f"dlg:{session.id}:followup"),),
        )

    @staticmethod
    def _tree_lines(st: ImpossibleState) -> list[str]:
        """One line per obstacle, indented by depth, with its label and first step."""
        lines = []
        for nid in order(st):
            node = st.nodes[nid]
            indent = "  " * (node.depth - 1)
            line = f"{indent}- {nid}. {node.text}"
            label = label_of(st, nid)
            if node.children and label:
                line += f" — *{LABELS[label]}*"
                if node.label is None:
                    line += " (its hardest obstacle)"
            if not node.children and node.label:
                line += f" — *{LABELS[node.label]}*"
                if node.action:
                    what = "neighbouring goal" if node.label == "impossible" else "next action"
                    line += f"\n{indent}  → {what}: {node.action}"
            lines.append(line)
        return lines
