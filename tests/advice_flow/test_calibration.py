"""Per-server calibration: moderators see their false-alarm rate and a suggested sensitivity."""

from __future__ import annotations

from bot.advice_flow import AdviceFlowService
from bot.advice_flow.calibration import Calibration
from tests.advice_flow.conftest import WRITER
from tests.advice_flow.test_drafts import context

PILE = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of runs "
    "in zone 2. Don't run two days in a row. Also get proper shoes."
)


async def test_mistake_presses_give_the_rate_and_a_suggestion(flow: AdviceFlowService) -> None:
    drafts = [await flow.start(WRITER, context(), PILE) for _ in range(10)]
    assert all(d.flagged for d in drafts)
    for draft in drafts[:4]:
        await flow.mistake(draft.id, WRITER)
    calibration = await flow.calibration(context().guild_id)
    assert (calibration.flagged, calibration.mistakes) == (10, 4)
    text = " ".join(calibration.lines())
    assert "4 of 10 flagged drafts" in text and "40%" in text
    assert "Suggested: /config set advice.sensitivity 0.20 (flag less often)" in text


def test_thin_or_healthy_records_suggest_nothing() -> None:
    assert Calibration(3, 2, 0.5).suggested is None
    assert "Too few flagged drafts" in Calibration(3, 2, 0.5).lines()[1]
    assert Calibration(40, 4, 0.5).suggested is None
    assert Calibration(40, 0, 0.5).suggested == 0.6
    assert Calibration(0, 0, 0.5).lines() == ["No draft has been flagged in this server yet."]
