"""The error handler: the traceback goes to the log, the user gets one short line without internals."""

from __future__ import annotations

import logging

from services import questions
from tests.e2e.conftest import ALICE, BOB


async def test_unexpected_failure_is_logged_and_the_user_told_briefly(bot, monkeypatch, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("internal detail: /srv/secret/path")

    monkeypatch.setattr(questions, "answer", broken)
    caplog.set_level(logging.ERROR, logger="bot.app")
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "平潭2021年收到多少申请")
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert reply.plain_text == "抱歉，处理时出错了，请稍后再试。"
    assert "secret" not in reply.plain_text
    record = next(r for r in caplog.records if r.name == "bot.app")
    assert record.exc_info and "internal detail" in str(record.exc_info[1])

    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "how many requests did Pingtan get in 2021")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert reply.plain_text == "Sorry, something went wrong. Please try again later."


async def test_a_user_who_blocked_the_bot_does_not_break_it(bot):
    bot.fake.block(ALICE.id)
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "/start")
    await bot.fake.wait_for(lambda calls: any(c.error_code == 403 for c in calls[mark:]))
    await bot.fake.wait_idle()
    assert [c.method for c in bot.fake.calls[mark:] if c.chat_id == ALICE.id] == ["sendMessage"]
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/start")
    assert (await bot.fake.wait_reply(BOB, after=mark)).plain_text.startswith("Hello")
