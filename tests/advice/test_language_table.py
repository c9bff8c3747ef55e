"""The language identifier's big table is read from a mapped file, with the same values."""

from __future__ import annotations

from array import array

from bot.advice import language
from bot.advice.language import _file_backed, detect_language


def test_the_loaded_table_is_file_backed() -> None:
    assert detect_language("Deberías estudiar más cada día, de verdad.").code == "es"
    assert isinstance(language._identifier.tk_nextmove, memoryview)


def test_a_mapped_table_holds_the_same_values() -> None:
    for code in ("H", "I", "L"):
        table = array(code, [0, 7, 255, 65535, 3, 1])
        mapped = _file_backed(table)
        assert isinstance(mapped, memoryview)
        assert mapped.tolist() == table.tolist()
        assert mapped[3] == 65535 and isinstance(mapped[3], int)


def test_anything_else_is_left_as_it_is() -> None:
    table = array("d", [1.5])
    assert _file_backed(table) is table
    assert _file_backed([1, 2]) == [1, 2]
