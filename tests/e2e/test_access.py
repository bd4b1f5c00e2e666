"""ALLOWED_USER_IDS: a refused user gets one polite line and nothing of theirs is downloaded or stored."""

from __future__ import annotations

import pytest

from services import stored
from tests.conftest import sample_bytes
from tests.e2e.conftest import ADMIN, ALICE, STRANGER, start_bot, stop_bot


@pytest.fixture
async def private_bot(fake, settings_for):
    running = await start_bot(fake, settings_for(allowed_user_ids=str(ALICE.id)))
    try:
        yield running
    finally:
        await stop_bot(running)


async def test_refused_user_gets_one_polite_line_and_nothing_is_stored(private_bot):
    fake = private_bot.fake
    mark = fake.mark()
    await fake.send_document(STRANGER, "wuyang_2020.txt", sample_bytes("wuyang_2020.txt"))
    reply = await fake.wait_reply(STRANGER, after=mark)
    assert reply.plain_text == "Sorry, you are not authorised to use this bot. Please contact its administrator."
    await fake.wait_idle()
    to_stranger = [c for c in fake.calls[mark:] if c.chat_id == STRANGER.id]
    assert [c.method for c in to_stranger] == ["sendMessage"]
    assert not [c for c in fake.calls[mark:] if c.method == "getFile"]
    assert await stored.agency_years(private_bot.db) == []


async def test_refused_user_questions_and_buttons_are_refused(private_bot):
    fake = private_bot.fake
    mark = fake.mark()
    await fake.send_text(STRANGER, "平潭2021年收到多少申请")
    reply = await fake.wait_reply(STRANGER, after=mark)
    assert "not authorised" in reply.plain_text
    mark = fake.mark()
    await fake.press_button(STRANGER, reply, "all:1")
    toast = await fake.wait_for(lambda calls: next(
        (c for c in calls[mark:] if c.method == "answerCallbackQuery"), None))
    assert "not authorised" in toast.params["text"] and toast.params["show_alert"] is True


async def test_allowed_user_and_admin_are_served(private_bot):
    fake = private_bot.fake
    for user in (ALICE, ADMIN):
        mark = fake.mark()
        await fake.send_text(user, "/start")
        reply = await fake.wait_reply(user, after=mark)
        assert "年度报告助手" in reply.plain_text
