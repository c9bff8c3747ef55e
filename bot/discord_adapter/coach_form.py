"""The /coach start form: days as checkboxes, the time zone as a list with "Other".

Opened by /coach start without a time zone. Like every form it is handled by custom id
(:mod:`bot.discord_adapter.forms`), so one opened before a restart still starts
coaching after it. The choices and how answers are read are the domain's
(:mod:`bot.coaching.start_form`); this module lays them out as Discord's 2025 modal
inputs (labels around a checkbox group, a select, a text input and a checkbox).
"""

from __future__ import annotations

from typing import Any

import discord

from bot.coaching.start_form import (
    COMMON_TIMEZONES,
    DAY_LABELS,
    OTHER_ZONE,
    StartAnswers,
)
from bot.discord_adapter.forms import FORM_PREFIX, form_checks, form_choices, form_values

START_FORM_ID = f"{FORM_PREFIX}coachstart"
DAYS_FIELD = "days"
ZONE_FIELD = "zone"
OTHER_ZONE_FIELD = "other_zone"
TIME_FIELD = "time"
NUDGE_FIELD = "nudge"


class CoachStartForm(discord.ui.Modal):
    """Days, time zone, time of day and the evening nudge; submitted by custom id."""

    def __init__(self) -> None:
        super().__init__(title="Start daily coaching", custom_id=START_FORM_ID, timeout=None)
        days: discord.ui.CheckboxGroup[CoachStartForm] = discord.ui.CheckboxGroup(
            custom_id=DAYS_FIELD,
            options=[
                discord.CheckboxGroupOption(
                    label=name, value=day, default=day not in ("sat", "sun")
                )
                for day, name in DAY_LABELS
            ],
            min_values=1,
            max_values=len(DAY_LABELS),
        )
        zones: discord.ui.Select[CoachStartForm] = discord.ui.Select(
            custom_id=ZONE_FIELD,
            options=[discord.SelectOption(label=z, value=z) for z in COMMON_TIMEZONES]
            + [discord.SelectOption(label="Other (type it below)", value=OTHER_ZONE)],
            placeholder="Your time zone",
        )
        other: discord.ui.TextInput[CoachStartForm] = discord.ui.TextInput(
            custom_id=OTHER_ZONE_FIELD,
            required=False,
            max_length=64,
            placeholder="e.g. America/Toronto or a city",
        )
        time: discord.ui.TextInput[CoachStartForm] = discord.ui.TextInput(
            custom_id=TIME_FIELD, required=False, max_length=5, placeholder="07:30"
        )
        nudge: discord.ui.Checkbox[CoachStartForm] = discord.ui.Checkbox(custom_id=NUDGE_FIELD)
        self.add_item(discord.ui.Label(text="Days for the morning prompts", component=days))
        self.add_item(discord.ui.Label(text="Time zone", component=zones))
        self.add_item(discord.ui.Label(text="Other time zone", component=other))
        self.add_item(
            discord.ui.Label(
                text="Time of day",
                description="Empty: the server's time (or 07:00)",
                component=time,
            )
        )
        self.add_item(
            discord.ui.Label(
                text="Evening nudge",
                description="A reminder if you haven't logged practice",
                component=nudge,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return  # handled by Coaching.on_interaction, which also works after a restart


def start_answers(data: object) -> StartAnswers:
    """The submitted form, read from the raw interaction data."""
    choices = form_choices(data)
    texts = form_values(data)
    zone = choices.get(ZONE_FIELD) or []
    return StartAnswers(
        days=tuple(choices.get(DAYS_FIELD) or ()),
        zone_choice=zone[0] if zone else None,
        typed_zone=texts.get(OTHER_ZONE_FIELD, ""),
        time=texts.get(TIME_FIELD, ""),
        nudge=form_checks(data).get(NUDGE_FIELD, False),
    )
