"""The shape of a server's configuration. Defaults are what a server gets untouched."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AdvicePolicy(StrEnum):
    OFF = "off"
    NUDGE = "nudge"
    HOLD = "hold"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AdviceConfig(Section):
    sensitivity: float = Field(default=0.5, ge=0.0, le=1.0)
    #: Watch mode per channel or forum id; absent means off.
    channel_policies: dict[int, AdvicePolicy] = Field(default_factory=dict)
    #: Forum tag names (case-insensitive) that tell the check what the poster wants.
    sharing_tags: list[str] = Field(default_factory=list)
    details_tags: list[str] = Field(default_factory=list)

    def policy_for(self, channel_id: int, parent_id: int | None = None) -> AdvicePolicy:
        """A thread inherits its forum's (or channel's) policy unless it has its own."""
        if channel_id in self.channel_policies:
            return self.channel_policies[channel_id]
        if parent_id is not None and parent_id in self.channel_policies:
            return self.channel_policies[parent_id]
        return AdvicePolicy.OFF


class GuildConfig(Section):
    advice: AdviceConfig = Field(default_factory=AdviceConfig)
    moderator_role_ids: list[int] = Field(default_factory=list)
    report_channel_id: int | None = None
