"""``touchstone check-advice``: run the premature-advice check from a shell.

Useful for moderators trying a sensitivity before setting it for a server, and
for batch-checking exported drafts (``--jsonl``). All bad input ends as one line
on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.advice import AdviceChecker, AdviceReport, Intent
from bot.cli.common import EXIT_USAGE, CliError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check-advice",
        help="check a draft reply for premature or overwhelming advice",
        description="Check a draft reply against the post it answers; offer a gentler version.",
    )
    parser.add_argument("--post", help="the original post being replied to")
    parser.add_argument("--reply", help="the draft reply to check")
    parser.add_argument(
        "--intent",
        choices=[Intent.SHARING.value, Intent.DETAILS.value],
        help="what the poster wanted (inferred from the post when omitted)",
    )
    parser.add_argument(
        "--sensitivity",
        type=float,
        default=0.5,
        help="0 = flag rarely, 1 = flag readily (default 0.5)",
    )
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument(
        "--jsonl",
        metavar="FILE",
        help='check every line {"post":..., "reply":..., "intent"?:...}; one JSON line out each',
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    checker = _checker(args.sensitivity)
    if args.jsonl is not None:
        if args.post is not None or args.reply is not None:
            raise CliError("use either --jsonl or --post/--reply, not both", EXIT_USAGE)
        items = _read_jsonl(Path(args.jsonl))
        for post, reply, intent in items:
            report = checker.check(post, reply, intent)
            print(json.dumps(report.to_json(), ensure_ascii=False))
        return 0
    if args.post is None or args.reply is None:
        raise CliError("check-advice needs --post and --reply (or --jsonl FILE)", EXIT_USAGE)
    intent = Intent(args.intent) if args.intent else Intent.UNKNOWN
    report = checker.check(args.post, args.reply, intent)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(render(report))
    return 0


def _checker(sensitivity: float) -> AdviceChecker:
    try:
        return AdviceChecker(sensitivity=sensitivity)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _read_jsonl(path: Path) -> list[tuple[str, str, Intent]]:
    """Parse and validate the whole file first, so a bad line 40 prints nothing half-done."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    items: list[tuple[str, str, Intent]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise CliError(f"{path}:{number}: expected a JSON object")
        post, reply, intent = obj.get("post"), obj.get("reply"), obj.get("intent")
        if not isinstance(post, str) or not isinstance(reply, str):
            raise CliError(f'{path}:{number}: needs string fields "post" and "reply"')
        if intent is None:
            items.append((post, reply, Intent.UNKNOWN))
            continue
        try:
            items.append((post, reply, Intent(intent)))
        except ValueError:
            raise CliError(
                f'{path}:{number}: "intent" must be sharing, details or null, got {intent!r}'
            ) from None
    return items


def render(report: AdviceReport) -> str:
    """A report a person can read in a terminal."""
    verdict = "FLAGGED" if report.flagged else "looks fine"
    cmp = ">=" if report.flagged else "<"
    lines = [
        f"{verdict} (score {report.score:.2f} {cmp} threshold {report.threshold:.2f}); "
        f"intent: {report.intent.value} ({report.intent_source}"
        f"{', narrow question' if report.narrow_question else ''})"
    ]
    if report.reasons:
        lines.append("Reasons:")
        for reason in report.reasons:
            lines.append(f"  - {reason.code}: {reason.message}")
            lines.extend(f"      > {excerpt}" for excerpt in reason.excerpts[:6])
    if report.flagged:
        lines += ["Gentler version:", f"  {report.suggestion}"]
        if report.kept_aside:
            lines.append("Kept aside (offer these later, if asked):")
            lines.extend(f"  - {point}" for point in report.kept_aside)
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - convenience: python -m bot.cli.check_advice
    _parser = argparse.ArgumentParser(prog="touchstone")
    register(_parser.add_subparsers(dest="command"))
    _args = _parser.parse_args(["check-advice", *sys.argv[1:]])
    try:
        sys.exit(_args.handler(_args))
    except CliError as _exc:
        print(f"touchstone: {_exc}", file=sys.stderr)
        sys.exit(_exc.exit_code)
