"""The /lang choice is stored in the database: a restarted bot still answers in the chosen language."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, BOB, start_bot, stop_bot


async def test_lang_choice_survives_a_restart(fake, settings_for):
    settings = settings_for()
    first = await start_bot(fake, settings)
    try:
        mark = fake.mark()
        await fake.send_text(ALICE, "/lang en")          # a Chinese Telegram user chooses English
        reply = await fake.wait_reply(ALICE, after=mark)
        assert "English" in reply.plain_text
        mark = fake.mark()
        await fake.send_text(BOB, "/lang")                # an English Telegram user chooses Chinese by button
        menu = await fake.wait_reply(BOB, after=mark)
        mark = fake.mark()
        await fake.press_button(BOB, menu, "lang:zh")
        await fake.wait_for(lambda calls: any(c.method == "editMessageText" and "中文" in c.text
                                              for c in calls[mark:]))
    finally:
        await stop_bot(first)

    second = await start_bot(fake, settings)            # a new Application on the same database
    try:
        assert second.app is not first.app
        mark = fake.mark()
        await fake.send_text(ALICE, "/start")
        reply = await fake.wait_reply(ALICE, after=mark)
        assert reply.plain_text.startswith("Hello, 小王!")
        mark = fake.mark()
        await fake.send_text(BOB, "/help")
        reply = await fake.wait_reply(BOB, after=mark)
        assert "提问示例" in reply.plain_text
    finally:
        await stop_bot(second)


async def test_without_a_stored_choice_telegram_language_decides(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "/start")
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert "您好，小王" in reply.plain_text
