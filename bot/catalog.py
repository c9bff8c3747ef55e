"""Every user-facing command, described once.

``/help`` in Discord and ``help`` in the console both render this list, and a test
checks it against the commands actually registered, so the help never drifts from
what exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandInfo:
    name: str  # as typed in Discord, without the slash ("knowledge add")
    group: str
    summary: str
    console: str | None = None  # console usage, when it differs from the name
    moderator: bool = False


GROUPS = ("General", "Knowledge", "Advice", "Dialogues", "Coaching", "Privacy", "Moderators")

CATALOG: tuple[CommandInfo, ...] = (
    CommandInfo("about", "General", "What Touchstone does, its version, and what it stores."),
    CommandInfo("help", "General", "This list of commands."),
    CommandInfo(
        "ask",
        "Knowledge",
        "Ask for guidance; the answer cites the notes it draws on. Under it, "
        '"Show another note" and "That didn\'t help".',
        "ask QUESTION, then another | unhelpful (| share, after a kind reply)",
    ),
    CommandInfo("note", "Knowledge", "Show one note from the library.", "note ID-OR-TITLE"),
    CommandInfo(
        "techniques", "Knowledge", "Browse the library by kind or tag.", "techniques [KIND] [TAG]"
    ),
    CommandInfo(
        "knowledge add",
        "Knowledge",
        "Add a note to this server's library (file or form).",
        "knowledge add FILE.md",
        moderator=True,
    ),
    CommandInfo("knowledge list", "Knowledge", "List this server's own notes.", "knowledge list"),
    CommandInfo(
        "knowledge remove",
        "Knowledge",
        "Remove one of this server's notes.",
        "knowledge remove ID",
        moderator=True,
    ),
    CommandInfo(
        "advise",
        "Advice",
        "Draft a reply to a message (or Apps → Reply with care on it); it is checked, "
        "with a gentler version offered, before anything is posted.",
        "advise POST, then draft REPLY, post [gentle], edit REPLY, cancel, mistake; "
        "watch POST REPLY [nudge|hold]",
    ),
    CommandInfo(
        "impossible",
        "Dialogues",
        "Very specifically, why is this goal impossible?",
        "impossible GOAL",
    ),
    CommandInfo(
        "crux",
        "Dialogues",
        "Double crux with someone, or with yourself in DMs.",
        "crux PARTNER CLAIM | crux solo [A/B] CLAIM",
    ),
    CommandInfo(
        "exercise", "Dialogues", "Run a guided exercise from the notes.", "exercise [NAME]"
    ),
    CommandInfo(
        "dialogue pause", "Dialogues", "Pause the dialogue you are in.", "dialogue pause [ID]"
    ),
    CommandInfo(
        "dialogue resume", "Dialogues", "Resume a paused dialogue.", "dialogue resume [ID]"
    ),
    CommandInfo(
        "dialogue end", "Dialogues", "End a dialogue; the transcript is kept.", "dialogue end [ID]"
    ),
    CommandInfo(
        "dialogue export", "Dialogues", "The whole dialogue as Markdown.", "dialogue export [ID]"
    ),
    CommandInfo(
        "coach start",
        "Coaching",
        "Daily morning prompts in your DMs: time zone, time, days.",
        "coach start TIMEZONE TIME [DAYS] [nudge]",
    ),
    CommandInfo(
        "coach settings",
        "Coaching",
        "Show or change your coaching settings.",
        "coach settings [timezone=..] [time=..] [days=..] [nudge=on|off] [nudge_time=..]",
    ),
    CommandInfo(
        "coach pause",
        "Coaching",
        "Pause coaching until a date; streaks don't break.",
        "coach pause UNTIL",
    ),
    CommandInfo("coach resume", "Coaching", "Resume coaching after a pause."),
    CommandInfo("coach stop", "Coaching", "Stop coaching (your log is kept)."),
    CommandInfo(
        "coach prompts",
        "Coaching",
        "Add, edit, reorder or remove your morning prompts.",
        "coach prompts [add TEXT | edit N TEXT | move N TO | remove N | reset]",
    ),
    CommandInfo(
        "coach server-prompts",
        "Coaching",
        "Set this server's default morning prompts.",
        "coach server-prompts PROMPT; PROMPT; ...",
        moderator=True,
    ),
    CommandInfo(
        "practice log",
        "Coaching",
        "Log minutes of focused practice on a skill.",
        "practice log MINUTES SKILL [practised=..] [noticed=..]",
    ),
    CommandInfo("practice stats", "Coaching", "Your practice over 30 days, with a chart."),
    CommandInfo(
        "practice push start",
        "Coaching",
        "Start a push on one skill (20 hours by default).",
        "practice push start SKILL [HOURS]",
    ),
    CommandInfo("practice push status", "Coaching", "Progress of your pushes."),
    CommandInfo(
        "practice push stop",
        "Coaching",
        "Stop a push (its practice stays logged).",
        "practice push stop SKILL",
    ),
    CommandInfo(
        "practice push reflect",
        "Coaching",
        "Reflect on a finished push.",
        "practice push reflect TEXT",
    ),
    CommandInfo(
        "club start",
        "Coaching",
        "Start, change or resume the practice club: monthly (or weekly) check-ins.",
        "club start [monthly|weekly] TIMEZONE [day=1] [time=19:00] [open=DAYS]",
        moderator=True,
    ),
    CommandInfo("club pause", "Coaching", "Pause the practice club.", moderator=True),
    CommandInfo("club end", "Coaching", "End the practice club.", moderator=True),
    CommandInfo(
        "club questions",
        "Coaching",
        "Set the check-in questions (audited; empty: the note's).",
        "club questions Q1; Q2 | reset",
        moderator=True,
    ),
    CommandInfo("club status", "Coaching", "When the club meets and what is open."),
    CommandInfo(
        "club checkin",
        "Coaching",
        "Check in privately; the form starts from your practice log. Hours and your one "
        "change reach the digest only if you say yes.",
        "club checkin, then club answer [change=..] [share_hours=yes] [quote_change=yes] TEXT",
    ),
    CommandInfo(
        "club remind", "Coaching", "A DM reminder per check-in (opt-in).", "club remind on|off"
    ),
    CommandInfo(
        "club pair find",
        "Coaching",
        "Find a practice partner near your time zone (same skill preferred); you meet in a "
        "private thread that asks each week what you practised.",
        "club pair find [skill=..] [tz=..]",
    ),
    CommandInfo(
        "club pair leave",
        "Coaching",
        "Leave your pair or the partner list; your partner is told kindly.",
    ),
    CommandInfo(
        "club push start",
        "Coaching",
        "Start a shared practice push (20 hours by default) with an end date.",
        "club push start [hours=20] [ends=14 days]",
        moderator=True,
    ),
    CommandInfo("club push join", "Coaching", "Join the push: your logged practice fills its bar."),
    CommandInfo("club push status", "Coaching", "The push's shared progress so far."),
    CommandInfo("club push stop", "Coaching", "End the push now.", moderator=True),
    CommandInfo(
        "club streak",
        "Coaching",
        "Freeze days that keep a streak through a missed day, and an opt-in DM when your "
        "streak is at risk.",
        "club streak [freezes=0-3] [remind=on|off] [time=20:00]",
    ),
    CommandInfo("mydata export", "Privacy", "A JSON file of everything stored about you."),
    CommandInfo("mydata delete", "Privacy", "Delete everything stored about you (asks first)."),
    CommandInfo(
        "config show",
        "Moderators",
        "This server's settings.",
        "config show [SECTION]",
        moderator=True,
    ),
    CommandInfo(
        "config set", "Moderators", "Change one setting.", "config set KEY VALUE", moderator=True
    ),
    CommandInfo(
        "config reset",
        "Moderators",
        "A setting, or all, back to default.",
        "config reset [KEY]",
        moderator=True,
    ),
    CommandInfo(
        "config export",
        "Moderators",
        "The settings as a JSON file.",
        "config export FILE",
        moderator=True,
    ),
    CommandInfo(
        "config import",
        "Moderators",
        "Replace the settings with a file.",
        "config import FILE",
        moderator=True,
    ),
    CommandInfo(
        "config history",
        "Moderators",
        "Who changed which setting, when.",
        "config history",
        moderator=True,
    ),
    CommandInfo(
        "config false-alarms",
        "Moderators",
        "Replies flagged by mistake.",
        "config false-alarms",
        moderator=True,
    ),
    CommandInfo(
        "config feedback",
        "Moderators",
        "What members said about /ask answers, per note.",
        "config feedback",
        moderator=True,
    ),
    CommandInfo(
        "config feedback-export",
        "Moderators",
        "That feedback as JSONL (question, shown notes, action), for evaluation.",
        "config feedback-export FILE",
        moderator=True,
    ),
    CommandInfo(
        "config panel",
        "Moderators",
        "Buttons for the common settings.",
        "config show",
        moderator=True,
    ),
)


def commands_in(group: str) -> list[CommandInfo]:
    return [c for c in CATALOG if c.group == group]


def help_sections() -> list[tuple[str, list[CommandInfo]]]:
    """Groups with at least one command, in display order."""
    return [(group, commands_in(group)) for group in GROUPS if commands_in(group)]
