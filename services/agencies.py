"""Agency identity: listing, aliases and merging two agencies that turned out to be one body."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

import storage.all_models  # noqa: F401  (every table referencing agencies must be known to ``move``)
from storage.db import Database
from storage.models import Agency, ReportRow
from storage.repository import AgencyRepository, ReportRepository


class AgencyNotFound(LookupError):
    def __init__(self, ref: str) -> None:
        self.message_zh = f"没有找到机关“{ref}”"
        self.message_en = f"no agency “{ref}” in the store"
        super().__init__(self.message_en)


class SameAgency(ValueError):
    def __init__(self, name: str) -> None:
        self.message_zh = f"“{name}”已是同一个机关，无需合并"
        self.message_en = f"“{name}” is already one agency; nothing to merge"
        super().__init__(self.message_en)


@dataclass(slots=True)
class AgencySummary:
    id: int
    name: str
    level: str
    region: str | None
    current_reports: int
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MergeResult:
    kept: AgencySummary
    removed: str
    reports_moved: int
    superseded: list[int]      # reports that became history because both agencies had one for a year


async def _summary(agencies: AgencyRepository, agency: Agency) -> AgencySummary:
    n = await agencies.session.scalar(
        select(func.count(ReportRow.id)).where(ReportRow.agency_id == agency.id, ReportRow.is_current))
    return AgencySummary(agency.id, agency.name, agency.level, agency.region, int(n or 0),
                         await agencies.aliases(agency.id))


async def _find(agencies: AgencyRepository, ref: str | int) -> Agency:
    """An agency by id (an integer, or a string of digits) or by any of its names."""
    agency: Agency | None = None
    if isinstance(ref, int) or str(ref).strip().isdigit():
        agency = await agencies.get(int(ref))
    if agency is None and isinstance(ref, str):
        agency = await agencies.find(ref)
    if agency is None:
        raise AgencyNotFound(str(ref))
    return agency


async def list_agencies(db: Database) -> list[AgencySummary]:
    async with db.transaction(write=False) as session:
        agencies = AgencyRepository(session)
        out = []
        for agency, n in await agencies.list():
            out.append(AgencySummary(agency.id, agency.name, agency.level, agency.region, n,
                                     await agencies.aliases(agency.id)))
        return out


async def find_agency(db: Database, ref: str | int) -> AgencySummary:
    async with db.transaction(write=False) as session:
        agencies = AgencyRepository(session)
        return await _summary(agencies, await _find(agencies, ref))


async def add_alias(db: Database, ref: str | int, alias: str) -> AgencySummary:
    """Record another name of an agency; raises ``AliasConflict`` when it names a different agency."""
    async with db.transaction() as session:
        agencies = AgencyRepository(session)
        agency = await _find(agencies, ref)
        await agencies.add_alias(agency, alias)
        return await _summary(agencies, agency)


async def merge(db: Database, keep: str | int, drop: str | int) -> MergeResult:
    """Merge agency ``drop`` into ``keep``: its reports and aliases move, then history and carry-over are redone.

    Where both had a report for the same year, the more recently received one becomes current and
    the other stays as history.
    """
    async with db.transaction() as session:
        agencies, reports = AgencyRepository(session), ReportRepository(session)
        kept, dropped = await _find(agencies, keep), await _find(agencies, drop)
        if kept.id == dropped.id:
            raise SameAgency(kept.name)
        removed, level, region = dropped.name, dropped.level, dropped.region
        kept_id = kept.id
        moved = int(await session.scalar(select(func.count(ReportRow.id)).where(ReportRow.agency_id == dropped.id)) or 0)
        await agencies.lock(kept_id)
        years = await agencies.move(dropped.id, kept_id)
        kept = await _find(agencies, kept_id)
        if kept.level == "unknown":
            kept.level = level
        kept.region = kept.region or region
        superseded: list[int] = []
        for year in years:
            superseded.extend(await reports.settle(kept_id, year))
        all_years = list(await session.scalars(
            select(ReportRow.year).where(ReportRow.agency_id == kept_id, ReportRow.year.is_not(None)).distinct()))
        if all_years:
            await reports.refresh_carryover(kept_id, all_years)
        return MergeResult(await _summary(agencies, kept), removed, moved, superseded)
