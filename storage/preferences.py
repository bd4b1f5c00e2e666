"""Per-user settings that must survive a restart: today the ``/lang`` reply-language choice.

Repository functions take an ``AsyncSession`` inside the caller's transaction (``Database.transaction``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime, utcnow


class UserSetting(Base):
    """One Telegram user's explicit choices; a user who never chose has no row."""

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lang: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


async def get_lang(session: AsyncSession, user_id: int) -> str | None:
    """The language the user chose with /lang, or None if they never chose."""
    return await session.scalar(select(UserSetting.lang).where(UserSetting.user_id == user_id))


async def set_lang(session: AsyncSession, user_id: int, lang: str) -> None:
    """Record the user's choice (insert or overwrite in one statement, so two racing updates cannot collide)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = insert(UserSetting).values(user_id=user_id, lang=lang, updated_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[UserSetting.user_id],
                                      set_={"lang": stmt.excluded.lang, "updated_at": stmt.excluded.updated_at})
    await session.execute(stmt)
