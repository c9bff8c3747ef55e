"""The words of a report, shared by Discord and the console so both say the same thing.

Plain Markdown that also reads well in a terminal. Member text is quoted, never
interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.advice_flow.model import Draft, DraftStatus

REPORT_TITLE_FLAGGED = "Before you post: this may land as a pile of advice"
REPORT_TITLE_FINE = "Your reply looks good to post"
REPORT_TITLE_UNCHECKED = "Touchstone can't check this language yet"
ATTRIBUTION = "Posted by {name} via Reply with care"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def intent_phrase(draft: Draft) -> str:
    """Which intent the check used and why, in the writer's terms."""
    if draft.report.intent_reason:
        return draft.report.intent_reason
    intent = draft.report.intent.value
    how = "from the forum tags" if draft.report.intent_source == "given" else "from their post"
    return {
        "sharing": f"The poster seems to be sharing a start ({how}), not asking for advice.",
        "details": f"The poster asked for details ({how}).",
    }.get(intent, "")


def report_title(draft: Draft) -> str:
    if not draft.report.checked:
        return REPORT_TITLE_UNCHECKED
    return REPORT_TITLE_FLAGGED if draft.flagged else REPORT_TITLE_FINE


@dataclass(frozen=True)
class ReportPart:
    """One block of a report: an optional bold heading over Markdown text.

    Discord lays each part out as its own text display and the console prints them in
    order, so both show the same words in the same order."""

    heading: str
    text: str

    @property
    def markdown(self) -> str:
        return f"**{self.heading}**\n{self.text}" if self.heading else self.text


def report_parts(draft: Draft, *, max_excerpts: int = 3) -> list[ReportPart]:
    """Reasons with the sentences behind them, then the gentler version, as parts."""
    report = draft.report
    if not report.checked:
        return [ReportPart("", "\n".join(r.message for r in report.reasons))]
    if not report.flagged:
        lines = ["Nothing here looks like unrequested advice piling up."]
        phrase = intent_phrase(draft)
        if phrase:
            lines.append(phrase)
        return [ReportPart("", "\n".join(lines))]
    parts: list[ReportPart] = []
    phrase = intent_phrase(draft)
    if phrase:
        parts.append(ReportPart("", phrase))
    why: list[str] = []
    for reason in report.reasons:
        why.append(f"- {reason.message}")
        why.extend(f"  > {excerpt.strip()[:300]}" for excerpt in reason.excerpts[:max_excerpts])
    parts.append(ReportPart("Why", "\n".join(why)))
    if draft.offers_gentler:
        by = " (written with a language model)" if draft.gentle_source == "model" else ""
        parts.append(ReportPart(f"A gentler version{by}", quote(draft.gentle_text)))
    if report.kept_aside and draft.gentle_source == "checker":
        kept = "\n".join(f"- {point.strip()[:300]}" for point in report.kept_aside[:8])
        parts.append(ReportPart("Kept aside for later, if they ask", kept))
    return parts


def report_body(draft: Draft, *, max_excerpts: int = 3) -> str:
    """The parts as one Markdown text (the console, and anywhere text is one block)."""
    parts = report_parts(draft, max_excerpts=max_excerpts)
    return "\n\n".join(part.markdown for part in parts).strip()


def report_footer(draft: Draft) -> str:
    """Which draft this is and how it scored, small print under a report."""
    return f"draft {draft.id} · score {draft.report.score:.2f} / {draft.report.threshold:.2f}"


def status_note(draft: Draft) -> str:
    """One line on where the draft stands, for the end of a report."""
    if draft.status is DraftStatus.CANCELLED:
        return "Cancelled: nothing was posted. Your draft is kept:\n" + quote(draft.text)
    if draft.status is DraftStatus.POSTED:
        return "Posted."
    return ""


# --- watch mode (bot.advice_flow.watch) ------------------------------------------------

WATCH_NUDGE_TITLE = "A gentle nudge"
WATCH_HELD_TITLE = "What to do with it"
WATCH_HELD_EXPLAIN = (
    "You can post it again as written, post the gentler version, or edit it first; it "
    "will appear as a reply to the same post, under your name."
)
WATCH_STILL_UP = "I couldn't take it down after all, so your reply is still up."
#: The attachment a long held reply comes back in, whole (see watch.give_back).
GIVE_BACK_FILE = "your-reply.txt"


def _at(where: str, link: str | None) -> str:
    return f"{where} ({link})" if link else where


def watch_nudge_intro(where: str, link: str | None) -> str:
    return (
        f"About your reply in {_at(where, link)}: it might land as a pile of advice for "
        "someone who didn't ask for it. It's still posted, nothing happened to it; if you "
        "agree, you could edit it along these lines."
    )


def _holding(where: str) -> str:
    return (
        f"Watch mode in {where} holds replies that might bury someone in advice they "
        "didn't ask for, so I'm taking yours down for now."
    )


def watch_hold_inline(where: str, text: str) -> str:
    """The held text back in one DM, after why it is being taken down."""
    return f"{_holding(where)} Here is exactly what you wrote, nothing is lost:\n\n{text}"


def watch_hold_attached(where: str, chars: int) -> str:
    """The DM that carries a long held text as a file (message limits would cut it)."""
    return (
        f"{_holding(where)} What you wrote is attached whole as {GIVE_BACK_FILE} "
        f"({chars:,} characters), so nothing is lost."
    )


def watch_moderator_note(name: str, where: str, link: str | None) -> str:
    """For the report channel when a held reply's text couldn't reach its writer."""
    if len(name) > 80:
        name = name[:79].rstrip() + "…"
    return (
        f"Watch mode (hold) flagged a reply by {name} in {_at(where, link)} but couldn't "
        "DM them the text, so the reply was left in place."
    )
