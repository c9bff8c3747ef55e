"""Components of dialogue messages: the prompt card, its persistent buttons and the
long-answer form.

A prompt is a Components V2 card, so the question and the buttons that answer it sit in
one box (https://docs.discord.com/developers/components/reference).

Every custom id carries the dialogue id and the step it answers
(``ts:dlg:<id>:<action>:<step>|<value>``), so buttons keep working after a restart and
a button for a question that has moved on is refused instead of answering the wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, Protocol

import discord

from bot.dialogues import Prompt
from bot.discord_adapter.client import touchstone
from bot.discord_adapter.errors import tell_failure
from bot.discord_adapter.layouts import BUTTONS_PER_ROW, TEXT_BUDGET
from bot.discord_adapter.messages import EMBED_COLOUR, truncate
from bot.errors import Refusal

PREFIX = "ts:dlg:"
TEMPLATE = r"ts:dlg:(?P<id>\d+):(?P<action>[a-z]+):(?P<step>[^|]*)\|(?P<value>.*)"
PATTERN = re.compile(TEMPLATE)
ANSWER_FIELD = "answer"
MAX_ANSWER = 4000


def custom_id(dialogue_id: int, action: str, step: str, value: str = "") -> str:
    return f"{PREFIX}{dialogue_id}:{action}:{step}|{value}"[:100]


def parse(custom: str) -> tuple[int, str, str, str] | None:
    match = PATTERN.fullmatch(custom)
    if match is None:
        return None
    return int(match["id"]), match["action"], match["step"], match["value"]


class DialoguePress(Protocol):
    """What a dialogue button press calls (the Dialogues cog's ``on_button``)."""

    def __call__(
        self,
        interaction: discord.Interaction[Any],
        dialogue_id: int,
        action: str,
        step: str,
        value: str,
        /,
    ) -> Awaitable[None]: ...


class DialogueButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A choice, or "write my answer" (opens the form). Handled by the dialogue cog."""

    def __init__(self, dialogue_id: int, action: str, step: str, value: str, label: str) -> None:
        style = discord.ButtonStyle.primary if action == "write" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=truncate(label, 80),
                style=style,
                custom_id=custom_id(dialogue_id, action, step, value),
            )
        )
        self.dialogue_id, self.action, self.step, self.value = dialogue_id, action, step, value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> DialogueButton:
        return cls(int(match["id"]), match["action"], match["step"], match["value"], "")

    async def callback(self, interaction: discord.Interaction) -> None:
        press = touchstone(interaction).dialogue_press
        if press is None:
            return
        try:
            await press(interaction, self.dialogue_id, self.action, self.step, self.value)
        except Refusal as refusal:  # a button is not a command: the tree handler can't see it
            await tell_failure(interaction, refusal, "dialogue button")


def prompt_buttons(dialogue_id: int, prompt: Prompt) -> list[discord.ui.Item[Any]]:
    """Buttons for a question: its choices, and a form for long or private answers."""
    buttons: list[discord.ui.Item[Any]] = [
        DialogueButton(dialogue_id, "pick", prompt.key, choice.value, choice.label)
        for choice in prompt.choices[:20]
    ]
    if prompt.free_text and (prompt.long or prompt.private):
        label = "Write my cruxes privately" if prompt.private else "Write a long answer"
        buttons.append(DialogueButton(dialogue_id, "write", prompt.key, "", label))
    return buttons


def prompt_card(dialogue_id: int, prompt: Prompt, text: str) -> discord.ui.LayoutView:
    """The question and its answer buttons as one V2 card (no timeout: the buttons are
    dynamic items, answered after a restart too). Twenty choices and a form button
    make 5 rows: 1 container + 1 text + 1 separator + 5 rows + 21 buttons = 29 of
    Discord's 40 components."""
    container: discord.ui.Container[Any] = discord.ui.Container(accent_colour=EMBED_COLOUR)
    container.add_item(discord.ui.TextDisplay(truncate(text, TEXT_BUDGET)))
    buttons = prompt_buttons(dialogue_id, prompt)
    if buttons:
        container.add_item(discord.ui.Separator())
    for start in range(0, len(buttons), BUTTONS_PER_ROW):
        container.add_item(discord.ui.ActionRow(*buttons[start : start + BUTTONS_PER_ROW]))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


class AnswerForm(discord.ui.Modal):
    """A form for answers up to 4,000 characters. Its submission is handled by the cog
    (through ``on_interaction``), so a form opened before a restart still arrives."""

    def __init__(self, dialogue_id: int, step: str, question: str, private: bool) -> None:
        super().__init__(
            title="Your cruxes (hidden until both submit)" if private else "Your answer",
            custom_id=custom_id(dialogue_id, "form", step),
            timeout=900,
        )
        self.add_item(
            discord.ui.TextInput(
                label=truncate(question.replace("*", "").split("\n")[0], 45) or "Answer",
                style=discord.TextStyle.paragraph,
                custom_id=ANSWER_FIELD,
                max_length=MAX_ANSWER,
                placeholder="One item per line where a list is asked for.",
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        return  # handled in the cog's on_interaction


def form_value(data: dict[str, Any]) -> str:
    """The answer text from a modal submission's raw data (rows or labels)."""
    stack: list[Any] = list(data.get("components") or [])
    while stack:
        item = stack.pop(0)
        if not isinstance(item, dict):
            continue
        if item.get("custom_id") == ANSWER_FIELD and "value" in item:
            return str(item["value"])
        stack.extend(item.get("components") or [])
        if isinstance(item.get("component"), dict):
            stack.append(item["component"])
    return ""
