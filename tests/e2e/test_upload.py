"""Uploads end to end: every shared sample, duplicates, buttons, zips, links, corrupt and oversized files."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from aiohttp import web

from handlers import status as status_module
from services import stored
from tests.conftest import sample_bytes
from tests.e2e.conftest import ADMIN, ALICE, BOB, start_bot, stop_bot
from tests.fakes.bot_api import FakeBotAPI

# file → (agency named in the reply, year, finding codes the README documents for it, error-free?)
SAMPLES = {
    "wuyang_2020.txt": ("重庆市秀山土家族苗族自治县乌杨街道办事处", 2020, set(), True),
    "pingtan_2019.txt": ("平潭综合实验区", 2019, {"AMBIGUOUS_CELL"}, True),
    "pingtan_2021.txt": ("平潭综合实验区", 2021, set(), True),
    "huaian_2024_pdftext.txt": ("淮安市人民政府", 2024, set(), True),
    "shanghai_2019.html": ("上海市人民政府", 2019, {"MISSING_TOTAL", "NARRATIVE_MISMATCH"}, False),
    "songmutang_2022_excerpt.txt": ("桃江县松木塘镇人民政府", 2022, {"TOWN_REGULATION", "TRUNCATED"}, True),
    "zhongcun_2020_excerpt.txt": ("中村乡", 2020, set(), True),
    "district-stats_2023_excerpt.txt": ("统计局", 2023, set(), True),
}


async def upload(fake: FakeBotAPI, user, name: str, data: bytes | None = None):
    """Send a file and wait for the reply that carries the report's buttons (or any final text)."""
    mark = fake.mark()
    await fake.send_document(user, name, sample_bytes(name) if data is None else data)
    reply = await fake.wait_for(lambda calls: next(
        (c for c in fake.sent(user, after=mark, methods=["sendMessage"]) if c.buttons), None), timeout=30)
    return mark, reply


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_each_sample_is_summarised_with_its_findings(bot, name):
    agency, year, codes, error_free = SAMPLES[name]
    mark, reply = await upload(bot.fake, ALICE, name)
    text = reply.plain_text
    assert agency in text
    assert f"{year}年度" in text
    for code in codes:
        assert f"[{code}]" in text
    if error_free:
        assert "错误 0" in text or "未发现问题" in text
    assert [b["text"] for b in reply.buttons] == ["全部问题", "导出"]   # no 删除 for a non-admin
    # The status message replied to the upload and went away once the result was sent.
    status = bot.fake.sent(ALICE, after=mark, methods=["sendMessage"])[0]
    assert status.params["reply_parameters"]["message_id"] > 0
    assert "已收到" in status.plain_text
    await bot.fake.wait_for(lambda calls: any(
        c.method == "deleteMessage" and c.params["message_id"] == status.result["message_id"] for c in calls[mark:]))


async def test_summary_states_the_key_figures_in_english(bot):
    _, reply = await upload(bot.fake, BOB, "pingtan_2021.txt")
    text = reply.plain_text
    assert "平潭综合实验区 · 2021" in text
    assert "new 70 · carried over 0 · answered 69 · granted 30 · carried forward 1 · reviews 3 · lawsuits 12" in text
    assert "Published: 2022-02-08" in text
    assert "No problems found." in text or "Problems found: 0 errors" in text


async def test_status_edits_are_at_most_one_per_two_seconds(bot):
    mark, _ = await upload(bot.fake, ALICE, "huaian_2024_pdftext.txt")
    edits = [c.at for c in bot.fake.sent(ALICE, after=mark, methods=["editMessageText"], ok=None)]
    assert all(later - earlier >= 1.95 for earlier, later in zip(edits, edits[1:]))


async def test_same_file_twice_is_reported_as_already_stored(bot):
    await upload(bot.fake, ALICE, "wuyang_2020.txt")
    _, reply = await upload(bot.fake, ALICE, "wuyang_2020.txt")
    assert "已存储（相同文件此前已保存" in reply.plain_text
    assert len(await stored.agency_years(bot.db)) == 1


async def test_all_findings_button_lists_every_finding(bot):
    _, reply = await upload(bot.fake, ALICE, "shanghai_2019.html")
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, reply, reply.buttons[0]["callback_data"])
    listing = await bot.fake.wait_reply(ALICE, after=mark, contains="发现的问题")
    view = await stored.load(bot.db, int(reply.buttons[0]["callback_data"].split(":")[1]))
    assert listing.plain_text.count("[") >= len(view.report.findings)
    assert "[MISSING_TOTAL]" in listing.plain_text
    assert any(c.method == "answerCallbackQuery" and c.ok for c in bot.fake.calls[mark:])


