"""What every handler needs: the settings, the database, the clock, the user's language, sending HTML."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Any, Callable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.settings import Settings
from bot.texts import Lang, lang_of
from storage import preferences
from storage.db import StorageUnavailable

log = logging.getLogger(__name__)

# Keys of ``application.bot_data`` set by the composition root (bot.app).
SETTINGS = "settings"
DATABASE = "db"
CLOCK = "clock"          # () -> aware datetime; tests inject a fixed clock
USER_LANG = "lang"       # key in user_data: the /lang override
USER_LANG_LOADED = "lang_loaded"   # key in user_data: the stored /lang choice was read in this process


def settings_of(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.application.bot_data[SETTINGS]


def db_of(context: ContextTypes.DEFAULT_TYPE) -> Any:
    return context.application.bot_data[DATABASE]


def now_of(context: ContextTypes.DEFAULT_TYPE) -> datetime:
    clock: Callable[[], datetime] = context.application.bot_data.get(CLOCK) or (lambda: datetime.now(timezone.utc))
    return clock()


def today_of(context: ContextTypes.DEFAULT_TYPE) -> date:
    """Today in the configured time zone (deadlines and relative years are local)."""
    return now_of(context).astimezone(settings_of(context).tz).date()


def lang_for(update: Update | None, context: ContextTypes.DEFAULT_TYPE) -> Lang:
    """The reply language: the user's /lang choice, else their Telegram language (en* → English)."""
    chosen = context.user_data.get(USER_LANG) if context.user_data is not None else None
    if chosen in ("zh", "en"):
        return chosen
    user = update.effective_user if update else None
    return lang_of(user.language_code if user else None)


async def load_lang(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Read the user's stored /lang choice into ``user_data`` once per process (runs before every handler),
    so ``lang_for`` stays synchronous and ordinary messages do not query the database for it."""
    if not isinstance(update, Update) or update.effective_user is None or context.user_data is None:
        return
    if context.user_data.get(USER_LANG_LOADED):
        return
    user_id = update.effective_user.id
    if not settings_of(context).is_allowed(user_id):
        return   # the access gate refuses them; no reason to touch the database
    try:
        async with db_of(context).transaction(write=False) as session:
            stored = await preferences.get_lang(session, user_id)
    except StorageUnavailable as error:
        # Answer in the Telegram language for now and try again on the user's next update.
        log.warning("stored language of user %s not read: %s", user_id, error.detail)
        return
    if stored in ("zh", "en") and USER_LANG not in context.user_data:
        context.user_data[USER_LANG] = stored
    context.user_data[USER_LANG_LOADED] = True


async def remember_lang(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: Lang) -> None:
    """Store the user's /lang choice (database first: if that fails, nothing changes) and use it at once."""
    user = update.effective_user
    if user is not None:
        async with db_of(context).transaction() as session:
            await preferences.set_lang(session, user.id, lang)
    if context.user_data is not None:
        context.user_data[USER_LANG] = lang
        context.user_data[USER_LANG_LOADED] = True


async def send_html(context: ContextTypes.DEFAULT_TYPE, chat_id: int, messages: list[str],
                    markup: InlineKeyboardMarkup | None = None, reply_to: int | None = None) -> list[Message]:
    """Send already-split HTML messages in order; the keyboard goes on the last one."""
    sent: list[Message] = []
    for i, text in enumerate(messages):
        last = i == len(messages) - 1
        sent.append(await context.bot.send_message(
            chat_id, text, reply_markup=markup if last else None,
            reply_to_message_id=reply_to if i == 0 else None))
    return sent


async def safe_delete(message: Message | None) -> None:
    """Delete a status message; it may already be gone, which is fine."""
    if message is None:
        return
    try:
        await message.delete()
    except BadRequest as error:
        log.debug("status message not deleted: %s", error)
    except TelegramError as error:
        log.warning("status message not deleted: %s", error)


def town_deadline_of(context: ContextTypes.DEFAULT_TYPE) -> tuple[int, int]:
    """TOWN_REPORT_DEADLINE ("MM-DD") as (month, day)."""
    month, day = settings_of(context).town_report_deadline.split("-")
    return int(month), int(day)
