"""Whatever members type is stored: NUL bytes (refused by PostgreSQL) are dropped."""

from __future__ import annotations

from bot.storage import Database


async def test_text_with_nul_bytes_is_stored_on_both_databases(database: Database) -> None:
    from bot.storage.repositories import StateRepository

    state = StateRepository(database)
    await state.set("nul-test", "before\x00after \U0001f600 \u202eRTL\u202c")
    assert await state.get("nul-test") == "beforeafter \U0001f600 \u202eRTL\u202c"
