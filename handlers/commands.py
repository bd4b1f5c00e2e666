"""/agencies, /report <机构> <年份>, /issues [机构], /export, /lang."""

from __future__ import annotations

import io
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import render
from bot.texts import plain, t
from handlers.common import db_of, lang_for, remember_lang, send_html, today_of
from handlers.report_view import send_report
from services import export, stored

YEAR_RE = re.compile(r"^(19|20)\d{2}年?$")
# /issues without an agency: the reports shown, worst first; the rest are counted.
ISSUES_REPORTS = 20
ISSUES_PER_REPORT = 3
# /agencies lists this many by name (a few messages); /export has them all.
AGENCIES_SHOWN = 200


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    choice = (context.args[0].lower() if context.args else "")[:2]
    if choice in ("zh", "en"):
        await remember_lang(update, context, choice)
        await update.effective_message.reply_text(t("lang.set", choice))  # type: ignore[arg-type]
        return
    current = lang_for(update, context)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(plain("btn.zh", current), callback_data="lang:zh"),
                                    InlineKeyboardButton(plain("btn.en", current), callback_data="lang:en")]])
    await update.effective_message.reply_text(t("lang.choose", current), reply_markup=markup)


async def agencies(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang_ = lang_for(update, context)
    rows = await stored.agency_years(db_of(context))
    if not rows:
        await update.effective_message.reply_text(t("agencies.empty", lang_))
        return
    lines = [render.Line(plain("agencies.title", lang_, n=len(rows)), bold=True)]
    lines += [render.Line(plain("agencies.line", lang_, name=a.name, years=", ".join(map(str, a.years)) or "—"))
              for a in rows[:AGENCIES_SHOWN]]
    if len(rows) > AGENCIES_SHOWN:
        lines.append(render.Line(plain("agencies.more", lang_, n=len(rows) - AGENCIES_SHOWN), italic=True))
    await send_html(context, update.effective_chat.id, render.to_messages(lines))


def _split_agency_year(args: list[str]) -> tuple[str, int | None]:
    """"/report 平潭 2021" → ("平潭", 2021); the year may come first or carry 年."""
    year = None
    rest = []
    for arg in args:
        if year is None and YEAR_RE.match(arg):
            year = int(arg[:4])
        else:
            rest.append(arg)
    return " ".join(rest).strip(), year


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang_ = lang_for(update, context)
    chat_id = update.effective_chat.id
    name, year = _split_agency_year(context.args or [])
    if not name:
        await update.effective_message.reply_text(t("report.usage", lang_))
        return
    if year is None:
        year = today_of(context).year - 1   # the latest reports are on last year
    match = await stored.match_agency(db_of(context), name)
    if len(match.found) > 1:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(a.name[:64], callback_data=f"rep:{a.id}:{year}")]
                                       for a in match.found[:10]])
        await update.effective_message.reply_text(t("report.ambiguous", lang_), reply_markup=markup)
        return
    view = await stored.current(db_of(context), match.found[0].id, year) if match.found else None
    if view is None:
        text = t("report.not_found", lang_, agency=match.found[0].name if match.found else name, year=year)
        if match.suggestions:
            text += "\n" + t("issues.suggest", lang_, names="、".join(a.name for a in match.suggestions))
        await update.effective_message.reply_text(text)
        return
    await send_report(update, context, chat_id, view, lang_)


async def issues(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang_ = lang_for(update, context)
    db = db_of(context)
    name = " ".join(context.args or []).strip()
    agency_id = None
    scope = plain("issues.scope_all", lang_)
    if name:
        match = await stored.match_agency(db, name)
        if len(match.found) != 1:
            candidates = match.found or match.suggestions
            suggest = plain("issues.suggest", lang_, names="、".join(a.name for a in candidates)) if candidates else ""
            await update.effective_message.reply_text(t("issues.unknown_agency", lang_, agency=name,
                                                        suggest=suggest))
            return
        agency_id, scope = match.found[0].id, match.found[0].name
    found, total = await stored.findings(db, agency_id, limit=None if agency_id is not None else ISSUES_REPORTS)
    if not found:
        await update.effective_message.reply_text(t("issues.none", lang_))
        return
    per_report = None if agency_id is not None else ISSUES_PER_REPORT
    lines = [render.Line(plain("issues.title", lang_, scope=scope), bold=True)]
    for entry in found:
        year = plain("report.year", lang_, year=entry.year) if entry.year else plain("report.unknown_year", lang_)
        lines.append(render.Line(f"📄 {entry.agency} · {year}", bold=True))
        lines += render.findings_lines(entry.findings, lang_, limit=per_report)[1:]
    if total > len(found):
        lines.append(render.Line(plain("issues.more_reports", lang_, n=total - len(found)), italic=True))
    await send_html(context, update.effective_chat.id, render.to_messages(lines))


async def export_all(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang_ = lang_for(update, context)
    fmt = (context.args[0].lower() if context.args else "xlsx")
    if fmt not in export.FORMATS:
        fmt = "xlsx"
    buf = io.BytesIO()
    count = await export.export(db_of(context), fmt, buf)
    if not count:
        await update.effective_message.reply_text(t("export.empty", lang_))
        return
    name = f"govreports_{today_of(context).isoformat()}.{fmt}"
    await context.bot.send_document(update.effective_chat.id, InputFile(buf.getvalue(), filename=name),
                                    caption=t("export.caption", lang_, what=plain("export.all", lang_),
                                              fmt=fmt.upper()))
