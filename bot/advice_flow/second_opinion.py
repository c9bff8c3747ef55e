"""A language model's second opinion on close calls, through structured output.

How the two verdicts combine: the offline check decides every draft whose score is
clearly on one side of the server's cut. Inside a band of ``BAND`` around the cut
(a close call), and only when a model is configured and answers within the advice
budget with an answer that fits :class:`Opinion`, the model's answer decides. No
model, the server's daily cap, a timeout, an error or an answer that does not fit
all leave the offline verdict. A draft in a language the check cannot read is left
alone too: the report says so plainly, and a model's guess would be a silent pass.

Member text reaches the model only as data (see :mod:`bot.llm.prompts`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.advice import AdviceReport
from bot.llm import ModelGateway, PromptSpec

#: Scores this close to the cut are close calls.
BAND = 0.15

OPINION_SPEC = PromptSpec(
    name="advice.opinion",
    instructions=(
        "You help a community check a draft reply before it is posted. Decide one thing: "
        "would this reply, as written, likely overwhelm, discourage or talk down to the "
        "person who wrote the post, given what they asked for? Someone who shared a start "
        "and did not ask is overwhelmed by a pile of unrequested warnings, requirements or "
        "corrections, in any form (orders, plain statements, rapid questions, 'you'll "
        "need' plans), and discouraged by gatekeeping, sarcasm or contempt. Someone who "
        "asked for details, critique or depth is NOT overwhelmed by a long, technical, "
        "direct answer about their work, but contempt for the person is never asked for. "
        "A narrow question answered narrowly is fine; answered and then buried under "
        "unrelated warnings is not. Warm encouragement with one optional tip is fine."
    ),
)


class Opinion(BaseModel):
    """The model's answer, as structured output."""

    overwhelming: bool = Field(
        description="True if the reply would overwhelm, discourage or talk down to the poster."
    )
    confidence: Literal["low", "medium", "high"] = Field(description="How sure you are.")
    reason: str = Field(description="One short sentence, addressed to the reply's writer.")


def is_close_call(report: AdviceReport) -> bool:
    return report.checked and abs(report.score - report.threshold) <= BAND


async def second_opinion(
    model: ModelGateway,
    post: str,
    draft: str,
    report: AdviceReport,
    budget: float,
    *,
    guild_id: int | None = None,
) -> Opinion | None:
    """The model's opinion on a close call, or None (not close, no model, no usable answer)."""
    if not model.available or not is_close_call(report):
        return None
    data = {
        "post": post,
        "draft_reply": draft,
        "what_the_poster_seems_to_want": report.intent_reason or report.intent.value,
    }
    opinion = await model.structured(OPINION_SPEC, data, Opinion, timeout=budget, guild_id=guild_id)
    if opinion is None or opinion.confidence == "low":
        return None
    return opinion
