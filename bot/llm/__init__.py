"""The optional language-model layer, shared by guidance, dialogues and the advice check.

Every feature works without a model. When one is configured, this layer is the only
way to reach it: user text always travels as data, calls are time-limited, and any
failure means "use the offline behaviour", never an error for the user.
"""

from bot.llm.gateway import ModelGateway, ModelResult, build_chat_model
from bot.llm.prompts import PromptSpec, build_messages

__all__ = ["ModelGateway", "ModelResult", "PromptSpec", "build_chat_model", "build_messages"]
