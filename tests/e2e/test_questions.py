"""Questions end to end: answers in both languages, clarification buttons, charts, /report, /issues, 429s."""

from __future__ import annotations

import pytest

from handlers import commands
from services import questions
from services.ingest import ingest
from tests.conftest import sample_bytes
from tests.e2e.conftest import ALICE, BOB

STORED = ("pingtan_2019.txt", "pingtan_2021.txt", "wuyang_2020.txt", "huaian_2024_pdftext.txt", "shanghai_2019.html")


@pytest.fixture
async def stocked(bot):
    for name in STORED:
        await ingest(bot.db, sample_bytes(name), name)
    return bot


async def ask(fake, user, text: str, **wait):
    mark = fake.mark()
    await fake.send_text(user, text)
    return mark, await fake.wait_reply(user, after=mark, **wait)


async def test_question_in_chinese(stocked):
    _, reply = await ask(stocked.fake, ALICE, "平潭2021年收到多少政府信息公开申请？")
    assert "平潭综合实验区2021年本年新收政府信息公开申请：70件" in reply.plain_text
    assert "pingtan_2021.txt" in reply.plain_text          # the answer names its source


async def test_question_in_english(stocked):
    _, reply = await ask(stocked.fake, BOB, "how many requests did Pingtan get in 2021")
    assert "new requests this year: 70" in reply.plain_text


async def test_clarification_through_a_button(stocked):
    _, reply = await ask(stocked.fake, ALICE, "乌阳街道2020年收到多少申请")
    assert "您是不是要问" in reply.plain_text
    assert reply.buttons and all(len(b["callback_data"].encode()) <= 64 for b in reply.buttons)
    assert reply.buttons[0]["text"] == "重庆市秀山土家族苗族自治县乌杨街道办事处"
    mark = stocked.fake.mark()
    await stocked.fake.press_button(ALICE, reply)
    answer = await stocked.fake.wait_reply(ALICE, after=mark, contains="乌杨街道办事处2020年")
    assert "0件" in answer.plain_text
    await stocked.fake.wait_for(lambda calls: any(c.method == "answerCallbackQuery" and c.ok for c in calls[mark:]))


async def test_expired_clarification_button_is_answered_gracefully(stocked):
    _, reply = await ask(stocked.fake, ALICE, "乌阳街道2020年收到多少申请")
    mark = stocked.fake.mark()
    await stocked.fake.press_button(ALICE, reply, "ans:forgotten-after-a-restart")
    toast = await stocked.fake.wait_for(lambda calls: next(
        (c for c in calls[mark:] if c.method == "answerCallbackQuery"), None))
    assert "过期" in toast.params["text"]


async def test_too_old_callback_query_does_not_break_the_action(stocked):
    _, reply = await ask(stocked.fake, ALICE, "乌阳街道2020年收到多少申请")
    mark = stocked.fake.mark()
    await stocked.fake.press_button(ALICE, reply, stale=True)      # Telegram refuses to answer it
    answer = await stocked.fake.wait_reply(ALICE, after=mark, contains="乌杨街道办事处2020年")
    assert "0件" in answer.plain_text


async def test_trend_comes_with_a_chart_and_a_table(stocked):
    mark, reply = await ask(stocked.fake, ALICE, "平潭2019到2021年行政复议情况")
    assert "平潭综合实验区" in reply.plain_text
    photo = await stocked.fake.wait_reply(ALICE, after=mark, methods=["sendPhoto"])
    assert photo.photo.data.startswith(b"\x89PNG")
    table = await stocked.fake.wait_reply(ALICE, after=mark, methods=["sendDocument"])
    assert table.document.filename.endswith(".csv")


async def test_report_command(stocked):
    _, reply = await ask(stocked.fake, ALICE, "/report 平潭 2021")
    assert "平潭综合实验区 · 2021年度" in reply.plain_text
    assert [b["text"] for b in reply.buttons] == ["全部问题", "导出"]


