"""Every user-facing string of the bot, in Chinese and English.

Templates are HTML (messages go out with ``parse_mode=HTML``); ``t()`` escapes the values it
substitutes, so a file name or an agency name can never break the markup. ``plain()`` is for
places that are not HTML (callback-query toasts, button labels).
"""

from __future__ import annotations

import html
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def lang_of(language_code: str | None) -> Lang:
    """Telegram's ``language_code`` → the reply language: English for en*, Chinese otherwise."""
    return "en" if language_code and language_code.lower().startswith("en") else "zh"


TEXTS: dict[str, dict[Lang, str]] = {
    # ---- start / help ---------------------------------------------------------------------
    "start": {
        "zh": "您好，{name}！我是政府信息公开工作年度报告助手。\n\n"
              "• 发送年度报告文件（txt、html、docx、doc、pdf、xlsx 或 zip），或报告网页链接：我会读出三张表的数据，"
              "核对勾稽关系、格式和发布期限，并存档。\n"
              "• 直接提问，例如：<i>乌杨街道2020年收到多少政府信息公开申请？</i>\n\n"
              "发送 /help 查看更多用法。",
        "en": "Hello, {name}! I read China's government-information-disclosure annual reports "
              "(政府信息公开工作年度报告).\n\n"
              "• Send a report file (txt, html, docx, doc, pdf, xlsx or zip) or a link to the report page: I read its "
              "tables, check the arithmetic, the template and the publication deadline, and store it.\n"
              "• Ask a question, e.g. <i>how many requests did Pingtan get in 2021</i>\n\n"
              "Send /help for more.",
    },
    "help": {
        "zh": "<b>用法</b>\n"
              "• 发送报告文件或链接 → 摘要与发现的问题；zip 压缩包会逐份处理。\n"
              "• 提问示例：\n"
              "  <i>乌杨街道2020年收到多少政府信息公开申请？</i>\n"
              "  <i>2023年哪个部门收到的申请最多</i>\n"
              "  <i>平潭近三年行政复议情况</i>\n"
              "  <i>哪些报告勾稽关系不对</i>\n"
              "  <i>还有谁没交2024年的年报</i>\n\n"
              "<b>命令</b>\n{commands}",
        "en": "<b>How to use</b>\n"
              "• Send a report file or a link → a summary and the problems found; a zip is processed file by file.\n"
              "• Example questions:\n"
              "  <i>how many requests did Pingtan get in 2021</i>\n"
              "  <i>which department received the most requests in 2023</i>\n"
              "  <i>administrative reviews of Pingtan over the last three years</i>\n"
              "  <i>which reports do not balance</i>\n"
              "  <i>who has not published the 2024 report yet</i>\n\n"
              "<b>Commands</b>\n{commands}",
    },
    "unknown_command": {
        "zh": "没有这个命令。发送 /help 查看可用命令。",
        "en": "Unknown command. Send /help to see what I can do.",
    },
    # Command descriptions (set_my_commands and /help); plain text.
    "cmd.start": {"zh": "开始使用", "en": "Start"},
    "cmd.help": {"zh": "用法与提问示例", "en": "How to use, example questions"},
    "cmd.agencies": {"zh": "已存档的机构", "en": "Agencies on file"},
    "cmd.report": {"zh": "查看报告：/report 机构 年份", "en": "Show a report: /report agency year"},
    "cmd.issues": {"zh": "发现的问题：/issues [机构]", "en": "Problems found: /issues [agency]"},
    "cmd.export": {"zh": "导出全部数据（XLSX）", "en": "Export all figures (XLSX)"},
    "cmd.lang": {"zh": "切换语言 / Language", "en": "Language / 切换语言"},
    # Reminder commands (handlers.reminders registers them; the menu descriptions live here).
    "cmd.roster": {"zh": "监督的机构名单：add|remove|list", "en": "Bodies you oversee: add|remove|list"},
    "cmd.subscribe": {"zh": "订阅年报期限提醒", "en": "Subscribe to annual-report reminders"},
    "cmd.unsubscribe": {"zh": "取消年报期限提醒", "en": "Stop annual-report reminders"},
    "cmd.track": {"zh": "登记依申请公开：/track 收到日期 渠道 编号", "en": "Track an application: /track date channel ref"},
    "cmd.extend": {"zh": "延长答复期限（20个工作日）", "en": "Extend the answer deadline (20 working days)"},
    "cmd.pause": {"zh": "暂停计时（补正、征求意见）", "en": "Pause the clock (correction, consultation)"},
    "cmd.resume": {"zh": "恢复计时", "en": "Resume the clock"},
    "cmd.tracked": {"zh": "在办申请及剩余天数", "en": "Open applications and days left"},
    "cmd.done": {"zh": "办结一件申请", "en": "Close an application"},
    # ---- access / language ----------------------------------------------------------------
    "denied": {
        "zh": "抱歉，您暂无使用本机器人的权限。如需开通，请联系管理员。",
        "en": "Sorry, you are not authorised to use this bot. Please contact its administrator.",
    },
    "admin_only": {"zh": "只有管理员可以执行此操作。", "en": "Only an administrator can do this."},
    "lang.choose": {"zh": "请选择语言：", "en": "Choose a language:"},
    "lang.set": {"zh": "已切换为中文。", "en": "Language set to English."},
    # ---- errors ---------------------------------------------------------------------------
    "error.internal": {
        "zh": "抱歉，处理时出错了，请稍后再试。",
        "en": "Sorry, something went wrong. Please try again later.",
    },
    "error.storage": {
        "zh": "数据库暂时不可用，本次内容未保存，请稍后重新发送。",
        "en": "The database is unavailable right now; nothing was saved. Please send it again shortly.",
    },
    # ---- uploads --------------------------------------------------------------------------
    "upload.too_big": {
        "zh": "文件 {name} 大小为 {size}，超过上限 {limit}，未下载。",
        "en": "The file {name} is {size}, above the {limit} limit; it was not downloaded.",
    },
    "upload.too_big_cloud": {
        "zh": "文件 {name} 大小为 {size}，超过 Telegram 机器人可下载的 20 MB 上限，未下载。"
              "请压缩后重发，或发送报告网页链接。",
        "en": "The file {name} is {size}, above the 20 MB that Telegram lets bots download; it was not downloaded. "
              "Compress it or send a link to the report page instead.",
    },
    "stage.received": {"zh": "📥 已收到 {name}，正在下载…", "en": "📥 Received {name}, downloading…"},
    "stage.downloaded": {"zh": "📄 {name} 已下载，正在解析和核对…", "en": "📄 {name} downloaded; parsing and checking…"},
    "stage.checked": {
        "zh": "🔎 {name} 已解析并核对（{n} 份报告），正在存档…",
        "en": "🔎 {name} parsed and checked ({n} reports); storing…",
    },
    "stage.stored": {"zh": "💾 {name}：已存档 {done}/{total} 份…", "en": "💾 {name}: {done}/{total} stored…"},
    "stage.fetching": {"zh": "🌐 正在获取 {url} …", "en": "🌐 Fetching {url} …"},
    "upload.unreadable": {"zh": "无法读取 {name}：{reason}", "en": "Could not read {name}: {reason}"},
    "upload.no_report": {
        "zh": "{name} 中没有找到年度报告。",
        "en": "No annual report was found in {name}.",
    },
    "link.failed": {"zh": "无法获取链接 {url}：{reason}", "en": "Could not fetch {url}: {reason}"},
    "zip.title": {"zh": "🗂 {name}：共 {total} 份", "en": "🗂 {name}: {total} files"},
    "zip.counts": {
        "zh": "新存档 {stored} · 重复 {duplicate} · 替换旧版 {superseded} · 无法读取 {unreadable} · 未处理 {skipped}",
        "en": "stored {stored} · duplicates {duplicate} · replaced {superseded} · unreadable {unreadable} · "
              "skipped {skipped}",
    },
    "zip.findings_caption": {"zh": "全部发现的问题（CSV）", "en": "All findings (CSV)"},
    # Outcome of one report of an archive (the other outcomes' texts come from services.ingest).
    "outcome.failed": {"zh": "未保存（数据库不可用）", "en": "not saved (database unavailable)"},
    # ---- report summary -------------------------------------------------------------------
    "report.unknown_agency": {"zh": "（未识别的机构）", "en": "(agency not recognised)"},
    "report.unknown_year": {"zh": "年份未知", "en": "year unknown"},
    "report.year": {"zh": "{year}年度", "en": "{year}"},
    "report.template": {"zh": "模板：{template}", "en": "Template: {template}"},
    "report.template.2019": {"zh": "2019版", "en": "2019 edition"},
    "report.template.2021": {"zh": "2021版", "en": "2021 edition"},
    "report.template.pre2019": {"zh": "2019年以前的旧格式", "en": "pre-2019 layout"},
    "report.template.none": {"zh": "未识别", "en": "not recognised"},
    "report.published": {"zh": "发布日期：{date}", "en": "Published: {date}"},
    "report.published.unknown": {"zh": "发布日期：未知", "en": "Published: unknown"},
    "report.on_time": {"zh": "（按期，期限 {deadline}）", "en": " (on time; due {deadline})"},
    "report.late": {"zh": "（逾期，期限 {deadline}）", "en": " (late; due {deadline})"},
    "report.figures": {
        "zh": "新收 {new} · 上年结转 {carried_over} · 办结 {done} · 予以公开 {granted} · 结转下年 {carried_forward}"
              " · 行政复议 {review} · 行政诉讼 {suit}",
        "en": "new {new} · carried over {carried_over} · answered {done} · granted {granted} · "
              "carried forward {carried_forward} · reviews {review} · lawsuits {suit}",
    },
    "report.no_findings": {"zh": "未发现问题。", "en": "No problems found."},
    "report.findings": {
        "zh": "发现的问题：错误 {error} · 警告 {warning} · 提示 {info}",
        "en": "Problems found: {error} errors · {warning} warnings · {info} notes",
    },
    "report.more_findings": {
        "zh": "……另有 {n} 条，点「全部问题」查看。",
        "en": "… {n} more; press “All problems” to see them.",
    },
    "report.not_found": {
        "zh": "没有找到 {agency} {year} 的报告。",
        "en": "No report found for {agency} {year}.",
    },
    "report.usage": {
        "zh": "用法：/report 机构 年份，例如 /report 平潭综合实验区 2021",
        "en": "Usage: /report agency year, e.g. /report 平潭综合实验区 2021",
    },
    "report.ambiguous": {"zh": "有多个机构符合，请选择：", "en": "Several agencies match; choose one:"},
    "report.deleted": {"zh": "已删除：{agency} {year}", "en": "Deleted: {agency} {year}"},
    "report.confirm_delete": {
        "zh": "确定删除 {agency} {year} 的这份报告吗？",
        "en": "Delete this report of {agency} {year}?",
    },
    "report.gone": {"zh": "这份报告已不在库中。", "en": "This report is no longer on file."},
    "export.choose": {"zh": "选择导出格式：", "en": "Choose the export format:"},
    "export.caption": {"zh": "{what}（{fmt}）", "en": "{what} ({fmt})"},
    "export.all": {"zh": "全部报告数据", "en": "All reports"},
    "export.empty": {"zh": "库中还没有报告。", "en": "No reports are stored yet."},
    # ---- buttons (plain text) ---------------------------------------------------------------
    "btn.all_findings": {"zh": "全部问题", "en": "All problems"},
    "btn.export": {"zh": "导出", "en": "Export"},
    "btn.delete": {"zh": "删除", "en": "Delete"},
    "btn.confirm_delete": {"zh": "确认删除", "en": "Yes, delete"},
    "btn.cancel": {"zh": "取消", "en": "Cancel"},
    "btn.zh": {"zh": "中文", "en": "中文"},
    "btn.en": {"zh": "English", "en": "English"},
    # ---- lists ----------------------------------------------------------------------------
    "agencies.title": {"zh": "已存档的机构（{n}）：", "en": "Agencies on file ({n}):"},
    "agencies.empty": {"zh": "库中还没有机构。发送一份年度报告试试。", "en": "No agencies yet. Send an annual report."},
    "agencies.more": {
        "zh": "……另有 {n} 个机构，发送 /export 获取全部数据。",
        "en": "… {n} more agencies; send /export for all the figures.",
    },
    "agencies.line": {"zh": "{name}：{years}", "en": "{name}: {years}"},
    "issues.title": {"zh": "发现的问题（{scope}）：", "en": "Problems found ({scope}):"},
    "issues.scope_all": {"zh": "全部报告", "en": "all reports"},
    "issues.none": {"zh": "没有发现问题。", "en": "No problems found."},
    "issues.unknown_agency": {
        "zh": "没有找到机构“{agency}”。{suggest}",
        "en": "No agency named “{agency}”. {suggest}",
    },
    "issues.more_reports": {
        "zh": "……另有 {n} 份报告有问题，发送 /issues 机构名称 查看某一机构。",
        "en": "… {n} more reports have problems; send /issues agency to see one agency.",
    },
    "issues.suggest": {"zh": "您是不是要找：{names}", "en": "Did you mean: {names}"},
    # ---- callbacks (plain text toasts) ----------------------------------------------------
    "callback.stale": {
        "zh": "这个按钮已过期，请重新提问或重新发送。",
        "en": "This button has expired; please ask again or resend.",
    },
    "question.empty": {"zh": "请输入问题。", "en": "Please type a question."},
}


def fill(template: str, **values: Any) -> str:
    """An HTML ``template`` with ``values`` HTML-escaped and substituted (every text table uses this)."""
    return template.format(**{k: html.escape(str(v), quote=False) for k, v in values.items()})


def t(key: str, lang: Lang, **values: Any) -> str:
    """The HTML text ``key`` in ``lang`` with ``values`` HTML-escaped and substituted."""
    return fill(TEXTS[key][lang], **values)


def plain(key: str, lang: Lang, **values: Any) -> str:
    """The text ``key`` for a place without HTML parsing (toasts, button labels)."""
    return TEXTS[key][lang].format(**{k: str(v) for k, v in values.items()})


def size_text(size: int) -> str:
    """A byte count for people: "21.3 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
