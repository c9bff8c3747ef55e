""" "Very specifically, why is this impossible?" as a protocol.

The obstacle tree lives in ``state["nodes"]`` keyed by path ids ("1", "1.2", "1.2.1").
Questions are derived from the tree: drill each reason depth-first until the owner
says it is concrete or the depth limit is reached, then label every obstacle (the
concrete ones, then each reason above them), then ask for
a five-minute first step (or a neighbouring goal), a prediction and a follow-up date.
"""

from __future__ import annotations

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
from bot.dialogues.parsing import confidence_in, parse_confidence, parse_date, parse_items
from bot.wording import plural

LABELS: dict[str, str] = {
    "impossible": "actually impossible",
    "hard": "very hard",
    "inconvenient": "merely inconvenient",
}
#: From hardest to easiest: a reason is as hard as the hardest obstacle under it (it
#: stands until every one of them is dealt with).
HARDEST_FIRST = ("impossible", "hard", "inconvenient")
CONCRETE_WORDS = ("concrete", "done", "that's it", "thats it", "stop", "leaf")
FOLLOW_UP_CHOICES = (
    Choice("tomorrow", "Tomorrow"),
    Choice("3 days", "In 3 days"),
    Choice("1 week", "In a week"),
    Choice("2 weeks", "In 2 weeks"),
)


def new_state(goal: str | None, max_depth: int) -> dict[str, Any]:
    return {
        "goal": goal.strip() if goal else None,
        "confidence": None,
        "roots": [],
        "nodes": {},
        "prediction": None,
        "final_confidence": None,
        "followup_at": None,
        "max_depth": max_depth,
    }


def _order(state: dict[str, Any]) -> list[str]:
    """Node ids depth-first, in the order the owner wrote them."""
    out: list[str] = []

    def walk(ids: list[str]) -> None:
        for nid in ids:
            out.append(nid)
            walk(state["nodes"][nid]["children"])

    walk(state["roots"])
    return out


def leaves(state: dict[str, Any]) -> list[str]:
    return [nid for nid in _order(state) if not state["nodes"][nid]["children"]]


def hardest_under(state: dict[str, Any], nid: str) -> str | None:
    """The hardest label among the obstacles under ``nid`` (None until all have one)."""
    under = [label_of(state, child) for child in state["nodes"][nid]["children"]]
    if not under or any(found is None for found in under):
        return None
    return next(level for level in HARDEST_FIRST if level in under)


def label_of(state: dict[str, Any], nid: str) -> str | None:
    """An obstacle's label: the owner's own (every obstacle is asked about); for a
    reason labelled before that question existed, the hardest of those under it."""
    node = state["nodes"][nid]
    if node["label"] is not None or not node["children"]:
        label: str | None = node["label"]
        return label
    return hardest_under(state, nid)


def _label_order(state: dict[str, Any]) -> list[str]:
    """Every obstacle: the concrete ones first, then each reason above them, deepest
    first, so a reason is labelled after everything under it."""
    inner = [nid for nid in _order(state) if state["nodes"][nid]["children"]]
    return leaves(state) + sorted(inner, key=lambda nid: -state["nodes"][nid]["depth"])


def _add_children(state: dict[str, Any], parent: str | None, texts: list[str]) -> None:
    siblings = state["roots"] if parent is None else state["nodes"][parent]["children"]
    depth = 1 if parent is None else state["nodes"][parent]["depth"] + 1
    for text in texts:
        nid = f"{len(siblings) + 1}" if parent is None else f"{parent}.{len(siblings) + 1}"
        state["nodes"][nid] = {
            "text": text,
            "depth": depth,
            "children": [],
            "expanded": depth >= state["max_depth"],
            "label": None,
            "action": None,
        }
        siblings.append(nid)


#: The one seat of this solo dialogue.
OWNER = ("a",)