async def test_report_command_for_a_missing_year(stocked):
    _, reply = await ask(stocked.fake, BOB, "/report 平潭综合实验区 2020")
    assert "No report found for 平潭综合实验区 2020" in reply.plain_text


async def test_issues_command(stocked):
    _, reply = await ask(stocked.fake, ALICE, "/issues")
    assert "上海市人民政府" in reply.plain_text and "[MISSING_TOTAL]" in reply.plain_text
    _, reply = await ask(stocked.fake, ALICE, "/issues 平潭综合实验区")
    assert "[AMBIGUOUS_CELL]" in reply.plain_text and "上海" not in reply.plain_text


async def test_agencies_and_export_commands(stocked):
    _, reply = await ask(stocked.fake, BOB, "/agencies")
    assert "平潭综合实验区: 2019, 2021" in reply.plain_text
    _, document = await ask(stocked.fake, BOB, "/export", methods=["sendDocument"])
    assert document.document.filename.endswith(".xlsx")
    assert document.document.data.startswith(b"PK")


async def test_429_during_a_reply_is_retried_and_delivered_once(stocked):
    stocked.fake.fail("sendMessage", code=429, retry_after=1, chat_id=ALICE.id)
    mark, reply = await ask(stocked.fake, ALICE, "平潭2021年收到多少政府信息公开申请？", contains="70件")
    calls = [c for c in stocked.fake.calls[mark:] if c.method == "sendMessage" and c.chat_id == ALICE.id]
    assert [c.ok for c in calls] == [False, True]
    assert calls[0].error_code == 429
    await stocked.fake.wait_idle()
    delivered = [c for c in stocked.fake.sent(ALICE, after=mark, methods=["sendMessage"]) if "70件" in c.plain_text]
    assert len(delivered) == 1


async def test_report_and_issues_commands_explain_what_they_need(stocked):
    _, reply = await ask(stocked.fake, ALICE, "/report")
    assert reply.plain_text.startswith("用法：/report 机构 年份")
    _, reply = await ask(stocked.fake, ALICE, "/issues 平谭综合实验区")
    assert "没有找到机构“平谭综合实验区”" in reply.plain_text and "平潭综合实验区" in reply.plain_text


async def test_report_command_without_a_year_shows_last_year(stocked):
    # The injected day is 2025-06-02: "last year" is 2024.
    _, reply = await ask(stocked.fake, BOB, "/report 淮安市人民政府")
    assert "淮安市人民政府 · 2024" in reply.plain_text


async def test_agencies_list_is_capped(stocked, monkeypatch):
    monkeypatch.setattr(commands, "AGENCIES_SHOWN", 2)
    _, reply = await ask(stocked.fake, BOB, "/agencies")
    assert reply.plain_text.startswith("Agencies on file (4):")
    assert reply.plain_text.count(": 20") == 2
    assert "… 2 more agencies; send /export for all the figures." in reply.plain_text


async def test_a_long_answer_is_split_below_the_limit_and_escaped(bot, monkeypatch):
    text = "\n".join(f"第{i}行：a<b & c>d，数据来源《报告》" for i in range(600))      # ≈ 15,000 characters

    async def long_answer(db, question, *, today, lang=None):
        return questions.Answer(text=text, lang="zh", query=None)

    monkeypatch.setattr(questions, "answer", long_answer)
    mark = bot.fake.mark()
    await bot.fake.send_text(ALICE, "给我一个很长的回答")
    await bot.fake.wait_for(lambda calls: any("第599行" in c.plain_text for c in calls[mark:] if c.ok))
    sent = bot.fake.sent(ALICE, after=mark, methods=["sendMessage"], ok=None)
    assert len(sent) >= 4 and all(c.ok for c in sent)            # the fake refuses > 4096 and bad HTML
    assert "\n".join(c.plain_text for c in sent) == text
