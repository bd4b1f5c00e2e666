"""Re-run today's parser over every stored original and record what changed.

Each stored report is re-analysed from its original bytes; when the result differs, its figures,
findings and metadata are replaced in one transaction, history (which report is current) and
carry-over findings are redone for the agencies and years involved, and the change is reported.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from reports import PARSER_VERSION
from reports.extract import ExtractError, Limits
from reports.model import Report
from reports.pipeline import analyse
from storage.db import Database, StorageUnavailable
from storage.encoding import figure_rows
from storage.repository import CARRYOVER, AgencyRepository, ReportRepository

_META = ("agency", "year", "template", "level", "published_on", "title")


@dataclass(slots=True)
class ReportChange:
    report_id: int
    file: str
    agency: str | None
    year: int | None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)            # name → (before, after)
    figures: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)   # table.row.column
    findings_added: list[str] = field(default_factory=list)      # codes
    findings_removed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReparseFailure:
    report_id: int
    file: str
    message: str
    message_en: str


@dataclass(slots=True)
class ReparseResult:
    total: int = 0
    unchanged: int = 0
    changed: list[ReportChange] = field(default_factory=list)
    failed: list[ReparseFailure] = field(default_factory=list)


def _figures(report: Report) -> dict[str, float]:
    return {f"{f['table_id']}.{f['row_id']}.{f['column_id']}": f["value"] for f in figure_rows(report)}


def _codes(findings: list[dict[str, Any]]) -> Counter[str]:
    return Counter(f["code"] for f in findings if f["code"] != CARRYOVER)


def diff(before: dict[str, Any], after: Report) -> ReportChange | None:
    """What differs between a stored parse (its JSON) and a new one; ``None`` when nothing does."""
    old = Report.from_json(before)
    new_json = json.loads(json.dumps(after.to_json()))   # as the store would give it back (str keys, lists)
    change = ReportChange(0, after.source.file, after.agency, after.year)
    for name in _META:
        a, b = before.get(name), new_json.get(name)
        if a != b:
            change.fields[name] = (a, b)
    old_fig, new_fig = _figures(old), _figures(after)
    for key in sorted(old_fig.keys() | new_fig.keys()):
        if old_fig.get(key) != new_fig.get(key):
            change.figures[key] = (old_fig.get(key), new_fig.get(key))
    old_codes, new_codes = _codes(before.get("findings") or []), _codes(new_json["findings"])
    change.findings_added = sorted((new_codes - old_codes).elements())
    change.findings_removed = sorted((old_codes - new_codes).elements())
    same = not (change.fields or change.figures or change.findings_added or change.findings_removed)
    # Anything else in the JSON (cell provenance, sections, texts of findings) counts as a change too,
    # but is not itemised.
    if same and _comparable(before) == _comparable(new_json):
        return None
    return change


def _comparable(d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    out["findings"] = [f for f in d.get("findings") or [] if f.get("code") != CARRYOVER]
    out["source"] = {k: v for k, v in (d.get("source") or {}).items() if k != "url"}
    return out


async def reparse(db: Database, *, limits: Limits | None = None, town_deadline: tuple[int, int] = (1, 31),
                  progress: Callable[[int, int], None] | None = None) -> ReparseResult:
    """Re-analyse every stored report; ``progress(done, total)`` is called after each."""
    result = ReparseResult()
    async with db.transaction(write=False) as session:
        ids = await ReportRepository(session).ids()
    result.total = len(ids)
    for done, report_id in enumerate(ids, 1):
        await _reparse_one(db, report_id, result, limits, town_deadline)
        if progress:
            progress(done, len(ids))
    return result


async def _reparse_one(db: Database, report_id: int, result: ReparseResult, limits: Limits | None,
                       town_deadline: tuple[int, int]) -> None:
    async with db.transaction(write=False) as session:
        reports = ReportRepository(session)
        row = await reports.get(report_id)
        if row is None:          # deleted meanwhile: nothing to redo
            result.total -= 1
            return
        file, url, sha = row.source_file, row.source_url, row.sha256
        original, before = await reports.original(report_id), await reports.parsed(report_id)
    # These bytes were accepted once (a zip member may be larger than the upload cap): only the
    # per-member cap applies now.
    limits = limits or Limits(max_bytes=Limits().max_member_bytes)
    try:
        analysis = await asyncio.to_thread(analyse, original, file, limits=limits, town_deadline=town_deadline)
    except ExtractError as error:
        result.failed.append(ReparseFailure(report_id, file, error.message_zh, error.message_en))
        return
    report = next((r for r in analysis.reports if r.source.sha256 == sha), None)
    if report is None:
        result.failed.append(ReparseFailure(report_id, file, "重新解析时未找到报告内容，保留原有结果",
                                            "no report found when parsing again; the stored result is kept"))
        return
    if url:
        report.source = replace(report.source, url=url)
    change = diff(before, report)
    try:
        await _apply(db, report_id, report, change)
    except StorageUnavailable as error:
        result.failed.append(ReparseFailure(report_id, file, error.message_zh, error.message_en))
        return
    if change is None:
        result.unchanged += 1
    else:
        change.report_id = report_id
        result.changed.append(change)


async def _apply(db: Database, report_id: int, report: Report, change: ReportChange | None) -> None:
    async with db.transaction() as session:
        reports, agencies = ReportRepository(session), AgencyRepository(session)
        row = await reports.get(report_id)
        if row is None:
            return
        if change is None:
            row.parser_version = PARSER_VERSION
            return
        old_group = (row.agency_id, row.year)
        agency = await agencies.resolve(report.agency, report.level) if report.agency else None
        await reports.replace_analysis(row, report, parser_version=PARSER_VERSION, agency=agency)
        new_group = (row.agency_id, row.year)
        for agency_id, year in {old_group, new_group}:
            if agency_id is not None and year is not None:
                await reports.settle(agency_id, year)
                await reports.refresh_carryover(agency_id, [year])
