"""Issue 13 #8: moderator templates are placeholders only, rendered in a sandbox."""

from __future__ import annotations

import pytest

from bot.guild_config import ConfigError, GuildConfig
from bot.guild_config.keys import with_value
from bot.guild_config.render import facilitator_instructions, import_json
from bot.llm.templates import MAX_RENDERED_CHARS, render_template, template_problems

VALUES = {"server_name": "Club", "topic": "the topic", "tone": "Be warm."}


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("Server {server_name:d}", "format specs"),
        ("{server_name:>300000000}", "format specs"),
        ("{server_name!r}", "conversions"),
        ("{server_name.__class__}", "attribute or index"),
        ("{server_name[0]}", "attribute or index"),
        ("{0} and {}", "positional"),
        ("{member_text}", "unknown placeholder {member_text}"),
        ("a { b", "lone '{'"),
        ("{server_{name}}", "lone"),
    ],
)
def test_anything_but_a_plain_placeholder_is_refused(template: str, words: str) -> None:
    problems = template_problems(template)
    assert problems and words in " ".join(problems), problems


def test_plain_placeholders_and_escaped_braces_render() -> None:
    template = "In {server_name} ({topic}): {tone} Use {{braces}}."
    assert template_problems(template) == []
    assert render_template(template, VALUES) == "In Club (the topic): Be warm. Use {braces}."


@pytest.mark.parametrize(
    "template",
    ["Server {server_name:d}", "{server_name:>300000000}", "{a.b}{c[0]}{!r}", "{ {{ }", "}{"],
)
def test_rendering_never_raises_and_stays_small(template: str) -> None:
    rendered = render_template(template, VALUES)
    assert len(rendered) <= MAX_RENDERED_CHARS
    assert "300000000" not in rendered or len(rendered) < 100


def test_rendered_size_is_bounded_even_for_many_placeholders() -> None:
    rendered = render_template("{server_name}" * 1000, {"server_name": "x" * 10_000})
    assert len(rendered) <= MAX_RENDERED_CHARS


def test_set_and_import_refuse_format_specs_with_a_clear_message() -> None:
    with pytest.raises(ConfigError) as refused:
        with_value(GuildConfig(), "model.instructions_template", "Server {server_name:d}")
    assert "format specs" in str(refused.value.problems[0])
    document = GuildConfig().model_dump(mode="json")
    document["model"]["instructions_template"] = "{server_name:>300000000}"
    with pytest.raises(ConfigError) as imported:
        import_json(__import__("json").dumps(document).encode())
    assert any("format specs" in str(p) for p in imported.value.problems)


def test_a_stored_bad_template_still_renders_without_raising() -> None:
    config = GuildConfig()
    bad = config.model.model_copy(update={"instructions_template": "Hi {server_name:>9999999}"})
    config = config.model_copy(update={"model": bad})
    text = facilitator_instructions(config, server_name="Club")
    assert text is not None and len(text) < 1000 and text.startswith("Hi ")
