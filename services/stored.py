"""Stored reports as the bot shows them: load one, find one by agency and year, list findings, delete one.

The store's semantics stay in ``storage.repository``: deleting the current report of an agency and
year makes the most recent remaining one current again (``settle``) and recomputes carry-over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from reports.model import Finding, Report
from reports.questions.agencies import AgencyIndex, KnownAgency
from storage.db import Database
from storage.models import Agency, ReportRow
from storage.repository import AgencyRepository, ReportRepository


@dataclass(slots=True)
class StoredView:
    """One stored report with what the bot needs to show and act on it."""

    report_id: int
    report: Report
    agency_id: int | None
    agency: str | None          # canonical name
    is_current: bool


@dataclass(slots=True)
class AgencyMatch:
    """The agencies a user's text names: one → found; several → ask; none → suggestions."""

    found: list[KnownAgency] = field(default_factory=list)
    suggestions: list[KnownAgency] = field(default_factory=list)


@dataclass(slots=True)
class AgencyYears:
    agency_id: int
    name: str
    years: list[int]


@dataclass(slots=True)
class ReportFindings:
    report_id: int
    agency: str
    year: int | None
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class Deleted:
    report_id: int
    agency: str | None
    year: int | None


async def _view(reports: ReportRepository, agencies: AgencyRepository, row: ReportRow) -> StoredView | None:
    report = await reports.load(row.id)
    if report is None:
        return None
    agency = await agencies.get(row.agency_id) if row.agency_id else None
    return StoredView(row.id, report, row.agency_id, agency.name if agency else row.agency_name, row.is_current)


async def load(db: Database, report_id: int) -> StoredView | None:
    async with db.transaction(write=False) as session:
        reports = ReportRepository(session)
        row = await reports.get(report_id)
        return await _view(reports, AgencyRepository(session), row) if row else None


async def current(db: Database, agency_id: int, year: int) -> StoredView | None:
    async with db.transaction(write=False) as session:
        reports = ReportRepository(session)
        row = await reports.current(agency_id, year)
        return await _view(reports, AgencyRepository(session), row) if row else None


async def agency_years(db: Database) -> list[AgencyYears]:
    """Every agency with the years of its current reports, by name."""
    async with db.transaction(write=False) as session:
        rows = (await session.execute(
            select(Agency.id, Agency.name, ReportRow.year)
            .join(ReportRow, (ReportRow.agency_id == Agency.id) & ReportRow.is_current, isouter=True)
            .order_by(Agency.name, ReportRow.year))).all()
    out: dict[int, AgencyYears] = {}
    for agency_id, name, year in rows:
        entry = out.setdefault(agency_id, AgencyYears(agency_id, name, []))
        if year is not None:
            entry.years.append(year)
    return list(out.values())


async def known_agencies(db: Database) -> list[KnownAgency]:
    async with db.transaction(write=False) as session:
        agencies = AgencyRepository(session)
        return [KnownAgency(a.id, a.name, a.level, a.region, tuple(await agencies.aliases(a.id)))
                for a, _ in await agencies.list()]


async def match_agency(db: Database, text: str) -> AgencyMatch:
    """The agencies ``text`` names: an exact name or alias, a short form ("乌杨街道"), pinyin, or close spellings."""
    text = text.strip()
    async with db.transaction(write=False) as session:
        exact = await AgencyRepository(session).find(text)
    known = await known_agencies(db)
    if exact is not None:
        return AgencyMatch(found=[a for a in known if a.id == exact.id])
    index = AgencyIndex(known)
    for matches in (index.find_exact(text), index.find_weak(text)):
        whole = [m for m in matches if m.span == (0, len(text))] or matches
        if whole:
            found: list[KnownAgency] = []
            for m in whole:
                found.extend(a for a in m.agencies if a not in found)
            return AgencyMatch(found=found)
    if text.isascii():
        hits, _ = index.find_latin(text.lower().split())
        if hits:
            return AgencyMatch(found=[a for m in hits for a in m.agencies])
    return AgencyMatch(suggestions=index.closest(text))


async def findings(db: Database, agency_id: int | None = None, *,
                   limit: int | None = None) -> tuple[list[ReportFindings], int]:
    """Findings of the current reports with errors or warnings (of one agency, or of all), worst first.

    Returns at most ``limit`` reports with their findings, and how many such reports there are.
    """
    async with db.transaction(write=False) as session:
        reports = ReportRepository(session)
        flagged = [ReportRow.is_current, (ReportRow.error_count + ReportRow.warning_count) > 0]
        if agency_id is not None:
            flagged.append(ReportRow.agency_id == agency_id)
        total = int(await session.scalar(select(func.count(ReportRow.id)).where(*flagged)) or 0)
        query = (select(ReportRow.id, ReportRow.agency_name, ReportRow.year, Agency.name)
                 .join(Agency, Agency.id == ReportRow.agency_id, isouter=True).where(*flagged)
                 .order_by(ReportRow.error_count.desc(), ReportRow.warning_count.desc(), Agency.name,
                           ReportRow.year)
                 .limit(limit))
        out = []
        for report_id, printed, year, name in (await session.execute(query)).all():
            out.append(ReportFindings(report_id, name or printed or "?", year, await reports.findings(report_id)))
        return out, total


async def delete_report(db: Database, report_id: int) -> Deleted | None:
    """Delete a stored report (figures and findings go with it); history and carry-over are settled again."""
    async with db.transaction() as session:
        reports, agencies = ReportRepository(session), AgencyRepository(session)
        row = await reports.get(report_id)
        if row is None:
            return None
        agency = await agencies.get(row.agency_id) if row.agency_id else None
        gone = Deleted(row.id, agency.name if agency else row.agency_name, row.year)
        agency_id, year = row.agency_id, row.year
        if agency_id is not None:
            await agencies.lock(agency_id)
        await session.execute(delete(ReportRow).where(ReportRow.id == report_id))
        session.expire_all()
        if agency_id is not None and year is not None:
            await reports.settle(agency_id, year)
            await reports.refresh_carryover(agency_id, [year])
        return gone
