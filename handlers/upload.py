"""Documents and links: check the size before downloading, follow the stages, reply with summary and findings."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import InputFile, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes, filters

from bot import render
from bot.texts import Lang, size_text, t
from handlers.common import db_of, lang_for, send_html, settings_of, town_deadline_of
from handlers.report_view import send_report
from handlers.status import StatusMessage
from reports.extract import Limits, sniff
from services import stored
from services.fetch import FetchError, fetch_url
from services.ingest import IngestResult, ReportOutcome, prepare, store_report

log = logging.getLogger(__name__)

CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024   # what the cloud Bot API lets bots download (getFile)
LINK_RE = re.compile(r"https?://[^\s<>\"'，。；、）】]+", re.IGNORECASE)
LINK_FILTER = filters.Regex(LINK_RE)
# Every document is a report upload; a list file captioned /roster is taken earlier (handlers.reminders, group -2).
DOCUMENT_FILTER = filters.Document.ALL


def limits_of(context: ContextTypes.DEFAULT_TYPE) -> Limits:
    return Limits.for_upload_mb(settings_of(context).max_upload_mb)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    document = message.document
    settings = settings_of(context)
    lang = lang_for(update, context)
    name = document.file_name or "file"
    size = document.file_size
    # Refuse before downloading: neither our limit nor Telegram's 20 MB cloud limit is worth a try.
    if size is not None and size > settings.max_upload_bytes:
        await message.reply_text(t("upload.too_big", lang, name=name, size=size_text(size),
                                   limit=size_text(settings.max_upload_bytes)))
        return
    if size is not None and size > CLOUD_DOWNLOAD_LIMIT and not settings.telegram_local_mode:
        await message.reply_text(t("upload.too_big_cloud", lang, name=name, size=size_text(size)))
        return
    status = await StatusMessage.send(context.bot, message.chat_id, t("stage.received", lang, name=name),
                                      reply_to=message.message_id)
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        await status.close()
        if "too big" in str(error).lower():
            await message.reply_text(t("upload.too_big_cloud", lang, name=name, size=size_text(size or 0)))
            return
        raise
    except Exception:
        await status.close()   # the error handler tells the user; a stale "downloading…" must not stay
        raise
    if len(data) > settings.max_upload_bytes:
        await status.close()
        await message.reply_text(t("upload.too_big", lang, name=name, size=size_text(len(data)),
                                   limit=size_text(settings.max_upload_bytes)))
        return
    await status.update(t("stage.downloaded", lang, name=name))
    await process(update, context, data, name, status)


async def on_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    settings = settings_of(context)
    lang = lang_for(update, context)
    for url in dict.fromkeys(LINK_RE.findall(message.text or "")):
        status = await StatusMessage.send(context.bot, message.chat_id, t("stage.fetching", lang, url=url),
                                          reply_to=message.message_id)
        try:
            fetched = await fetch_url(url, max_bytes=settings.max_upload_bytes,
                                      allow_private=settings.fetch_allow_private)
        except FetchError as error:
            await status.close()
            await message.reply_text(t("link.failed", lang, url=url,
                                       reason=error.message_en if lang == "en" else error.message_zh))
            continue
        await status.update(t("stage.downloaded", lang, name=fetched.filename))
        await process(update, context, fetched.data, fetched.filename, status, source_url=fetched.url)


async def process(update: Update, context: ContextTypes.DEFAULT_TYPE, data: bytes, name: str,
                  status: StatusMessage, *, source_url: str | None = None) -> None:
    """Analyse (in a worker thread) and store the bytes, following the stages; then reply."""
    lang = lang_for(update, context)
    db = db_of(context)
    is_archive = sniff(data) == "zip"
    try:
        prepared = await asyncio.to_thread(prepare, data, name, limits=limits_of(context),
                                           town_deadline=town_deadline_of(context), source_url=source_url)
        total = len(prepared.reports)
        await status.update(t("stage.checked", lang, name=name, n=total))
        result = IngestResult(file=prepared.file, skipped=list(prepared.skipped),
                              unreadable=list(prepared.unreadable))
        # Stored one by one (each in its own transaction), so an archive shows progress by count.
        for done, (report, original, encoded) in enumerate(prepared.reports, 1):
            result.outcomes.append(await store_report(db, report, original, uploaded_by=update.effective_user.id,
                                                      encoded=encoded))
            if is_archive:
                await status.update(t("stage.stored", lang, name=name, done=done, total=total))
    finally:
        await status.close()
    if is_archive:
        await reply_archive(update, context, result, lang)
    else:
        await reply_single(update, context, result, lang)


async def reply_outcome(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: ReportOutcome,
                        lang: Lang) -> None:
    """A stored (or already stored) report: its summary, findings and the action buttons."""
    chat_id = update.effective_chat.id
    view = await stored.load(db_of(context), outcome.report_id) if outcome.report_id else None
    if view is None:
        await send_html(context, chat_id, [t("report.gone", lang)])
        return
    view.report.findings = outcome.findings
    await send_report(update, context, chat_id, view, lang,
                      status=outcome.message_en if lang == "en" else outcome.message)


async def reply_single(update: Update, context: ContextTypes.DEFAULT_TYPE, result: IngestResult,
                       lang: Lang) -> None:
    chat_id = update.effective_chat.id
    failed = [o for o in result.outcomes if o.status == "failed"]
    for outcome in result.outcomes:
        if outcome.status != "failed":
            await reply_outcome(update, context, outcome, lang)
    if failed:
        await send_html(context, chat_id, [t("error.storage", lang)])
    for bad in result.unreadable:
        await send_html(context, chat_id, [t("upload.unreadable", lang, name=bad.file,
                                             reason=bad.message_en if lang == "en" else bad.message)])
    if not result.outcomes and not result.unreadable:
        await send_html(context, chat_id, [t("upload.no_report", lang, name=result.file)])


async def reply_archive(update: Update, context: ContextTypes.DEFAULT_TYPE, result: IngestResult,
                        lang: Lang) -> None:
    """A zip: one table line per file, the counts, and every finding as a CSV attachment."""
    chat_id = update.effective_chat.id
    lines = render.ingest_table_lines(result, lang)
    await send_html(context, chat_id, render.to_messages(lines))
    if any(o.status == "failed" for o in result.outcomes):
        await send_html(context, chat_id, [t("error.storage", lang)])
    if any(o.findings for o in result.outcomes):
        stem = result.file.rsplit(".", 1)[0] or "reports"
        await context.bot.send_document(
            chat_id, InputFile(render.findings_csv(result, lang), filename=f"{stem}_findings.csv"),
            caption=t("zip.findings_caption", lang))
