"""The model's rewording of a question, kept beside the offline wording it replaces.

Optional by design: without a facilitator (or with the model down) the protocol's own
text is sent unchanged, so a dialogue never depends on the model to go on.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.dialogues.facilitator import Facilitator
from bot.dialogues.records import MAX_ANSWER, DialogueInfo, TranscriptLine
from bot.dialogues.registry import GROUNDING


def wants_rewording(facilitator: Facilitator | None, meta: dict[str, object]) -> bool:
    """True when a model is there and this question has not been reworded yet."""
    return facilitator is not None and facilitator.available and not meta.get("polished")


async def reword(
    facilitator: Facilitator,
    question: str,
    dialogue: DialogueInfo,
    transcript: Iterable[TranscriptLine],
) -> str | None:
    """The question in the model's words, then the offline wording; None if it declined."""
    recent = [
        f"{line.who}: {line.text}"
        for line in transcript
        if line.kind == "answer" and "hidden" not in line.text
    ]
    better = await facilitator.rephrase(
        question,
        recent,
        GROUNDING.get(dialogue.kind, (dialogue.spec,)),
        guild_id=dialogue.guild_id,
    )
    if not better:
        return None
    return f"{better}\n\n-# Offline wording: {question}"[:MAX_ANSWER]
