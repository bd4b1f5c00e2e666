"""The status message: stage changes are coalesced to one edit per interval; closing deletes it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from handlers import status as status_module
from handlers.status import StatusMessage


class RecordingBot:
    def __init__(self) -> None:
        self.edits: list[str] = []

    async def edit_message_text(self, text: str, chat_id: int, message_id: int) -> None:
        self.edits.append(text)


class DeletableMessage(SimpleNamespace):
    deleted = False

    async def delete(self) -> bool:
        self.deleted = True
        return True


async def test_fast_stage_changes_become_one_edit_showing_the_latest(monkeypatch):
    monkeypatch.setattr(status_module, "MIN_INTERVAL", 0.2)
    bot = RecordingBot()
    message = DeletableMessage(text="received", chat_id=1, message_id=2)
    status = StatusMessage(bot, message)  # type: ignore[arg-type]
    await status.update("downloaded")
    await status.update("parsed")
    await status.update("checked")
    assert bot.edits == []                      # the interval since the message was sent has not passed
    await asyncio.sleep(0.35)
    assert bot.edits == ["checked"]
    await status.update("checked")              # same text: no edit ("message is not modified")
    await asyncio.sleep(0.3)
    assert bot.edits == ["checked"]


async def test_closing_cancels_the_pending_edit_and_deletes_the_message(monkeypatch):
    monkeypatch.setattr(status_module, "MIN_INTERVAL", 0.2)
    bot = RecordingBot()
    message = DeletableMessage(text="received", chat_id=1, message_id=2)
    status = StatusMessage(bot, message)  # type: ignore[arg-type]
    await status.update("downloaded")
    await status.close()
    await asyncio.sleep(0.3)
    assert bot.edits == [] and message.deleted
