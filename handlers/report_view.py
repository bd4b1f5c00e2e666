"""Showing one stored report: summary, findings and the action buttons (upload, /report, buttons)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import render
from bot.texts import Lang, plain
from handlers.common import send_html, settings_of, town_deadline_of
from services.stored import StoredView


def report_keyboard(report_id: int, lang: Lang, *, admin: bool) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(plain("btn.all_findings", lang), callback_data=f"all:{report_id}"),
           InlineKeyboardButton(plain("btn.export", lang), callback_data=f"exp:{report_id}")]
    if admin:
        row.append(InlineKeyboardButton(plain("btn.delete", lang), callback_data=f"del:{report_id}"))
    return InlineKeyboardMarkup([row])


async def send_report(update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, view: StoredView,
                      lang: Lang, *, status: str | None = None) -> None:
    lines = render.report_lines(view.report, lang, town_deadline=town_deadline_of(context), status=status)
    user = update.effective_user
    admin = settings_of(context).is_admin(user.id if user else None)
    await send_html(context, chat_id, render.to_messages(lines),
                    markup=report_keyboard(view.report_id, lang, admin=admin))
