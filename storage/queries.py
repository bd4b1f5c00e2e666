"""Read-only SQL for the questions engine (SQLAlchemy Core over ``figures``, current reports only).

Completeness is checked, never assumed: ``figures`` holds only numbers that were read, so a metric
summed over rows (不予公开 = eight rows) is known for a report only when every one of its rows is
there. ``aggregate`` returns the sum *and* the count of cells per report; the caller compares the
count with what the report's template prints and leaves incomplete reports out, saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Agency, AgencyAlias, Figure, FindingRow, ReportRow


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    id: int
    name: str
    level: str
    region: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportInfo:
    id: int
    agency_id: int
    agency: str
    level: str
    year: int
    template: str | None
    source_file: str
    published_on: date | None


@dataclass(frozen=True, slots=True)
class Partial:
    """One report's share of an aggregate: the sum of the cells found and how many were found."""

    report: ReportInfo
    column: str
    total: float
    cells: int


@dataclass(frozen=True, slots=True)
class FindingInfo:
    report: ReportInfo
    code: str
    severity: str
    where: str
    message: str
    message_en: str


def _scope(stmt, *, years: Sequence[int] | None = None, agency_ids: Sequence[int] | None = None,
           level: str | None = None, region: str | None = None):
    """Filter a statement already joined to ``reports`` and ``agencies`` to current reports in scope."""
    stmt = stmt.where(ReportRow.is_current.is_(True), ReportRow.agency_id.is_not(None))
    if years:
        stmt = stmt.where(ReportRow.year.in_(list(years)))
    if agency_ids:
        stmt = stmt.where(ReportRow.agency_id.in_(list(agency_ids)))
    if level:
        stmt = stmt.where(Agency.level == level)
    if region:
        stmt = stmt.where(or_(Agency.name.startswith(region, autoescape=True),
                              Agency.region.startswith(region, autoescape=True)))
    return stmt


_REPORT_COLUMNS = (ReportRow.id, ReportRow.agency_id, Agency.name, Agency.level, ReportRow.year, ReportRow.template,
                   ReportRow.source_file, ReportRow.published_on)


def _info(row) -> ReportInfo:
    return ReportInfo(id=row[0], agency_id=row[1], agency=row[2], level=row[3], year=row[4], template=row[5],
                      source_file=row[6], published_on=row[7])


async def fingerprint(session: AsyncSession) -> tuple:
    """Changes whenever a report or an alias is added, replaced or removed (cache key for names and years)."""
    reports = (await session.execute(
        select(func.count(ReportRow.id), func.max(ReportRow.id), func.count(ReportRow.superseded_by))
        .where(ReportRow.is_current.is_(True)))).one()
    aliases = (await session.execute(select(func.count(AgencyAlias.id), func.max(AgencyAlias.id)))).one()
    agencies = (await session.execute(select(func.count(Agency.id), func.max(Agency.id)))).one()
    return tuple(reports) + tuple(aliases) + tuple(agencies)


async def known_agencies(session: AsyncSession) -> list[AgencyRecord]:
    """Agencies with at least one stored report, with their aliases."""
    has_report = exists().where(ReportRow.agency_id == Agency.id)
    rows = (await session.execute(
        select(Agency.id, Agency.name, Agency.level, Agency.region).where(has_report).order_by(Agency.id))).all()
    aliases: dict[int, list[str]] = {}
    for agency_id, alias in (await session.execute(select(AgencyAlias.agency_id, AgencyAlias.alias))).all():
        aliases.setdefault(agency_id, []).append(alias)
    return [AgencyRecord(r[0], r[1], r[2] or "unknown", r[3], tuple(a for a in aliases.get(r[0], ()) if a != r[1]))
            for r in rows]


async def stored_years(session: AsyncSession) -> list[int]:
    rows = await session.scalars(select(ReportRow.year).where(ReportRow.is_current.is_(True),
                                                              ReportRow.year.is_not(None)).distinct())
    return sorted(rows)


