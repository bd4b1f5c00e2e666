"""Store one analysed report with its history and carry-over, in one transaction.

``store_report`` is the write half of ``services.ingest.ingest``; it takes a ``Report`` that has
already been extracted, parsed and checked, plus its original bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession

from reports import PARSER_VERSION
from reports.model import Finding, Report
from storage.bulk import BulkWriter, Item, Stored
from storage.db import Database, StorageUnavailable
from storage.encoding import Encoded
from storage.models import utcnow
from storage.repository import AgencyRepository, ReportRepository

Status = Literal["stored", "superseded", "duplicate", "failed"]
_RETRIES = 3

STATUS_TEXT: dict[str, tuple[str, str]] = {
    "stored": ("已保存", "stored"),
    "superseded": ("已保存，并替换了同一机关同一年度的旧报告（旧报告保留为历史版本）",
                   "stored; it replaces the earlier report of the same agency and year (kept as history)"),
    "duplicate": ("已存储（相同文件此前已保存，未重复保存）", "already stored (the same file was saved before)"),
}


@dataclass(slots=True)
class ReportOutcome:
    status: Status
    file: str
    sha256: str
    message: str
    message_en: str
    report_id: int | None = None
    agency_id: int | None = None
    agency: str | None = None              # canonical name in the store
    agency_printed: str | None = None      # as printed in the report
    year: int | None = None
    template: str | None = None
    level: str = "unknown"
    findings: list[Finding] = field(default_factory=list)   # as stored, carry-over included
    superseded: list[int] = field(default_factory=list)     # ids this report replaced

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity.value == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity.value == "warning")


async def store_report(db: Database, report: Report, original: bytes, *, uploaded_by: int | None = None,
                       clock: Callable[[], datetime] = utcnow, encoded: Encoded | None = None) -> ReportOutcome:
    """Store one analysed report in one transaction (retried when a concurrent writer got there first)."""
    attempt = 0
    while True:
        try:
            async with db.transaction() as session:
                return await _store(session, report, original, uploaded_by, clock(), encoded)
        except StorageUnavailable as error:
            return _failed(report, error.message_zh, error.message_en)
        except exc.IntegrityError:
            # Another writer stored the same bytes or created the same agency meanwhile: look again.
            attempt += 1
            if attempt >= _RETRIES:
                raise


async def store_reports(db: Database, items: Sequence[tuple[Report, bytes] | tuple[Report, bytes, Encoded]], *,
                        uploaded_by: int | None = None, clock: Callable[[], datetime] = utcnow) -> list[ReportOutcome]:
    """Store many analysed reports, in order, with the outcomes ``store_report`` would give one by one.

    They are written in one transaction (``storage.bulk``). If that fails for any reason other
    than an unavailable database, nothing of it is kept and every report is stored again in its
    own transaction, so the good ones are kept and the one that fails is reported as ``failed``.
    """
    if not items:
        return []
    # (report, original) or (report, original, its ``storage.encoding.encode``) as ``services.ingest`` prepares them.
    batch = [Item(it[0], it[1], clock(), it[2] if len(it) > 2 else None) for it in items]
    try:
        async with db.transaction() as session:
            stored = await BulkWriter(session, parser_version=PARSER_VERSION, uploaded_by=uploaded_by).store(batch)
    except StorageUnavailable as error:
        return [_failed(item.report, error.message_zh, error.message_en) for item in batch]
    except Exception:  # noqa: BLE001 - the batch is retried report by report, which reports what failed
        return await _one_by_one(db, batch, uploaded_by)
    return [_outcome(item.report, s) for item, s in zip(batch, stored, strict=True)]


async def _one_by_one(db: Database, batch: list[Item], uploaded_by: int | None) -> list[ReportOutcome]:
    out: list[ReportOutcome] = []
    for item in batch:
        try:
            out.append(await store_report(db, item.report, item.original, uploaded_by=uploaded_by,
                                          clock=lambda item=item: item.received_at, encoded=item.encoded))
        except Exception as error:  # noqa: BLE001 - one bad report must not lose the others
            out.append(_failed(item.report, f"保存此报告时出错：{type(error).__name__}: {error}",
                               f"storing this report failed: {type(error).__name__}: {error}"))
    return out


def _failed(report: Report, zh: str, en: str) -> ReportOutcome:
    return ReportOutcome("failed", report.source.file, report.source.sha256, zh, en, agency_printed=report.agency,
                         year=report.year, template=report.template, level=report.level)


def _outcome(report: Report, s: Stored) -> ReportOutcome:
    if s.duplicate:
        zh, en = STATUS_TEXT["duplicate"]
        return ReportOutcome("duplicate", report.source.file, report.source.sha256, zh, en, report_id=s.report_id,
                             agency_id=s.agency.id if s.agency else None, agency=s.agency.name if s.agency else None,
                             agency_printed=s.agency_printed, year=s.year, template=s.template, level=s.level,
                             findings=s.findings)
    status: Status = "superseded" if s.superseded else "stored"
    zh, en = STATUS_TEXT[status]
    return ReportOutcome(status, report.source.file, report.source.sha256, zh, en, report_id=s.report_id,
                         agency_id=s.agency.id if s.agency else None, agency=s.agency.name if s.agency else None,
                         agency_printed=s.agency_printed, year=s.year, template=s.template, level=s.level,
                         findings=s.findings, superseded=s.superseded)


async def _store(session: AsyncSession, report: Report, original: bytes, uploaded_by: int | None,
                 received_at: datetime, encoded: Encoded | None) -> ReportOutcome:
    reports, agencies = ReportRepository(session), AgencyRepository(session)
    sha = report.source.sha256
    existing = await reports.by_sha256(sha)
    if existing is not None:
        agency = await agencies.get(existing.agency_id) if existing.agency_id else None
        zh, en = STATUS_TEXT["duplicate"]
        return ReportOutcome("duplicate", report.source.file, sha, zh, en, report_id=existing.id,
                             agency_id=existing.agency_id, agency=agency.name if agency else None,
                             agency_printed=existing.agency_name, year=existing.year, template=existing.template,
                             level=existing.level, findings=await reports.findings(existing.id))
    agency = await agencies.resolve(report.agency, report.level) if report.agency else None
    if agency is not None:
        await agencies.lock(agency.id)
    row = await reports.add(report, original, agency=agency, parser_version=PARSER_VERSION,
                            uploaded_by=uploaded_by, received_at=received_at, encoded=encoded)
    report_id = row.id
    superseded: list[int] = []
    findings = list(report.findings)
    if agency is not None and report.year is not None:
        superseded = await reports.settle(agency.id, report.year)
        carried = await reports.refresh_carryover(agency.id, [report.year])
        findings.extend(f for rid, f in carried if rid == report_id)
    status: Status = "superseded" if superseded else "stored"
    zh, en = STATUS_TEXT[status]
    return ReportOutcome(status, report.source.file, sha, zh, en, report_id=report_id,
                         agency_id=agency.id if agency else None, agency=agency.name if agency else None,
                         agency_printed=report.agency, year=report.year, template=report.template,
                         level=report.level, findings=findings, superseded=superseded)
