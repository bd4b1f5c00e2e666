"""What the storage commands (import, export, reparse, agency) share: the database from the settings."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.settings import Settings, get_settings
from storage.db import Database, StorageUnavailable

T = TypeVar("T")


def town_deadline(settings: Settings) -> tuple[int, int]:
    month, day = settings.town_report_deadline.split("-")
    return int(month), int(day)


async def with_database(work: Callable[[Database], Awaitable[T]], settings: Settings | None = None) -> T:
    """Open the configured database, bring its schema up to date, run ``work``, close it."""
    settings = settings or get_settings()
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        return await work(db)
    finally:
        await db.dispose()


def unavailable(error: StorageUnavailable) -> int:
    print(f"{error.message_zh}\n{error.message_en}\n({error.detail})", file=sys.stderr)
    return 1
