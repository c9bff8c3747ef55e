"""``touchstone ask "QUESTION"``: the answer the bot would give, from the command line.

Useful to try the knowledge base without Discord and to script checks (``--json``,
whose ``"care"`` says whether the question got the kind reply instead of notes).
The index is built on first use, so this works straight after installation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from bot.cli.common import EXIT_USAGE, CliError, settings_or_exit

if TYPE_CHECKING:
    from bot.care import CareAssessment


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the notes, with citations",
        description="Answer a question from the knowledge base, citing the notes used.",
    )
    parser.add_argument("question", help="the question, in quotes")
    parser.add_argument("--json", action="store_true", help="print the answer and results as JSON")
    parser.add_argument(
        "--k", type=int, default=3, metavar="N", help="notes to draw on (default 3)"
    )
    parser.add_argument(
        "--guild", type=int, default=None, metavar="ID", help="include this server's own notes"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise CliError("the question is empty", EXIT_USAGE)
    if not 1 <= args.k <= 20:
        raise CliError("--k must be between 1 and 20", EXIT_USAGE)
    settings = settings_or_exit()
    from knowledge.service import KnowledgeBase
    from knowledge.store import StoreUnavailable

    knowledge = KnowledgeBase.from_settings(settings)
    from bot.care import CareDetector, ServerPeople, care_reply

    async def run() -> tuple[CareAssessment, Any]:
        await knowledge.ensure_index()
        # As in the bot: a question that shows distress gets people, not a note.
        assessment = await CareDetector(knowledge.embeddings).aassess(args.question)
        if assessment.distress:
            return assessment, None
        answer = await knowledge.answer(
            args.question, k=args.k, guild_id=args.guild, gentle=assessment.gentle
        )
        return assessment, answer

    try:
        assessment, answer = asyncio.run(run())
    except StoreUnavailable as exc:
        raise CliError(str(exc)) from None
    finally:
        knowledge.close()
    if answer is None:
        text = care_reply(assessment, ServerPeople(), can_share=False)
        if args.json:
            payload = {
                "answer": text,
                "care": True,
                "abstained": False,
                "decision": "care",
                "confidence": None,
                "citations": [],
                "results": [],
            }
            print(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            print(text)
        return 0
    if args.json:
        payload = {
            "answer": answer.text,
            "care": False,
            "abstained": answer.abstained,
            "decision": answer.decision.value,
            "confidence": round(answer.confidence, 4),
            "citations": [citation.to_json() for citation in answer.citations],
            "results": [result.to_json() for result in answer.results],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(answer.text)
    if answer.results:
        print()
        print("Matches:")
        for n, result in enumerate(answer.results, start=1):
            print(f"  {n}. {result.title} ({result.note_id}, score {result.score:.4f})")
    return 0
