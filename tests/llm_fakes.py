"""Stand-ins for a paid language model: an in-process chat model that records what it
was sent, and an OpenAI-compatible HTTP server on 127.0.0.1 for the real client path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


class RecordingChatModel(BaseChatModel):
    """Answers with a fixed text (or sleeps / fails), keeping every prompt it received."""

    reply: str = "model answer"
    delay: float = 0.0
    fail: bool = False
    received: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "recording-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        raise NotImplementedError("Touchstone calls models asynchronously")

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model exploded")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply))])


class FakeLLMServer:
    """What :func:`steerable_openai_server` yields: change ``mode`` between calls.

    Modes: ``ok`` (answers ``reply``), ``slow`` (sleeps ``delay`` first), ``fail``
    (HTTP 500), ``garbage`` (200 with a body that is not a chat completion), ``empty``
    (an empty answer), ``nonsense`` (a well-formed answer of meaningless text).
    """

    def __init__(self, reply: str) -> None:
        self.base_url = ""
        self.reply = reply
        self.mode = "ok"
        self.delay = 30.0
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []


@asynccontextmanager
async def steerable_openai_server(reply: str = "served answer") -> AsyncIterator[FakeLLMServer]:
    server = FakeLLMServer(reply)

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        server.received.append(body)
        server.headers.append(dict(request.headers))
        mode = server.mode
        if mode == "slow":
            await asyncio.sleep(server.delay)
        if mode == "fail":
            return web.Response(status=500, text='{"error": {"message": "model exploded"}}')
        if mode == "garbage":
            return web.Response(text="\x00\xff<html>not json", content_type="application/json")
        content = {"empty": "", "nonsense": "\u202e}{][ lorem ```` \x07"}.get(mode, server.reply)
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "test"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        return web.Response(text=json.dumps(payload), content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield server
    finally:
        await runner.cleanup()


@asynccontextmanager
async def openai_compatible_server(
    reply: str = "served answer",
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Yields (base_url, received_requests): the steerable server, always answering ``reply``."""
    async with steerable_openai_server(reply) as server:
        yield server.base_url, server.received
