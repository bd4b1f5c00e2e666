"""Reminders end to end: commands over HTTP against the fake Bot API, then the repeating job delivering
what fell due on an injected clock (moved by the test; nothing depends on today's date)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.app import build_application, on_startup
from handlers.reminders import JOB_NAME
from storage.reminders import Subscription, roster
from tests.e2e.conftest import ALICE, BOB, STRANGER, RunningBot, make_settings, stop_bot
from tests.fakes.bot_api import FakeBotAPI

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def local(self, y: int, m: int, d: int, hh: int, mm: int = 0) -> None:
        self.at = datetime(y, m, d, hh, mm, tzinfo=TZ).astimezone(timezone.utc)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def running(fake: FakeBotAPI, tmp_path, clock: Clock) -> AsyncIterator[RunningBot]:
    settings = make_settings(fake, tmp_path)
    app = build_application(settings, clock=clock)
    await app.initialize()
    await on_startup(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, allowed_updates=Update.ALL_TYPES)
    bot = RunningBot(app, fake, settings)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def say(bot: RunningBot, user, text: str, contains: str | None = None):
    mark = bot.fake.mark()
    await bot.fake.send_text(user, text)
    return await bot.fake.wait_reply(user, after=mark, contains=contains)


async def run_job(bot: RunningBot) -> None:
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await job.run(bot.app)


async def test_annual_and_application_reminders_are_delivered(running: RunningBot, clock: Clock):
    bot = running
    reply = await say(bot, ALICE, "/roster add 甲市财政局, 乙县人民政府")
    assert "已加入名单" in reply.plain_text and "甲市财政局" in reply.plain_text
    reply = await say(bot, ALICE, "/subscribe")
    assert "已订阅" in reply.plain_text and "2027年1月31日" in reply.plain_text
    reply = await say(bot, ALICE, "/track 2026-11-20 邮寄 依申请〔2026〕15号")
    assert "答复期限：2026年12月18日" in reply.plain_text and "#1" in reply.plain_text

    # Nothing is due yet.
    mark = bot.fake.mark()
    await run_job(bot)
    assert bot.fake.sent(ALICE, after=mark) == []

    # 1 January 2027, 09:05 in Beijing: the 30-day annual reminder and the application's overdue notice.
    clock.local(2027, 1, 1, 9, 5)
    mark = bot.fake.mark()
    await run_job(bot)
    sent = bot.fake.sent(ALICE, after=mark)
    texts = [c.plain_text for c in sent]
    annual = [x for x in texts if "年报提醒" in x]
    overdue = [x for x in texts if "依申请〔2026〕15号" in x]
    assert len(annual) == 1 and len(overdue) == 1 and len(sent) == 2
    assert "甲市财政局" in annual[0] and "乙县人民政府" not in annual[0]   # governments are due on 31 March
    assert "还有 30 天" in annual[0]
    assert "已过" in overdue[0] and "/done 1" in overdue[0]

    # Sent once: running again sends nothing.
    mark = bot.fake.mark()
    await run_job(bot)
    assert bot.fake.sent(ALICE, after=mark) == []

    reply = await say(bot, ALICE, "/done 1")
    assert "已办结" in reply.plain_text
    reply = await say(bot, ALICE, "/tracked")
    assert "没有在办的申请" in reply.plain_text


async def test_failed_delivery_is_retried_and_blocked_chat_unsubscribed(running: RunningBot, clock: Clock):
    bot = running
    await say(bot, BOB, "/roster add 丙区司法局")
    reply = await say(bot, BOB, "/subscribe")
    assert "Subscribed" in reply.plain_text
    await say(bot, ALICE, "/roster add 丁市审计局")
    await say(bot, ALICE, "/subscribe")

    clock.local(2027, 1, 1, 9, 1)
    bot.fake.fail("sendMessage", code=500, description="Internal Server Error", chat_id=ALICE.id)
    bot.fake.block(BOB.id)
    mark = bot.fake.mark()
    await run_job(bot)
    refused = bot.fake.sent(None, after=mark, ok=False)
    assert {c.error_code for c in refused} == {500, 403}
    assert bot.fake.sent(ALICE, after=mark) == []

    async with bot.db.transaction(write=False) as s:
        assert (await s.get(Subscription, BOB.id)).active is False
        assert (await s.get(Subscription, ALICE.id)).active is True

    # Two minutes later Alice's reminder is retried and delivered; Bob gets nothing any more.
    clock.local(2027, 1, 1, 9, 4)
    mark = bot.fake.mark()
    await run_job(bot)
    (delivered,) = bot.fake.sent(ALICE, after=mark)
    assert "丁市审计局" in delivered.plain_text
    assert bot.fake.sent(BOB, after=mark, ok=None) == []


async def test_roster_file_and_application_commands(running: RunningBot, clock: Clock):
    bot = running
    mark = bot.fake.mark()
    await bot.fake.send_document(ALICE, "名单.txt", "机构名称\n丙区司法局\n丁镇人民政府\n".encode("gb18030"),
                                 caption="/roster")
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert "已加入名单" in reply.plain_text and "丁镇人民政府" in reply.plain_text
    assert "机构名称" not in reply.plain_text
    await bot.fake.wait_idle()
    assert len(bot.fake.sent(ALICE, after=mark)) == 1     # the report-upload handler did not also take it
    reply = await say(bot, ALICE, "/roster list")
    assert "丙区司法局" in reply.plain_text and "2027年1月31日" in reply.plain_text

    reply = await say(bot, BOB, "/track 2026-11-20 online FOI-7")
    assert "Answer due: 2026-12-18" in reply.plain_text
    reply = await say(bot, BOB, "/extend FOI-7")
    # The extension runs into 2027, whose official schedule is not in the calendar: Monday–Friday, flagged.
    assert "2027-01-15" in reply.plain_text and "extended by 20" in reply.plain_text
    assert "not entered yet" in reply.plain_text
    reply = await say(bot, BOB, "/extend FOI-7")
    assert "already extended" in reply.plain_text
    reply = await say(bot, BOB, "/pause FOI-7 consultation")
    assert "Consulting a third party" in reply.plain_text
    reply = await say(bot, BOB, "/track 2026-13-40 mail X")
    assert "Could not read the date" in reply.plain_text
    reply = await say(bot, BOB, "/track 2026-11-20 pigeon X")
    assert "Unknown channel" in reply.plain_text


async def test_roster_file_from_a_refused_user_goes_to_the_access_gate(fake: FakeBotAPI, tmp_path, clock: Clock):
    # The /roster file handler runs before the access gate (see handlers.reminders.register): it must
    # leave refused users to the gate and change nothing.
    settings = make_settings(fake, tmp_path, allowed_user_ids=str(ALICE.id))
    app = build_application(settings, clock=clock)
    await app.initialize()
    await on_startup(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, allowed_updates=Update.ALL_TYPES)
    bot = RunningBot(app, fake, settings)
    try:
        mark = fake.mark()
        await fake.send_document(STRANGER, "list.txt", "甲市财政局\n".encode(), caption="/roster")
        await fake.wait_reply(STRANGER, after=mark)
        await fake.wait_idle()
        (reply,) = fake.sent(STRANGER, after=mark)
        assert "not authorised" in reply.plain_text
        async with bot.db.transaction(write=False) as s:
            assert await roster(s, STRANGER.id) == []
    finally:
        await stop_bot(bot)
