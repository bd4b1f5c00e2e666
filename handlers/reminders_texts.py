"""User-facing texts of the reminder commands and of the reminders themselves, in Chinese and English.

HTML templates (messages go out with ``parse_mode=HTML``); ``t()`` escapes every substituted value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.texts import Lang, fill

TEXTS: dict[str, dict[Lang, str]] = {
    # ---- usage ---------------------------------------------------------------------------------
    "usage.roster": {
        "zh": "用法：\n/roster add 机构1, 机构2 … （或 /roster add all：库中全部机构）\n/roster remove 机构 …（或 all）\n"
              "/roster list\n也可以发送名单文件（txt、csv 或 xlsx，每行一个机构），说明文字写 /roster。",
        "en": "Usage:\n/roster add body1, body2 … (or /roster add all: every agency on file)\n/roster remove body … "
              "(or all)\n/roster list\nYou can also send a list file (txt, csv or xlsx, one body per line) with the "
              "caption /roster.",
    },
    "usage.track": {
        "zh": "用法：/track 收到日期 渠道 编号或事由\n例如：/track 2026-09-28 邮寄 依申请〔2026〕15号\n"
              "渠道：当面、邮寄、网络、传真。收到日期按条例第三十一条：当面提交为提交之日，邮寄为签收之日，"
              "网络或传真为双方确认之日。",
        "en": "Usage: /track received-date channel reference\nE.g. /track 2026-09-28 mail FOI-2026-15\n"
              "Channels: in_person, mail, online, fax. The receipt day (Art. 31): in person — the day handed in; "
              "mail — the day signed for; online or fax — the day both sides confirmed.",
    },
    "usage.ref": {"zh": "用法：/{command} 编号", "en": "Usage: /{command} reference"},
    "usage.pause": {
        "zh": "用法：/pause 编号 补正|征求意见 [日期]\n补正：收到补正后的申请时用 /resume 编号 日期 重新起算；"
              "征求意见：征求第三方或其他机关意见的时间不计入期限。",
        "en": "Usage: /pause reference correction|consultation [date]\ncorrection: when the corrected application "
              "arrives, /resume reference date restarts the count; consultation: the time spent consulting a third "
              "party or another agency is not counted.",
    },
    "usage.resume": {"zh": "用法：/resume 编号 [日期]", "en": "Usage: /resume reference [date]"},
    "bad_date": {
        "zh": "无法识别日期“{value}”。请写成 2026-09-28、2026年9月28日 或 9月28日。",
        "en": "Could not read the date “{value}”. Write it as YYYY-MM-DD, e.g. 2026-09-28.",
    },
    "bad_channel": {
        "zh": "无法识别渠道“{value}”。请写：当面、邮寄、网络 或 传真。",
        "en": "Unknown channel “{value}”. Use: in_person, mail, online or fax.",
    },
    "bad_pause_kind": {
        "zh": "无法识别暂停原因“{value}”。请写：补正 或 征求意见。",
        "en": "Unknown reason “{value}”. Use: correction or consultation.",
    },
    "not_allowed_group": {
        "zh": "群组中只有管理员可以修改名单和订阅。",
        "en": "In a group only administrators can change the roster and the subscription.",
    },
    # ---- roster ---------------------------------------------------------------------------------
    "roster.added": {"zh": "已加入名单：{names}", "en": "Added to the roster: {names}"},
    "roster.already": {"zh": "已在名单中：{names}", "en": "Already on the roster: {names}"},
    "roster.unknown": {
        "zh": "库中还没有这些机构的报告，收到前会一直列为未存档：{names}",
        "en": "No reports from these bodies are on file yet; they count as missing until one arrives: {names}",
    },
    "roster.removed": {"zh": "已移出名单：{names}", "en": "Removed from the roster: {names}"},
    "roster.missing": {"zh": "不在名单中：{names}", "en": "Not on the roster: {names}"},
    "roster.all_on": {
        "zh": "名单设为库中全部机构（目前 {n} 个，今后新存档的机构也自动加入）。",
        "en": "The roster is now every agency on file ({n} now; agencies stored later join automatically).",
    },
    "roster.all_off": {"zh": "名单已清空。", "en": "The roster is now empty."},
    "roster.empty": {
        "zh": "名单是空的。用 /roster add 机构名 添加，或 /roster add all。",
        "en": "The roster is empty. Add bodies with /roster add name, or /roster add all.",
    },
    "roster.title": {
        "zh": "名单（{n} 个机构），{year}年度报告：",
        "en": "Roster ({n} bodies), reports on {year}:",
    },
    "roster.title_all": {"zh": "（库中全部机构）", "en": "(every agency on file)"},
    "roster.line_in": {"zh": "✅ {name}", "en": "✅ {name}"},
    "roster.line_out": {"zh": "⬜ {name}（期限 {deadline}）", "en": "⬜ {name} (due {deadline})"},
    "roster.subscribed": {"zh": "期限提醒：已开启", "en": "Reminders: on"},
    "roster.unsubscribed": {"zh": "期限提醒：未开启（/subscribe）", "en": "Reminders: off (/subscribe)"},
    "roster.file_empty": {
        "zh": "文件中没有读到机构名称（每行一个，或表格第一列）。",
        "en": "No body names found in the file (one per line, or the first column of a sheet).",
    },
    "roster.file_unreadable": {"zh": "无法读取名单文件：{reason}", "en": "Could not read the list file: {reason}"},
    "roster.file_too_big": {"zh": "名单文件太大（最多 {mb} MB）。", "en": "The list file is too big (at most {mb} MB)."},
    "more": {"zh": "……另有 {n} 个", "en": "… and {n} more"},
    # ---- subscription --------------------------------------------------------------------------
    "subscribe.on": {
        "zh": "已订阅年报期限提醒。{year}年度报告的公布期限：{deadlines}。\n"
              "提醒时间：期限前 30、14、7、3、1 天及当天 09:00，逾期次日发送一次汇总；只列出库中尚无其报告的机构。",
        "en": "Subscribed to annual-report reminders. Deadlines for reports on {year}: {deadlines}.\n"
              "Reminders go out 30, 14, 7, 3 and 1 days before and on the day at 09:00, with one overdue summary "
              "the day after; they list only the bodies with no report on file.",
    },
    "subscribe.again": {"zh": "（此前已订阅。）", "en": "(You were already subscribed.)"},
    "subscribe.no_roster": {
        "zh": "名单还是空的：用 /roster add 机构名 添加要监督的机构。",
        "en": "Your roster is empty: add the bodies to watch with /roster add name.",
    },
    "deadline.department": {"zh": "部门、乡镇街道 {date}", "en": "departments, towns {date}"},
    "deadline.government": {"zh": "各级人民政府 {date}", "en": "governments {date}"},
    "deadline.all": {"zh": "全部机构 {date}", "en": "all bodies {date}"},
    "unsubscribe.done": {
        "zh": "已取消年报期限提醒。已登记的依申请公开期限仍会提醒（/tracked）。",
        "en": "Annual-report reminders are off. Tracked applications still get their reminders (/tracked).",
    },
    "unsubscribe.none": {"zh": "您没有订阅年报期限提醒。", "en": "You were not subscribed."},
    # ---- applications --------------------------------------------------------------------------
    "app.tracked": {"zh": "已登记：", "en": "Now tracking:"},
    "app.extended": {"zh": "已延长答复期限：", "en": "Deadline extended:"},
    "app.paused": {"zh": "已暂停计时：", "en": "Clock paused:"},
    "app.resumed": {"zh": "已恢复计时：", "en": "Clock resumed:"},
    "app.done": {"zh": "已办结，不再提醒：{subject}（#{id}）", "en": "Closed, no more reminders: {subject} (#{id})"},
    "app.none": {
        "zh": "没有在办的申请。用 /track 收到日期 渠道 编号 登记。",
        "en": "No open applications. Track one with /track date channel reference.",
    },
    "app.list_title": {"zh": "在办申请（{n}）：", "en": "Open applications ({n}):"},
    "app.head": {"zh": "<b>{subject}</b>（#{id}）", "en": "<b>{subject}</b> (#{id})"},
    "app.received": {
        "zh": "收到：{date}（{channel}）",
        "en": "Received: {date} ({channel})",
    },
    "app.restarted": {"zh": "补正后重新起算：{date}", "en": "Count restarted after correction: {date}"},
    "app.due": {
        "zh": "答复期限：{date}（还剩 {n} 个工作日）",
        "en": "Answer due: {date} ({n} working days left)",
    },
    "app.due_today": {"zh": "答复期限：今天 {date}", "en": "Answer due: today, {date}"},
    "app.overdue": {"zh": "答复期限：{date}，⚠️ 已超期", "en": "Answer due: {date}, ⚠️ overdue"},
    "app.rule_new": {
        "zh": "依据：条例第三十三条，20个工作日{ext}",
        "en": "Rule: Art. 33, 20 working days{ext}",
    },
    "app.rule_old": {
        "zh": "依据：2019年5月15日前收到，适用原条例 15个工作日{ext}",
        "en": "Rule: received before 2019-05-15, old regulation: 15 working days{ext}",
    },
    "app.ext_new": {"zh": "，已延长20个工作日", "en": ", extended by 20"},
    "app.ext_old": {"zh": "，已延长15个工作日", "en": ", extended by 15"},
    "app.excluded": {
        "zh": "征求意见不计入期限：{n} 个工作日",
        "en": "Consultation time not counted: {n} working days",
    },
    "app.paused_consultation": {
        "zh": "⏸ {date} 起征求第三方/其他机关意见，计时暂停；对方应在 {opinion} 前答复（15个工作日）。"
              "收到意见后发送 /resume {id}",
        "en": "⏸ Consulting a third party / another agency since {date}; the clock is stopped. Their 15 working "
              "days end on {opinion}. Send /resume {id} when their opinion arrives.",
    },
    "app.paused_correction": {
        "zh": "⏸ {date} 起等待申请人补正；收到补正后的申请时发送 /resume {id} 日期，期限从该日重新起算。",
        "en": "⏸ Waiting for the applicant's correction since {date}; when the corrected application arrives, "
              "send /resume {id} date and the count restarts from that day.",
    },
    "app.correction_by": {
        "zh": "如需补正，应在 {date} 前一次性告知（第三十条，7个工作日）",
        "en": "Ask for any correction by {date} (Art. 30, 7 working days)",
    },
    "app.approximate": {
        "zh": "⚠️ 期限涉及尚未录入官方节假日安排的年份，暂按周一至周五估算。",
        "en": "⚠️ The count runs into a year whose official holiday schedule is not entered yet; it assumes "
              "Monday–Friday working days.",
    },
    "channel.in_person": {"zh": "当面提交", "en": "in person"},
    "channel.mail": {"zh": "邮寄，签收之日", "en": "by mail, day signed for"},
    "channel.online": {"zh": "网络，双方确认之日", "en": "online, day confirmed"},
    "channel.fax": {"zh": "传真，双方确认之日", "en": "by fax, day confirmed"},
    # ---- refusals from the rules ----------------------------------------------------------------
    "err.not_found": {
        "zh": "没有找到在办申请“{ref}”。发送 /tracked 查看编号。",
        "en": "No open application “{ref}”. Send /tracked to see the references.",
    },
    "err.already_tracked": {
        "zh": "“{subject}”已在登记中（/tracked）。",
        "en": "“{subject}” is already tracked (/tracked).",
    },
    "err.already_extended": {
        "zh": "“{subject}”已经延长过一次；条例第三十三条只允许延长一次。",
        "en": "“{subject}” was already extended; Art. 33 allows one extension only.",
    },
    "err.already_paused": {
        "zh": "“{subject}”的计时已经暂停；先用 /resume 恢复。",
        "en": "The clock of “{subject}” is already paused; /resume it first.",
    },
    "err.not_paused": {"zh": "“{subject}”的计时没有暂停。", "en": "The clock of “{subject}” is not paused."},
    "err.pause_before_start": {
        "zh": "暂停日期早于起算日期。",
        "en": "The pause date is before the count started.",
    },
    "err.resume_before_pause": {
        "zh": "恢复日期早于暂停日期。",
        "en": "The resume date is before the pause began.",
    },
    "err.future_date": {"zh": "日期 {date} 还没到。", "en": "The date {date} is in the future."},
    "err.subject_missing": {"zh": "请写上编号或事由。", "en": "Please give a reference or subject."},
    # ---- the reminders --------------------------------------------------------------------------
    "annual.before": {
        "zh": "⏰ 年报提醒：{year}年度政府信息公开工作年度报告应于 <b>{deadline}</b> 前向社会公布，还有 {days} 天。",
        "en": "⏰ Annual reports on {year} must be published by <b>{deadline}</b>: {days} days left.",
    },
    "annual.today": {
        "zh": "⏰ 年报提醒：今天（{deadline}）是{year}年度政府信息公开工作年度报告的公布期限。",
        "en": "⏰ Today ({deadline}) is the deadline for publishing the annual reports on {year}.",
    },
    "annual.missing": {
        "zh": "库中尚无其报告的机构（{n}/{total}）：",
        "en": "Bodies with no report on file ({n} of {total}):",
    },
    "annual.overdue": {
        "zh": "📋 逾期汇总：{year}年度报告的公布期限 {deadline} 已过，{n}/{total} 个机构的报告仍未存档：",
        "en": "📋 Overdue summary: the {deadline} deadline for reports on {year} has passed; {n} of {total} "
              "bodies have no report on file:",
    },
    "annual.all_in": {
        "zh": "📋 {year}年度报告期限 {deadline} 已过：名单上全部 {total} 个机构的报告均已存档 ✅",
        "en": "📋 The {deadline} deadline for reports on {year} has passed: all {total} bodies on the roster have "
              "a report on file ✅",
    },
    "annual.footer": {
        "zh": "收到报告后发给我存档，机构即从名单上划去。/roster list 查看全部；/unsubscribe 取消提醒。",
        "en": "Send me each report as it arrives and the body comes off the list. /roster list shows all; "
              "/unsubscribe stops these reminders.",
    },
    "remind.due_soon": {
        "zh": "⏳ 申请“{subject}”（#{id}）的答复期限是 <b>{due}</b>，还剩 {n} 个工作日。",
        "en": "⏳ The answer to “{subject}” (#{id}) is due on <b>{due}</b>: {n} working days left.",
    },
    "remind.due_today": {
        "zh": "⏰ 今天（{due}）是申请“{subject}”（#{id}）的答复期限。办结后发送 /done {id}",
        "en": "⏰ Today ({due}) the answer to “{subject}” (#{id}) is due. Send /done {id} once answered.",
    },
    "remind.overdue": {
        "zh": "⚠️ 申请“{subject}”（#{id}）的答复期限 {due} 已过。如已答复，请发送 /done {id}",
        "en": "⚠️ The answer to “{subject}” (#{id}) was due on {due}. If it has been answered, send /done {id}",
    },
    "remind.opinion_due": {
        "zh": "⏳ 申请“{subject}”（#{id}）征求意见的15个工作日今天（{opinion}）届满。"
              "收到意见后发送 /resume {id} 恢复计时。",
        "en": "⏳ The 15 working days for the opinion on “{subject}” (#{id}) end today ({opinion}). "
              "Send /resume {id} when it arrives to restart the clock.",
    },
    "holidays.missing": {
        "zh": "🗓 管理员提醒：日历中还没有{year}年的官方节假日安排。请按《国务院办公厅关于{year}年部分节假日安排的通知》"
              "在 reports/data/holidays.json 中录入放假日期和调休上班日（或升级 chinesecalendar）。"
              "录入前，{year}年的工作日按周一至周五估算，相关期限会标注为估算。",
        "en": "🗓 Admin reminder: the calendar has no official holiday schedule for {year}. Enter the State "
              "Council's notice on {year} holidays (days off and weekend workdays) in reports/data/holidays.json, or "
              "upgrade chinesecalendar. Until then working days in {year} are counted Monday–Friday and deadlines "
              "that reach into it are marked approximate.",
    },
}


def t(key: str, lang: Lang, **values: Any) -> str:
    """The HTML text ``key`` in ``lang`` with ``values`` HTML-escaped and substituted."""
    return fill(TEXTS[key][lang], **values)


def day(d: date | str | None, lang: Lang) -> str:
    """A date as people write it: 2026年10月30日 / 2026-10-30 (Fri)."""
    if d is None:
        return "—"
    if isinstance(d, str):
        d = date.fromisoformat(d)
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日（周{'一二三四五六日'[d.weekday()]}）"
    return f"{d.isoformat()} ({d.strftime('%a')})"