class ImpossibleProtocol:
    kind = DialogueKind.IMPOSSIBLE.value
    note_id = "why-is-this-impossible"

    def prompt(self, session: Session) -> Prompt | None:
        """The first open phase's question: the goal, the tree, the steps, the check-in."""
        phases = (
            self._ask_goal,
            self._ask_why,
            self._ask_label,
            self._ask_action,
            self._ask_prediction,
        )
        for phase in phases:
            asked = phase(session.state)
            if asked is not None:
                return asked
        return None

    @staticmethod
    def _ask_goal(st: dict[str, Any]) -> Prompt | None:
        """The goal, how likely it feels, and the first reasons it is impossible."""
        if not st["goal"]:
            return Prompt("goal", "What's the goal that feels impossible? One sentence.", OWNER)
        if st["confidence"] is None:
            return Prompt(
                "confidence",
                f"Your goal: **{st['goal']}**\n\nHow likely do you think it is that you "
                "achieve it, as things stand? A number from 0 to 100.",
                OWNER,
                hint="e.g. 20%",
            )
        if not st["roots"]:
            return Prompt(
                "reasons",
                "List every reason this is impossible. Several reasons: one per line (or "
                "separated by ';' on one line). Don't filter: the vague ones and the "
                "embarrassing ones too.",
                OWNER,
                long=True,
                multi=True,
            )
        return None

    @staticmethod
    def _ask_why(st: dict[str, Any]) -> Prompt | None:
        """Take the next obstacle not yet taken apart one level down."""
        for nid in _order(st):
            node = st["nodes"][nid]
            if not node["expanded"]:
                return Prompt(
                    f"why:{nid}",
                    f"**{nid}. {node['text']}**\n\nVery specifically, why is *that* "
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
    def _ask_label(st: dict[str, Any]) -> Prompt | None:
        """Sort each obstacle, children first: impossible, very hard or inconvenient."""
        for nid in _label_order(st):
            node = st["nodes"][nid]
            if node["label"] is None:
                under = ""
                if node["children"]:
                    listed = "; ".join(
                        f"{child} {LABELS[st['nodes'][child]['label']]}"
                        for child in node["children"]
                    )
                    under = f"Under it: {listed}. Now that you've looked underneath: "
                return Prompt(
                    f"label:{nid}",
                    f"**{nid}. {node['text']}**\n\n{under or 'Look at it for a few seconds. '}"
                    "Is this actually impossible, very hard, or merely inconvenient?",
                    OWNER,
                    choices=tuple(Choice(k, v.capitalize()) for k, v in LABELS.items()),
                    free_text=False,
                )
        return None

    @staticmethod
    def _ask_action(st: dict[str, Any]) -> Prompt | None:
        """A first step for each leaf obstacle (a neighbouring goal for a hard constraint)."""
        for nid in leaves(st):
            node = st["nodes"][nid]
            if node["action"] is None:
                if node["label"] == "impossible":
                    text = (
                        f"**{nid}. {node['text']}** is a hard constraint. What achievable "
                        "neighbouring goal would get you most of what you wanted?"
                    )
                else:
                    text = (
                        f"**{nid}. {node['text']}** ({LABELS[node['label']]}). What makes it "
                        "hard, and what is a concrete first step of five minutes or less?"
                    )
                return Prompt(f"action:{nid}", text, OWNER)
        return None

    @staticmethod
    def _ask_prediction(st: dict[str, Any]) -> Prompt | None:
        """A prediction to check later, and when to check in."""
        if st["prediction"] is None:
            return Prompt(
                "prediction",
                "Make a prediction: if you take these first steps, what do you expect "
                f"to happen, and how likely is the goal now (0-100)? You said "
                f"{st['confidence']}% at the start.",
                OWNER,
                hint="e.g. I'll get one evening a week back; 45%",
            )
        if st["followup_at"] is None:
            return Prompt(
                "followup",
                "When should I check in with you to ask what happened? Pick one or type "
                "a date (e.g. 'friday', 'in 10 days', 2026-03-01).",
                OWNER,
                choices=FOLLOW_UP_CHOICES,
            )
        return None

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        st = session.state
        step, _, nid = prompt.key.partition(":")
        if step == "goal":
            st["goal"] = text.strip()[:500]
        elif step == "confidence":
            st["confidence"] = parse_confidence(text)
        elif step == "reasons":
            _add_children(st, None, parse_items(text))
            return [Note(f"{plural(len(st['roots']), 'reason')} noted. Now, one at a time.")]
        elif step == "why":
            node = st["nodes"][nid]
            if text.strip().lower().rstrip(".!") in CONCRETE_WORDS:
                node["expanded"] = True
            else:
                node["expanded"] = True
                _add_children(st, nid, parse_items(text))
        elif step == "label":
            value = text.strip().lower()
            if value not in LABELS:
                raise InvalidAnswer("Choose impossible, hard or inconvenient.")
            st["nodes"][nid]["label"] = value
        elif step == "action":
            st["nodes"][nid]["action"] = text.strip()
        elif step == "prediction":
            final = confidence_in(text)
            if final is None:
                raise InvalidAnswer(
                    "Add how likely the goal is now, as a number from 0 to 100, e.g. "
                    "'I'll get one evening a week back; 45%'."
                )
            st["prediction"] = text.strip()
            st["final_confidence"] = final
        elif step == "followup":
            st["followup_at"] = parse_date(text, session.now).isoformat()
        return []

    def summary(self, session: Session) -> Summary:
        st = session.state
        final = st.get("final_confidence")
        lines = [
            f"**Goal:** {st['goal']}",
            f"**Confidence at the start:** {st['confidence']}%"
            + (f" · **now:** {final}%" if final is not None else ""),
            "",
        ]
        lines.append("**Obstacles**")
        for nid in _order(st):
            node = st["nodes"][nid]
            indent = "  " * (node["depth"] - 1)
            line = f"{indent}- {nid}. {node['text']}"
            label = label_of(st, nid)
            if node["children"] and label:
                line += f" — *{LABELS[label]}*"
                if node["label"] is None:
                    line += " (its hardest obstacle)"
            if not node["children"] and node["label"]:
                line += f" — *{LABELS[node['label']]}*"
                if node["action"]:
                    what = "neighbouring goal" if node["label"] == "impossible" else "next action"
                    line += f"\n{indent}  → {what}: {node['action']}"
            lines.append(line)
        followup = datetime.fromisoformat(st["followup_at"])
        lines += [
            "",
            f"**Prediction:** {st['prediction']}",
            f"**Follow-up:** {followup:%A %d %B %Y}",
        ]
        owner = session.seats["a"]
        actions = [
            st["nodes"][n]["action"]
            for n in leaves(st)
            if st["nodes"][n]["label"] != "impossible" and st["nodes"][n]["action"]
        ]
        reminder = (
            f"A while ago you worked on **{st['goal']}** with me. You predicted: "
            f"{st['prediction']}\n"
            + (f"Your first steps were: {'; '.join(actions)}\n" if actions else "")
            + "What happened? (Run /impossible again to redo the tree with what you know now.)"
        )
        return Summary(
            title=f"Why is this impossible? {st['goal']}",
            text="\n".join(lines),
            image="obstacle_tree",
            image_data={
                "goal": st["goal"],
                "nodes": {
                    nid: {**node, "label": label_of(st, nid)} for nid, node in st["nodes"].items()
                },
                "roots": st["roots"],
                "confidence": st["confidence"],
                "final_confidence": final,
            },
            followups=(FollowUp(owner.user_id, followup, reminder, f"dlg:{session.id}:followup"),),
        )
