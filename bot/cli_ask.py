"""``python -m bot ask "QUESTION" [--explain] [--lang zh|en]``: answer from the store, as the bot would."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime

from bot.cli_common import unavailable, with_database
from bot.settings import get_settings
from services.questions import Answer, answer
from storage.db import Database, StorageUnavailable


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, in Chinese or English")
    p.add_argument("--explain", action="store_true", help="also print how the question was read (the query, as JSON)")
    p.add_argument("--lang", choices=("zh", "en"), help="answer in this language (default: the question's)")


def render(result: Answer, explain: bool) -> str:
    out = []
    if explain:
        out.append(json.dumps(result.query.to_json(), ensure_ascii=False, indent=2))
        out.append("")
    out.append(result.text)
    if result.clarification:
        out.append("")
        out += [f"  [{i}] {c.label}" for i, c in enumerate(result.clarification, 1)]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    question = args.question.strip()
    if not question:
        print("问题为空 / the question is empty", file=sys.stderr)
        return 2
    settings = get_settings()
    today = datetime.now(settings.tz).date()

    async def work(db: Database) -> Answer:
        return await answer(db, question, today=today, lang=args.lang)

    try:
        result = asyncio.run(with_database(work, settings))
    except StorageUnavailable as error:
        return unavailable(error)
    print(render(result, args.explain))
    return 0
