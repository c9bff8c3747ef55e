"""Issue 13 #9: pathological /config import files get a clear message stating the limit."""

from __future__ import annotations

import json

import pytest

from bot.guild_config import ConfigError, GuildConfig
from bot.guild_config.json_limits import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS
from bot.guild_config.render import MAX_IMPORT_BYTES, export_json, import_json


def refusal(raw: bytes) -> str:
    with pytest.raises(ConfigError) as refused:
        import_json(raw)
    return " ".join(str(p) for p in refused.value.problems)


def test_sixty_thousand_brackets_state_the_depth_limit() -> None:
    text = refusal(b"[" * 60_000)
    assert "deep" in text and str(MAX_JSON_DEPTH) in text


def test_deep_nesting_inside_an_object_states_the_depth_limit() -> None:
    text = refusal(('{"advice": ' + "[" * 500 + "]" * 500 + "}").encode())
    assert str(MAX_JSON_DEPTH) in text


def test_a_five_thousand_digit_integer_states_the_digit_limit() -> None:
    document = json.loads(export_json(GuildConfig()))
    raw = json.dumps(document).replace(
        '"dialogues": {', '"dialogues": {"max_depth": 1' + "9" * 4999 + ",", 1
    )
    text = refusal(raw.encode())
    assert "digits" in text and str(MAX_NUMBER_DIGITS) in text


def test_a_huge_file_states_the_size_limit() -> None:
    text = refusal(b" " * (MAX_IMPORT_BYTES + 1))
    assert f"{MAX_IMPORT_BYTES // 1024} KB" in text


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    document = json.loads(export_json(GuildConfig()))
    document["model"]["instructions_template"] = "[[[[[[[[[[[[[[[[ {server_name}"
    assert import_json(json.dumps(document).encode()).model.instructions_template.startswith("[[")


def test_a_wrongly_nested_value_within_the_limits_is_named_by_its_key() -> None:
    document = json.loads(export_json(GuildConfig()))
    document["advice"]["sensitivity"] = [[[[1]]]]
    assert "advice.sensitivity" in refusal(json.dumps(document).encode())
