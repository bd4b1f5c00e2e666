"""Inline buttons: all findings, export, delete (admins), language, clarifications, agency choice.

Callback data is ``kind:argument`` (always under 64 bytes). A button whose state is gone (a
deleted report, a clarification from before a restart, a version of the bot that used other
data) gets a short "expired" toast instead of an error.
"""

from __future__ import annotations

import io
import logging
from typing import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import render
from bot.texts import Lang, plain, t
from handlers import questions
from handlers.access import is_admin
from handlers.common import db_of, lang_for, remember_lang, send_html
from handlers.report_view import send_report
from services import export, stored

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

PATTERN = r"^(lang|all|exp|del|delok|delno|ans|rep):"
# What an action returns when it cannot act: the key of the toast to show (None = done).
STALE = "callback.stale"
ADMIN_ONLY = "admin_only"


async def answer_quietly(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a callback query; one that is too old ("query is too old") is not worth an error."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        log.debug("callback answer refused: %s", error)


async def on_stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_quietly(update.callback_query, plain("callback.stale", lang_for(update, context)), alert=True)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    kind, _, argument = (query.data or "").partition(":")
    lang = lang_for(update, context)
    refusal = await ACTIONS[kind](update, context, argument, lang)
    if refusal is None:
        await answer_quietly(query)
    else:
        await answer_quietly(query, plain(refusal, lang), alert=True)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


async def _lang(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    if argument not in ("zh", "en"):
        return STALE
    await remember_lang(update, context, argument)
    await update.callback_query.edit_message_text(t("lang.set", argument))  # type: ignore[arg-type]
    return None


async def _all_findings(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    report_id = _int(argument)
    view = await stored.load(db_of(context), report_id) if report_id else None
    if view is None:
        return STALE
    lines = [render.Line("📄 " + render.report_title(view.report, lang), bold=True)]
    lines += render.findings_lines(view.report.findings, lang)
    await send_html(context, update.callback_query.message.chat.id, render.to_messages(lines))
    return None


async def _export(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    report_arg, _, fmt = argument.partition(":")
    report_id = _int(report_arg)
    if report_id is None:
        return STALE
    chat_id = update.callback_query.message.chat.id
    if not fmt:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("CSV", callback_data=f"exp:{report_id}:csv"),
                                        InlineKeyboardButton("XLSX", callback_data=f"exp:{report_id}:xlsx")]])
        await send_html(context, chat_id, [t("export.choose", lang)], markup=markup)
        return None
    if fmt not in export.FORMATS:
        return STALE
    view = await stored.load(db_of(context), report_id)
    if view is None:
        return STALE
    buf = io.BytesIO()
    await export.export(db_of(context), fmt, buf, report_ids=[report_id])
    name = f"{view.agency or 'report'}_{view.report.year or ''}.{fmt}".replace("/", "_")
    await context.bot.send_document(chat_id, InputFile(buf.getvalue(), filename=name),
                                    caption=t("export.caption", lang, what=render.report_title(view.report, lang),
                                              fmt=fmt.upper()))
    return None


async def _delete(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    query = update.callback_query
    if not is_admin(update, context):
        return ADMIN_ONLY
    report_id = _int(argument)
    view = await stored.load(db_of(context), report_id) if report_id else None
    if view is None:
        return STALE
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(plain("btn.confirm_delete", lang), callback_data=f"delok:{report_id}"),
        InlineKeyboardButton(plain("btn.cancel", lang), callback_data=f"delno:{report_id}")]])
    await send_html(context, query.message.chat.id,
                    [t("report.confirm_delete", lang, agency=view.agency or "?", year=view.report.year or "?")],
                    markup=markup)
    return None


async def _delete_confirmed(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    query = update.callback_query
    if not is_admin(update, context):
        return ADMIN_ONLY
    report_id = _int(argument)
    gone = await stored.delete_report(db_of(context), report_id) if report_id else None
    if gone is None:
        return STALE
    log.info("report %s deleted by admin %s", gone.report_id, update.effective_user.id)
    await query.edit_message_text(t("report.deleted", lang, agency=gone.agency or "?", year=gone.year or "?"))
    return None


async def _delete_cancelled(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    await update.callback_query.message.delete()
    return None


async def _choice(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    found = await questions.on_choice(update, context, f"{questions.CHOICE_PREFIX}{argument}")
    return None if found else STALE


async def _report(update: Update, context: Context, argument: str, lang: Lang) -> str | None:
    agency_arg, _, year_arg = argument.partition(":")
    agency_id, year = _int(agency_arg), _int(year_arg)
    if agency_id is None or year is None:
        return STALE
    view = await stored.current(db_of(context), agency_id, year)
    if view is None:
        return STALE
    await send_report(update, context, update.callback_query.message.chat.id, view, lang)
    return None


Action = Callable[[Update, Context, str, Lang], Awaitable[str | None]]
ACTIONS: dict[str, Action] = {
    "lang": _lang, "all": _all_findings, "exp": _export, "del": _delete, "delok": _delete_confirmed,
    "delno": _delete_cancelled, "ans": _choice, "rep": _report,
}
