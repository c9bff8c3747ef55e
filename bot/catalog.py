"""Every user-facing command, described once, here.

``/help`` in Discord and ``help`` in the console both render this module; the Discord
commands and groups take their descriptions from it (:func:`description`), and the
console commands their one-line summaries and usages (:func:`console_summary`,
:func:`console_usage`). A test checks it against the commands actually registered, so
the help never drifts from what exists.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Discord refuses a command or group description longer than this.
MAX_DESCRIPTION = 100


@dataclass(frozen=True)
class CommandInfo:
    name: str  # as typed in Discord, without the slash ("knowledge add")
    group: str
    summary: str  # the line in /help and in the console's help
    moderator: bool = False
    #: What Discord shows under the command as it is typed, when it differs from the
    #: summary (at most 100 characters).
    short: str | None = None

    @property
    def description(self) -> str:
        return self.short if self.short is not None else self.summary


GROUPS = ("General", "Knowledge", "Advice", "Dialogues", "Coaching", "Privacy", "Moderators")

CATALOG: tuple[CommandInfo, ...] = (
    CommandInfo("about", "General", "What Touchstone does, its version, and what it stores."),
    CommandInfo(
        "help", "General", "This list of commands.", short="Every Touchstone command, grouped."
    ),
    CommandInfo(
        "ask",
        "Knowledge",
        'Ask for guidance; the answer cites the notes it draws on. Under it, "Show another note" and "That didn\'t help".',
        short="Ask for guidance from the notes library, with citations.",
    ),
    CommandInfo("note", "Knowledge", "Show one note from the library."),
    CommandInfo("techniques", "Knowledge", "Browse the library by kind or tag."),
    CommandInfo(
        "knowledge add",
        "Knowledge",
        "Add a note to this server's library (file or form).",
        moderator=True,
        short="Add a note: attach a .md file, or fill in a form.",
    ),
    CommandInfo("knowledge list", "Knowledge", "List this server's own notes."),
    CommandInfo(
        "knowledge remove",
        "Knowledge",
        "Remove one of this server's notes.",
        moderator=True,
    ),
    CommandInfo(
        "advise",
        "Advice",
        "Draft a reply to a message (or Apps → Reply with care on it); it is checked, with a gentler version offered, before anything is posted.",
        short="Draft a reply to a message; it is checked before it is posted.",
    ),
    CommandInfo(
        "impossible",
        "Dialogues",
        "Very specifically, why is this goal impossible?",
        short="Very specifically, why is this impossible?",
    ),
    CommandInfo(
        "crux",
        "Dialogues",
        "Double crux with someone, or with yourself in DMs.",
        short="Double crux with someone (or, in DMs, with yourself).",
    ),
    CommandInfo("exercise", "Dialogues", "Run a guided exercise from the notes."),
    CommandInfo(
        "dialogue pause",
        "Dialogues",
        "Pause the dialogue you are in.",
        short="Pause the dialogue (anyone in it).",
    ),
    CommandInfo("dialogue resume", "Dialogues", "Resume a paused dialogue."),
    CommandInfo(
        "dialogue end",
        "Dialogues",
        "End a dialogue; the transcript is kept.",
        short="End the dialogue; the transcript is kept.",
    ),
    CommandInfo(
        "dialogue export",
        "Dialogues",
        "The whole dialogue as Markdown.",
        short="The whole dialogue as a Markdown file.",
    ),
    CommandInfo(
        "coach start",
        "Coaching",
        "Daily morning prompts in your DMs: time zone, time, days.",
        short="Start daily coaching: morning prompts in your DMs.",
    ),
    CommandInfo("coach settings", "Coaching", "Show or change your coaching settings."),
    CommandInfo(
        "coach pause",
        "Coaching",
        "Pause coaching until a date; streaks don't break.",
        short="Pause coaching until a date (a vacation).",
    ),
    CommandInfo("coach resume", "Coaching", "Resume coaching after a pause."),
    CommandInfo("coach stop", "Coaching", "Stop coaching (your log is kept)."),
    CommandInfo(
        "coach prompts",
        "Coaching",
        "Add, edit, reorder or remove your morning prompts.",
        short="Edit your morning prompts (one per line).",
    ),
    CommandInfo(
        "coach server-prompts",
        "Coaching",
        "Set this server's default morning prompts.",
        moderator=True,
    ),
    CommandInfo(
        "practice log",
        "Coaching",
        "Log minutes of focused practice on a skill.",
        short="Log minutes of focused practice.",
    ),
    CommandInfo(
        "practice stats",
        "Coaching",
        "Your practice over 30 days, with a chart.",
        short="Your practice over the last 30 days, with a chart.",
    ),
    CommandInfo(
        "practice push start", "Coaching", "Start a push on one skill (20 hours by default)."
    ),
    CommandInfo("practice push test", "Coaching", "Set the before/after test of your push."),
    CommandInfo("practice push status", "Coaching", "Progress of your pushes."),
    CommandInfo("practice push stop", "Coaching", "Stop a push (its practice stays logged)."),
    CommandInfo(
        "practice push reflect",
        "Coaching",
        "Reflect on a finished push.",
        short="Reflect on your finished push.",
    ),
    CommandInfo(
        "club start",
        "Coaching",
        "Start, change or resume the practice club: monthly (or weekly) check-ins.",
        moderator=True,
        short="Start (or change, or resume) the practice club.",
    ),
    CommandInfo(
        "club pause",
        "Coaching",
        "Pause the practice club.",
        moderator=True,
        short="Pause the practice club (no new check-ins).",
    ),
    CommandInfo("club end", "Coaching", "End the practice club.", moderator=True),
    CommandInfo(
        "club questions",
        "Coaching",
        "Set the check-in questions (audited; empty: the note's).",
        moderator=True,
        short="Set the check-in questions (one per line).",
    ),
    CommandInfo("club status", "Coaching", "When the club meets and what is open."),
    CommandInfo(
        "club checkin",
        "Coaching",
        "Check in privately; the form starts from your practice log. Hours and your one change reach the digest only if you say yes.",
        short="Check in privately (the form starts from your log).",
    ),
    CommandInfo(
        "club remind",
        "Coaching",
        "A DM reminder per check-in (opt-in).",
        short="A DM reminder for each check-in (opt-in).",
    ),
    CommandInfo(
        "club pair find",
        "Coaching",
        "Find a practice partner near your time zone (same skill preferred); you meet in a private thread that asks each week what you practised.",
        short="Find a practice partner near your time zone.",
    ),
    CommandInfo(
        "club pair leave",
        "Coaching",
        "Leave your pair or the partner list; your partner is told kindly.",
        short="Leave your pair (or the list); no reason needed.",
    ),
    CommandInfo(
        "club push start",
        "Coaching",
        "Start a shared practice push (20 hours by default) with an end date.",
        moderator=True,
        short="Start a shared practice push (moderators).",
    ),
    CommandInfo(
        "club push join",
        "Coaching",
        "Join the push: your logged practice fills its bar.",
        short="Join the push: your logged practice counts.",
    ),
    CommandInfo(
        "club push status",
        "Coaching",
        "The push's shared progress so far.",
        short="The push's progress so far.",
    ),
    CommandInfo(
        "club push stop",
        "Coaching",
        "End the push now.",
        moderator=True,
        short="End the push now (moderators).",
    ),
    CommandInfo(
        "club streak",
        "Coaching",
        "Freeze days that keep a streak through a missed day, and an opt-in DM when your streak is at risk.",
        short="Freeze days and a streak-at-risk reminder.",
    ),
    CommandInfo(
        "mydata export",
        "Privacy",
        "A JSON file of everything stored about you.",
        short="Get a JSON file of everything stored about you.",
    ),
    CommandInfo(
        "mydata delete",
        "Privacy",
        "Delete everything stored about you (asks first).",
        short="Delete everything stored about you.",
    ),
    CommandInfo(
        "config show",
        "Moderators",
        "This server's settings.",
        moderator=True,
        short="Show the settings, by section.",
    ),
    CommandInfo("config set", "Moderators", "Change one setting.", moderator=True),
    CommandInfo(
        "config reset",
        "Moderators",
        "A setting, or all, back to default.",
        moderator=True,
        short="Put one setting, or all of them, back to default.",
    ),
    CommandInfo(
        "config export",
        "Moderators",
        "The settings as a JSON file.",
        moderator=True,
        short="Download the settings as a JSON file.",
    ),
    CommandInfo(
        "config import",
        "Moderators",
        "Replace the settings with a file.",
        moderator=True,
        short="Replace the settings with a JSON file.",
    ),
    CommandInfo(
        "config history",
        "Moderators",
        "Who changed which setting, when.",
        moderator=True,
    ),
    CommandInfo(
        "config false-alarms",
        "Moderators",
        "Replies flagged by mistake.",
        moderator=True,
        short="Replies the advice check flagged by mistake.",
    ),
    CommandInfo(
        "config feedback",
        "Moderators",
        "What members said about /ask answers, per note.",
        moderator=True,
    ),
    CommandInfo(
        "config feedback-export",
        "Moderators",
        "That feedback as JSONL (question, shown notes, action), for evaluation.",
        moderator=True,
        short="Feedback on /ask answers as JSONL: question, shown notes, action.",
    ),
    CommandInfo(
        "config panel",
        "Moderators",
        "Buttons for the common settings.",
        moderator=True,
    ),
)


def commands_in(group: str) -> list[CommandInfo]:
    return [c for c in CATALOG if c.group == group]


def help_sections() -> list[tuple[str, list[CommandInfo]]]:
    """Groups with at least one command, in display order."""
    return [(group, commands_in(group)) for group in GROUPS if commands_in(group)]


#: The Discord command groups: what Discord shows under each as it is typed.
GROUP_DESCRIPTIONS = {
    "coach": "Daily coaching in your DMs.",
    "practice": "Your practice log.",
    "practice push": "A longer push on one skill.",
    "club": "The practice club: monthly check-ins and a digest.",
    "club pair": "An accountability partner (opt-in).",
    "club push": "The club's shared practice push.",
    "config": "This server's Touchstone settings (moderators).",
    "dialogue": "Steer or export a dialogue.",
    "knowledge": "This server's own notes (moderators).",
    "mydata": "What Touchstone stores about you.",
}

#: The console's commands (some only exist there), as its ``help`` lists them.
CONSOLE_SUMMARIES = {
    "about": "what Touchstone does and what it stores",
    "help": "every console command, or one's usage",
    "ask": "guidance from the notes, with citations",
    "another": "the next note for your last question",
    "unhelpful": "tell Touchstone the last answer didn't help",
    "share": "post your last question in the server's help channel",
    "note": "show one note",
    "techniques": "browse the library",
    "knowledge": "the server's own notes",
    "advise": "answer a post with care",
    "draft": "check your reply before posting it",
    "post": "post the current draft",
    "edit": "re-check a new text (or show the draft)",
    "cancel": "don't post; the draft is kept",
    "mistake": "mark the report as a false alarm",
    "watch": "what watch mode would do with a reply",
    "impossible": "very specifically, why is this impossible?",
    "crux": "double crux with someone, or between two sides of yourself",
    "exercise": "run a guided exercise from the notes",
    "answer": "answer the open question of your dialogue",
    "dialogue": "steer or export your dialogues",
    "as": "run one command as another person",
    "coach": "daily coaching in DMs",
    "practice": "your practice log, stats and pushes",
    "dm": "reply to the bot's DM (e.g. orient answers)",
    "clock": "show or move the simulated time; due DMs are sent",
    "mydata": "your stored data",
    "club": "the practice club (moderators start it)",
    "config": "this server's settings (as its owner)",
}

#: How to type each console command, as ``help COMMAND`` and a refusal show it. The
#: console commands read it (:func:`console_usage`), as they read their summaries.
CONSOLE_USAGES = {
    "about": "about",
    "help": "help [COMMAND]",
    "ask": "ask QUESTION",
    "another": "another",
    "unhelpful": "unhelpful",
    "share": "share",
    "note": "note ID-OR-TITLE",
    "techniques": "techniques [KIND] [TAG]",
    "knowledge": "knowledge add FILE.md | list | remove ID",
    "advise": "advise [--tag TAG]... POST",
    "draft": "draft REPLY",
    "post": "post [as-written|gentle]",
    "edit": "edit [NEW TEXT]",
    "cancel": "cancel",
    "mistake": "mistake",
    "watch": 'watch nudge|hold [--tag TAG]... "POST" "REPLY" [--dms-closed]',
    "impossible": "impossible GOAL",
    "crux": "crux PARTNER CLAIM | crux solo [SIDE/SIDE] CLAIM",
    "exercise": "exercise [NAME]",
    "answer": "answer TEXT",
    "dialogue": "dialogue answer TEXT|list|export [ID]|pause|resume|end [ID]|sweep",
    "as": "as NAME COMMAND ...",
    "coach": (
        "coach start TIMEZONE TIME [DAYS] [nudge] | settings | pause UNTIL | resume | stop"
        " | prompts ... | server-prompts P1; P2 | quick"
    ),
    "practice": (
        "practice log MINUTES SKILL [practised=..] [noticed=..] | stats"
        " | push start SKILL [HOURS] [test=..] [before=..] | push test TEST [before=..]"
        " | push status | push stop SKILL | push reflect TEXT"
    ),
    "dm": "dm TEXT",
    "clock": "clock | clock advance 1d | clock set 2026-03-29T06:00+00:00",
    "mydata": "mydata export | mydata delete [confirm]",
    "club": (
        "club start [monthly|weekly] TIMEZONE [day=1|mon] [time=19:00] [open=DAYS] | pause | end"
        " | status | questions [Q1; Q2 | reset] | checkin | answer [change=..] [share_hours=yes]"
        " [quote_change=yes] ANSWERS | reply TEXT | remind on|off"
        " | pair [find] [skill=..] [tz=..] | pair leave"
        " | push start [hours=20] [ends=14 days] | push join | push status | push stop"
        " | streak [freezes=0-3] [remind=on|off] [time=20:00]"
    ),
    "config": (
        "config show [SECTION] | keys | set KEY VALUE | reset [KEY|all] | export FILE | "
        "import FILE | history | false-alarms | feedback | feedback-export FILE"
    ),
}

_BY_NAME = {info.name: info for info in CATALOG}


def description(name: str) -> str:
    """What Discord shows under a command or group (``"practice push start"``,
    ``"coach"``); an unknown name is a bug, raised at import of the cog."""
    info = _BY_NAME.get(name)
    text = info.description if info is not None else GROUP_DESCRIPTIONS[name]
    if len(text) > MAX_DESCRIPTION:
        raise ValueError(f"the description of /{name} is over {MAX_DESCRIPTION} characters")
    return text


def console_summary(name: str) -> str:
    """The console ``help`` line of a console command; an unknown name is a bug."""
    return CONSOLE_SUMMARIES[name]


def console_usage(name: str) -> str:
    """How to type a console command (its ``help COMMAND`` line); an unknown name is a bug."""
    return CONSOLE_USAGES[name]
