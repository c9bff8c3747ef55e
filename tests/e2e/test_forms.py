"""Forms with real inputs (issue 17): checkboxes, a list of zones, a file inside the form.

Each form goes through the fake Discord, which checks the modal against Discord's
rules and submits it the way Discord's client does (checkbox groups answer with
``values``, a file upload with attachment ids resolved in ``data.resolved``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_advice import ALICE, BOB, embed_text
from tests.e2e.test_config import Moderator
from tests.e2e.test_knowledge import KILN_QUESTION, SERVER_NOTE, ask
from tests.fakediscord.components_v2 import (
    CHECKBOX_GROUP,
    FILE_UPLOAD,
    LABEL,
    RADIO_GROUP,
    STRING_SELECT,
    walk,
)
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0


async def test_coach_start_takes_its_days_from_checkboxes_and_its_zone_from_a_list(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(data_dir=tmp_path / "data")
    opened = await club_member(fake, club).run("/coach start")
    await opened.first_response(timeout=3)
    assert opened.modal is not None and opened.rejections == []
    inputs = {c.get("custom_id"): c for c in walk(opened.modal["components"])}
    assert inputs["days"]["type"] == CHECKBOX_GROUP
    assert [o["value"] for o in inputs["days"]["options"]][:3] == ["mon", "tue", "wed"]
    assert inputs["zone"]["type"] == STRING_SELECT
    assert {"Europe/Berlin", "other"} <= {o["value"] for o in inputs["zone"]["options"]}

    with pytest.raises(ValueError, match="offers no option"):
        await fake.send_modal_submit(opened.modal["custom_id"], {"days": ["someday"]})
    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"],
        {"days": ["mon", "wed", "fri"], "zone": ["Europe/Berlin"], "time": "07:00"},
    )
    await submitted.first_response(timeout=3)
    (started,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert started.ephemeral
    assert "Mon, Wed, Fri at 07:00" in (started.content or "")
    assert "Europe/Berlin" in (started.content or "")
    await fake.wait_for(lambda: fake.dm_messages_to(club.member), TIMEOUT, "the welcome DM")


async def test_coach_start_reads_a_typed_zone_under_other(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(data_dir=tmp_path / "data")
    opened = await club_member(fake, club).run("/coach start")
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    missing = await fake.send_modal_submit(
        opened.modal["custom_id"], {"days": ["sat"], "zone": ["other"]}
    )
    refused = await missing.first_response(timeout=3)
    assert refused.ephemeral and "choose Other and type it" in (refused.content or "")

    typed = await fake.send_modal_submit(
        opened.modal["custom_id"], {"days": ["sat"], "zone": ["other"], "other_zone": "toronto"}
    )
    await typed.first_response(timeout=3)
    (started,) = await typed.wait_for_followups(1, TIMEOUT)
    assert "America/Toronto" in (started.content or "") and "Sat" in (started.content or "")


async def test_a_note_uploaded_in_the_knowledge_add_form_is_used_in_that_server(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(data_dir=tmp_path / "data")
    opened = await club_member(fake, club, club.manager).run("/knowledge add", upload=True)
    await opened.first_response(timeout=3)
    assert opened.modal is not None and opened.rejections == []
    (label,) = opened.modal["components"]
    assert label["type"] == LABEL and label["component"]["type"] == FILE_UPLOAD

    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"], {"note_file": ("kiln-logbook.md", SERVER_NOTE.encode())}
    )
    await submitted.first_response(timeout=3)
    (confirmation,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert confirmation.ephemeral and "The Kiln Logbook" in (confirmation.content or "")
    assert "kiln-logbook" in (confirmation.content or "")
    assert "The Kiln Logbook" in await ask(
        fake, club.guild, club.general, club.member, KILN_QUESTION
    )

    wrong = await club_member(fake, club, club.manager).run("/knowledge add", upload=True)
    await wrong.first_response(timeout=3)
    assert wrong.modal is not None
    refused = await fake.send_modal_submit(
        wrong.modal["custom_id"], {"note_file": ("notes.txt", b"just text")}
    )
    await refused.first_response(timeout=3)
    (problem,) = await refused.wait_for_followups(1, TIMEOUT)
    assert "attach a Markdown (.md) note" in (problem.content or "")


async def test_the_writer_says_what_the_poster_asked_for_with_a_radio_group(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(data_dir=tmp_path / "data")
    post = await fake.send_message(club.general, club.member, ALICE)
    opened = await fake.send_message_command(club.moderator, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.modal is not None and opened.rejections == []
    (radio,) = [c for c in walk(opened.modal["components"]) if c.get("custom_id") == "intent"]
    assert radio["type"] == RADIO_GROUP
    assert [o["label"] for o in radio["options"]] == [
        "Just sharing",
        "Asked for details",
        "Not sure",
    ]
    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"], {"reply": BOB, "intent": "details"}
    )
    await submitted.first_response(timeout=3)
    await submitted.wait_for_edit(1, timeout=10)
    report = fake.world.message(submitted.original_message_id or 0)
    shown = embed_text(report)
    assert "The poster said they want details" in shown, "the writer's choice was used"
    assert "looks good" in shown and "pile of advice" not in shown, "details were asked for"


async def test_config_import_takes_the_settings_file_inside_the_form(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(data_dir=tmp_path / "data")
    mod = Moderator(fake, club)
    exported = json.loads(await mod.export())
    assert exported["advice"]["sensitivity"] != 0.7
    exported["advice"]["sensitivity"] = 0.7

    async def submit(filename: str, data: bytes) -> str:
        opened = await club_member(fake, club, club.owner).run("/config import")
        await opened.first_response(timeout=3)
        assert opened.modal is not None and opened.rejections == []
        (label,) = opened.modal["components"]
        assert label["type"] == LABEL and label["component"]["type"] == FILE_UPLOAD
        submitted = await fake.send_modal_submit(
            opened.modal["custom_id"],
            {"config_file": (filename, data)},
            guild_id=club.guild.id,
            channel_id=club.general.id,
            user_id=club.owner.id,
        )
        (reply,) = await submitted.wait_for_followups(1, TIMEOUT)
        assert submitted.deferred and reply.ephemeral
        return reply.content or ""

    imported = await submit("settings.json", json.dumps(exported).encode())
    assert imported.startswith("Imported.") and "advice.sensitivity" in imported
    assert json.loads(await mod.export())["advice"]["sensitivity"] == 0.7
    broken = await submit("photo.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert "Nothing was changed" in broken and "binary" in broken
