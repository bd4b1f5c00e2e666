"""Any other text is a question for the questions engine; clarifications come back as buttons."""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import render
from bot.texts import Lang, t
from handlers.common import db_of, lang_for, send_html, today_of
from services import questions

log = logging.getLogger(__name__)

CHOICES = "_choices"          # bot_data: token -> (payload, lang), oldest first
MAX_CHOICES = 10_000          # pending clarification buttons kept; older ones answer "expired"
CHOICE_PREFIX = "ans:"


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    lang = lang_for(update, context)
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(t("question.empty", lang))
        return
    # The question's own language decides the answer's (an English question gets English).
    answer = await questions.answer(db_of(context), text, today=today_of(context))
    await send_answer(context, message.chat_id, answer, lang, reply_to=message.message_id)


def remember_choice(context: ContextTypes.DEFAULT_TYPE, payload: str, lang: Lang) -> str:
    """Keep a clarification's payload server-side; the button carries a short token (≤ 64 bytes)."""
    store: OrderedDict[str, tuple[str, Lang]] = context.application.bot_data.setdefault(CHOICES, OrderedDict())
    token = secrets.token_urlsafe(9)
    store[token] = (payload, lang)
    while len(store) > MAX_CHOICES:
        store.popitem(last=False)
    return CHOICE_PREFIX + token


def recall_choice(context: ContextTypes.DEFAULT_TYPE, data: str) -> tuple[str, Lang] | None:
    store: OrderedDict[str, tuple[str, Lang]] = context.application.bot_data.get(CHOICES) or OrderedDict()
    return store.get(data[len(CHOICE_PREFIX):])


async def send_answer(context: ContextTypes.DEFAULT_TYPE, chat_id: int, answer: Any, lang: Lang, *,
                      reply_to: int | None = None) -> None:
    """The answer text; a clarification as buttons; a chart as a photo; a table as a CSV document."""
    markup = None
    if answer.clarification:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(choice.label[:64],
                                                             callback_data=remember_choice(context, choice.payload,
                                                                                           lang))]
                                       for choice in answer.clarification])
    await send_html(context, chat_id, render.to_messages(render.answer_lines(answer)), markup=markup,
                    reply_to=reply_to)
    if answer.chart_png:
        await context.bot.send_photo(chat_id, InputFile(answer.chart_png, filename="chart.png"))
    if answer.csv:
        data = answer.csv.encode("utf-8-sig") if isinstance(answer.csv, str) else answer.csv
        await context.bot.send_document(chat_id, InputFile(data, filename="answer.csv"))


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> bool:
    """A clarification button: answer the chosen reading. False when the button is no longer known."""
    remembered = recall_choice(context, data)
    if remembered is None:
        return False
    payload, lang = remembered
    query = update.callback_query
    answer = await questions.answer_choice(db_of(context), payload, today=today_of(context), lang=lang)
    await send_answer(context, query.message.chat.id, answer, lang)
    return True
