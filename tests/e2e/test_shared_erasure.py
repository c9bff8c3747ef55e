"""Issue 13 #2: a partner's /mydata delete in the middle of a double crux.

Before the fix Carol's erasure removed her seat; Alice's next answer raised
``KeyError: 'b'`` in on_message (no reply) and every later sweep failed on the same
row. Now Carol's words read "[deleted]", the dialogue ends cleanly with a note for
Alice, her later messages raise nothing, and she can still export the transcript.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.members import Member, club_member
from tests.e2e.test_dialogues import bot_says, button
from tests.e2e.test_privacy import PrivateMember
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
CAROL_POSITION = "Offices make juniors learn faster, full stop"


async def test_partner_erasure_mid_crux_ends_it_cleanly_and_keeps_it_exportable(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    alice, carol = club.member, club.manager
    invite = await club_member(fake, club, alice).run(
        "/crux", claim="Remote work is better for junior engineers", partner=carol.id
    )
    await invite.wait_for_followups(1, timeout=TIMEOUT)
    invitation = await bot_says(fake, club.general.id, "invites")
    await fake.send_component(invitation, button(invitation, "Accept"), user_id=carol)

    def thread_id() -> int | None:
        return next(iter(t for t in fake.world.channels if fake.world.channel(t).type == 12), None)

    thread = await fake.wait_for(thread_id, TIMEOUT, "the private thread")
    rules = await bot_says(fake, thread, "Ground rules")
    await fake.send_component(rules, button(rules, "I agree"), user_id=alice)
    await fake.send_component(rules, button(rules, "I agree"), user_id=carol)
    await bot_says(fake, thread, "what is your position")
    await fake.send_message(thread, alice, "Juniors at home do just as well")
    await fake.send_message(thread, carol, CAROL_POSITION)
    await bot_says(fake, thread, "How confident")

    # Carol erases everything about her while the crux waits for both confidences.
    erasing = PrivateMember(fake, club, carol)
    message_id, buttons = await erasing.ask_to_delete()
    confirm = await fake.send_component(message_id, buttons["Delete everything"])
    await confirm.wait_for_edit(1, TIMEOUT)

    # Alice is told the dialogue ended, and her next message raises nothing.
    await bot_says(fake, thread, "deleted their data")
    await fake.send_message(thread, alice, "65")
    exported = await Member(fake, club.guild, thread, alice).run("/dialogue export")
    (reply,) = await exported.wait_for_followups(1, timeout=TIMEOUT)
    (file,) = reply.files
    markdown = file.data.decode()
    assert "Juniors at home do just as well" in markdown
    assert "[deleted]" in markdown
    assert CAROL_POSITION not in markdown
    assert "status: ended" in markdown
    assert "[deleted]" in fake.world.message(message_id).content  # Carol is told, too

    # A sweep afterwards runs through (no KeyError for the erased seat).
    assert "KeyError" not in bot.log and "Traceback" not in bot.log, bot.log
