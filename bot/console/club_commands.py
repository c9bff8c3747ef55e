"""Console version of /club: the practice club on the console's simulated server.

The console's person is the server's owner (a moderator); ``as NAME club ...`` acts as
a member. Check-in threads, reminders and the digest print as the bot would post them
when ``clock`` moves time on; the digest's chart is saved as a file.
"""

from __future__ import annotations

from bot.catalog import console_usage
from bot.coaching import InputProblem
from bot.console.app import CONSOLE_USER_ID, ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.console.coaching_commands import _flag, _options, run_due
from bot.permissions import MemberFacts, NotAllowed

#: The console server's forum where the club's check-in threads open.
CLUB_FORUM_ID = 3
USAGE = console_usage("club")
#: The console server's text channel, where a pair's private thread opens.
PAIR_CHANNEL_ID = 1


def _facts(ctx: ConsoleContext) -> MemberFacts:
    return MemberFacts(ctx.user_id, ctx.guild_id, CONSOLE_USER_ID, 0, frozenset())


async def club(ctx: ConsoleContext, args: list[str]) -> None:
    service = ctx.services.club
    if not args:
        raise ConsoleUsageError(USAGE)
    action, rest = args[0].lower(), args[1:]
    words, options = _options(rest)
    try:
        if action == "start":
            cadence = "monthly"
            if words and words[0].lower() in ("monthly", "weekly"):
                cadence, words = words[0].lower(), words[1:]
            if not words:
                raise ConsoleUsageError("club start [monthly|weekly] TIMEZONE [day=..] [time=..]")
            open_days = options.get("open")
            ctx.say(
                await service.start(
                    _facts(ctx),
                    channel_id=CLUB_FORUM_ID,
                    in_forum=True,
                    timezone=" ".join(words),
                    cadence=cadence,
                    day=options.get("day"),
                    local_time=options.get("time", "19:00"),
                    open_days=int(open_days) if open_days and open_days.isdigit() else None,
                )
            )
        elif action == "pause":
            ctx.say(await service.pause(_facts(ctx)))
        elif action == "end":
            ctx.say(await service.end(_facts(ctx)))
        elif action == "status":
            ctx.say(await service.status(ctx.guild_id))
        elif action == "questions":
            await _questions(ctx, words)
        elif action == "checkin":
            check_in = await service.open_check_in(ctx.guild_id)
            form = await service.form(ctx.user_id, check_in.id)
            ctx.say("Your check-in (only you see this):")
            ctx.say(form.answers)
            ctx.say(
                'Answer with: club answer change="ONE CHANGE" [share_hours=yes] '
                "[quote_change=yes] YOUR ANSWERS (nothing is shared unless you say yes)"
            )
        elif action == "answer":
            check_in = await service.open_check_in(ctx.guild_id)
            ctx.say(
                await service.submit(
                    ctx.user_id,
                    check_in.id,
                    answers=" ".join(words),
                    change=options.get("change"),
                    share_hours=bool(_flag(options.get("share_hours"))),
                    quote_change=bool(_flag(options.get("quote_change"))),
                )
            )
        elif action == "reply":
            check_in = await service.open_check_in(ctx.guild_id)
            if check_in.thread_id is None or not await service.thread_reply(
                check_in.thread_id, ctx.user_id, " ".join(rest)
            ):
                ctx.problem("Nothing to reply to: the check-in thread isn't open.")
            else:
                ctx.say("[reply posted in the check-in thread; it counts as checking in]")
        elif action in ("pair", "push", "streak"):
            await _social(ctx, action, words, options)
        elif action == "remind":
            on = _flag(words[0] if words else None)
            if on is None:
                raise ConsoleUsageError("club remind on|off")
            ctx.say(await service.set_reminder(ctx.guild_id, ctx.user_id, on))
        else:
            raise ConsoleUsageError(USAGE)
    except (InputProblem, NotAllowed) as problem:
        ctx.problem(str(problem))
    await run_due(ctx)


async def _social(
    ctx: ConsoleContext, action: str, words: list[str], options: dict[str, str]
) -> None:
    """club pair / push / streak: the same domain calls as the Discord commands."""
    social = ctx.services.social
    sub = words[0].lower() if words else ""
    if action == "pair":
        if sub == "leave":
            ctx.say(await social.pairs.leave(ctx.guild_id, ctx.user_id))
        elif sub in ("", "find"):
            ctx.say(
                await social.pairs.request(
                    ctx.guild_id,
                    ctx.user_id,
                    channel_id=PAIR_CHANNEL_ID,
                    skill=options.get("skill", ""),
                    timezone=options.get("tz"),
                )
            )
        else:
            raise ConsoleUsageError("club pair [find] [skill=..] [tz=..] | club pair leave")
    elif action == "push":
        if sub == "start":
            hours = options.get("hours", "20")
            if not hours.isdigit():
                raise ConsoleUsageError("club push start [hours=20] [ends=14 days]")
            ends = options.get("ends") or " ".join(words[1:]) or "14 days"
            ctx.say(await social.push.start(_facts(ctx), hours=int(hours), ends=ends))
        elif sub == "join":
            ctx.say(await social.push.join(ctx.guild_id, ctx.user_id))
        elif sub in ("", "status"):
            ctx.say(await social.push.status(ctx.guild_id))
        elif sub == "stop":
            ctx.say(await social.push.stop(_facts(ctx)))
        else:
            raise ConsoleUsageError("club push start|join|status|stop")
    else:
        freezes = options.get("freezes")
        if freezes is not None and not freezes.isdigit():
            raise ConsoleUsageError("club streak [freezes=0-3] [remind=on|off] [time=20:00]")
        ctx.say(
            await social.streaks.settings(
                ctx.user_id,
                freezes=int(freezes) if freezes is not None else None,
                remind=_flag(options.get("remind")),
                remind_time=options.get("time"),
            )
        )


async def _questions(ctx: ConsoleContext, words: list[str]) -> None:
    service = ctx.services.club
    if words:
        text = " ".join(words)
        lines = [] if text.strip().lower() == "reset" else text.split(";")
        await service.set_questions(_facts(ctx), lines)
    questions = await service.questions(ctx.guild_id)
    ctx.say("Check-in questions:\n" + "\n".join(f"{n}. {q}" for n, q in enumerate(questions, 1)))


def commands() -> list[ConsoleCommand]:
    return [ConsoleCommand("club", club)]
