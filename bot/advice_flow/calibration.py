"""Per-server calibration of the advice check from "this was a mistake" presses.

The check's cut is one number for everyone; servers differ (some banter, some teach
beginners). Each flagged draft a writer marks as a mistake is evidence the cut is
too eager *here*, so moderators see their server's false-alarm rate and a suggested
sensitivity. The suggestion never changes anything by itself: a moderator decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Fewer flagged drafts than this say too little to suggest a change.
MIN_FLAGGED = 10
#: Above this share of flagged drafts marked as mistakes, suggest flagging less.
HIGH_RATE = 0.15
#: Below this share (with plenty of flags), the check could flag a little more readily.
LOW_RATE = 0.03
STEP = 0.1


@dataclass(frozen=True)
class Calibration:
    """One server's record: flagged drafts, mistakes reported, and what to do about it."""

    flagged: int
    mistakes: int
    sensitivity: float

    @property
    def rate(self) -> float:
        return self.mistakes / self.flagged if self.flagged else 0.0

    @property
    def suggested(self) -> float | None:
        """A sensitivity to try, or None when the current one looks right (or data is thin)."""
        if self.flagged < MIN_FLAGGED:
            return None
        if self.rate > HIGH_RATE:
            steps = math.ceil((self.rate - HIGH_RATE) / 0.1 + 1e-9)
            return round(max(0.0, self.sensitivity - STEP * steps), 2)
        if self.rate < LOW_RATE and self.flagged >= 3 * MIN_FLAGGED:
            return round(min(1.0, self.sensitivity + STEP), 2)
        return None

    def lines(self) -> list[str]:
        """What moderators read, in Discord and in the console alike."""
        if not self.flagged:
            return ["No draft has been flagged in this server yet."]
        head = (
            f"False-alarm rate: {self.mistakes} of {self.flagged} flagged drafts were marked "
            f"as a mistake by their writers ({self.rate:.0%}). "
            f"Sensitivity is {self.sensitivity:.2f}."
        )
        suggested = self.suggested
        if self.flagged < MIN_FLAGGED:
            tail = f"Too few flagged drafts to suggest a change (at least {MIN_FLAGGED})."
        elif suggested is None:
            tail = "The current sensitivity looks right."
        elif suggested < self.sensitivity:
            tail = f"Suggested: /config set advice.sensitivity {suggested:.2f} (flag less often)."
        else:
            tail = f"Suggested: /config set advice.sensitivity {suggested:.2f} (flag a bit more)."
        return [head, tail]
