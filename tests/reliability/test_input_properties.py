"""Bad input to the domain's parsers: every rejection is the parser's own clear message.

Property-based: whatever a member types (empty, huge, emoji, right-to-left, markdown,
mentions, NUL bytes...), each parser either accepts it or raises its documented error
with a message a person can act on; nothing else escapes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.advice import AdviceChecker
from bot.advice_flow import BadLink, parse_message_link
from bot.coaching.timeparse import (
    InputProblem,
    parse_date,
    parse_days,
    parse_local_time,
    parse_timezone,
)
from bot.dialogues.model import InvalidAnswer
from bot.dialogues.parsing import parse_confidence, parse_items, parse_yes_no
from bot.dialogues.parsing import parse_date as parse_dialogue_date
from bot.guild_config.keys import KEYS, ConfigError, parse_value, with_value
from bot.guild_config.model import GuildConfig
from bot.guild_config.render import import_json
from bot.llm.prompts import check_template
from knowledge.note import NoteError, parse_note
from tests.reliability.nasty import nasty_text

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clear(message: str) -> None:
    """A rejection a person can act on: one or a few lines, no traceback, not empty."""
    assert message.strip(), "empty rejection message"
    assert "Traceback" not in message
    assert len(message) < 6000


@BOUNDED
@given(nasty_text)
def test_coaching_time_inputs(text: str) -> None:
    for parse in (parse_timezone, parse_local_time, parse_days):
        try:
            parse(text)
        except InputProblem as exc:
            clear(str(exc))
    try:
        parse_date(text, date(2026, 3, 2))
    except InputProblem as exc:
        clear(str(exc))


@BOUNDED
@given(nasty_text)
def test_dialogue_answers(text: str) -> None:
    for parse in (parse_confidence, parse_items):
        try:
            parse(text)
        except InvalidAnswer as exc:
            clear(str(exc))
    try:
        parse_dialogue_date(text, datetime(2026, 3, 2, tzinfo=UTC))
    except InvalidAnswer as exc:
        clear(str(exc))
    assert parse_yes_no(text) in (True, False, None)


@BOUNDED
@given(st.sampled_from(KEYS), nasty_text)
def test_config_values(spec: Any, raw: str) -> None:
    try:
        parse_value(spec, None, raw)
    except (ValueError, ConfigError) as exc:
        clear(str(exc))
    try:
        with_value(GuildConfig(), spec.path, raw)
    except ConfigError as exc:
        assert exc.problems and all(p.key == spec.path for p in exc.problems), exc.problems
        clear(str(exc))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=12,
)


def exported() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GuildConfig().model_dump_json())
    return data


@BOUNDED
@given(st.data())
def test_config_files_with_wrong_types_name_the_field(data: st.DataObject) -> None:
    """A valid export with one value replaced by something else: the key is named."""
    document = exported()
    section = data.draw(
        st.sampled_from(sorted(k for k, v in document.items() if isinstance(v, dict)))
    )
    if not document[section]:
        return
    key = data.draw(st.sampled_from(sorted(document[section])))
    document[section][key] = data.draw(json_values)
    raw = json.dumps(document).encode()
    try:
        import_json(raw)
    except ConfigError as exc:
        clear(str(exc))
        assert any(f"{section}.{key}" in p.key for p in exc.problems), exc.problems


@BOUNDED
@given(
    st.one_of(
        st.binary(max_size=2000), nasty_text.map(lambda s: s.encode("utf-8", "surrogatepass"))
    )
)
def test_config_files_that_are_not_json(raw: bytes) -> None:
    try:
        import_json(raw)
    except ConfigError as exc:
        clear(str(exc))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"[1, 2, 3]",
        b'"just a string"',
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\xff\xfe\xfa",
        b'{"advice": {"sensitivity": "high"}}',
        b'{"advice": []}',
        b"{" + b'"a": 1,' * 200_000 + b"}",
    ],
)
def test_config_file_rejections_are_one_clear_problem_list(raw: bytes) -> None:
    with pytest.raises(ConfigError) as error:
        import_json(raw)
    clear(str(error.value))


VALID_FRONT = {
    "id": "my-note",
    "title": "My note",
    "kind": "technique",
    "tags": ["practice"],
    "summary": "A summary.",
    "five_minute_version": "Do it for five minutes.",
    "steps": ["One", "Two"],
}


def note_text(front: str, body: str = "## What it is\n\nText.\n") -> str:
    return f"---\n{front}\n---\n{body}"


@BOUNDED
@given(st.sampled_from(sorted(VALID_FRONT)), json_values)
def test_notes_with_wrong_types_name_the_file_and_field(field: str, value: object) -> None:
    front = dict(VALID_FRONT, **{field: value})
    text = note_text(json.dumps(front))  # JSON is YAML
    try:
        parse_note(text, "notes/my-note.md")
    except NoteError as exc:
        for problem in exc.problems:
            clear(str(problem))
            assert problem.file == "notes/my-note.md"


@BOUNDED
@given(nasty_text, nasty_text)
def test_notes_with_malformed_front_matter(front: str, body: str) -> None:
    for text in (note_text(front, body), front, "---\n" + front):
        try:
            parse_note(text, "upload.md")
        except NoteError as exc:
            assert exc.problems
            for problem in exc.problems:
                clear(str(problem))
                assert problem.file == "upload.md"


@pytest.mark.parametrize(
    "front",
    [
        "title: [unclosed",
        "title: 'x'\n  bad: indent",
        "- a list\n- not a mapping",
        "!!python/object/apply:os.system ['echo hi']",
        "title: &a [*a]",
        "steps: " + "[" * 500,
        "id: My Note With Spaces",
    ],
)
def test_known_malformed_notes_are_rejected_with_the_file_named(front: str) -> None:
    with pytest.raises(NoteError) as error:
        parse_note(note_text(front), "notes/bad.md")
    assert all(p.file == "notes/bad.md" for p in error.value.problems)
    clear(str(error.value))


@BOUNDED
@given(nasty_text, nasty_text)
def test_the_advice_check_reads_anything(post: str, reply: str) -> None:
    report = AdviceChecker().check(post, reply)
    assert 0.0 <= report.score <= 1.0
    assert not report.flagged or (report.checked and report.score >= report.threshold)
    assert report.flagged or report.suggestion == reply
    assert all(e in reply for reason in report.reasons for e in reason.excerpts)


@BOUNDED
@given(nasty_text)
def test_message_links(text: str) -> None:
    try:
        parse_message_link(text, 1)
    except BadLink as exc:
        clear(str(exc))


@BOUNDED
@given(nasty_text)
def test_server_instruction_templates(template: str) -> None:
    for problem in check_template(template):
        clear(problem)
