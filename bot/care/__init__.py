"""Care: a question that shows distress gets a kind reply that points to people."""

from bot.care.detect import CareAssessment, CareDetector
from bot.care.reply import CARE_TITLE, ServerPeople, care_reply

__all__ = ["CARE_TITLE", "CareAssessment", "CareDetector", "ServerPeople", "care_reply"]
