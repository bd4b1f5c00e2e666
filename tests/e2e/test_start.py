"""/start, /help, /lang and the command menus, over HTTP against the fake Bot API."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, BOB


async def test_startup_publishes_command_menus_in_chinese_and_english(bot):
    zh = {c["command"]: c["description"] for c in bot.fake.commands[""]}
    en = {c["command"]: c["description"] for c in bot.fake.commands["en"]}
    for command in ("start", "help", "agencies", "report", "issues", "export", "lang"):
        assert command in zh and command in en
    assert zh["report"].startswith("查看报告")
    assert en["report"].startswith("Show a report")


async def test_start_in_chinese(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "/start")
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert "您好，小王" in reply.plain_text
    assert "年度报告" in reply.plain_text
    assert reply.params["parse_mode"] == "HTML"


async def test_start_in_english(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/start")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert reply.plain_text.startswith("Hello, Bob!")


async def test_help_lists_example_questions_and_commands(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/help")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert "how many requests did Pingtan get in 2021" in reply.plain_text
    assert "/report — Show a report" in reply.plain_text


async def test_lang_button_switches_replies_to_english(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "/lang")
    menu = await bot.fake.wait_reply(ALICE, after=mark)
    assert [b["callback_data"] for b in menu.buttons] == ["lang:zh", "lang:en"]
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, menu, "lang:en")
    await bot.fake.wait_for(lambda calls: any(c.method == "editMessageText" and "English" in c.text
                                              for c in calls[mark:]))
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "/start")
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert reply.plain_text.startswith("Hello, 小王!")


async def test_lang_argument_sets_chinese_for_an_english_user(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/lang zh")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert reply.plain_text == "已切换为中文。"
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/help")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert "提问示例" in reply.plain_text


async def test_unknown_command_points_to_help(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "/frobnicate")
    reply = await bot.fake.wait_reply(BOB, after=mark)
    assert "/help" in reply.plain_text
