"""/start, /help and unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.menu import REMINDER_COMMANDS, menu
from bot.texts import t
from handlers.common import lang_for


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    user = update.effective_user
    name = user.first_name if user else ""
    await update.effective_message.reply_text(t("start", lang, name=name))


def command_lines(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The command menu as text lines ("/report — …"), in the user's language."""
    lang = lang_for(update, context)
    extra = context.application.bot_data.get(REMINDER_COMMANDS, [])
    return "\n".join(f"/{c.command} — {c.description}" for c in menu(lang, extra))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    await update.effective_message.reply_text(t("help", lang, commands=command_lines(update, context)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    await update.effective_message.reply_text(t("unknown_command", lang))