async def current_reports(session: AsyncSession, *, agency_ids: Sequence[int] | None = None,
                          years: Sequence[int] | None = None, level: str | None = None,
                          region: str | None = None) -> list[ReportInfo]:
    stmt = select(*_REPORT_COLUMNS).join(Agency, Agency.id == ReportRow.agency_id)
    stmt = _scope(stmt, years=years, agency_ids=agency_ids, level=level, region=region)
    rows = (await session.execute(stmt.order_by(ReportRow.year, Agency.name))).all()
    return [_info(r) for r in rows]


async def count_reports(session: AsyncSession, *, years: Sequence[int] | None = None, level: str | None = None,
                        region: str | None = None) -> dict[int, int]:
    """Current reports per year in scope."""
    stmt = select(ReportRow.year, func.count(ReportRow.id)).join(Agency, Agency.id == ReportRow.agency_id)
    stmt = _scope(stmt, years=years, level=level, region=region).group_by(ReportRow.year)
    return {y: int(n) for y, n in (await session.execute(stmt)).all()}


async def report_figures(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, dict[tuple[str, str, str], float]]:
    """Every stored number of the given reports: report id → (table, row, column) → value."""
    out: dict[int, dict[tuple[str, str, str], float]] = {i: {} for i in report_ids}
    if not report_ids:
        return out
    stmt = select(Figure.report_id, Figure.table_id, Figure.row_id, Figure.column_id, Figure.value).where(
        Figure.report_id.in_(list(report_ids)))
    for rid, t, r, c, v in (await session.execute(stmt)).all():
        out[rid][(t, r, c)] = v
    return out


async def aggregate(session: AsyncSession, *, table: str, rows: Sequence[str], columns: Sequence[str],
                    years: Sequence[int], level: str | None = None, region: str | None = None,
                    agency_ids: Sequence[int] | None = None) -> list[Partial]:
    """Per current report in scope and per column: the sum of the metric's cells found and their count."""
    f = (select(Figure.report_id, Figure.column_id, func.sum(Figure.value).label("total"),
                func.count(Figure.value).label("cells"))
         .where(Figure.table_id == table, Figure.row_id.in_(list(rows)), Figure.column_id.in_(list(columns)),
                Figure.year.in_(list(years)), Figure.is_current.is_(True))
         .group_by(Figure.report_id, Figure.column_id)).subquery()
    stmt = (select(*_REPORT_COLUMNS, f.c.column_id, f.c.total, f.c.cells)
            .join_from(f, ReportRow, ReportRow.id == f.c.report_id)
            .join(Agency, Agency.id == ReportRow.agency_id))
    stmt = _scope(stmt, years=years, agency_ids=agency_ids, level=level, region=region)
    out = []
    for r in (await session.execute(stmt)).all():
        out.append(Partial(_info(r), r[8], float(r[9]), int(r[10])))
    return out


async def missing_reports(session: AsyncSession, *, year: int, level: str | None = None,
                          region: str | None = None) -> list[tuple[AgencyRecord, int | None]]:
    """Known agencies (any report stored) with no current report for ``year``, with their latest year."""
    has_year = exists().where(ReportRow.agency_id == Agency.id, ReportRow.year == year, ReportRow.is_current.is_(True))
    latest = (select(func.max(ReportRow.year)).where(ReportRow.agency_id == Agency.id, ReportRow.is_current.is_(True))
              .scalar_subquery())
    stmt = (select(Agency.id, Agency.name, Agency.level, Agency.region, latest)
            .where(exists().where(ReportRow.agency_id == Agency.id), ~has_year))
    if level:
        stmt = stmt.where(Agency.level == level)
    if region:
        stmt = stmt.where(or_(Agency.name.startswith(region, autoescape=True),
                              Agency.region.startswith(region, autoescape=True)))
    rows = (await session.execute(stmt.order_by(Agency.name))).all()
    return [(AgencyRecord(r[0], r[1], r[2] or "unknown", r[3], ()), r[4]) for r in rows]


async def count_known(session: AsyncSession, *, level: str | None = None, region: str | None = None) -> int:
    stmt = select(func.count(Agency.id)).where(exists().where(ReportRow.agency_id == Agency.id))
    if level:
        stmt = stmt.where(Agency.level == level)
    if region:
        stmt = stmt.where(or_(Agency.name.startswith(region, autoescape=True),
                              Agency.region.startswith(region, autoescape=True)))
    return int(await session.scalar(stmt) or 0)


