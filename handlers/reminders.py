"""Reminder commands and the one repeating job that sends due reminders.

Commands: /roster add|remove|list (and a list file with the caption /roster), /subscribe, /unsubscribe,
/track, /extend, /pause, /resume, /tracked, /done. The rules live in ``services.reminders`` and
``reports.deadlines``; this module parses arguments, calls the service and renders replies.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from telegram import Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes, MessageHandler, filters

from bot.texts import Lang
from handlers.common import CLOCK, DATABASE, SETTINGS, lang_for, settings_of, today_of
from handlers.reminders_texts import day, t
from reports.deadlines import PauseKind, annual_report_deadline, parse_channel, parse_pause_kind
from services.reminders import (AppView, DeliveryFailed, Notice, RecipientBlocked, ReminderError, ReminderService,
                                RosterChange)
from services.roster_file import MAX_BYTES, RosterFileError, names_from_file
from storage.db import StorageUnavailable

log = logging.getLogger(__name__)

JOB_NAME = "reminders"
JOB_INTERVAL = 60            # seconds between two looks at the reminders table
SERVICE = "reminder_service"  # bot_data key
LIST_LIMIT = 60              # names listed in one reminder; the rest are counted
CHUNK = 3800                 # characters per message (Telegram allows 4096 visible)
COMMANDS = ("roster", "subscribe", "unsubscribe", "track", "extend", "pause", "resume", "tracked", "done")

_ROSTER_CAPTION = re.compile(r"^/roster(@\w+)?\b", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"[,，、;；\n]+")


# ---- wiring -----------------------------------------------------------------------------------


def register(application: Application) -> None:
    """Add the reminder commands, the /roster list-file handler and the repeating send job."""
    for name, callback in (("roster", roster), ("subscribe", subscribe), ("unsubscribe", unsubscribe),
                           ("track", track), ("extend", extend), ("pause", pause), ("resume", resume),
                           ("tracked", tracked), ("done", done)):
        application.add_handler(CommandHandler(name, callback))
    # A list file captioned /roster must reach this handler before the report-upload handler (group 0),
    # and group -1 is the access gate, which swallows the rest of its group. So it runs in group -2,
    # checks access itself (a refused user falls through to the gate), and stops the update once handled.
    application.add_handler(
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(_ROSTER_CAPTION), roster_file), group=-2)
    if application.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    application.job_queue.run_repeating(send_due, interval=JOB_INTERVAL, first=5, name=JOB_NAME)


def service_of(application: Application) -> ReminderService:
    """One service per process (its worker id names this process's claims)."""
    svc = application.bot_data.get(SERVICE)
    if svc is None:
        clock: Callable[[], datetime] = application.bot_data.get(CLOCK) or (lambda: datetime.now(timezone.utc))
        svc = ReminderService.from_settings(application.bot_data[DATABASE], application.bot_data[SETTINGS],
                                            clock=clock)
        application.bot_data[SERVICE] = svc
    return svc


def _svc(context: ContextTypes.DEFAULT_TYPE) -> ReminderService:
    return service_of(context.application)


# ---- the job ----------------------------------------------------------------------------------


async def send_due(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: claim what is due and send it."""
    if context.application.bot_data.get(DATABASE) is None:
        return  # start-up has not opened the database yet
    bot = context.bot

    async def deliver(notice: Notice) -> None:
        for text in render_notice(notice):
            try:
                await bot.send_message(notice.chat_id, text)
            except Forbidden as exc:
                raise RecipientBlocked(str(exc)) from exc
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                raise DeliveryFailed(str(exc), retry_after=seconds) from exc
            except BadRequest as exc:
                if "chat not found" in str(exc).lower():
                    raise RecipientBlocked(str(exc)) from exc
                raise DeliveryFailed(str(exc)) from exc
            except TelegramError as exc:
                raise DeliveryFailed(str(exc)) from exc

    try:
        stats = await service_of(context.application).run_due(deliver)
    except StorageUnavailable as exc:
        log.warning("reminders not sent this round, database unavailable: %s", exc.detail)
        return
    if stats.claimed:
        log.info("reminders: %s", stats)


# ---- rendering --------------------------------------------------------------------------------


def _lang(value: str) -> Lang:
    return "en" if value == "en" else "zh"


def _names(names: list[str], lang: Lang) -> list[str]:
    lines = [f"• {html.escape(n, quote=False)}" for n in names[:LIST_LIMIT]]
    if len(names) > LIST_LIMIT:
        lines.append(t("more", lang, n=len(names) - LIST_LIMIT))
    return lines


def pack(lines: list[str], limit: int = CHUNK) -> list[str]:
    """Whole lines (each complete HTML) packed into messages of at most ``limit`` characters."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        if current and size + 1 + len(line) > limit:
            out.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        out.append("\n".join(current))
    return out


def render_notice(notice: Notice) -> list[str]:
    lang = _lang(notice.lang)
    d = notice.data
    if notice.kind == "annual":
        deadline = day(d["deadline"], lang)
        missing = d["missing"]
        if d["overdue"]:
            if not missing:
                return [t("annual.all_in", lang, year=d["year"], deadline=deadline, total=d["total"])]
            lines = [t("annual.overdue", lang, year=d["year"], deadline=deadline, n=len(missing), total=d["total"])]
        else:
            head = (t("annual.today", lang, year=d["year"], deadline=deadline) if d["days_left"] <= 0
                    else t("annual.before", lang, year=d["year"], deadline=deadline, days=d["days_left"]))
            lines = [head, t("annual.missing", lang, n=len(missing), total=d["total"])]
        return pack([*lines, *_names(missing, lang), "", t("annual.footer", lang)])
    if notice.kind == "application":
        kind = d["reminder"]
        values = {"subject": d["subject"], "id": d["id"], "due": day(d["due_on"], lang),
                  "n": d["remaining_workdays"], "opinion": day(d["opinion_due"], lang)}
        if kind == "due_soon" and d["remaining_workdays"] <= 0:
            kind = "due_today" if d["remaining_workdays"] == 0 else "overdue"
        lines = [t(f"remind.{kind}", lang, **values)]
        if d["approximate"]:
            lines.append(t("app.approximate", lang))
        return pack(lines)
    if notice.kind == "holidays_missing":
        return [t("holidays.missing", lang, year=d["year"])]
    raise ValueError(f"unknown notice kind {notice.kind!r}")


def render_app(view: AppView, lang: Lang, today: date) -> list[str]:
    lines = [t("app.head", lang, subject=view.subject, id=view.id),
             t("app.received", lang, date=day(view.received_on, lang), channel=t(f"channel.{view.channel}", lang))]
    if view.counted_from != view.received_on:
        lines.append(t("app.restarted", lang, date=day(view.counted_from, lang)))
    if view.paused_since is not None:
        key = "app.paused_consultation" if view.pause_kind == PauseKind.CONSULTATION.value else "app.paused_correction"
        lines.append(t(key, lang, date=day(view.paused_since, lang), opinion=day(view.opinion_due, lang), id=view.id))
    elif view.due_on is not None:
        if today > view.due_on:
            lines.append(t("app.overdue", lang, date=day(view.due_on, lang)))
        elif today == view.due_on:
            lines.append(t("app.due_today", lang, date=day(view.due_on, lang)))
        else:
            lines.append(t("app.due", lang, date=day(view.due_on, lang), n=view.remaining_workdays))
    ext = t("app.ext_old" if view.old_rules else "app.ext_new", lang) if view.extended else ""
    lines.append(t("app.rule_old" if view.old_rules else "app.rule_new", lang, ext=ext))
    if view.excluded_workdays:
        lines.append(t("app.excluded", lang, n=view.excluded_workdays))
    if view.correction_notice_by is not None and today <= view.correction_notice_by and view.paused_since is None \
            and view.counted_from == view.received_on:
        lines.append(t("app.correction_by", lang, date=day(view.correction_notice_by, lang)))
    if view.approximate:
        lines.append(t("app.approximate", lang))
    return lines


async def _reply(update: Update, texts: list[str]) -> None:
    for text in texts:
        await update.effective_message.reply_text(text)


# ---- argument parsing ---------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ZH = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日?$")
_TODAY = {"今天", "今日", "today"}
_YESTERDAY = {"昨天", "昨日", "yesterday"}


def parse_day(text: str, today: date) -> date | None:
    """A date as users type it; a 月日 without a year is this year's (or last year's if still ahead)."""
    value = text.strip()
    if value.lower() in _TODAY:
        return today
    if value.lower() in _YESTERDAY:
        return today - timedelta(days=1)
    for pattern in (_ISO, _COMPACT, _ZH):
        m = pattern.match(value)
        if not m:
            continue
        year = int(m.group(1)) if m.group(1) else today.year
        try:
            found = date(year, int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        if not m.group(1) and found > today:
            try:
                found = found.replace(year=year - 1)
            except ValueError:
                return None
        return found
    return None


def _args(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return list(context.args or [])


def _may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone allowed manages their own private chat; in a group, the administrators (if any are set)."""
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return True
    settings = settings_of(context)
    user = update.effective_user
    return not settings.admin_user_ids or settings.is_admin(user.id if user else None)


async def _refuse_group(update: Update, lang: Lang) -> None:
    await update.effective_message.reply_text(t("not_allowed_group", lang))


async def _error(update: Update, lang: Lang, error: ReminderError) -> None:
    params = {k: (day(v, lang) if isinstance(v, date) else v) for k, v in error.params.items() if k != "detail"}
    await update.effective_message.reply_text(t(f"err.{error.code}", lang, **params))


# ---- roster -------------------------------------------------------------------------------------


def _change_lines(change: RosterChange, lang: Lang) -> list[str]:
    lines = []
    for key, names in (("roster.added", change.added), ("roster.already", change.already),
                       ("roster.unknown", change.unknown), ("roster.removed", change.removed),
                       ("roster.missing", change.missing)):
        if names:
            shown = "、".join(names[:LIST_LIMIT]) if lang == "zh" else ", ".join(names[:LIST_LIMIT])
            lines.append(t(key, lang, names=shown))
            if len(names) > LIST_LIMIT:
                lines.append(t("more", lang, n=len(names) - LIST_LIMIT))
    return lines


async def roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    args = _args(context)
    action = args[0].lower() if args else ""
    chat_id = update.effective_chat.id
    if action in ("list", "列表", "ls", ""):
        await _reply(update, await _roster_list(context, chat_id, lang))
        return
    if action not in ("add", "remove", "rm", "添加", "加入", "删除", "移除"):
        await update.effective_message.reply_text(t("usage.roster", lang))
        return
    if not _may_manage(update, context):
        await _refuse_group(update, lang)
        return
    adding = action in ("add", "添加", "加入")
    # Names may contain spaces ("平潭综合实验区 管委会"): split on commas / 、 / ; / new lines only.
    raw = (update.effective_message.text or "").split(None, 2)
    names = [n.strip() for n in _NAME_SPLIT.split(raw[2] if len(raw) > 2 else "") if n.strip()]
    if not names:
        await update.effective_message.reply_text(t("usage.roster", lang))
        return
    svc = _svc(context)
    if len(names) == 1 and names[0].lower() in ("all", "全部", "所有"):
        n = await svc.roster_all(chat_id, lang, adding)
        await update.effective_message.reply_text(t("roster.all_on", lang, n=n) if adding else t("roster.all_off", lang))
        return
    change = await svc.roster_add(chat_id, lang, names) if adding else await svc.roster_remove(chat_id, names)
    await _reply(update, pack(_change_lines(change, lang)))


async def _roster_list(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: Lang) -> list[str]:
    view = await _svc(context).roster_view(chat_id)
    if not view.lines:
        return [t("roster.empty", lang)]
    title = t("roster.title", lang, n=len(view.lines), year=view.year)
    if view.all_agencies:
        title += t("roster.title_all", lang)
    lines = [title]
    for line in view.lines:
        lines.append(t("roster.line_in", lang, name=line.name) if line.reported
                     else t("roster.line_out", lang, name=line.name, deadline=day(line.deadline, lang)))
    lines.append(t("roster.subscribed" if view.active else "roster.unsubscribed", lang))
    return pack(lines)


async def roster_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A list file captioned /roster: add every name in it (see ``register`` for why group -2)."""
    user = update.effective_user
    if not settings_of(context).is_allowed(user.id if user else None):
        return  # the access gate (group -1) answers the refused user
    lang = lang_for(update, context)
    message = update.effective_message
    if not _may_manage(update, context):
        await _refuse_group(update, lang)
        raise ApplicationHandlerStop
    document = message.document
    if document.file_size and document.file_size > MAX_BYTES:
        await message.reply_text(t("roster.file_too_big", lang, mb=MAX_BYTES // (1024 * 1024)))
        raise ApplicationHandlerStop
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    try:
        names = names_from_file(data, document.file_name or "roster.txt")
    except RosterFileError as exc:
        await message.reply_text(t("roster.file_unreadable", lang, reason=str(exc)))
        raise ApplicationHandlerStop from exc
    if not names:
        await message.reply_text(t("roster.file_empty", lang))
        raise ApplicationHandlerStop
    change = await _svc(context).roster_add(update.effective_chat.id, lang, names)
    await _reply(update, pack(_change_lines(change, lang)))
    raise ApplicationHandlerStop


# ---- subscription -------------------------------------------------------------------------------


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    if not _may_manage(update, context):
        await _refuse_group(update, lang)
        return
    result = await _svc(context).subscribe(update.effective_chat.id, lang)
    town = _svc(context).town_deadline
    parts = []
    for deadline in result.deadlines:
        levels = [lv for lv in ("department", "town", "government")
                  if annual_report_deadline(lv, result.report_year, town) == deadline]
        key = "deadline.all" if len(levels) == 3 else \
            "deadline.government" if levels == ["government"] else "deadline.department"
        parts.append(t(key, lang, date=day(deadline, lang)))
    lines = [t("subscribe.on", lang, year=result.report_year, deadlines="；".join(parts) if lang == "zh"
               else "; ".join(parts))]
    if result.was_active:
        lines.append(t("subscribe.again", lang))
    if not result.roster_size and not result.all_agencies:
        lines.append(t("subscribe.no_roster", lang))
    await _reply(update, pack(lines))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    if not _may_manage(update, context):
        await _refuse_group(update, lang)
        return
    was = await _svc(context).unsubscribe(update.effective_chat.id)
    await update.effective_message.reply_text(t("unsubscribe.done" if was else "unsubscribe.none", lang))


# ---- applications -------------------------------------------------------------------------------


async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    args = _args(context)
    if len(args) < 3:
        await update.effective_message.reply_text(t("usage.track", lang))
        return
    today = today_of(context)
    received = parse_day(args[0], today)
    if received is None:
        await update.effective_message.reply_text(t("bad_date", lang, value=args[0]))
        return
    channel = parse_channel(args[1])
    if channel is None:
        await update.effective_message.reply_text(t("bad_channel", lang, value=args[1]))
        return
    try:
        view = await _svc(context).track(update.effective_chat.id, lang, received, channel, " ".join(args[2:]))
    except ReminderError as exc:
        await _error(update, lang, exc)
        return
    await _reply(update, pack([t("app.tracked", lang), *render_app(view, lang, today)]))


async def _apply(update: Update, context: ContextTypes.DEFAULT_TYPE, title: str,
                 action: Callable[[ReminderService, int, Lang], Any]) -> None:
    lang = lang_for(update, context)
    try:
        view = await action(_svc(context), update.effective_chat.id, lang)
    except ReminderError as exc:
        await _error(update, lang, exc)
        return
    await _reply(update, pack([t(title, lang), *render_app(view, lang, today_of(context))]))


async def extend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ref = " ".join(_args(context))
    if not ref:
        await update.effective_message.reply_text(t("usage.ref", lang_for(update, context), command="extend"))
        return
    await _apply(update, context, "app.extended", lambda s, chat, lang: s.extend(chat, ref, lang))


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    args = _args(context)
    on = parse_day(args[-1], today_of(context)) if args else None
    if on is not None:
        args = args[:-1]
    kind = parse_pause_kind(args[-1]) if args else None
    if len(args) < 2 or kind is None:
        if len(args) >= 2:
            await update.effective_message.reply_text(t("bad_pause_kind", lang, value=args[-1]))
        else:
            await update.effective_message.reply_text(t("usage.pause", lang))
        return
    ref = " ".join(args[:-1])
    await _apply(update, context, "app.paused", lambda s, chat, lang: s.pause(chat, ref, kind, on, lang))


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    args = _args(context)
    on = parse_day(args[-1], today_of(context)) if len(args) >= 2 else None
    if on is not None:
        args = args[:-1]
    if not args:
        await update.effective_message.reply_text(t("usage.resume", lang))
        return
    ref = " ".join(args)
    await _apply(update, context, "app.resumed", lambda s, chat, lang: s.resume(chat, ref, on, lang))


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    ref = " ".join(_args(context))
    if not ref:
        await update.effective_message.reply_text(t("usage.ref", lang, command="done"))
        return
    try:
        view = await _svc(context).done(update.effective_chat.id, ref)
    except ReminderError as exc:
        await _error(update, lang, exc)
        return
    await update.effective_message.reply_text(t("app.done", lang, subject=view.subject, id=view.id))


async def tracked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_for(update, context)
    views = await _svc(context).tracked(update.effective_chat.id)
    if not views:
        await update.effective_message.reply_text(t("app.none", lang))
        return
    today = today_of(context)
    lines = [t("app.list_title", lang, n=len(views))]
    for view in views:
        lines.extend(["", *render_app(view, lang, today)])
    await _reply(update, pack(lines))
