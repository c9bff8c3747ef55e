"""Asking the optional language model for a gentler version, within a short budget.

The model only rewrites; the verdict (flagged or not) stays the checker's, so a slow,
absent or odd model can never let a pile of warnings through or flag Carol's answer.
Member text travels only as data.
"""

from __future__ import annotations

from bot.advice import AdviceReport
from bot.advice_flow.model import MAX_DRAFT_CHARS
from bot.llm import ModelGateway, PromptSpec

GENTLER_SPEC = PromptSpec(
    name="advice.gentler",
    instructions=(
        "You help a community member rewrite a reply before they post it. The original "
        "post is by someone who may have just started something; the draft reply may bury "
        "them in unrequested advice, warnings or judgement. Write a gentler version of the "
        "draft in the writer's own voice: warm, interested in what the poster shared, "
        "keeping at most one concrete, useful suggestion, and offering more detail only if "
        "the poster wants it. If the post explicitly asked for details, keep the substance "
        "and only soften the tone. Keep the same language as the draft. Answer with the "
        "rewritten reply only: no preamble, no quotes, no explanation."
    ),
)

_PREAMBLES = ("here is", "here's", "sure", "gentler version", "rewritten reply")


def model_data(post: str, draft: str, report: AdviceReport) -> dict[str, object]:
    return {
        "post": post,
        "draft_reply": draft,
        "why_it_was_flagged": [reason.message for reason in report.reasons],
        "sentences_that_pile_on": [e for reason in report.reasons for e in reason.excerpts][:12],
        "what_the_poster_wanted": report.intent.value,
    }


def clean(text: str) -> str | None:
    """The model's text as a reply, or None when it is unusable (empty, all preamble)."""
    lines = text.strip().strip('"').strip().splitlines()
    while lines and lines[0].strip().lower().rstrip(":").startswith(_PREAMBLES):
        lines = lines[1:]
    result = "\n".join(lines).strip().strip('"').strip()
    if not result:
        return None
    if len(result) > MAX_DRAFT_CHARS:
        result = result[: MAX_DRAFT_CHARS - 1].rstrip() + "…"
    return result


async def gentler_from_model(
    model: ModelGateway,
    post: str,
    draft: str,
    report: AdviceReport,
    budget: float,
    *,
    guild_id: int | None = None,
) -> str | None:
    """A model-written gentler version, or None (no model, too slow, failed, unusable)."""
    if not model.available or not report.flagged:
        return None
    result = await model.generate(
        GENTLER_SPEC, model_data(post, draft, report), timeout=budget, guild_id=guild_id
    )
    return None if result.text is None else clean(result.text)
