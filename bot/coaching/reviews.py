"""Practice stats and the weekly and monthly review DMs, with their charts.

Split out of :mod:`bot.coaching.service` (which assembles the parts).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

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

    async def _summary(
        self, user_id: int, first: date, last: date, title: str
    ) -> tuple[str, bytes, list[date], list[int]]:
        profile = await self.store.profile(user_id)
        days, minutes, per_skill = await self._series(user_id, first, last)
        total = sum(minutes)
        active = sum(1 for m in minutes if m)
        streak = await self._streak(user_id, profile)
        lines = [
            f"{total} min of practice over {plural(len(days), 'day')} "
            f"({plural(active, 'day')} with practice). Streak: {plural(streak, 'day')}.",
        ]
        if len(days) <= 7:
            lines.append(" · ".join(f"{d:%a} {m}" for d, m in zip(days, minutes, strict=True)))
        if per_skill:
            lines.append("By skill:")
            for skill, mins in sorted(per_skill.items(), key=lambda kv: -kv[1]):
                lines.append(f"- {skill}: {mins} min")
        for push in await self.store.pushes(user_id):
            view = await self._push_view(push)
            lines.append(f"Push on {push.skill}: {view.hours_done:.1f} of {push.target_hours} h")
        chart = await render_practice_chart(days, minutes, title)
        return "\n".join(lines), chart, days, minutes

    async def stats(self, user_id: int, days: int = 30) -> Stats:
        profile = await self.store.profile(user_id)
        last = self.today(profile)
        first = last - timedelta(days=days - 1)
        text, chart, day_list, minutes = await self._summary(
            user_id, first, last, f"Practice, last {plural(days, 'day')}"
        )
        return Stats(text, chart, day_list, minutes)

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
        text, chart, _d, _m = await self._summary(item.user_id, first, last, "Practice this week")
        highlights = await self._highlights(item.user_id, self.clock.now() - timedelta(days=7))
        if highlights:
            text += "\n\nFrom your morning answers:\n" + "\n".join(highlights)
        return OutgoingMessage(
            title=f"Your week · {first:%d %b} to {last:%d %b}",
            text=text,
            attachments=(Attachment(f"practice-week-{last.isoformat()}.png", chart),),
            card=True,  # the chart beside the words, in one box
        )

    async def _render_monthly(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, day):
            return None
        last = day - timedelta(days=1)
        first = last.replace(day=1)
        text, chart, _d, _m = await self._summary(
            item.user_id, first, last, f"Practice in {last:%B}"
        )
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
            attachments=(Attachment(f"practice-{last:%Y-%m}.png", chart),),
            card=True,
        )
