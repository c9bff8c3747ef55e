"""Watch mode's sequence (advice_flow.watch.run_watch) against a fake port: the text
reaches its writer whole before anything is removed, and nothing is ever lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.advice_flow import AdviceFlowService, Draft, DraftStatus, WatchAction
from bot.advice_flow.text import GIVE_BACK_FILE, WATCH_STILL_UP
from bot.advice_flow.watch import ReportCard, TextFile, WatchPlace, give_back, run_watch
from bot.guild_config.model import AdvicePolicy
from tests.advice_flow.conftest import BOB, CHANNEL, GUILD, KIND, WRITER, Configure
from tests.advice_flow.test_watch import reply

PLACE = WatchPlace("#general", "https://discord.com/channels/10/20/77", "Bob")


@dataclass
class FakePort:
    """Records every call; DMs arrive and removal works unless told otherwise."""

    dms_open: bool = True
    removable: bool = True
    moderators: bool = True
    message_limit: int = 2000
    calls: list[tuple[str, object]] = field(default_factory=list)

    async def dm(self, pieces: Sequence[str], file: TextFile | None = None) -> bool:
        self.calls.append(("dm", (list(pieces), file)))
        return self.dms_open

    async def dm_report(self, draft: Draft, card: ReportCard) -> bool:
        self.calls.append(("report", (draft, card)))
        return self.dms_open

    async def remove(self) -> bool:
        self.calls.append(("remove", None))
        return self.removable

    async def tell_moderators(self, note: str) -> bool:
        self.calls.append(("moderators", note))
        return self.moderators

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


async def status_of(flow: AdviceFlowService, draft: Draft | None) -> DraftStatus:
    assert draft is not None
    return (await flow.get_for(draft.id, WRITER)).status


async def test_a_nudge_is_one_report_dm_and_the_reply_stays(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.NUDGE})
    plan = await flow.plan_watch(reply())
    port = FakePort()
    outcome = await run_watch(flow, plan, PLACE, port)
    assert port.names == ["report"]
    _, card = port.calls[0][1]  # type: ignore[misc]
    assert card.watched and "still posted" in card.intro and PLACE.link in card.intro
    assert outcome.action is WatchAction.NUDGE and outcome.delivered and not outcome.removed
    assert await status_of(flow, plan.draft) is DraftStatus.WATCHED


async def test_a_hold_dms_the_whole_text_then_removes_then_offers_to_post_again(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    plan = await flow.plan_watch(reply())
    port = FakePort()
    outcome = await run_watch(flow, plan, PLACE, port)
    assert port.names == ["dm", "remove", "report"]
    pieces, file = port.calls[0][1]  # type: ignore[misc]
    assert file is None and len(pieces) == 1 and pieces[0].endswith(BOB)
    assert "#general" in pieces[0] and "nothing is lost" in pieces[0]
    offered, card = port.calls[2][1]  # type: ignore[misc]
    assert offered.status is DraftStatus.HELD and not card.watched
    assert outcome.delivered and outcome.removed and not outcome.moderators_told
    assert await status_of(flow, plan.draft) is DraftStatus.HELD


async def test_a_hold_whose_dm_fails_removes_nothing_and_tells_the_moderators(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    plan = await flow.plan_watch(reply())
    port = FakePort(dms_open=False)
    outcome = await run_watch(flow, plan, PLACE, port)
    assert port.names == ["dm", "moderators"]
    note = port.calls[1][1]
    assert isinstance(note, str) and "left in place" in note and "Bob" in note
    assert not outcome.delivered and not outcome.removed and outcome.moderators_told
    assert await status_of(flow, plan.draft) is DraftStatus.KEPT


async def test_a_hold_that_cannot_remove_the_reply_says_it_is_still_up(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    plan = await flow.plan_watch(reply())
    port = FakePort(removable=False)
    outcome = await run_watch(flow, plan, PLACE, port)
    assert port.names == ["dm", "remove", "dm"]
    assert port.calls[2][1] == ([WATCH_STILL_UP], None)
    assert outcome.delivered and not outcome.removed and not outcome.moderators_told
    assert await status_of(flow, plan.draft) is DraftStatus.KEPT


async def test_a_long_held_reply_comes_back_whole_as_a_file(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    long_reply = "\n\n".join([BOB] * 12) + "\n\n  Spaces and *markdown* stay as typed.  "
    assert len(long_reply) > 2000
    plan = await flow.plan_watch(reply(long_reply))
    assert plan.action is WatchAction.HOLD
    port = FakePort()
    await run_watch(flow, plan, PLACE, port)
    pieces, file = port.calls[0][1]  # type: ignore[misc]
    assert file == TextFile(GIVE_BACK_FILE, long_reply)  # exactly as written
    assert len(pieces) == 1 and len(pieces[0]) <= port.message_limit
    assert f"{len(long_reply):,} characters" in pieces[0] and "…" not in pieces[0]
    assert port.names == ["dm", "remove", "report"]


def test_give_back_is_inline_up_to_the_limit_and_a_file_beyond() -> None:
    fits, none = give_back("#general", KIND, 2000)
    assert none is None and fits[0].endswith(KIND)
    limit = len(fits[0])
    assert give_back("#general", KIND, limit)[1] is None
    pieces, file = give_back("#general", KIND, limit - 1)
    assert file is not None and file.text == KIND and KIND not in pieces[0]


async def test_a_dry_run_stores_nothing_yet_runs_the_same_sequence(
    flow: AdviceFlowService,
) -> None:
    # Watch mode is off in the server: the console's what-if names the policy itself.
    plan = await flow.plan_watch(reply(), policy=AdvicePolicy.HOLD, dry_run=True)
    assert plan.action is WatchAction.HOLD and not plan.stored and plan.draft is not None
    port = FakePort()
    outcome = await run_watch(flow, plan, PLACE, port)
    assert port.names == ["dm", "remove", "report"] and outcome.removed
    offered, _ = port.calls[2][1]  # type: ignore[misc]
    assert offered.status is DraftStatus.HELD
    assert await flow.store.get(1) is None
    assert await flow.store.flag_counts(GUILD) == (0, 0)
