"""A status message that follows a long operation, edited at most once every two seconds.

Telegram answers frequent edits with 429, and a 429 pauses every request of the bot (the rate
limiter waits it out), so stage changes faster than ``MIN_INTERVAL`` are coalesced: the latest
stage is shown when the interval has passed. When the work is done the status message is
deleted and the result is sent as a fresh message (a notification the user actually sees).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError

from handlers.common import safe_delete

log = logging.getLogger(__name__)

MIN_INTERVAL = 2.0


class StatusMessage:
    def __init__(self, bot: Bot, message: Message, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._bot = bot
        self._message = message
        self._clock = clock
        self._shown = message.text or ""
        self._wanted = self._shown
        self._last = clock()
        self._pending: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def send(cls, bot: Bot, chat_id: int, text: str, *, reply_to: int | None = None) -> "StatusMessage":
        message = await bot.send_message(chat_id, text, reply_to_message_id=reply_to)
        return cls(bot, message)

    @property
    def message(self) -> Message:
        return self._message

    async def update(self, text: str) -> None:
        """Show ``text`` now if the last edit is two seconds old, else as soon as it is."""
        if self._closed:
            return
        self._wanted = text
        if self._pending is not None:
            return   # the scheduled edit will show the latest text
        wait = self._last + MIN_INTERVAL - self._clock()
        if wait <= 0:
            await self._edit()
        else:
            self._pending = asyncio.create_task(self._edit_later(wait))

    async def _edit_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._pending = None
        await self._edit()

    async def _edit(self) -> None:
        async with self._lock:
            if self._closed or self._wanted == self._shown:
                return
            text = self._wanted
            try:
                await self._bot.edit_message_text(text, self._message.chat_id, self._message.message_id)
            except BadRequest as error:
                # "not modified" or the user deleted the message: the status is cosmetic.
                log.debug("status edit refused: %s", error)
            except TelegramError as error:
                log.warning("status edit failed: %s", error)
            self._shown = text
            self._last = self._clock()

    async def close(self) -> None:
        """Stop following and delete the status message (the result is sent separately)."""
        self._closed = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        async with self._lock:
            await safe_delete(self._message)
