"""Calling the configured chat model with a deadline and a fallback."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:  # see bot.llm.prompts: langchain is imported only with a model
    from langchain_core.language_models.chat_models import BaseChatModel

from bot.limits import UsageLimits
from bot.llm.prompts import PromptSpec, build_messages
from bot.settings import Settings
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

MAX_OUTPUT_CHARS = 6000
SchemaT = TypeVar("SchemaT", bound=BaseModel)


@dataclass(frozen=True)
class ModelResult:
    """Model text, or None with the reason the offline behaviour should be used."""

    text: str | None
    fallback_reason: str | None = None

    @property
    def fell_back(self) -> bool:
        return self.text is None


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """A langchain chat model from ``provider:model``, or None when none is configured."""
    if settings.llm_model is None:
        return None
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {"timeout": settings.llm_timeout, "max_retries": 0}
    if settings.llm_base_url is not None:
        kwargs["base_url"] = str(settings.llm_base_url)
    if settings.llm_api_key is not None:
        kwargs["api_key"] = settings.llm_api_key.get_secret_value()
    model: BaseChatModel = init_chat_model(settings.llm_model, **kwargs)
    return model


@dataclass
class ModelGateway:
    """The one door to the model. ``model=None`` means offline: every call falls back."""

    model: BaseChatModel | None
    timeout: float = 20.0
    counts: Counter[str] = field(default_factory=Counter)
    #: The per-server budget of model calls; None means uncapped. It is counted in the
    #: database, so :class:`bot.services.Services` attaches the process's limits.
    limits: UsageLimits | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelGateway:
        try:
            model = build_chat_model(settings)
        except Exception as exc:  # a missing provider package must not stop the bot
            log.warning(
                "language model %s unavailable (%s); using offline behaviour",
                settings.llm_model,
                type(exc).__name__,
            )
            model = None
        return cls(model=model, timeout=settings.llm_timeout)

    @property
    def available(self) -> bool:
        return self.model is not None

    async def generate(
        self,
        spec: PromptSpec,
        data: Mapping[str, object],
        *,
        server_instructions: str | None = None,
        timeout: float | None = None,
        guild_id: int | None = None,
    ) -> ModelResult:
        """Ask the model; on no model, timeout, error or empty output, report a fallback.

        ``guild_id`` counts the call against that server's daily budget of model calls;
        once it is spent, the offline behaviour is used until the window moves on.
        """
        if self.model is None:
            return ModelResult(None, "no model configured")
        refused = await self._over_budget(guild_id)
        if refused is not None:
            return self._fallback(spec, refused)
        messages = build_messages(spec, data, server_instructions)
        self.counts[f"{spec.name}.calls"] += 1
        try:
            async with asyncio.timeout(timeout or self.timeout):
                reply = await self.model.ainvoke(messages)
        except TimeoutError:
            return self._fallback(spec, "timed out")
        except Exception as exc:
            log.warning("model call %s failed: %s", spec.name, type(exc).__name__)
            return self._fallback(spec, "model error")
        content = reply.content
        text = (content if isinstance(content, str) else str(reply.text)).strip()
        if not text:
            return self._fallback(spec, "empty answer")
        return ModelResult(text[:MAX_OUTPUT_CHARS])

    async def structured(
        self,
        spec: PromptSpec,
        data: Mapping[str, object],
        schema: type[SchemaT],
        *,
        timeout: float | None = None,
        guild_id: int | None = None,
    ) -> SchemaT | None:
        """Ask for an answer shaped like ``schema`` (langchain's ``with_structured_output``).

        None on no model, the server's cap, a timeout, an error or an answer that does not
        fit the schema: the caller keeps its offline decision. Member text is data, as in
        :meth:`generate`.
        """
        if self.model is None:
            return None
        refused = await self._over_budget(guild_id)
        if refused is not None:
            self._fallback(spec, refused)
            return None
        messages = build_messages(spec, data, None)
        self.counts[f"{spec.name}.calls"] += 1
        try:
            runnable = self.model.with_structured_output(schema)
            async with asyncio.timeout(timeout or self.timeout):
                answer = await runnable.ainvoke(messages)
        except TimeoutError:
            self._fallback(spec, "timed out")
            return None
        except Exception as exc:
            log.warning("model call %s failed: %s", spec.name, type(exc).__name__)
            self._fallback(spec, "model error")
            return None
        if not isinstance(answer, schema):
            self._fallback(spec, "answer did not fit")
            return None
        return answer

    async def _over_budget(self, guild_id: int | None) -> str | None:
        """Why the server may not call the model now, or None when it may (counting it).

        Without the database the budget cannot be checked; the offline behaviour is the
        safe answer (a spent budget must not become unlimited during an outage), and it
        is what the member would get from a failing model anyway.
        """
        if self.limits is None:
            return None
        try:
            allowed = await self.limits.allow_model_call(guild_id)
        except StorageUnavailable as exc:
            log.warning("model budget unknown (%s); using offline behaviour", exc)
            return "model budget unavailable"
        return None if allowed else "model cap reached"

    def _fallback(self, spec: PromptSpec, reason: str) -> ModelResult:
        self.counts[f"{spec.name}.fallbacks"] += 1
        return ModelResult(None, reason)
