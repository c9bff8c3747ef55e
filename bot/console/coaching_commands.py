"""Console versions of /coach, /practice and /mydata, plus the simulated clock.

DMs print as "[DM to you] ..." and run whenever a command here finishes, or when
``clock advance 1d`` / ``clock set 2026-03-29T06:00+02:00`` moves time forward, so a
month of coaching can be tried in seconds.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from bot.catalog import console_usage
from bot.coaching import InputProblem
from bot.coaching import text as wording
from bot.console.app import (
    ConsoleCommand,
    ConsoleContext,
    ConsoleUsageError,
    Waiting,
    waiting_hint,
)
from bot.scheduling import Delivery, DeliveryOutcome

CONSOLE_FILES = "console-files"
#: Threads the console "opens" get ids from here up (no real channel has one this high).
THREAD_IDS = 10**15


class ConsoleDeliverer:
    """Prints DMs; saves attachments (charts) next to the data so they can be opened."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        ctx = self.ctx
        message = delivery.message
        from bot.console.dialogue_commands import name_of

        who = "you" if delivery.user_id == ctx.user_id else name_of(delivery.user_id)
        where = "in the dialogue's channel" if message.channel_id else f"DM to {who}"
        posted_to = None
        if message.thread_name:
            # The console's server has one channel per feature; a new thread gets a
            # stable id from the item, so replies (``club reply``) can find it.
            posted_to = message.existing_thread_id or THREAD_IDS + delivery.item_id
            where = f"new thread {message.thread_name!r} in the club channel"
            if message.existing_thread_id is not None:  # opened by a cut-off attempt
                where = f"in the thread {message.thread_name!r}"
            elif message.private_members:
                names = " and ".join(
                    "you" if m == ctx.user_id else name_of(m) for m in message.private_members
                )
                where = f"new private thread {message.thread_name!r} for {names}"
        elif message.edit_message_id is not None:
            where = "edited in place in the club thread"
        elif message.channel_id and message.channel_id >= THREAD_IDS:
            where = "in the club thread"
        ctx.say(f"[{where}]" + (f" {message.title.upper()}" if message.title else ""))
        text = re.sub(
            r"<@(\d+)>",
            lambda m: "you" if int(m[1]) == ctx.user_id else name_of(int(m[1])),
            message.text,
        )
        ctx.say_markdown(text, _plain)
        folder = ctx.services.settings.data_dir / CONSOLE_FILES
        for attachment in message.attachments:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(attachment.filename).name
            path.write_bytes(attachment.data)
            ctx.say(f"[attachment: {path}]")
        for action in message.actions:
            if action.name == "orient.quick":
                ctx.say(f"[button: {action.label}: type '/coach quick']")
                if delivery.user_id == ctx.user_id:
                    ctx.say(f"[{waiting_hint('you')}; one line per prompt]")
            elif action.name == "club.checkin":
                ctx.say(f"[button: {action.label}: type 'club checkin']")
        return DeliveryOutcome.sent(posted_to)


def _plain(text: str) -> str:
    return re.sub(r"(\*\*|__|`)", "", text)


async def run_due(ctx: ConsoleContext) -> None:
    await ctx.services.scheduler.run_due(ConsoleDeliverer(ctx))


