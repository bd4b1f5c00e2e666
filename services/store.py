"""Store one analysed report with its history and carry-over, in one transaction.

``store_report`` is the write half of ``services.ingest.ingest``; it takes a ``Report`` that has
already been extracted, parsed and checked, plus its original bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession

from reports import PARSER_VERSION
from reports.model import Finding, Report
from storage.db import Database, StorageUnavailable
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
                       clock: Callable[[], datetime] = utcnow) -> ReportOutcome:
    """Store one analysed report in one transaction (retried when a concurrent writer got there first)."""
    attempt = 0
    while True:
        try:
            async with db.transaction() as session:
                return await _store(session, report, original, uploaded_by, clock())
        except StorageUnavailable as error:
            return ReportOutcome("failed", report.source.file, report.source.sha256, error.message_zh,
                                 error.message_en, agency_printed=report.agency, year=report.year,
                                 template=report.template, level=report.level)
        except exc.IntegrityError:
            # Another writer stored the same bytes or created the same agency meanwhile: look again.
            attempt += 1
            if attempt >= _RETRIES:
                raise


async def _store(session: AsyncSession, report: Report, original: bytes, uploaded_by: int | None,
                 received_at: datetime) -> ReportOutcome:
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
                            uploaded_by=uploaded_by, received_at=received_at)
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
