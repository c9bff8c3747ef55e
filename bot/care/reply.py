"""The kind reply to a question that shows distress: it points to people, not a note.

Someone who says they feel worthless is not asking for a technique, and a note on
deliberate practice would tell them they were not heard. The reply acknowledges what
they said, tells them they are not alone, and suggests talking to someone they trust
and to the server's people (by name, when moderators set a help channel or a mentor
role). When the words are about suicide or self-harm, it also says plainly to contact
local emergency services or a crisis line.

It is short on purpose and it never diagnoses. Both adapters show this same text; they
only decide how a channel or role is written (a mention in Discord, words in the
console).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.care.detect import CareAssessment

CARE_TITLE = "You're not alone in this"
#: A directory of free, confidential crisis lines in many countries.
HELPLINES_URL = "https://findahelpline.com"


@dataclass(frozen=True)
class ServerPeople:
    """How the server's people are named in the reply; None when not configured."""

    help_channel: str | None = None
    mentor_role: str | None = None


def care_reply(
    assessment: CareAssessment,
    people: ServerPeople,
    *,
    can_share: bool,
    gentle_note: str | None = None,
) -> str:
    """The reply for a question the detector found distressed.

    ``gentle_note`` is a line about one note that fits the question confidently and
    does not blame the reader; it comes after the people, never instead of them, and
    never with crisis resources.
    """
    lines = [
        "I'm really sorry you're feeling this way. That sounds heavy, and thank you for saying it.",
        "",
        "You're not alone: a lot of people in research and practice feel like this at "
        "times, including the ones who seem to have it all together. It isn't a measure "
        "of what you're worth.",
        "",
        "A technique note can't carry this for you. It can really help to talk "
        "to someone you trust: a friend, a mentor, a labmate, or the people in this server.",
    ]
    if people.mentor_role:
        lines.append(f"The {people.mentor_role} people here are glad to listen.")
    if can_share and people.help_channel:
        lines += [
            "",
            f"If you'd like, I can post your question in {people.help_channel} so people "
            "here can support you. It's your choice: nothing is posted unless you say so.",
        ]
    if gentle_note and not assessment.crisis:
        lines += ["", gentle_note]
    if assessment.crisis:
        lines += [
            "",
            "If you're thinking about ending your life or hurting yourself, or you don't "
            "feel safe right now, please contact your local emergency services or a crisis "
            f"line now. {HELPLINES_URL} lists free, confidential lines in many countries.",
        ]
    return "\n".join(lines)