async def findings(session: AsyncSession, *, codes: Sequence[str] = (), severities: Sequence[str] = ("error",),
                   years: Sequence[int] | None = None, agency_ids: Sequence[int] | None = None,
                   level: str | None = None, region: str | None = None, limit: int = 200) -> list[FindingInfo]:
    """Findings of current reports in scope (by code, else by severity), oldest year first."""
    stmt = (select(*_REPORT_COLUMNS, FindingRow.code, FindingRow.severity, FindingRow.where, FindingRow.message,
                   FindingRow.message_en)
            .join_from(FindingRow, ReportRow, ReportRow.id == FindingRow.report_id)
            .join(Agency, Agency.id == ReportRow.agency_id))
    stmt = _scope(stmt, years=years, agency_ids=agency_ids, level=level, region=region)
    stmt = stmt.where(FindingRow.code.in_(list(codes))) if codes else \
        stmt.where(FindingRow.severity.in_(list(severities)))
    stmt = stmt.order_by(ReportRow.year, Agency.name, FindingRow.id).limit(limit)
    return [FindingInfo(_info(r), r[8], r[9], r[10], r[11], r[12]) for r in (await session.execute(stmt)).all()]


async def count_findings(session: AsyncSession, *, codes: Sequence[str] = (), severities: Sequence[str] = ("error",),
                         years: Sequence[int] | None = None, agency_ids: Sequence[int] | None = None,
                         level: str | None = None, region: str | None = None) -> tuple[int, int]:
    """(findings, distinct reports) in scope — the totals behind a truncated ``findings`` list."""
    stmt = (select(func.count(FindingRow.id), func.count(func.distinct(FindingRow.report_id)))
            .join_from(FindingRow, ReportRow, ReportRow.id == FindingRow.report_id)
            .join(Agency, Agency.id == ReportRow.agency_id))
    stmt = _scope(stmt, years=years, agency_ids=agency_ids, level=level, region=region)
    stmt = stmt.where(FindingRow.code.in_(list(codes))) if codes else \
        stmt.where(FindingRow.severity.in_(list(severities)))
    n, r = (await session.execute(stmt)).one()
    return int(n), int(r)



def _blank_cells(table: str | None, row: str | None, column: str | None,
                 data: dict) -> dict[tuple[str, str, str], float | None]:
    """The cells a MISSING_TOTAL finding names (a blank 总计 stored as 0) with the sum of their parts."""
    if table is None:
        return {}
    if row and column:
        return {(table, row, column): data.get("expected")}
    if column and isinstance(data.get("rows"), dict):
        return {(table, r, column): v for r, v in data["rows"].items()}
    if row and isinstance(data.get("columns"), dict):
        return {(table, row, c): v for c, v in data["columns"].items()}
    return {}


async def blank_totals(session: AsyncSession, *, report_ids: Sequence[int] | None = None,
                       years: Sequence[int] | None = None) -> dict[int, dict[tuple[str, str, str], float | None]]:
    """Per report, the 总计 cells printed blank although their parts are not zero.

    The store keeps a blank cell as 0 (that is what a blank means elsewhere), so these cells would
    read as a wrong 0: answers treat them as not printed and aggregates leave their reports out.
    """
    stmt = (select(FindingRow.report_id, FindingRow.table_id, FindingRow.row_id, FindingRow.column_id, FindingRow.data)
            .join(ReportRow, ReportRow.id == FindingRow.report_id)
            .where(FindingRow.code == "MISSING_TOTAL", ReportRow.is_current.is_(True)))
    if report_ids is not None:
        stmt = stmt.where(FindingRow.report_id.in_(list(report_ids)))
    if years:
        stmt = stmt.where(ReportRow.year.in_(list(years)))
    out: dict[int, dict[tuple[str, str, str], float | None]] = {}
    for rid, table, row, column, data in (await session.execute(stmt)).all():
        out.setdefault(rid, {}).update(_blank_cells(table, row, column, data or {}))
    return out