async def test_export_button_sends_this_report_as_csv(bot):
    _, reply = await upload(bot.fake, ALICE, "pingtan_2021.txt")
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, reply, reply.buttons[1]["callback_data"])
    choose = await bot.fake.wait_reply(ALICE, after=mark, contains="导出格式")
    assert [b["text"] for b in choose.buttons] == ["CSV", "XLSX"]
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, choose, choose.buttons[0]["callback_data"])
    sent = await bot.fake.wait_reply(ALICE, after=mark, methods=["sendDocument"])
    rows = list(csv.reader(io.StringIO(sent.document.data.decode("utf-8-sig"))))
    assert any("平潭综合实验区" in cell for cell in rows[-1])
    assert sent.document.filename.endswith(".csv")


async def test_admin_can_delete_a_report_after_confirming(bot):
    _, reply = await upload(bot.fake, ADMIN, "wuyang_2020.txt")
    assert [b["text"] for b in reply.buttons] == ["全部问题", "导出", "删除"]
    report_id = int(reply.buttons[2]["callback_data"].split(":")[1])
    mark = bot.fake.mark()
    await bot.fake.press_button(ADMIN, reply, reply.buttons[2]["callback_data"])
    confirm = await bot.fake.wait_reply(ADMIN, after=mark, contains="确定删除")
    assert await stored.load(bot.db, report_id) is not None      # nothing deleted before confirming
    mark = bot.fake.mark()
    await bot.fake.press_button(ADMIN, confirm, f"delok:{report_id}")
    await bot.fake.wait_for(lambda calls: any(c.method == "editMessageText" and "已删除" in c.text
                                              for c in calls[mark:]))
    assert await stored.load(bot.db, report_id) is None


async def test_delete_button_is_refused_to_a_non_admin(bot):
    _, reply = await upload(bot.fake, ALICE, "wuyang_2020.txt")
    report_id = int(reply.buttons[0]["callback_data"].split(":")[1])
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, reply, f"delok:{report_id}")   # a forged button
    answer = await bot.fake.wait_for(lambda calls: next(
        (c for c in calls[mark:] if c.method == "answerCallbackQuery"), None))
    assert "管理员" in answer.params["text"]
    assert await stored.load(bot.db, report_id) is not None


async def test_stale_button_is_answered_gracefully(bot):
    _, reply = await upload(bot.fake, ALICE, "wuyang_2020.txt")
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, reply, "all:999999")
    answer = await bot.fake.wait_for(lambda calls: next(
        (c for c in calls[mark:] if c.method == "answerCallbackQuery"), None))
    assert "过期" in answer.params["text"]
    mark = bot.fake.mark()
    await bot.fake.press_button(ALICE, reply, "old-version-button")
    answer = await bot.fake.wait_for(lambda calls: next(
        (c for c in calls[mark:] if c.method == "answerCallbackQuery"), None))
    assert "过期" in answer.params["text"]


async def test_zip_gives_a_table_and_the_findings_as_csv(bot):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("wuyang_2020.txt", "shanghai_2019.html", "songmutang_2022_excerpt.txt"):
            zf.writestr(f"reports/{name}", sample_bytes(name))
        zf.writestr("reports/readme.txt", "这里是说明文字，不是年度报告。".encode())
    mark = bot.fake.mark()
    await bot.fake.send_document(ALICE, "county.zip", buf.getvalue())
    table = await bot.fake.wait_reply(ALICE, after=mark, contains="county.zip：共")
    text = table.plain_text
    assert "乌杨街道办事处" in text and "上海市人民政府" in text and "松木塘镇" in text
    assert "新存档 3" in text and "无法读取 1" in text
    document = await bot.fake.wait_reply(ALICE, after=mark, methods=["sendDocument"])
    rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
    assert rows[0] == ["文件", "机构", "年度", "代码", "严重程度", "位置", "说明"]
    assert {"MISSING_TOTAL", "TOWN_REGULATION"} <= {r[3] for r in rows[1:]}


