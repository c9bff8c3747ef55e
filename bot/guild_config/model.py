"""The shape of a server's configuration. Defaults are what a server gets untouched.

One pydantic model per server, stored as one JSON document. Every feature reads its own
section from ``services.guild_config.get(guild_id)`` (cached, never a database wait in
the common case):

- ``advice``: the reply check (policy per channel or forum, sensitivity, forum tags);
- ``dialogues``: which coaching dialogues may start, how deep they go, when idle ones
  expire, where their threads open, whether summaries may be posted publicly;
- ``coaching``: the server's default morning orient prompts, time and days;
- ``model``: whether the language model may be used here, the server's own instructions
  template for it, and the tone preset;
- ``club``: the practice club's check-in questions;
- ``care``: where a member whose question shows distress may choose to take it (a help
  channel, a mentor role); off until moderators set them;
- ``moderator_role_ids`` and ``report_channel_id``: who moderates, and where Touchstone
  reports to them.

Field descriptions double as the help text of ``/config set`` and the console.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.llm.prompts import check_template


class AdvicePolicy(StrEnum):
    OFF = "off"
    NUDGE = "nudge"
    HOLD = "hold"


class DialogueName(StrEnum):
    """The dialogue protocols a server can enable (the names ``bot.dialogues`` uses)."""

    IMPOSSIBLE = "impossible"
    CRUX = "crux"
    EXERCISE = "exercise"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """0 = Monday, as ``datetime.weekday()`` and the coaching schedules count."""
        return list(Weekday).index(self)


class Tone(StrEnum):
    WARM = "warm"
    DIRECT = "direct"
    CONCISE = "concise"


#: What each tone preset asks of the model; substituted for ``{tone}`` in a template.
TONE_GUIDANCE: dict[Tone, str] = {
    Tone.WARM: "Be warm and encouraging; acknowledge effort before suggesting anything.",
    Tone.DIRECT: "Be direct and plain-spoken; say what to do next without cushioning.",
    Tone.CONCISE: "Be brief: a few short sentences, no preamble.",
}

MAX_TEMPLATE_CHARS = 2000
MAX_PROMPT_CHARS = 300
MAX_LIST_ITEMS = 25
MAX_TAG_CHARS = 50
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _clean_names(values: list[str], limit: int, what: str) -> list[str]:
    cleaned = [v.strip() for v in values if v.strip()]
    if len(cleaned) > MAX_LIST_ITEMS:
        raise ValueError(f"at most {MAX_LIST_ITEMS} {what}")
    for value in cleaned:
        if len(value) > limit:
            raise ValueError(f"each of the {what} must be at most {limit} characters")
    return cleaned


class AdviceConfig(Section):
    """The advice check: ``policy_for(channel, parent)`` tells a handler what to do."""

    sensitivity: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="How readily a reply is flagged, 0 (rarely) to 1 (readily).",
    )
    #: Watch mode per channel or forum id; absent means off.
    channel_policies: dict[int, AdvicePolicy] = Field(
        default_factory=dict,
        description="Per channel or forum: off, nudge (suggest a gentler version) or hold "
        "(ask before posting). Threads inherit their forum's policy.",
    )
    #: Forum tag names (case-insensitive) that tell the check what the poster wants.
    sharing_tags: list[str] = Field(
        default_factory=list,
        description='Forum tags meaning "just sharing, no advice please".',
    )
    details_tags: list[str] = Field(
        default_factory=list,
        description='Forum tags meaning "details welcome": the check stays quiet.',
    )

    @field_validator("sharing_tags", "details_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _clean_names(value, MAX_TAG_CHARS, "tags")

    def policy_for(self, channel_id: int, parent_id: int | None = None) -> AdvicePolicy:
        """A thread inherits its forum's (or channel's) policy unless it has its own."""
        if channel_id in self.channel_policies:
            return self.channel_policies[channel_id]
        if parent_id is not None and parent_id in self.channel_policies:
            return self.channel_policies[parent_id]
        return AdvicePolicy.OFF


class DialoguesConfig(Section):
    """Coaching dialogues: ``is_enabled(name)`` before starting one."""

    enabled: list[DialogueName] = Field(
        default_factory=lambda: list(DialogueName),
        description="Which dialogues members may start: impossible, crux, exercise.",
    )
    max_depth: int = Field(
        default=3, ge=1, le=6, description="How many levels deep a dialogue may dig (1-6)."
    )
    idle_expiry_hours: int = Field(
        default=48,
        ge=1,
        le=24 * 30,
        description="Hours without a reply before a dialogue expires (1-720).",
    )
    thread_channel_id: int | None = Field(
        default=None,
        description="Channel where dialogue threads open; none means where invoked.",
    )
    public_summaries: bool = Field(
        default=True,
        description="Whether a dialogue's summary may be posted in the channel (when every participant agrees).",
    )

    @field_validator("enabled")
    @classmethod
    def _unique(cls, value: list[DialogueName]) -> list[DialogueName]:
        return list(dict.fromkeys(value))

    def is_enabled(self, name: str) -> bool:
        return name in {d.value for d in self.enabled}


class CoachingConfig(Section):
    """Defaults for members who start coaching in this server."""

    default_prompts: list[str] = Field(
        default_factory=list,
        description="Morning orient prompts; empty means Touchstone's own set.",
    )
    default_time: str = Field(
        default="07:30", description="Local time of the morning prompt, HH:MM (24 h)."
    )
    default_days: list[Weekday] = Field(
        default_factory=lambda: list(Weekday),
        description="Days of the morning prompt: mon, tue, wed, thu, fri, sat, sun.",
    )

    @field_validator("default_prompts")
    @classmethod
    def _prompts(cls, value: list[str]) -> list[str]:
        return _clean_names(value, MAX_PROMPT_CHARS, "prompts")

    @field_validator("default_time")
    @classmethod
    def _time(cls, value: str) -> str:
        value = value.strip()
        if len(value) == 4 and value[1] == ":":
            value = "0" + value
        if not _TIME.match(value):
            raise ValueError("must be a time of day like 07:30")
        return value

    @field_validator("default_days")
    @classmethod
    def _days(cls, value: list[Weekday]) -> list[Weekday]:
        if not value:
            raise ValueError("needs at least one day")
        return sorted(set(value), key=lambda d: d.number)

    @property
    def weekday_digits(self) -> str:
        """The days as digits, 0 = Monday (the coaching schedules' format)."""
        return "".join(str(d.number) for d in self.default_days)


class ModelConfig(Section):
    """The optional language model, as this server wants it used.

    ``instructions_template`` may only use the named placeholders ``{server_name}``,
    ``{topic}`` and ``{tone}``: member text is always passed to the model as data,
    never pasted into instructions. Render it with
    :func:`bot.guild_config.facilitator_instructions`.
    """

    enabled: bool = Field(
        default=True, description="Whether the language model may be used in this server."
    )
    instructions_template: str = Field(
        default="",
        max_length=MAX_TEMPLATE_CHARS,
        description="The server's own instructions for the facilitator; placeholders "
        "{server_name}, {topic}, {tone} only.",
    )
    tone: Tone = Field(default=Tone.WARM, description="Guidance tone: warm, direct or concise.")

    @field_validator("instructions_template")
    @classmethod
    def _template(cls, value: str) -> str:
        problems = check_template(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value.strip()


class CareConfig(Section):
    """Where a member whose /ask shows distress can find people, not a technique note.

    Everything is off by default: a server decides whether it has a channel and people
    ready for this. The member's question is only ever posted with their own click.
    """

    help_channel_id: int | None = Field(
        default=None,
        description="Channel or forum where a member may choose to post a question that "
        "showed distress, so people here can support them; none: no offer.",
    )
    mentor_role_id: int | None = Field(
        default=None,
        description="Role of the people who support members; named in the kind reply.",
    )
    ping_mentor_role: bool = Field(
        default=False,
        description="Whether a question posted in the help channel notifies the mentor role.",
    )


class ClubConfig(Section):
    """The practice club's check-in questions (the club itself is started with /club)."""

    check_in_questions: list[str] = Field(
        default_factory=list,
        description="Questions of each club check-in; empty means the monthly-practice-check-in "
        "note's own.",
    )

    @field_validator("check_in_questions")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        return _clean_names(value, MAX_PROMPT_CHARS, "questions")


class GuildConfig(Section):
    advice: AdviceConfig = Field(default_factory=AdviceConfig)
    dialogues: DialoguesConfig = Field(default_factory=DialoguesConfig)
    coaching: CoachingConfig = Field(default_factory=CoachingConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    care: CareConfig = Field(default_factory=CareConfig)
    club: ClubConfig = Field(default_factory=ClubConfig)
    moderator_role_ids: list[int] = Field(
        default_factory=list,
        description="Roles whose members moderate Touchstone here (besides Manage Server).",
    )
    report_channel_id: int | None = Field(
        default=None, description="Channel where Touchstone reports to moderators."
    )

    @field_validator("moderator_role_ids")
    @classmethod
    def _roles(cls, value: list[int]) -> list[int]:
        if len(value) > MAX_LIST_ITEMS:
            raise ValueError(f"at most {MAX_LIST_ITEMS} roles")
        return list(dict.fromkeys(value))


class AuditedChange(Protocol):
    """One changed dotted key as the audit log keeps it (values JSON-encoded): what the
    repository writes and what ``/config history`` shows."""

    @property
    def key(self) -> str: ...
    @property
    def old(self) -> str: ...
    @property
    def new(self) -> str: ...
