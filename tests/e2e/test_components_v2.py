"""The advice report and the /ask answer are Components V2 cards whose buttons outlive
the process that drew them (issue 17).

Each card is shown by one bot process and pressed after a new process replaced it:
the report's "Post the gentler version" posts, the answer's "Open note" opens the note
it sits beside. The fake Discord refuses a V2 message with content or embeds, so a
card that slipped back into the old format would fail here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.test_advice import ALICE, BOB, button, draft_reply, embed_text, is_published_reply
from tests.e2e.test_ask_feedback import QUESTION, ask, sources
from tests.fakediscord.components_v2 import MESSAGE_FLAG_IS_COMPONENTS_V2, texts, walk
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0


async def test_the_report_is_one_card_whose_buttons_post_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir)
    post = await fake.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake, club, post, BOB)

    assert report.flags & MESSAGE_FLAG_IS_COMPONENTS_V2
    assert not report.content and not report.embeds
    (container,) = report.components
    assert container["type"] == 17, "one container holds the whole report"
    inside = [c["type"] for c in walk(container["components"])]
    assert inside.count(2) == 5, "gentler, as written, edit, cancel, mistake: inside the card"
    shown = embed_text(report)
    assert "pile of advice" in shown and "gait analysis" in shown and "A gentler version" in shown

    await bot.stop()
    await start_bot(data_dir=data_dir)
    click = await fake.send_component(report, button(report, "gentle"))
    await click.first_response(timeout=5)
    posted = await fake.wait_for_message(club.general, is_published_reply(fake), TIMEOUT)
    assert posted.reference_message_id == post.id
    assert posted.embeds[0]["description"] in shown.replace("> ", "")
    await click.wait_for_edit(1, timeout=5)
    after = fake.world.message(report.id)
    assert after.flags & MESSAGE_FLAG_IS_COMPONENTS_V2 and "Posted" in "\n".join(
        texts(after.components)
    )


async def test_each_cited_note_opens_from_its_own_section_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir)
    answer = await ask(fake, club, QUESTION)
    assert answer.flags & MESSAGE_FLAG_IS_COMPONENTS_V2 and not answer.embeds
    sections = [c for c in walk(answer.components) if c["type"] == 9]
    titles = sources("\n".join(texts(answer.components)))
    assert titles and len(sections) == len(titles), "one section per cited note"
    first = sections[0]
    assert first["accessory"]["label"] == "Open note"
    assert titles[0] in first["components"][0]["content"]

    await bot.stop()
    await start_bot(data_dir=data_dir)
    assert answer.message_id is not None
    click = await fake.send_component(
        answer.message_id, first["accessory"]["custom_id"], user_id=club.member
    )
    await click.first_response(timeout=5)
    (opened,) = await click.wait_for_followups(1, timeout=TIMEOUT)
    assert opened.ephemeral
    assert opened.embeds[0]["title"] == titles[0], "the note beside the button, whole"
