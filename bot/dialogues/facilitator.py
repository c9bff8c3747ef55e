"""The optional language-model facilitator: better wording, never a decision.

With a model configured, a question may be rephrased for this conversation and given a
sharper follow-up, grounded in the protocol's note. The model only changes words the
bot says; which step comes next is decided by the protocol from the user's answers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.llm import ModelGateway
from bot.llm.prompts import PromptSpec
from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

REPHRASE = PromptSpec(
    name="dialogue.rephrase",
    instructions=(
        "You facilitate a structured coaching dialogue. Rewrite the bot's next question "
        "so it fits what the participants said so far: keep its meaning and its step, stay "
        "under 120 words, address the participants directly, and where it helps add one "
        "sharper follow-up question, a suggestion for how to make a vague term checkable "
        "(an operationalisation), or a candidate crux, grounded in the technique notes "
        "provided. Do not decide anything for them and do not skip the question. Reply "
        "with the question text only."
    ),
)


class Facilitator:
    def __init__(self, model: ModelGateway, knowledge: KnowledgeBase) -> None:
        self.model = model
        self.knowledge = knowledge

    @property
    def available(self) -> bool:
        return self.model.available

    async def rephrase(
        self,
        question: str,
        recent: Sequence[str],
        note_ids: Sequence[str],
        *,
        guild_id: int | None = None,
    ) -> str | None:
        """A reworded question, or None to keep the well-written offline one."""
        if not self.model.available:
            return None
        notes = []
        for note_id in note_ids:
            note = self.knowledge.get_note(note_id)
            if note is not None:
                notes.append({"title": note.title, "summary": note.summary, "steps": note.steps})
        result = await self.model.generate(
            REPHRASE,
            {"question": question, "conversation_so_far": list(recent[-8:]), "notes": notes},
            guild_id=guild_id,
        )
        if result.text is None:
            log.debug("facilitator fell back: %s", result.fallback_reason)
        return result.text
