"""The /lang choice on both databases: absent until set, then overwritten in place."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.preferences import UserSetting, get_lang, set_lang


async def test_set_and_get_lang(db):
    async with db.transaction(write=False) as session:
        assert await get_lang(session, 5_000_000_001) is None
    async with db.transaction() as session:
        await set_lang(session, 5_000_000_001, "en")       # beyond 32 bits: Telegram ids are BigInteger
        await set_lang(session, 42, "zh")
    async with db.transaction(write=False) as session:
        assert await get_lang(session, 5_000_000_001) == "en"
        assert await get_lang(session, 42) == "zh"
        first = await session.scalar(select(UserSetting.updated_at).where(UserSetting.user_id == 42))
    async with db.transaction() as session:
        await set_lang(session, 42, "en")                  # an upsert: the same row changes
    async with db.transaction(write=False) as session:
        assert await get_lang(session, 42) == "en"
        assert await session.scalar(select(func.count()).select_from(UserSetting)) == 2
        updated = await session.scalar(select(UserSetting.updated_at).where(UserSetting.user_id == 42))
    assert first.tzinfo is not None and updated >= first