async def test_stages_and_zip_progress_by_count(bot, monkeypatch):
    monkeypatch.setattr(status_module, "MIN_INTERVAL", 0.0)    # show every stage: the order is what is checked
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("wuyang_2020.txt", "pingtan_2021.txt", "huaian_2024_pdftext.txt"):
            zf.writestr(name, sample_bytes(name))
    mark = bot.fake.mark()
    await bot.fake.send_document(ALICE, "three.zip", buf.getvalue())
    await bot.fake.wait_reply(ALICE, after=mark, contains="three.zip：共")
    stages = [c.plain_text for c in bot.fake.sent(ALICE, after=mark, methods=["sendMessage", "editMessageText"])]
    assert stages[:6] == ["📥 已收到 three.zip，正在下载…", "📄 three.zip 已下载，正在解析和核对…",
                          "🔎 three.zip 已解析并核对（3 份报告），正在存档…", "💾 three.zip：已存档 1/3 份…",
                          "💾 three.zip：已存档 2/3 份…", "💾 three.zip：已存档 3/3 份…"]


async def test_corrupt_file_is_explained(bot):
    mark = bot.fake.mark()
    await bot.fake.send_document(ALICE, "report.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    reply = await bot.fake.wait_reply(ALICE, after=mark, contains="无法读取")
    assert "report.pdf" in reply.plain_text
    assert await stored.agency_years(bot.db) == []


async def test_file_over_the_limit_is_refused_before_download(bot):
    mark = bot.fake.mark()
    await bot.fake.send_document(ALICE, "huge.pdf", b"%PDF-1.7 tiny", declared_size=25 * 1024 * 1024)
    reply = await bot.fake.wait_reply(ALICE, after=mark)
    assert "超过上限 20.0 MB" in reply.plain_text
    assert not [c for c in bot.fake.calls[mark:] if c.method == "getFile"]


async def test_file_over_the_cloud_limit_is_refused_before_download(fake, settings_for):
    running = await start_bot(fake, settings_for(max_upload_mb=50))
    try:
        mark = fake.mark()
        await fake.send_document(BOB, "huge.pdf", b"%PDF-1.7 tiny", declared_size=25 * 1024 * 1024)
        reply = await fake.wait_reply(BOB, after=mark)
        assert "above the 20 MB that Telegram lets bots download" in reply.plain_text
        assert not [c for c in fake.calls[mark:] if c.method == "getFile"]
    finally:
        await stop_bot(running)


async def test_link_is_fetched_and_ingested(bot):
    page = sample_bytes("shanghai_2019.html")

    async def serve(_: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/zwgk/2019.html", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]   # type: ignore[union-attr]
    try:
        mark = bot.fake.mark()
        await bot.fake.send_text(ALICE, f"请看这份报告 http://127.0.0.1:{port}/zwgk/2019.html 谢谢")
        reply = await bot.fake.wait_for(lambda calls: next(
            (c for c in bot.fake.sent(ALICE, after=mark, methods=["sendMessage"]) if c.buttons), None), timeout=30)
        assert "上海市人民政府" in reply.plain_text and "[MISSING_TOTAL]" in reply.plain_text
        view = await stored.load(bot.db, int(reply.buttons[0]["callback_data"].split(":")[1]))
        assert view.report.source.url == f"http://127.0.0.1:{port}/zwgk/2019.html"
    finally:
        await runner.cleanup()


async def test_link_that_fails_is_explained(bot):
    mark = bot.fake.mark()
    await bot.fake.send_text(BOB, "http://127.0.0.1:9/nothing-listens-here.html")
    reply = await bot.fake.wait_reply(BOB, after=mark, contains="Could not fetch")
    assert "127.0.0.1:9" in reply.plain_text


async def test_local_bot_api_server_lifts_the_cloud_limit(settings_for):
    async with FakeBotAPI(local_mode=True) as local:
        settings = settings_for(max_upload_mb=50, telegram_local_mode=True, telegram_api_url=local.base_url,
                                telegram_file_url=local.base_file_url, bot_token=local.token)
        running = await start_bot(local, settings)
        try:
            mark = local.mark()
            await local.send_document(ALICE, "wuyang_2020.txt", sample_bytes("wuyang_2020.txt"),
                                      declared_size=25 * 1024 * 1024)
            reply = await local.wait_reply(ALICE, after=mark, contains="乌杨街道办事处", timeout=30)
            assert reply.buttons
            assert [c for c in local.calls[mark:] if c.method == "getFile" and c.ok]
        finally:
            await stop_bot(running)
