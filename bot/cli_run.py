"""``python -m bot run``: run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.settings import get_settings
from storage.db import StorageUnavailable

NO_TOKEN = """BOT_TOKEN is not set, so the bot cannot start.

How to get a token:
  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Choose a name and a username (it must end in "bot"); BotFather replies with a token such as
     123456789:AAF-example-token.
  3. Put it in .env next to this project:   BOT_TOKEN=123456789:AAF-example-token
     (or export BOT_TOKEN in the environment), then run `make run` or `python -m bot run` again.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING… (default: LOG_LEVEL or INFO)")


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    logging.basicConfig(level=(args.log_level or settings.log_level).upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: one line per long poll drowns the bot's own log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.app import build_application

    application = build_application(settings)
    try:
        if settings.webhook_url:
            from bot.webhook import serve_webhook

            asyncio.run(serve_webhook(application, settings))
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except StorageUnavailable as error:
        print(f"Cannot start: {error.message_en} ({error.detail})", file=sys.stderr)
        return 1
    except InvalidToken:
        print("Telegram refused BOT_TOKEN (invalid token). Check it with @BotFather.", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(f"Cannot reach the Telegram Bot API at {settings.telegram_api_url}: {error}", file=sys.stderr)
        return 1
    return 0
