"""End-to-end fixtures: the fake Bot API on loopback and the real ``Application`` polling it.

The application is the one ``bot.app.build_application`` builds for production, pointed at the fake
through TELEGRAM_API_URL / TELEGRAM_FILE_URL, on a fresh SQLite database per test. It is driven by
hand (``initialize``/``start``/``start_polling``) because ``post_init`` only runs under
``run_polling``; ``on_startup`` is called the same way production calls it.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, on_shutdown, on_startup
from bot.settings import Settings
from storage.db import upgrade
from tests.fakes.bot_api import FakeBotAPI, FakeUser

# Every test runs on the same injected day, so no test depends on today's date.
FIXED_NOW = datetime(2025, 6, 2, 2, 0, tzinfo=timezone.utc)

ALICE = FakeUser(1001, "小王", language_code="zh-hans")
BOB = FakeUser(1002, "Bob", language_code="en")
ADMIN = FakeUser(9001, "管理员", language_code="zh-hans")
STRANGER = FakeUser(6666, "Mallory", language_code="en")


@dataclass
class RunningBot:
    app: Application
    fake: FakeBotAPI
    settings: Settings

    @property
    def db(self) -> Any:
        return self.app.bot_data["db"]


_template: Path | None = None


def migrated_template() -> Path:
    """A SQLite database migrated once per test session; each test starts from a copy (start-up still
    runs the migrations, which then have nothing to do)."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="govreport-e2e-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        # Fixtures call this inside the test's event loop: migrate on a loop of its own.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, upgrade(f"sqlite+aiosqlite:///{path}")).result()
        _template = path
    return _template


def make_settings(fake: FakeBotAPI, tmp_path: Path, **overrides: Any) -> Settings:
    database = tmp_path / "bot.db"
    if "database_url" not in overrides and not database.exists():
        shutil.copyfile(migrated_template(), database)
    values: dict[str, Any] = {
        "bot_token": fake.token,
        "database_url": f"sqlite+aiosqlite:///{database}",
        "telegram_api_url": fake.base_url,
        "telegram_file_url": fake.base_file_url,
        "allowed_user_ids": "",
        "admin_user_ids": str(ADMIN.id),
        "webhook_url": None,
        "fetch_allow_private": True,
        "timezone": "Asia/Shanghai",
        "max_upload_mb": 20,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


async def start_bot(fake: FakeBotAPI, settings: Settings, **build: Any) -> RunningBot:
    app = build_application(settings, clock=lambda: FIXED_NOW, **build)
    await app.initialize()
    await on_startup(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, allowed_updates=Update.ALL_TYPES)
    return RunningBot(app, fake, settings)


async def stop_bot(bot: RunningBot) -> None:
    if bot.app.updater and bot.app.updater.running:
        await bot.app.updater.stop()
    if bot.app.running:
        await bot.app.stop()
    await bot.app.shutdown()
    await on_shutdown(bot.app)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
def settings_for(fake: FakeBotAPI, tmp_path: Path) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(fake, tmp_path, **overrides)


@pytest.fixture
async def bot(fake: FakeBotAPI, settings_for: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    running = await start_bot(fake, settings_for())
    try:
        yield running
    finally:
        await stop_bot(running)