def _options(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split ``key=value`` options from positional words."""
    words: list[str] = []
    options: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and re.fullmatch(r"[a-z_]+", key):
            options[key] = value
        else:
            words.append(arg)
    return words, options


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("on", "yes", "true", "1"):
        return True
    if value.lower() in ("off", "no", "false", "0"):
        return False
    raise ConsoleUsageError(f"{value!r}: use on or off")


def _number(text: str, what: str) -> int:
    if not text.isdigit():
        raise ConsoleUsageError(f"{what} must be a number")
    return int(text)


async def coach(ctx: ConsoleContext, args: list[str]) -> None:
    coaching = ctx.services.coaching
    user = ctx.user_id
    if not args:
        raise ConsoleUsageError(
            "coach start|settings|pause|resume|stop|prompts|server-prompts|quick"
        )
    action, rest = args[0].lower(), args[1:]
    words, options = _options(rest)
    try:
        if action == "start":
            if len(words) < 2:
                raise ConsoleUsageError("coach start TIMEZONE TIME [DAYS] [nudge]")
            nudge = "nudge" in (w.lower() for w in words[2:])
            days = " ".join(w for w in words[2:] if w.lower() != "nudge") or "every day"
            view = await coaching.start(
                user,
                timezone=words[0],
                local_time=words[1],
                days=days,
                guild_id=ctx.guild_id,
                nudge=nudge,
            )
            ctx.say(wording.schedule(view))
        elif action == "settings":
            view = await coaching.update_settings(
                user,
                timezone=options.get("timezone"),
                local_time=options.get("time"),
                days=options.get("days"),
                nudge=_flag(options.get("nudge")),
                nudge_time=options.get("nudge_time"),
            )
            ctx.say(wording.schedule(view))
        elif action == "pause":
            until = " ".join(words).removeprefix("until ").strip()
            if not until:
                raise ConsoleUsageError("coach pause UNTIL (a date, 'tomorrow' or '10 days')")
            ctx.say(wording.schedule(await coaching.pause_until(user, until)))
        elif action == "resume":
            ctx.say(wording.schedule(await coaching.resume(user)))
        elif action == "stop":
            ctx.say(wording.coaching_stopped(await coaching.stop(user)))
        elif action == "prompts":
            await _prompts(ctx, words)
        elif action == "server-prompts":
            lines = [p for p in " ".join(words).split(";")] if words else []
            saved = (
                await coaching.set_server_default_prompts(ctx.guild_id, lines, ctx.user_id)
                if lines
                else (await coaching.server_default_prompts(ctx.guild_id))
            )
            _list(ctx, saved, "Server default prompts" + (" saved" if lines else ""))
        elif action == "quick":
            if len(words) > 1:
                raise ConsoleUsageError("coach quick (the button under the morning DM)")
            session = _number(words[0], "session") if words else await coaching.latest_orient(user)
            if session is None:
                raise ConsoleUsageError("no morning prompts are open for answers right now")
            ctx.say(wording.quick_version(await coaching.quick_version(session, user)))
        else:
            raise ConsoleUsageError(f"unknown coach action {action!r}")
    except InputProblem as problem:
        ctx.problem(str(problem))
    await run_due(ctx)


def _list(ctx: ConsoleContext, prompts: list[str], heading: str) -> None:
    ctx.say(f"{heading}:")
    for number, text in enumerate(prompts, 1):
        ctx.say(f"  {number}. {text}")


async def _prompts(ctx: ConsoleContext, words: list[str]) -> None:
    coaching = ctx.services.coaching
    user = ctx.user_id
    if not words:
        prompts, source = await coaching.prompts(user)
        label = {"yours": "Your prompts", "server": "This server's default prompts"}
        _list(ctx, prompts, label.get(source, "The default prompts"))
        return
    verb, rest = words[0].lower(), words[1:]
    if verb == "add" and rest:
        prompts = await coaching.add_prompt(user, " ".join(rest))
    elif verb == "edit" and len(rest) >= 2:
        prompts = await coaching.edit_prompt(user, _number(rest[0], "N"), " ".join(rest[1:]))
    elif verb == "move" and len(rest) == 2:
        prompts = await coaching.move_prompt(user, _number(rest[0], "N"), _number(rest[1], "TO"))
    elif verb == "remove" and len(rest) == 1:
        prompts = await coaching.remove_prompt(user, _number(rest[0], "N"))
    elif verb == "reset" and not rest:
        prompts = await coaching.reset_prompts(user)
    else:
        raise ConsoleUsageError(
            "coach prompts [add TEXT | edit N TEXT | move N TO | remove N | reset]"
        )
    _list(ctx, prompts, "Your prompts")


async def practice(ctx: ConsoleContext, args: list[str]) -> None:
    coaching = ctx.services.coaching
    user = ctx.user_id
    if not args:
        raise ConsoleUsageError("practice log|stats|push")
    action, rest = args[0].lower(), args[1:]
    words, options = _options(rest)
    try:
        if action == "log":
            if len(words) < 2:
                raise ConsoleUsageError("practice log MINUTES SKILL [practised=..] [noticed=..]")
            result = await coaching.log_practice(
                user,
                _number(words[0], "MINUTES"),
                " ".join(words[1:]),
                options.get("practised"),
                options.get("noticed"),
            )
            ctx.say(wording.logged(result))
        elif action == "stats":
            stats = await coaching.stats(user)
            ctx.say_markdown(wording.practice_summary(stats), _plain)
            if stats.chart_png:
                folder = ctx.services.settings.data_dir / CONSOLE_FILES
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / "practice-stats.png"
                path.write_bytes(stats.chart_png)
                ctx.say(f"[chart: {path}]")
        elif action == "push":
            await _push(ctx, words, options)
        else:
            raise ConsoleUsageError(f"unknown practice action {action!r}")
    except InputProblem as problem:
        ctx.problem(str(problem))
    await run_due(ctx)


async def _push(ctx: ConsoleContext, words: list[str], options: dict[str, str]) -> None:
    coaching = ctx.services.coaching
    user = ctx.user_id
    verb, rest = (words[0].lower(), words[1:]) if words else ("status", [])
    if verb == "start" and rest:
        hours = 20
        if len(rest) > 1 and rest[-1].isdigit():
            hours = int(rest[-1])
            rest = rest[:-1]
        started = await coaching.start_push(
            user, " ".join(rest), hours, test=options.get("test"), before=options.get("before")
        )
        ctx.say(wording.push_started(started))
    elif verb == "test" and (rest or "test" in options):
        test = options.get("test") or " ".join(rest)
        ctx.say(
            wording.push_test_set(await coaching.set_push_test(user, test, options.get("before")))
        )
    elif verb == "status":
        ctx.say(wording.push_status(await coaching.push_status(user)))
    elif verb == "stop" and rest:
        ctx.say(wording.push_stopped(await coaching.stop_push(user, " ".join(rest))))
    elif verb == "reflect" and rest:
        ctx.say(wording.push_reflected(await coaching.reflect_push(user, " ".join(rest))))
    else:
        raise ConsoleUsageError(
            "practice push start SKILL [HOURS] [test=..] [before=..] | test TEST [before=..]"
            " | status | stop SKILL | reflect TEXT"
        )


async def _answer_dm(ctx: ConsoleContext, line: str) -> None:
    await dm(ctx, [line])


async def waiting(ctx: ConsoleContext) -> Waiting | None:
    """A DM question still lacking its answer: a follow-up's "What happened?", or the
    morning prompts. A plain line is the next answer."""
    dialogues = getattr(ctx.services, "dialogues", None)
    if dialogues is not None and await dialogues.awaiting_outcome(ctx.user_id) is not None:
        return Waiting("you", _answer_dm)
    if await ctx.services.coaching.awaiting_answers(ctx.user_id):
        return Waiting("you", _answer_dm)
    return None


async def dm(ctx: ConsoleContext, args: list[str]) -> None:
    """Reply in "DMs": what a person types in their DM with the bot on Discord."""
    text = " ".join(args).strip()
    if not text:
        raise ConsoleUsageError("dm TEXT")
    dialogues = getattr(ctx.services, "dialogues", None)
    if dialogues is not None and await dialogues.waiting_on_dm(ctx.user_id):
        ctx.say("A dialogue is waiting on your answer; answer it with its own command.")
        return
    if dialogues is not None:
        reply = await dialogues.file_dm(ctx.user_id, text)
        if reply is not None:
            ctx.say(reply)
            return
    filing = await ctx.services.coaching.record_dm(ctx.user_id, text)
    ctx.say(wording.dm_filed(filing))
    await run_due(ctx)


DURATION = re.compile(r"(\d+)\s*([dhm])")


async def clock(ctx: ConsoleContext, args: list[str]) -> None:
    steer = ctx.services.clock
    if not args:
        ctx.say(f"Simulated time: {steer.now().isoformat(timespec='minutes')}")
        return
    action, rest = args[0].lower(), "".join(args[1:])
    advance = getattr(steer, "advance", None)
    if advance is None:
        raise ConsoleUsageError("this clock cannot be moved")
    if action == "advance":
        parts = DURATION.findall(rest.lower())
        if not parts or DURATION.sub("", rest.lower()).strip():
            raise ConsoleUsageError("clock advance 1d | 3h | 30m | 1d12h")
        unit = {"d": "days", "h": "hours", "m": "minutes"}
        delta = timedelta()
        for amount, letter in parts:
            delta += timedelta(**{unit[letter]: int(amount)})
        await _step_to(ctx, steer.now() + delta)
    elif action == "set":
        try:
            target = datetime.fromisoformat(rest)
        except ValueError:
            raise ConsoleUsageError("clock set 2026-03-29T06:00+00:00") from None
        if target.tzinfo is None:
            target = target.astimezone()  # the computer's own zone
        if target < steer.now():
            raise ConsoleUsageError("time only moves forward")
        await _step_to(ctx, target)
    else:
        raise ConsoleUsageError("clock | clock advance 1d | clock set 2026-03-29T06:00+00:00")
    ctx.say(f"Simulated time: {steer.now().isoformat(timespec='minutes')}")


async def _step_to(ctx: ConsoleContext, target: datetime) -> None:
    """Move in steps no longer than the next due item, so each DM goes out at its
    own time (not all at the end, past their grace window)."""
    steer = ctx.services.clock
    move = getattr(steer, "set")  # noqa: B009  (SimulatedClock and SteerableClock have it)
    outbox = ctx.services.outbox
    while True:
        await run_due(ctx)
        next_due = await outbox.next_due()
        now = steer.now()
        if next_due is None or next_due > target:
            if target > now:
                move(target)
            await run_due(ctx)
            return
        if next_due > now:
            move(next_due)


async def mydata(ctx: ConsoleContext, args: list[str]) -> None:
    privacy = ctx.services.privacy
    if args[:1] == ["export"]:
        data = await privacy.export_json(ctx.user_id)
        folder = ctx.services.settings.data_dir / CONSOLE_FILES
        folder.mkdir(parents=True, exist_ok=True)
        # A new file each time: exporting again (say, after a delete) never overwrites
        # the copy taken before.
        stamp = ctx.services.clock.now().strftime("%Y%m%dT%H%M%S")
        path = folder / f"mydata-{ctx.user_id}-{stamp}.json"
        number = 1
        while path.exists():
            number += 1
            path = folder / f"mydata-{ctx.user_id}-{stamp}-{number}.json"
        path.write_bytes(data)
        ctx.say(f"Everything stored about you: {path}")
    elif args[:1] == ["delete"]:
        if args[1:] != ["confirm"]:
            ctx.say("This erases everything stored about you. Type 'mydata delete confirm'.")
            return
        ctx.say((await privacy.delete_everything(ctx.user_id)).describe())
    else:
        raise ConsoleUsageError(console_usage("mydata"))


def commands() -> list[ConsoleCommand]:
    return [
        ConsoleCommand("coach", coach),
        ConsoleCommand("practice", practice),
        ConsoleCommand("dm", dm, raw=True),
        ConsoleCommand("clock", clock),
        ConsoleCommand("mydata", mydata),
    ]
