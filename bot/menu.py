"""The command menu (``set_my_commands`` and /help), in each language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import BotCommand

from bot.texts import TEXTS, Lang, plain

# The bot's own commands, in menu order; descriptions come from bot.texts ("cmd.<name>").
COMMANDS = ("start", "help", "agencies", "report", "issues", "export", "lang")
# bot_data key: names of the commands handlers.reminders registered (found by the composition root).
REMINDER_COMMANDS = "_reminder_commands"


def described(names: Sequence[str]) -> list[str]:
    return [name for name in names if f"cmd.{name}" in TEXTS]


def menu(lang: Lang, extra: Sequence[str] = ()) -> list[BotCommand]:
    """The menu in ``lang``: the bot's own commands, then the reminder commands that have a description."""
    return [BotCommand(name, plain(f"cmd.{name}", lang)) for name in (*COMMANDS, *described(extra))]
