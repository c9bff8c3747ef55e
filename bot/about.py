"""The words Touchstone uses to introduce itself. Shared by every adapter."""

from __future__ import annotations

from bot import __version__
from bot.catalog import help_sections

ABOUT_TITLE = "About Touchstone"

ABOUT_TEXT = f"""\
Touchstone {__version__} is a practice and research companion for this community.

What it does:
- Answers questions with guidance from a built-in library of notes on deliberate practice, \
touching reality early, double crux, goal factoring and more, citing the note behind every point.
- Runs coaching dialogues: "very specifically, why is this impossible?", double crux between \
two members or with yourself, and guided exercises.
- Checks a reply before you post it, and offers a gentler version when it might overwhelm \
someone who is just starting.
- Coaches you in DMs: morning orient prompts, a practice log, longer practice pushes and reviews.

What it stores about you, and only to provide these features:
- Your Discord user id, and whether you can receive DMs from it.
- Questions you ask with /ask (so the buttons under an answer work later), and the \
feedback you give on answers ("Show another note", "That didn't help"); moderators see \
per-note counts and can export questions with that feedback, without your name. A \
question is posted to a server's help channel only if you press the button to post it.
- Replies you drafted with the advice check (so the text is never lost) and reports you \
marked as mistakes.
- In channels where moderators turned on watch mode: replies of yours it flagged (so a held \
reply's text can be given back to you and posted again).
- Notes you added to a server's library as a moderator (if you delete your data they \
stay with the server, no longer linked to you).
- Settings you changed as a moderator, in the server's change history (/config history); \
if you delete your data they stay with the server, no longer linked to you.
- If you run dialogues: the answers you give, each step of the dialogue, who took part, and \
the follow-up scheduled for you (double-crux cruxes stay hidden from the other person until both submit).
- If you use coaching: your schedule (time zone, time, days, pauses), your prompts and \
answers, your practice log and pushes, and the DMs scheduled for you.
It reads messages only in channels its moderators asked it to watch, in its own dialogue \
threads, and in DMs you send it. `/mydata export` sends you everything it holds about you; \
`/mydata delete` erases it. The full privacy policy (where it is stored, for how long, \
who sees it, and what a configured language model receives) is PRIVACY.md at the root of \
Touchstone's source, which the operator of this bot can show you."""


def help_text() -> str:
    """Every command, grouped, as plain Markdown that reads well in Discord and a terminal."""
    lines = ["**Touchstone commands**"]
    for group, commands in help_sections():
        lines.append("")
        lines.append(f"__{group}__")
        for info in commands:
            mod = " (moderators)" if info.moderator else ""
            lines.append(f"`/{info.name}`{mod}: {info.summary}")
    return "\n".join(lines)
