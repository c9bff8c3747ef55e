"""Answering people's questions from the notes, with citations, online or offline.

Retrieval always runs. Without a model the knowledge base composes the answer; with a
model, the model rewrites it from the retrieved notes only, and its answer is kept
only if it cites those notes by number. Anything else falls back to the offline answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.guild_config import GuildConfigService
from bot.guild_config.render import facilitator_instructions, uses_topic
from bot.llm import ModelGateway, PromptSpec
from knowledge.answer import Answer
from knowledge.service import KnowledgeBase

ANSWER_SPEC = PromptSpec(
    "guidance.answer",
    "You are Touchstone, a coach for a practice and research community. Answer the "
    "member's question in at most 180 words, using ONLY the numbered notes provided in the "
    "data. Lead with the one idea that helps most and a concrete first step of five minutes "
    "or less. Cite every point with the note's number in square brackets, like [1]. If the "
    "notes do not cover the question, say so briefly. Do not invent sources.",
)

_CITATION = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Guidance:
    answer: Answer
    text: str
    used_model: bool


@dataclass(frozen=True)
class Where:
    """Server metadata the server's instructions template may use (never member text).

    ``topic`` is written by anyone with Manage Channels, so it reaches the model only as
    data (``channel_topic``), and only when the server's template asks for ``{topic}``.
    """

    server_name: str = ""
    topic: str | None = None


@dataclass(frozen=True)
class ServerModel:
    """How this server wants the model used for one question."""

    enabled: bool
    instructions: str | None
    channel_topic: str | None = None


class GuidanceService:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        model: ModelGateway,
        guild_config: GuildConfigService | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.model = model
        self.guild_config = guild_config

    async def server_model(self, guild_id: int | None, where: Where) -> ServerModel:
        """Whether the server allows the model, its rendered instructions, and the topic."""
        if guild_id is None or self.guild_config is None:
            return ServerModel(True, None)
        config = await self.guild_config.get(guild_id)
        instructions = facilitator_instructions(config, server_name=where.server_name)
        topic = where.topic if uses_topic(config) and where.topic else None
        return ServerModel(config.model.enabled, instructions, topic)

    async def ask(
        self,
        question: str,
        *,
        guild_id: int | None = None,
        k: int = 3,
        where: Where | None = None,
        use_model: bool | None = None,
        server_instructions: str | None = None,
        gentle: bool = False,
    ) -> Guidance:
        """Answer from the notes; the server's model settings apply unless given explicitly.

        ``gentle`` (the question touches self-worth or shame) keeps blame-framed notes out.
        """
        offline = await self.knowledge.answer(question, k=k, guild_id=guild_id, gentle=gentle)
        return await self.word(
            question,
            offline,
            guild_id=guild_id,
            where=where,
            use_model=use_model,
            server_instructions=server_instructions,
        )

    async def word(
        self,
        question: str,
        offline: Answer,
        *,
        guild_id: int | None = None,
        where: Where | None = None,
        use_model: bool | None = None,
        server_instructions: str | None = None,
    ) -> Guidance:
        """Word an offline answer for the member: the model's version when the server
        allows it and it cites only these notes, otherwise the offline text.

        Separate from :meth:`ask` so every answer drawn from the notes, the first one and
        "Show another note" alike, is written the same way.
        """
        server = await self.server_model(guild_id, where or Where())
        use_model = server.enabled if use_model is None else use_model
        if server_instructions is None:
            server_instructions = server.instructions
        if not (use_model and self.model.available and offline.found):
            return Guidance(offline, offline.text, used_model=False)
        notes = []
        for citation in offline.citations:
            note = self.knowledge.get_note(citation.note_id, guild_id=guild_id)
            if note is not None:
                notes.append(
                    {
                        "number": citation.number,
                        "title": note.title,
                        "summary": note.summary,
                        "five_minute_version": note.five_minute_version,
                        "steps": note.steps[:5],
                    }
                )
        data: dict[str, object] = {"question": question, "notes": notes}
        if server.channel_topic:
            data["channel_topic"] = server.channel_topic[:1024]
        result = await self.model.generate(
            ANSWER_SPEC,
            data,
            server_instructions=server_instructions,
            guild_id=guild_id,
        )
        if result.text is None or not cites_only(result.text, len(offline.citations)):
            return Guidance(offline, offline.text, used_model=False)
        cited = {c.url for c in offline.citations if c.url}
        text = keep_cited_links(result.text, cited)
        sources = "\n".join(citation.line() for citation in offline.citations)
        return Guidance(offline, f"{text}\n\n{sources}", used_model=True)


def cites_only(text: str, count: int) -> bool:
    """True when the text cites at least one note and only notes 1..count."""
    numbers = {int(n) for n in _CITATION.findall(text)}
    return bool(numbers) and all(1 <= n <= count for n in numbers)


_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((<?)(https?://[^)\s>]+)>?\)")
_BARE_LINK = re.compile(r"<?(https?://[^\s<>()\]]+)>?")


def keep_cited_links(text: str, cited: set[str]) -> str:
    """Model text with every link removed unless it points to a cited source.

    A model can make up a plausible URL; a member would trust it because the bot
    posted it. Markdown links keep their words, bare links become "(link removed)".
    """

    def markdown(match: re.Match[str]) -> str:
        return match.group(0) if match.group(3) in cited else match.group(1)

    def bare(match: re.Match[str]) -> str:
        url = match.group(1).rstrip(".,;:!?")
        tail = match.group(1)[len(url) :]
        return match.group(0) if url in cited else "(link removed)" + tail

    return _BARE_LINK.sub(bare, _MARKDOWN_LINK.sub(markdown, text))
