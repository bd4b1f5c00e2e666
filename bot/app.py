"""The composition root: the one place the Telegram ``Application`` is built and wired.

``build_application(settings)`` configures the HTTP client, defaults, rate limiter and handlers;
``on_startup(app)`` does the start-up work (database migrations, command menus) and is both the
``post_init`` hook (``run_polling``) and what tests and the webhook server call after
``initialize()``, because PTB runs ``post_init`` only under ``run_polling``/``run_webhook``.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Callable

from telegram import BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, Defaults, MessageHandler, TypeHandler, filters)
from telegram.request import HTTPXRequest

from bot.settings import Settings
from bot.menu import REMINDER_COMMANDS, described, menu
from bot.texts import LANGS, t
from handlers import access, callbacks, commands, questions, reminders, start, upload
from handlers.common import CLOCK, DATABASE, SETTINGS, lang_for, load_lang
from storage.db import Database, StorageUnavailable

log = logging.getLogger(__name__)

# Updates handled at once: uploads wait on downloads and the database, questions on the database.
# More does not help on two cores, and httpcore's pool scans every connection for every queued
# request, so a pool of ~80 under a burst cost more CPU than the handlers themselves (bench/bot.py).
CONCURRENT_UPDATES = 16
# One HTTP connection per concurrent update plus headroom for jobs and status edits.
CONNECTION_POOL = CONCURRENT_UPDATES + 8
OWN_DB = "_owns_db"


def build_application(settings: Settings, *, db: Database | None = None,
                      clock: Callable[[], datetime] | None = None) -> Application:
    """The configured ``Application``. ``db`` lets tests share a database; otherwise ``on_startup`` opens one."""
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    request = HTTPXRequest(connection_pool_size=CONNECTION_POOL, pool_timeout=10.0, connect_timeout=10.0,
                           read_timeout=20.0, write_timeout=30.0, media_write_timeout=120.0)
    # Long polling holds its connection for the whole poll; give it its own small pool.
    updates_request = HTTPXRequest(connection_pool_size=2, pool_timeout=10.0, connect_timeout=10.0,
                                   read_timeout=20.0)
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .local_mode(settings.telegram_local_mode)
        .request(request)
        .get_updates_request(updates_request)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_max_rate, max_retries=3))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.webhook_url:
        # Webhook mode: our aiohttp server feeds ``update_queue``; no PTB updater (bot.webhook).
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data[SETTINGS] = settings
    if db is not None:
        app.bot_data[DATABASE] = db
    if clock is not None:
        app.bot_data[CLOCK] = clock
    register_handlers(app)
    app.add_error_handler(on_error)
    return app


def register_handlers(app: Application) -> None:
    """Every handler, in one place. Group -1 is the access gate; it stops refused users' updates.
    Group -3 reads the user's stored /lang choice before anything (the roster upload in -2 included) replies."""
    app.add_handler(TypeHandler(Update, load_lang), group=-3)
    app.add_handler(TypeHandler(Update, access.gate), group=-1)
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_))
    app.add_handler(CommandHandler("lang", commands.lang))
    app.add_handler(CommandHandler("agencies", commands.agencies))
    app.add_handler(CommandHandler("report", commands.report))
    app.add_handler(CommandHandler("issues", commands.issues))
    app.add_handler(CommandHandler("export", commands.export_all))
    app.add_handler(MessageHandler(upload.DOCUMENT_FILTER, upload.on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & upload.LINK_FILTER, upload.on_link))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, questions.on_text))
    app.add_handler(CallbackQueryHandler(callbacks.on_callback, pattern=callbacks.PATTERN))
    before = _command_names(app)
    reminders.register(app)
    app.bot_data[REMINDER_COMMANDS] = sorted(_command_names(app) - before)
    # Whatever no handler above claimed: unknown commands and buttons from an older version.
    app.add_handler(MessageHandler(filters.COMMAND, start.unknown_command))
    app.add_handler(CallbackQueryHandler(callbacks.on_stale))


def _command_names(app: Application) -> set[str]:
    return {name for group in app.handlers.values() for h in group if isinstance(h, CommandHandler)
            for name in h.commands}


async def on_startup(app: Application) -> None:
    """Start-up work: migrate the database, keep its handle in ``bot_data``, publish the command menus."""
    settings: Settings = app.bot_data[SETTINGS]
    db: Database | None = app.bot_data.get(DATABASE)
    if db is None:
        db = Database(settings.database_url)
        app.bot_data[DATABASE] = db
        app.bot_data[OWN_DB] = True
    await db.upgrade()
    await set_commands(app)
    log.info("bot ready: database %s, %d handlers", db.engine.url.render_as_string(hide_password=True),
             sum(len(h) for h in app.handlers.values()))


async def on_shutdown(app: Application) -> None:
    db: Database | None = app.bot_data.get(DATABASE)
    if db is not None and app.bot_data.get(OWN_DB):
        await db.dispose()


async def set_commands(app: Application) -> None:
    """Chinese is the default menu; English users (language_code "en") get the English one."""
    extra = app.bot_data.get(REMINDER_COMMANDS, [])
    undescribed = sorted(set(extra) - set(described(extra)))
    if undescribed:
        log.warning("commands without a menu description (add cmd.<name> to bot.texts): %s", undescribed)
    await app.bot.set_my_commands(menu("zh", extra), scope=BotCommandScopeDefault())
    for lang in LANGS:
        if lang != "zh":
            await app.bot.set_my_commands(menu(lang, extra), scope=BotCommandScopeDefault(), language_code=lang)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback; tell the user briefly, without internals."""
    error = context.error
    if isinstance(error, StorageUnavailable):
        log.warning("database unavailable while handling an update: %s", error.detail)
    else:
        log.error("update failed: %s", _describe(update), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, Forbidden):
        return
    lang = lang_for(update, context)
    text = t("error.storage" if isinstance(error, StorageUnavailable) else "error.internal", lang)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(html.unescape(text), show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as send_error:
        log.warning("could not tell the user about the failure: %s", send_error)


def _describe(update: object) -> str:
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else "document" if update.message and update.message.document \
            else "message" if update.message else "update"
        return f"{kind} {update.update_id} from user {update.effective_user.id if update.effective_user else '?'}"
    return repr(update)[:200]
