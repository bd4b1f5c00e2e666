"""Store uploaded files: analyse them (extract → parse → check) and keep every report with its history.

``ingest(db, data, filename)`` is what the bot (an uploaded document) and ``python -m bot import``
call. Each report found in the file is stored in its own transaction, so a zip of forty reports
that loses the database half-way keeps the twenty already stored and writes nothing partial.

Per report the outcome is one of:
- ``stored``: new; it is the current report of its agency and year;
- ``superseded``: new, and it replaced an older report of the same agency and year (kept as history);
- ``duplicate``: these exact bytes are already stored (nothing written);
- ``failed``: the database was unavailable (``StorageUnavailable``); nothing of this report was written.
Files that cannot be read at all, and documents that are not annual reports, are listed in
``unreadable``; archive members the extractor skipped in ``skipped``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from reports.extract import ExtractError, Limits, Skipped, sniff
from reports.extract.safety import ZipBudget, open_zip, read_member
from reports.model import Report
from reports.pipeline import analyse
from services.store import ReportOutcome, Status, store_report, store_reports
from storage.db import Database
from storage.encoding import Encoded, encode
from storage.models import utcnow

__all__ = ["IngestResult", "Prepared", "PreparedReport", "ReportOutcome", "Unreadable", "analysis_failed", "ingest",
           "prepare", "prepare_path", "prepare_paths", "store_prepared", "store_prepared_many", "store_report",
           "store_reports"]


@dataclass(frozen=True, slots=True)
class Unreadable:
    file: str
    code: str            # ExtractError code, or "not_a_report"
    message: str
    message_en: str


@dataclass(slots=True)
class IngestResult:
    file: str
    outcomes: list[ReportOutcome] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    def of(self, status: Status) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)



def analysis_failed(path: str, error: BaseException) -> Prepared:
    """A file whose analysis raised: listed as unreadable with the error, so a bulk import goes on."""
    return Prepared(path, unreadable=[Unreadable(
        path, "analysis_failed", f"分析此文件时出错：{type(error).__name__}: {error}",
        f"analysing this file failed: {type(error).__name__}: {error}")])


class PreparedReport(NamedTuple):
    report: Report
    original: bytes          # the report's own bytes (an archive member's, for a report found in an archive)
    encoded: Encoded         # what the store writes, made here so the writing process does not have to


@dataclass(slots=True)
class Prepared:
    """A file analysed and ready to store: each report with its original bytes (picklable, so the
    CPU-bound half can run in a worker process)."""

    file: str
    reports: list[PreparedReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def prepare(data: bytes, filename: str, *, limits: Limits | None = None, town_deadline: tuple[int, int] = (1, 31),
            source_url: str | None = None) -> Prepared:
    """Extract, parse and check ``data`` and pair every report with its own bytes (no database)."""
    out = Prepared(file=filename)
    try:
        analysis = analyse(data, filename, limits=limits, town_deadline=town_deadline)
    except ExtractError as error:
        out.unreadable.append(Unreadable(filename, error.code, error.message_zh, error.message_en))
        return out
    out.skipped.extend(analysis.skipped)
    whole = hashlib.sha256(data).hexdigest()
    members: dict[str, bytes] | None = None
    for report in analysis.reports:
        if not report.recognised:
            out.unreadable.append(Unreadable(
                report.source.file, "not_a_report", "未识别为政府信息公开工作年度报告（没有找到年度和统计表）",
                "not recognised as a government information disclosure annual report (no year, no tables)"))
            continue
        if source_url and not report.source.url:
            report.source = replace(report.source, url=source_url)
        if report.source.sha256 == whole:
            original: bytes | None = data
        else:
            if members is None:
                members = _member_originals(data, limits or Limits(), {r.source.sha256 for r in analysis.reports})
            original = members.get(report.source.sha256)
        if original is None:
            out.unreadable.append(Unreadable(
                report.source.file, "corrupt", "无法在压缩包中重新读取该报告文件，未保存",
                "the report's file could not be read again from the archive; not stored"))
            continue
        out.reports.append(PreparedReport(report, original, encode(report)))
    return out


def prepare_paths(paths: Sequence[tuple[str, str]], *, limits: Limits,
                  town_deadline: tuple[int, int] = (1, 31)) -> list[Prepared]:
    """``prepare_path`` for several (path, display name) pairs: an import worker's task, so that a
    round trip between processes carries several files. A file that fails is listed as unreadable
    and the others go on."""
    out: list[Prepared] = []
    for path, name in paths:
        try:
            out.append(prepare_path(path, name, limits=limits, town_deadline=town_deadline))
        except Exception as error:  # noqa: BLE001 - one file's failure must not stop a bulk import
            out.append(analysis_failed(path, error))
    return out


def prepare_path(path: str, display_name: str, *, limits: Limits | None = None,
                 town_deadline: tuple[int, int] = (1, 31)) -> Prepared:
    """``prepare`` for a file on disk (read in the worker, so bytes are not shipped to it); a file
    over the size limit is refused before it is read."""
    limits = limits or Limits()
    try:
        size = os.stat(path).st_size
    except OSError as error:
        return Prepared(path, unreadable=[Unreadable(path, "missing", f"无法读取文件：{error.strerror}",
                                                     f"cannot read the file: {error.strerror}")])
    if size > limits.max_bytes:
        mb = f"{round(limits.max_bytes / (1024 * 1024), 2):g}"
        return Prepared(path, unreadable=[Unreadable(path, "too_large", f"文件过大，上限为 {mb} MB",
                                                     f"file too large; the limit is {mb} MB")])
    with open(path, "rb") as fh:
        data = fh.read()
    prepared = prepare(data, display_name, limits=limits, town_deadline=town_deadline)
    # Shipped back to the importing process, which writes the cells and texts from ``encoded``: as
    # objects as well they would cost more to pickle and unpickle than storing them does. The
    # parser's working copy of the text is not stored at all.
    lean = {"sections": {}, "disclosure": {}, "requests": {}, "appeals": {}, "text": ""}
    prepared.reports = [PreparedReport(replace(r.report, **lean), r.original, r.encoded) for r in prepared.reports]
    return prepared


async def store_prepared(db: Database, prepared: Prepared, *, uploaded_by: int | None = None,
                         clock: Callable[[], datetime] = utcnow) -> IngestResult:
    """Store every report of a prepared file, each in its own transaction."""
    result = IngestResult(file=prepared.file, skipped=list(prepared.skipped), unreadable=list(prepared.unreadable))
    for report, original, encoded in prepared.reports:
        result.outcomes.append(await store_report(db, report, original, uploaded_by=uploaded_by, clock=clock,
                                                  encoded=encoded))
    return result


async def store_prepared_many(db: Database, prepared: list[Prepared], *, uploaded_by: int | None = None,
                              clock: Callable[[], datetime] = utcnow) -> list[IngestResult]:
    """Store the reports of many prepared files, in order, in one transaction (``services.store.store_reports``:
    the outcomes are those of storing them one by one; a failed batch is retried report by report)."""
    items = [pair for p in prepared for pair in p.reports]
    outcomes = iter(await store_reports(db, items, uploaded_by=uploaded_by, clock=clock))
    return [IngestResult(file=p.file, outcomes=[next(outcomes) for _ in p.reports], skipped=list(p.skipped),
                         unreadable=list(p.unreadable)) for p in prepared]


async def ingest(db: Database, data: bytes, filename: str, *, uploaded_by: int | None = None,
                 limits: Limits | None = None, town_deadline: tuple[int, int] = (1, 31), source_url: str | None = None,
                 clock: Callable[[], datetime] = utcnow) -> IngestResult:
    """Analyse ``data`` (in a worker thread) and store every report in it (see the module docstring)."""
    prepared = await asyncio.to_thread(prepare, data, filename, limits=limits, town_deadline=town_deadline,
                                       source_url=source_url)
    return await store_prepared(db, prepared, uploaded_by=uploaded_by, clock=clock)


def _member_originals(data: bytes, limits: Limits, wanted: set[str]) -> dict[str, bytes]:
    """The bytes of the archive members whose sha256 is ``wanted`` (nested archives included).

    The extractor hands over documents, not bytes; the store keeps each member's own bytes as its
    original, so they are read again here under the same caps.
    """
    found: dict[str, bytes] = {}
    budget = ZipBudget(limits)

    def walk(blob: bytes, depth: int) -> None:
        with open_zip(blob) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                content = read_member(zf, info, budget, archive_size=len(blob))
                digest = hashlib.sha256(content).hexdigest()
                if digest in wanted:
                    found[digest] = content
                elif depth < limits.max_zip_depth and sniff(content) == "zip":
                    walk(content, depth + 1)

    try:
        walk(data, 0)
    except ExtractError:
        pass  # the extractor already read these members under the same caps; what was found is kept
    return found
