"""Orient prompts: the morning questions, who wrote them, and the answers filed in DMs.

Split out of :mod:`bot.coaching.service` (which assembles the parts). Not to be
confused with :mod:`bot.coaching.prompts`, which reads the shipped default prompts.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.coaching import prompts as prompt_defaults
from bot.coaching.core import CoachingCore
from bot.coaching.model import DmFiling, DmOutcome, Profile, ProfileStatus, QuickVersion
from bot.coaching.timeparse import InputProblem
from bot.guild_config import GuildConfig
from bot.scheduling import Action, OutboxItem, OutgoingMessage
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim

QUICK_ACTION = "orient.quick"
#: How long after an orient DM a reply still counts as an answer to it.
ANSWER_WINDOW = timedelta(hours=20)


class OrientMixin(CoachingCore):
    """Each person's (or server's) prompts, the orient DM, its quick version and answers."""

    async def prompts(self, user_id: int) -> tuple[list[str], str]:
        """The prompts this person gets and where they come from ("yours", "server", "default")."""
        own = await self.store.own_prompts(user_id)
        if own:
            return own, "yours"
        profile = await self.store.profile(user_id)
        if profile is not None and profile.guild_id is not None:
            server = await self._configured_server_prompts(profile.guild_id)
            if server:
                return server, "server"
        default, _quick = await prompt_defaults.corpus_default()
        return list(default), "default"

    async def set_prompts(self, user_id: int, lines: list[str]) -> list[str]:
        """Replace the whole list (empty: back to the default)."""
        cleaned = prompt_defaults.clean_prompts(lines)
        await self.store.set_own_prompts(user_id, cleaned)
        return (await self.prompts(user_id))[0]

    async def add_prompt(self, user_id: int, text: str) -> list[str]:
        if not has_visible_text(text):
            raise InputProblem(EMPTY_TEXT_MESSAGE)
        current, _ = await self.prompts(user_id)
        return await self.set_prompts(user_id, [*current, text])

    async def edit_prompt(self, user_id: int, number: int, text: str) -> list[str]:
        if not has_visible_text(text):
            raise InputProblem(EMPTY_TEXT_MESSAGE)
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        current[number - 1] = text
        return await self.set_prompts(user_id, current)

    async def move_prompt(self, user_id: int, number: int, to: int) -> list[str]:
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        self._check_number(current, to)
        current.insert(to - 1, current.pop(number - 1))
        return await self.set_prompts(user_id, current)

    async def remove_prompt(self, user_id: int, number: int) -> list[str]:
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        del current[number - 1]
        if not current:
            raise InputProblem(
                "Keep at least one prompt ('coach prompts reset' restores the default)."
            )
        return await self.set_prompts(user_id, current)

    async def reset_prompts(self, user_id: int) -> list[str]:
        await self.store.set_own_prompts(user_id, [])
        return (await self.prompts(user_id))[0]

    @staticmethod
    def _check_number(prompts: list[str], number: int) -> None:
        if not 1 <= number <= len(prompts):
            raise InputProblem(f"There is no prompt {number}; the list has {len(prompts)}.")

    async def set_server_default_prompts(
        self, guild_id: int, lines: list[str], actor_id: int = 0
    ) -> list[str]:
        """A server's default for members who haven't written their own (moderators only;
        the adapters check the privilege). An empty list returns to the corpus default.

        Stored in the server's configuration, so it shows in /config and its history."""
        cleaned = prompt_defaults.clean_prompts(lines)

        def change(config: GuildConfig) -> GuildConfig:
            updated = config.model_copy(deep=True)
            updated.coaching.default_prompts = cleaned
            return updated

        await self.guild_config.update(guild_id, change, actor_id)
        return cleaned

    async def _configured_server_prompts(self, guild_id: int) -> list[str]:
        """The server's own default prompts (its configuration), empty when it has none."""
        section = await self._server_section(guild_id)
        return list(section.default_prompts) if section is not None else []

    async def server_default_prompts(self, guild_id: int) -> list[str]:
        server = await self._configured_server_prompts(guild_id)
        if server:
            return server
        default, _quick = await prompt_defaults.corpus_default()
        return list(default)

    async def _render_orient(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, day):
            return None
        prompts, _source = await self.prompts(item.user_id)
        session_id, prompts = await self.store.orient_session(
            item.user_id, day, prompts, self.clock.now()
        )
        numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(prompts, 1))
        return OutgoingMessage(
            title=f"Morning orient · {day:%A %d %B}",
            text=(
                f"{numbered}\n\nAnswer here, in one message or several; I keep what you write. "
                "Short on time? Press Quick version."
            ),
            actions=(Action(QUICK_ACTION, "Quick version", str(session_id)),),
        )

    async def quick_version(self, session_id: int, user_id: int) -> QuickVersion | None:
        """The short form of a morning's prompts; None when the session isn't this
        person's (or is gone). ``text.quick_version`` words it."""
        prompts = await self.store.mark_quick(session_id, user_id)
        if prompts is None:
            return None
        _default, quick = await prompt_defaults.corpus_default()
        return QuickVersion(quick, tuple(prompts[:2]))

    async def _answerable_session(self, user_id: int, profile: Profile | None) -> int | None:
        """Today's orient session, or the latest one still inside the answer window."""
        session_id = await self.store.session_for(user_id, self.today(profile))
        if session_id is None:
            session_id = await self.store.latest_session(user_id, self.clock.now() - ANSWER_WINDOW)
        return session_id

    async def latest_orient(self, user_id: int) -> int | None:
        """The orient session the Quick version button would refer to, if any."""
        return await self._answerable_session(user_id, await self.store.profile(user_id))

    async def awaiting_answers(self, user_id: int) -> bool:
        """True while the morning prompts sent to this person still lack answers.

        An adapter without message boundaries (the console) uses it to read a plain line
        as the next answer rather than as a command; one answer per prompt closes it.
        """
        session_id = await self._answerable_session(user_id, await self.store.profile(user_id))
        if session_id is None:
            return False
        wanted, given = await self.store.progress(session_id)
        return given < wanted

    async def record_dm(self, user_id: int, text: str) -> DmFiling:
        """File a DM as an answer to today's orient (or the latest within the window).

        ``text.dm_filed`` words the outcome."""
        if not text.strip():
            return DmFiling(DmOutcome.BLANK)
        if not has_visible_text(text):
            return DmFiling(DmOutcome.INVISIBLE)
        text = trim(text)
        profile = await self.store.profile(user_id)
        session_id = await self._answerable_session(user_id, profile)
        if session_id is None:
            coaching_on = profile is not None and profile.status is not ProfileStatus.STOPPED
            return DmFiling(DmOutcome.UNAWAITED, coaching_on=coaching_on)
        count = await self.store.add_answer(session_id, user_id, text, self.clock.now())
        return DmFiling(DmOutcome.SAVED, session_id, answers=count)
