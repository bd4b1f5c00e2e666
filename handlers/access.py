"""Who may use the bot: ``ALLOWED_USER_IDS`` (empty = anyone) and ``ADMIN_USER_IDS``.

The gate runs before every other handler (group -1). A refused user gets one polite line and
the update stops there, so nothing of theirs is downloaded, parsed or stored.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.texts import plain, t
from handlers.common import lang_for, settings_of

log = logging.getLogger(__name__)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    settings = settings_of(context)
    user = update.effective_user
    if settings.is_allowed(user.id if user else None):
        return
    log.info("refused update %s from user %s", update.update_id, user.id if user else None)
    lang = lang_for(update, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain("denied", lang), show_alert=True)
        elif update.effective_chat is not None and update.effective_message is not None:
            await context.bot.send_message(update.effective_chat.id, t("denied", lang))
    except TelegramError as error:
        log.warning("could not tell a refused user: %s", error)
    raise ApplicationHandlerStop


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return settings_of(context).is_admin(user.id if user else None)
