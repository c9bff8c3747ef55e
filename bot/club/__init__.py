"""The practice club: monthly (or weekly) check-ins in a shared thread, and a digest
built only from what members chose to share; accountability pairs, a group push and
forgiving streaks (:mod:`bot.club.social`). No Discord here."""

from bot.club.model import Cadence, CheckIn, CheckInForm, Club, ClubStatus, Digest, Entry
from bot.club.practice import CoachingPracticeLog
from bot.club.service import CHECK_IN_ACTION, ClubService
from bot.club.store import ClubRepository

__all__ = [
    "CHECK_IN_ACTION",
    "Cadence",
    "CheckIn",
    "CheckInForm",
    "Club",
    "ClubRepository",
    "ClubService",
    "ClubStatus",
    "CoachingPracticeLog",
    "Digest",
    "Entry",
]
