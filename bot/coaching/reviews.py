"""Practice stats and the weekly and monthly review DMs, with their charts.

Split out of :mod:`bot.coaching.service` (which assembles the parts).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from bot.coaching import text as wording
from bot.coaching.core import CoachingCore
from bot.coaching.model import Stats
from bot.coaching.timeparse import local_moment
from bot.rendering.practice_chart import render_practice_chart
from bot.scheduling import Attachment, OutboxItem, OutgoingMessage
from bot.wording import plural

CHECK_IN = ("How did the last month go?", "Are we on track?")


class ReviewsMixin(CoachingCore):
    """/practice stats, and the weekly (Sunday) and monthly (1st) review DMs."""

    async def _series(
        self, user_id: int, first: date, last: date
    ) -> tuple[list[date], list[int], dict[str, int]]:
        logs = await self.store.logs(user_id, since=first)
        per_day: dict[date, int] = defaultdict(int)
        per_skill: dict[str, int] = defaultdict(int)
        for row in logs:
            if row.local_date <= last:
                per_day[row.local_date] += row.minutes
                per_skill[row.skill] += row.minutes
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return days, [per_day.get(d, 0) for d in days], dict(per_skill)

    async def _summary(self, user_id: int, first: date, last: date, title: str) -> Stats:
        """The figures from ``first`` to ``last`` with their chart; ``text.practice_summary``
        words them for /practice stats and the review DMs alike."""
        profile = await self.store.profile(user_id)
        days, minutes, per_skill = await self._series(user_id, first, last)
        streak = await self._streak(user_id, profile)
        pushes = [await self._push_view(push) for push in await self.store.pushes(user_id)]
        chart = await render_practice_chart(days, minutes, title)
        return Stats(
            chart,
            days,
            minutes,
            by_skill=tuple(sorted(per_skill.items(), key=lambda kv: -kv[1])),
            streak=streak,
            pushes=tuple(pushes),
        )

    async def stats(self, user_id: int, days: int = 30) -> Stats:
        profile = await self.store.profile(user_id)
        last = self.today(profile)
        first = last - timedelta(days=days - 1)
        return await self._summary(user_id, first, last, f"Practice, last {plural(days, 'day')}")

    async def _highlights(self, user_id: int, since: datetime) -> list[str]:
        answers = await self.store.answers(user_id, since)
        picked = sorted(answers, key=lambda a: len(a[1]), reverse=True)[:3]
        return [
            "> " + " ".join(text.split())[:160]
            for _when, text in sorted(picked, key=lambda a: a[0])
        ]

    async def _render_weekly(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        last = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, last):
            return None
        first = last - timedelta(days=6)
        stats = await self._summary(item.user_id, first, last, "Practice this week")
        text = wording.practice_summary(stats)
        highlights = await self._highlights(item.user_id, self.clock.now() - timedelta(days=7))
        if highlights:
            text += "\n\nFrom your morning answers:\n" + "\n".join(highlights)
        return OutgoingMessage(
            title=f"Your week · {first:%d %b} to {last:%d %b}",
            text=text,
            attachments=_chart(f"practice-week-{last.isoformat()}.png", stats),
            card=True,  # the chart beside the words, in one box
        )

    async def _render_monthly(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, day):
            return None
        last = day - timedelta(days=1)
        first = last.replace(day=1)
        stats = await self._summary(item.user_id, first, last, f"Practice in {last:%B}")
        text = wording.practice_summary(stats)
        if self.predictions is not None:
            tally = await self.predictions(
                item.user_id,
                local_moment(first, "00:00", profile.timezone),
                local_moment(day, "00:00", profile.timezone),
            )
            text += "\n\n" + tally.describe()
        await self.store.orient_session(item.user_id, day, list(CHECK_IN), self.clock.now())
        text += "\n\nMonthly check-in (answer here):\n" + "\n".join(f"- {q}" for q in CHECK_IN)
        return OutgoingMessage(
            title=f"Your month · {last:%B %Y}",
            text=text,
            attachments=_chart(f"practice-{last:%Y-%m}.png", stats),
            card=True,
        )


def _chart(name: str, stats: Stats) -> tuple[Attachment, ...]:
    """The review's chart as an attachment (none when it could not be drawn)."""
    return (Attachment(name, stats.chart_png),) if stats.chart_png is not None else ()
