"""Note validation: every problem names the file and the field, and good notes still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.note import MAX_NOTE_BYTES, NoteError, load_notes, parse_note
from tests.knowledge.conftest import FIXTURE_NOTES

GOOD = """---
id: {id}
title: A Note
kind: technique
tags: [focus]
source: {{title: "Some post", author: "Someone", date: "2023-01"}}
summary: A summary.
when_to_use: When it fits.
five_minute_version: Do the small thing.
steps: ["One.", "Two."]
---
## What it is

Body text.
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_for(directory: Path) -> list[str]:
    _notes, problems = load_notes([directory])
    return [str(problem) for problem in problems]


def test_fixture_notes_load() -> None:
    notes, problems = load_notes([FIXTURE_NOTES])
    assert problems == []
    by_id = {note.id: note for note in notes}
    assert set(by_id) == {"goal-factoring", "spaced-repetition", "sunk-cost", "pomodoro-sprint"}
    gf = by_id["goal-factoring"]
    assert gf.kind == "technique"
    assert gf.tags == ["motivation", "planning"]
    assert gf.source.author == "Test Author"
    assert gf.source.url == "https://example.org/goal-factoring"
    assert gf.body.startswith("## What it is")
    assert gf.guild_id is None and gf.path is not None
    # YAML reads 2021-03-14 as a date; the source keeps it as text.
    assert by_id["spaced-repetition"].source.date == "2021-03-14"
    assert by_id["sunk-cost"].steps == []  # principles need no steps


def test_missing_steps_for_technique_names_file_and_field(tmp_path: Path) -> None:
    write(
        tmp_path, "no-steps.md", GOOD.format(id="no-steps").replace('steps: ["One.", "Two."]\n', "")
    )
    assert problems_for(tmp_path) == [
        f"{tmp_path / 'no-steps.md'}: steps: required for kind 'technique'"
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("kind: technique", "kind: trick", "kind", "must be one of technique, principle, exercise"),
        ("summary: A summary.\n", "", "summary", "required"),
        ("summary: A summary.", "summary: '   '", "summary", "must not be empty"),
        ('author: "Someone", ', "", "source.author", "required"),
        ("tags: [focus]", "tags: focus", "tags", "must be a list"),
        ("tags: [focus]", "tags: [Deep Work]", "tags", "lowercase words"),
        ('date: "2023-01"}', 'date: "2023-01", url: "ftp://x"}', "source.url", "http"),
    ],
)
def test_field_problems(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    text = GOOD.format(id="bad-note")
    assert old in text
    write(tmp_path, "bad-note.md", text.replace(old, new))
    [problem] = problems_for(tmp_path)
    assert problem.startswith(f"{tmp_path / 'bad-note.md'}: {field}: ")
    assert message in problem


def test_id_must_match_file_name(tmp_path: Path) -> None:
    write(tmp_path, "other-name.md", GOOD.format(id="some-id"))
    [problem] = problems_for(tmp_path)
    assert problem.startswith(f"{tmp_path / 'other-name.md'}: id: ")
    assert "other-name" in problem


def test_id_must_be_kebab_case(tmp_path: Path) -> None:
    write(tmp_path, "Bad_Id.md", GOOD.format(id="Bad_Id"))
    [problem] = problems_for(tmp_path)
    assert ": id: must be kebab-case" in problem


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("no front matter here\n", "missing front matter"),
        ("---\nid: x\ntitle: [unclosed\n---\nbody\n", "not valid YAML"),
        ("---\nid: x\n", "not closed"),
        ("---\n- a\n- b\n---\nbody\n", "must be a YAML mapping"),
        ("", "missing front matter"),
        (b"---\nid: x\x00\x01\x02\n---\n", "binary file"),
        (b"---\ntitle: caf\xe9\n---\n", "not UTF-8"),
    ],
)
def test_unreadable_notes_are_problems_not_tracebacks(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    write(tmp_path, "broken.md", content)
    [problem] = problems_for(tmp_path)
    assert problem.startswith(f"{tmp_path / 'broken.md'}: ")
    assert expected in problem


def test_huge_file_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "huge.md", GOOD.format(id="huge") + "x" * (MAX_NOTE_BYTES + 1))
    [problem] = problems_for(tmp_path)
    assert "too large" in problem


def test_bad_note_is_skipped_and_the_rest_load(tmp_path: Path) -> None:
    write(tmp_path, "good-one.md", GOOD.format(id="good-one"))
    write(tmp_path, "good-two.md", GOOD.format(id="good-two"))
    write(tmp_path, "broken.md", "not a note")
    notes, problems = load_notes([tmp_path])
    assert sorted(note.id for note in notes) == ["good-one", "good-two"]
    assert len(problems) == 1


def test_duplicate_ids_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", "same.md", GOOD.format(id="same"))
    write(tmp_path / "b", "same.md", GOOD.format(id="same"))
    notes, problems = load_notes([tmp_path / "a", tmp_path / "b", tmp_path / "missing"])
    assert [note.id for note in notes] == ["same"]
    messages = [str(problem) for problem in problems]
    assert any("missing: no such file" in m for m in messages)
    assert any(
        m.startswith(f"{tmp_path / 'b' / 'same.md'}: id: 'same' is already used") for m in messages
    )


def test_parse_note_raises_with_all_problems() -> None:
    with pytest.raises(NoteError) as caught:
        parse_note("---\nid: x\nkind: technique\ntitle: X\n---\nbody", "x.md")
    fields = {problem.field for problem in caught.value.problems}
    assert {"source", "summary", "when_to_use", "five_minute_version", "steps"} <= fields


def test_guild_id_is_not_taken_from_front_matter() -> None:
    note = parse_note(GOOD.format(id="mine") + "", "mine.md", guild_id=42)
    assert note.guild_id == 42 and note.scope == 42
    sneaky = GOOD.format(id="sneaky").replace("kind: technique", "kind: technique\nguild_id: 7")
    assert parse_note(sneaky, "sneaky.md").guild_id is None
