"""Issue 13 #10: a long refused draft is handed back whole, as a text file attachment.

Before the fix a 4,000-character, 2,000-line draft came back quoted in embeds that
Discord's limits cut to about 1,440 lines ending in "…", under a message saying
nothing was lost.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import BotProcess
from tests.fakediscord.components_v2 import texts
from tests.fakediscord.interactions import InteractionResponse
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
LONG_DRAFT = "\n".join(f"{n % 10}" for n in range(2000))  # 3,999 characters, 2,000 lines


def said(response: InteractionResponse) -> str:
    parts = [response.content or ""]
    parts += [f"{e.get('title', '')}\n{e.get('description', '')}" for e in response.embeds]
    parts += texts(response.components)
    return "\n".join(parts)


async def test_a_long_refused_draft_comes_back_whole_as_a_file(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    assert len(LONG_DRAFT.splitlines()) == 2000
    post = await fake.send_message(club.general, club.member, "I started running again today!")
    opened = await fake.send_message_command(club.moderator, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    await fake.delete_message(post)  # the post goes away while the reply is being written

    submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": LONG_DRAFT})
    await submitted.first_response(timeout=3)

    def give_back() -> InteractionResponse | None:
        responses = [*submitted.edits, *submitted.followups]
        return next((r for r in responses if "Not posted" in said(r)), None)

    response: InteractionResponse = await fake.wait_for(give_back, TIMEOUT, "the give-back")
    text = said(response)
    assert "gone" in text and "nothing is lost" in text
    assert "…" not in text
    (attachment,) = response.files
    assert attachment.filename.endswith(".txt")
    assert attachment.data.decode("utf-8") == LONG_DRAFT
