"""A sandbox for moderators' instruction templates: named placeholders and nothing else.

``str.format`` is a small language. ``{server_name:d}`` raised on every ``/ask``;
``{server_name:>300000000}`` allocated hundreds of MB; ``{x.__class__}`` and ``{x[0]}``
reach into objects. So templates are never given to ``str.format``: this module has its
own tokenizer that understands exactly ``{name}``, ``{{`` and ``}}``.

* :func:`template_problems` is the gate at ``/config set`` and ``/config import``: it
  names every format spec, conversion, attribute or index access, positional field,
  unknown name and stray brace, in words a moderator can act on.
* :func:`render_template` is what runs on every question. It never raises and its output
  is bounded: a template that somehow slipped past the gate (stored before this rule)
  renders with the offending fields left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

#: The placeholders a server's own facilitator instructions may use.
SERVER_PLACEHOLDERS = frozenset({"server_name", "topic", "tone"})
#: The longest value one placeholder contributes (server names are at most 100 characters).
MAX_VALUE_CHARS = 500
#: The longest rendered text; the template itself is limited to 2,000 characters.
MAX_RENDERED_CHARS = 12_000

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class _Piece:
    """One part of a template: literal text, or a field (``field`` is its inside)."""

    text: str
    field: str | None = None
    stray: bool = False


def _pieces(template: str) -> Iterator[_Piece]:
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            yield _Piece(template[position : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            yield _Piece(token[0])
        elif match.group(1) is not None:
            yield _Piece("", field=match.group(1))
        else:
            yield _Piece(token, stray=True)
        position = match.end()
    if position < len(template):
        yield _Piece(template[position:])


def _allowed() -> str:
    return ", ".join("{" + name + "}" for name in sorted(SERVER_PLACEHOLDERS))


def field_problem(field: str) -> str | None:
    """Why ``{field}`` is not a plain placeholder, or None when it is one."""
    if field in SERVER_PLACEHOLDERS:
        return None
    shown = "{" + field[:40] + ("…" if len(field) > 40 else "") + "}"
    name = re.split(r"[:!.\[]", field, maxsplit=1)[0].strip()
    plain = f"; write plain {{{name}}}" if name in SERVER_PLACEHOLDERS else ""
    if ":" in field:
        return f"{shown}: format specs (after ':') are not allowed{plain}"
    if "!" in field:
        return f"{shown}: conversions (after '!') are not allowed{plain}"
    if "." in field or "[" in field:
        return f"{shown}: attribute or index access is not allowed{plain}"
    if not field.strip() or field.strip().isdigit():
        return f"{shown}: positional fields are not allowed; allowed: {_allowed()}"
    return f"unknown placeholder {shown}; allowed: {_allowed()}"


def template_problems(template: str) -> list[str]:
    """Every reason ``template`` is not plain text with named placeholders; [] when fine."""
    problems: list[str] = []
    for piece in _pieces(template):
        if piece.stray:
            problems.append(
                f"a lone '{piece.text}' (unbalanced or nested braces); "
                "write {{ and }} for literal braces"
            )
        elif piece.field is not None:
            problem = field_problem(piece.field)
            if problem is not None:
                problems.append(problem)
    return list(dict.fromkeys(problems))  # each problem once, in order


def template_fields(template: str) -> set[str]:
    """The valid placeholder names ``template`` uses."""
    return {
        piece.field
        for piece in _pieces(template)
        if piece.field is not None and piece.field in SERVER_PLACEHOLDERS
    }


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Substitute the named placeholders; never raises, never grows past a fixed bound.

    Invalid fields render as nothing and stray braces as themselves, so a template stored
    before the gate existed degrades instead of failing every question.
    """
    out: list[str] = []
    size = 0
    for piece in _pieces(template):
        if piece.field is None:
            text = piece.text
        elif piece.field in SERVER_PLACEHOLDERS:
            text = str(values.get(piece.field, ""))[:MAX_VALUE_CHARS]
        else:
            text = ""
        out.append(text)
        size += len(text)
        if size >= MAX_RENDERED_CHARS:
            break
    return "".join(out)[:MAX_RENDERED_CHARS]
