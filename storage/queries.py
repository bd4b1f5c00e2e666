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
from functools import lru_cache

from sqlalchemy import (
    Float,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from reports.templates import TEMPLATES

from .models import Agency, AgencyAlias, Figure, FindingRow, ReportRow
from .encoding import DERIVED, subtotal_groups, subtotal_row_id

# Statement objects are built once per shape (``lru_cache`` on the builders, bound parameters for the
# values that change with every question): SQLAlchemy memoises a statement's cache key on the object,
# so a reused statement skips construction and cache-key generation, most of a small query's CPU.
_STATEMENTS = 512


async def _run(session: AsyncSession, stmt, params: dict | None = None):
    """Execute on the session's connection: Core execution skips the ORM's per-statement work (these
    statements select columns, never entities)."""
    return await (await session.connection()).execute(stmt, params)


async def _scalars(session: AsyncSession, stmt):
    return (await _run(session, stmt)).scalars()


async def _scalar(session: AsyncSession, stmt):
    return (await _run(session, stmt)).scalar()


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
    stmt = stmt.where(ReportRow.is_current == true(), ReportRow.agency_id.is_not(None))
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
    """Changes whenever a report, an agency or an alias is added: the cache key for the known names and years.

    Maxima of primary keys only (each an index lookup), so it costs nothing at 100,000 reports. Removals
    (a merged agency, a deleted report) do not change it; the answer service checks the agencies it
    resolved still exist (``existing_agencies``) and rebuilds when one is gone.
    """
    return tuple((await _run(session, _FINGERPRINT)).one())


_FINGERPRINT = select(select(func.max(ReportRow.id)).scalar_subquery(), select(func.max(Agency.id)).scalar_subquery(),
                      select(func.max(AgencyAlias.id)).scalar_subquery())


async def changed_agencies(session: AsyncSession, *, after_report: int, after_agency: int,
                           after_alias: int) -> set[int]:
    """Agencies that got a report, were created or got an alias after the given ids (what a cache must add)."""
    ids: set[int] = set()
    ids |= set(await _scalars(session, select(ReportRow.agency_id).where(ReportRow.id > after_report,
                                                                        ReportRow.agency_id.is_not(None))))
    ids |= set(await _scalars(session, select(Agency.id).where(Agency.id > after_agency)))
    ids |= set(await _scalars(session, select(AgencyAlias.agency_id).where(AgencyAlias.id > after_alias)))
    return ids


async def existing_agencies(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set((await _run(session, _EXISTING, {"ids": list(ids)})).scalars())


_EXISTING = select(Agency.id).where(Agency.id.in_(bindparam("ids", expanding=True)))


async def known_agencies(session: AsyncSession, ids: Sequence[int] | None = None) -> list[AgencyRecord]:
    """Agencies with at least one stored report (all, or those of ``ids``), with their aliases."""
    has_report = select(ReportRow.id).where(ReportRow.agency_id == Agency.id).exists()
    stmt = select(Agency.id, Agency.name, Agency.level, Agency.region).where(has_report)
    alias_stmt = select(AgencyAlias.agency_id, AgencyAlias.alias)
    if ids is not None:
        stmt = stmt.where(Agency.id.in_(list(ids)))
        alias_stmt = alias_stmt.where(AgencyAlias.agency_id.in_(list(ids)))
    rows = (await _run(session, stmt.order_by(Agency.id))).all()
    aliases: dict[int, list[str]] = {}
    for agency_id, alias in (await _run(session, alias_stmt)).all():
        aliases.setdefault(agency_id, []).append(alias)
    return [AgencyRecord(r[0], r[1], r[2] or "unknown", r[3], tuple(a for a in aliases.get(r[0], ()) if a != r[1]))
            for r in rows]


async def stored_years(session: AsyncSession) -> list[int]:
    rows = await _scalars(session, select(ReportRow.year).where(ReportRow.is_current == true(),
                                                              ReportRow.year.is_not(None)).distinct())
    return sorted(rows)


async def current_reports(session: AsyncSession, *, agency_ids: Sequence[int] | None = None,
                          years: Sequence[int] | None = None, level: str | None = None,
                          region: str | None = None) -> list[ReportInfo]:
    stmt = _current_reports_stmt(bool(agency_ids), bool(years), level, region)
    params = {"agency_ids": list(agency_ids or ()), "years": list(years or ())}
    return [_info(r) for r in (await _run(session, stmt, params)).all()]


@lru_cache(maxsize=_STATEMENTS)
def _current_reports_stmt(by_agency: bool, by_year: bool, level: str | None, region: str | None):
    stmt = select(*_REPORT_COLUMNS).join(Agency, Agency.id == ReportRow.agency_id)
    stmt = _scope(stmt, level=level, region=region)
    if by_year:
        stmt = stmt.where(ReportRow.year.in_(bindparam("years", expanding=True)))
    if by_agency:
        stmt = stmt.where(ReportRow.agency_id.in_(bindparam("agency_ids", expanding=True)))
    return stmt.order_by(ReportRow.year, Agency.name)


async def count_reports(session: AsyncSession, *, years: Sequence[int] | None = None, level: str | None = None,
                        region: str | None = None, agency_ids: Sequence[int] | None = None,
                        exclude: Sequence[int] = ()) -> dict[int, int]:
    """Current reports per year in scope (``exclude``: report ids left out)."""
    stmt = _count_reports_stmt(tuple(years or ()), level, region, tuple(agency_ids or ()), tuple(exclude))
    return {y: int(n) for y, n in (await _run(session, stmt)).all()}


@lru_cache(maxsize=_STATEMENTS)
def _count_reports_stmt(years: tuple[int, ...], level: str | None, region: str | None, agency_ids: tuple[int, ...],
                        exclude: tuple[int, ...]):
    stmt = select(ReportRow.year, func.count())     # count(*): answered from the (year, current) index alone
    if level or region:
        stmt = stmt.join(Agency, Agency.id == ReportRow.agency_id)
    stmt = _scope(stmt, years=years, level=level, region=region, agency_ids=agency_ids)
    if exclude:
        stmt = stmt.where(ReportRow.id.not_in(list(exclude)))
    return stmt.group_by(ReportRow.year)


async def report_figures(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, dict[tuple[str, str, str], float]]:
    """Every stored number of the given reports: report id → (table, row, column) → value."""
    out: dict[int, dict[tuple[str, str, str], float]] = {i: {} for i in report_ids}
    if not report_ids:
        return out
    for rid, t, r, c, v in (await _run(session, _REPORT_FIGURES, {"ids": list(report_ids)})).all():
        out[rid][(t, r, c)] = v
    return out


_REPORT_FIGURES = select(Figure.report_id, Figure.table_id, Figure.row_id, Figure.column_id, Figure.value).where(
    Figure.report_id.in_(bindparam("ids", expanding=True)), Figure.table_id != DERIVED)


@dataclass(frozen=True, slots=True)
class Component:
    """A metric as cells: per template, the rows summed and the column read (``reports.questions.metrics``)."""

    table: str
    cells: tuple[tuple[str, tuple[str, ...], str], ...]     # (template, rows, column)


@dataclass(frozen=True, slots=True)
class Scope:
    years: tuple[int, ...]
    agency_ids: tuple[int, ...] = ()
    level: str | None = None
    region: str | None = None
    exclude: tuple[int, ...] = ()       # report ids left out (blank totals)


@dataclass(frozen=True, slots=True)
class Ranked:
    agency_id: int
    agency: str
    value: float
    numerator: float
    denominator: float | None
    reports: int


def _values(c: Component, scope: Scope):
    """Per current report in scope: rid, year, aid and v, the component's sum — only where every one of
    its cells is stored. Row ids are unique across the three tables, so ``table_id`` is not needed;
    when every template reads the same cells the query touches ``figures`` (its covering index) alone."""
    cells = [(t, rows, col) for t, rows, col in c.cells if rows and col]
    shapes = {(tuple(rows), col) for _, rows, col in cells}
    stmt = (select(Figure.report_id.label("rid"), Figure.year.label("year"), Figure.agency_id.label("aid"),
                   func.sum(Figure.value).label("v"))
            .where(Figure.year.in_(list(scope.years)), Figure.is_current == true(), Figure.agency_id.is_not(None)))
    group = [Figure.report_id, Figure.year, Figure.agency_id]
    single = len(shapes) == 1 and len(next(iter(shapes))[0]) == 1
    if single:
        # One cell per report (a report has each cell once): no grouping, the index streams the values.
        (row,), col = next(iter(shapes))
        stmt = (select(Figure.report_id.label("rid"), Figure.year.label("year"), Figure.agency_id.label("aid"),
                       Figure.value.label("v"))
                .where(Figure.year.in_(list(scope.years)), Figure.is_current == true(), Figure.agency_id.is_not(None),
                       Figure.row_id == row, Figure.column_id == col))
        having = None
    elif len(shapes) == 1:
        rows, col = next(iter(shapes))
        stmt = stmt.where(Figure.row_id.in_(list(rows)), Figure.column_id == col)
        having = func.count(Figure.value) == len(rows)
    else:
        # 2019 prints （六） as one row, 2021 as three: which cells count depends on the report's template.
        all_rows = sorted({r for _, rows, _ in cells for r in rows})
        all_cols = sorted({col for _, _, col in cells})
        per_template = or_(*[and_(ReportRow.template == t, Figure.row_id.in_(rows), Figure.column_id == col)
                             for t, rows, col in cells])
        expected = case(*[(ReportRow.template == t, len(rows)) for t, rows, _ in cells], else_=-1)
        stmt = (stmt.join(ReportRow, ReportRow.id == Figure.report_id)
                .where(Figure.row_id.in_(all_rows), Figure.column_id.in_(all_cols), per_template))
        group.append(ReportRow.template)
        having = func.count(Figure.value) == expected
    stmt = _figure_scope(stmt, scope)
    return stmt if having is None else stmt.group_by(*group).having(having)


def _figure_scope(stmt, scope: Scope):
    """Agency, level, region and excluded reports, applied to a statement over ``figures``."""
    if scope.agency_ids:
        stmt = stmt.where(Figure.agency_id.in_(list(scope.agency_ids)))
    if scope.level or scope.region:
        stmt = _agency_filter(stmt.join(Agency, Agency.id == Figure.agency_id), scope.level, scope.region)
    if scope.exclude:
        stmt = stmt.where(Figure.report_id.not_in(list(scope.exclude)))
    return stmt


def _shape(c: Component) -> tuple[tuple[str, ...], str] | None:
    """(rows, column) when every template reads the same cells for ``c``, else None."""
    shapes = {(tuple(rows), col) for _, rows, col in c.cells if rows and col}
    return next(iter(shapes)) if len(shapes) == 1 else None


@lru_cache(maxsize=_STATEMENTS)
def _subtotal_shape(c: Component) -> tuple[tuple[str, ...], str] | None:
    """The stored group subtotal standing for ``c`` when, in every template, ``c`` is exactly one whole
    group of leaves read in one column: one row per report instead of up to eight."""
    if c.table != "requests" or {t for t, _, _ in c.cells} != set(TEMPLATES):
        return None
    found = set()
    for template, rows, column in c.cells:
        groups = subtotal_groups(TEMPLATES[template].table("requests"))
        match = [g for g, leaves in groups.items() if set(leaves) == set(rows) and len(leaves) == len(rows)]
        if len(match) != 1:
            return None
        found.add((match[0], column))
    if len(found) != 1:
        return None
    group, column = found.pop()
    return (subtotal_row_id(group),), column


def _one_pass(parts: list[tuple[tuple[str, ...], str]], denominator: tuple[tuple[str, ...], str] | None,
              scope: Scope):
    """Numerator and denominator in one pass over the covering index, with conditional sums per report."""
    def cond(shapes: list[tuple[tuple[str, ...], str]]):
        return or_(*[and_(Figure.row_id.in_(list(rows)), Figure.column_id == col) for rows, col in shapes])

    everything = parts + ([denominator] if denominator else [])
    num_cond = cond(parts)
    num_cells = sum(len(rows) for rows, _ in parts)
    cols = [Figure.report_id.label("rid"), Figure.year.label("year"), Figure.agency_id.label("aid"),
            func.sum(case((num_cond, Figure.value))).label("num")]
    having = [func.count(case((num_cond, 1))) == num_cells]
    if denominator:
        den_cond = cond([denominator])
        cols.append(func.sum(case((den_cond, Figure.value))).label("den"))
        having.append(func.count(case((den_cond, 1))) == len(denominator[0]))
    else:
        cols.append(cast(null(), Float).label("den"))
    columns = sorted({col for _, col in everything})
    stmt = (select(*cols)
            .where(Figure.year.in_(list(scope.years)), Figure.is_current == true(), Figure.agency_id.is_not(None),
                   Figure.row_id.in_(sorted({r for rows, _ in everything for r in rows})),
                   Figure.column_id.in_(columns)))
    if len(columns) > 1:
        # Rows of one part in another part's column are not wanted; with one column the ranges are exact.
        stmt = stmt.where(cond(everything))
    stmt = _figure_scope(stmt, scope)
    return stmt.group_by(Figure.report_id, Figure.year, Figure.agency_id).having(and_(*having)).subquery("vals")


def _combined(numerator: Sequence[Component], denominator: Component | None, scope: Scope):
    """rid, year, aid, num (sum of the numerator components) and den, for reports where all are known."""
    shapes = [_shape(c) for c in numerator]
    den_shape = _shape(denominator) if denominator else None
    uniform = all(shapes) and (denominator is None or den_shape is not None)
    single_cell = len(numerator) == 1 and denominator is None and shapes[0] and len(shapes[0][0]) == 1
    if uniform and not single_cell:
        return _one_pass(shapes, den_shape, scope)  # type: ignore[arg-type]
    subs = [_values(c, scope).subquery(f"n{i}") for i, c in enumerate(numerator)]
    first = subs[0]
    num = first.c.v
    for sub in subs[1:]:
        num = num + sub.c.v
    den_sub = _values(denominator, scope).subquery("d") if denominator else None
    stmt = select(first.c.rid, first.c.year, first.c.aid, num.label("num"),
                  (den_sub.c.v if den_sub is not None else cast(null(), Float)).label("den")).select_from(first)
    for sub in subs[1:]:
        stmt = stmt.join(sub, sub.c.rid == first.c.rid)
    if den_sub is not None:
        stmt = stmt.join(den_sub, den_sub.c.rid == first.c.rid)
    return stmt.subquery("vals")


async def _cell_totals(session: AsyncSession, shapes: list[tuple[tuple[str, ...], str]],
                       scope: Scope) -> dict[tuple[int, str, str], tuple[int, float]]:
    """(year, row, column) → (cells stored, their sum), straight off the covering index (no per-report grouping)."""
    stmt = _cell_totals_stmt(tuple(shapes), scope)
    return {(y, r, c): (int(n), float(v or 0)) for y, r, c, n, v in (await _run(session, stmt)).all()}


@lru_cache(maxsize=_STATEMENTS)
def _cell_totals_stmt(shapes: tuple[tuple[tuple[str, ...], str], ...], scope: Scope):
    columns = sorted({c for _, c in shapes})
    stmt = (select(Figure.year, Figure.row_id, Figure.column_id, func.count(), func.sum(Figure.value))
            .where(Figure.year.in_(list(scope.years)), Figure.is_current == true(), Figure.agency_id.is_not(None),
                   Figure.row_id.in_(sorted({r for rows, _ in shapes for r in rows})), Figure.column_id.in_(columns))
            .group_by(Figure.year, Figure.row_id, Figure.column_id))
    if len(columns) > 1:
        # Rows of one shape in another shape's column are not wanted; with one column the ranges are exact.
        stmt = stmt.where(or_(*[and_(Figure.row_id.in_(list(rows)), Figure.column_id == col) for rows, col in shapes]))
    return _figure_scope(stmt, scope)


async def totals_by_year(session: AsyncSession, numerator: Sequence[Component], denominator: Component | None,
                         scope: Scope) -> dict[int, tuple[int, float, float | None]]:
    """year → (reports with every cell known, sum of numerators, sum of denominators).

    Fast path: a report holds each cell at most once, so when every needed cell is stored as many
    times as there are reports in scope, every report is complete and the sums per cell are the
    answer. Otherwise each report is checked (grouped by report), which is exact but slower.
    """
    # A whole group reads its stored subtotal; a report lacking it (a leaf unknown) makes the counts differ
    # from the reports in scope, and the exact per-report path below answers (and explains exclusions).
    shapes = [_subtotal_shape(c) or _shape(c) for c in numerator]
    den_shape = _shape(denominator) if denominator else None
    if all(shapes) and (denominator is None or den_shape):
        cells = await _cell_totals(session, [*shapes, *([den_shape] if den_shape else [])], scope)  # type: ignore[list-item]
        in_scope = await count_reports(session, years=scope.years, level=scope.level, region=scope.region,
                                       agency_ids=scope.agency_ids or None, exclude=scope.exclude)
        fast: dict[int, tuple[int, float, float | None]] = {}
        for year in scope.years:
            n = in_scope.get(year, 0)
            need = [(r, c) for rows, c in shapes for r in rows]  # type: ignore[misc]
            den_need = [(r, c) for r in den_shape[0] for c in (den_shape[1],)] if den_shape else []
            if n == 0:
                continue
            if any(cells.get((year, r, c), (0, 0.0))[0] != n for r, c in need + den_need):
                break
            num = sum(cells[(year, r, c)][1] for r, c in need)
            den = sum(cells[(year, r, c)][1] for r, c in den_need) if den_shape else None
            fast[year] = (n, num, den)
        else:
            return fast
    stmt = _totals_stmt(tuple(numerator), denominator, scope)
    return {y: (int(n), float(a or 0), None if d is None else float(d))
            for y, n, a, d in (await _run(session, stmt)).all()}


@lru_cache(maxsize=_STATEMENTS)
def _totals_stmt(numerator: tuple[Component, ...], denominator: Component | None, scope: Scope):
    vals = _combined(numerator, denominator, scope)
    return select(vals.c.year, func.count(), func.sum(vals.c.num), func.sum(vals.c.den)).group_by(vals.c.year)


async def top_reports(session: AsyncSession, component: Component, scope: Scope, *,
                      limit: int) -> list[tuple[ReportInfo, float]]:
    """The reports contributing most to a sum (for sources and the CSV)."""
    stmt = _top_reports_stmt(component, scope, limit)
    return [(_info(r), float(r[8])) for r in (await _run(session, stmt)).all()]


@lru_cache(maxsize=_STATEMENTS)
def _top_reports_stmt(component: Component, scope: Scope, limit: int):
    vals = _combined([component], None, scope)
    top = select(vals.c.rid, vals.c.num).order_by(vals.c.num.desc(), vals.c.rid).limit(limit).subquery("top")
    return (select(*_REPORT_COLUMNS, top.c.num).join_from(top, ReportRow, ReportRow.id == top.c.rid)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .order_by(top.c.num.desc(), Agency.name, ReportRow.year))


async def rank_agencies(session: AsyncSession, numerator: Sequence[Component], denominator: Component | None,
                        scope: Scope, *, ascending: bool, limit: int,
                        percent: bool) -> tuple[list[Ranked], int, int]:
    """Agencies ordered by their summed value (or numerator ÷ denominator × 100), with the number of agencies
    ranked and of reports they were computed from."""
    rows = (await _run(session, _rank_stmt(tuple(numerator), denominator, scope, ascending, limit, percent))).all()
    ranked = [Ranked(r[0], r[1], float(r[2]), float(r[3]), None if r[4] is None else float(r[4]), int(r[5]))
              for r in rows]
    return ranked, (int(rows[0][6]) if rows else 0), (int(rows[0][7]) if rows else 0)


@lru_cache(maxsize=_STATEMENTS)
def _rank_stmt(numerator: tuple[Component, ...], denominator: Component | None, scope: Scope, ascending: bool,
               limit: int, percent: bool):
    vals = _combined(numerator, denominator, scope)
    if len(scope.years) == 1:
        # One report per agency and year: the per-report values are already per agency.
        value = (vals.c.num * 100.0 / vals.c.den) if percent else vals.c.num
        per_agency = select(vals.c.aid, value.label("value"), vals.c.num, vals.c.den, literal(1).label("n"))
        if percent:
            per_agency = per_agency.where(vals.c.den > 0)
    else:
        num, den = func.sum(vals.c.num), func.sum(vals.c.den)
        value = (num * 100.0 / den) if percent else num
        per_agency = (select(vals.c.aid, value.label("value"), num.label("num"), den.label("den"),
                             func.count().label("n")).group_by(vals.c.aid))
        if percent:
            per_agency = per_agency.having(den > 0)
    # The values once (a CTE), read twice: the top rows, and the counts. Counting with a window over the
    # values instead makes SQLite copy every row into a temporary table (three times slower at 16,000 agencies).
    g = per_agency.cte("g")
    order = g.c.value.asc() if ascending else g.c.value.desc()
    top = select(g).order_by(order, g.c.aid).limit(limit).subquery("top")
    counts = select(func.count().label("agencies"), func.sum(g.c.n).label("reports")).subquery("counts")
    final = top.c.value.asc() if ascending else top.c.value.desc()
    return (select(top.c.aid, Agency.name, top.c.value, top.c.num, top.c.den, top.c.n, counts.c.agencies,
                   counts.c.reports)
            .join_from(top, Agency, Agency.id == top.c.aid).join(counts, true()).order_by(final, Agency.name))


def _agency_filter(stmt, level: str | None, region: str | None):
    if level:
        stmt = stmt.where(Agency.level == level)
    if region:
        stmt = stmt.where(or_(Agency.name.startswith(region, autoescape=True),
                              Agency.region.startswith(region, autoescape=True)))
    return stmt


async def missing_reports(session: AsyncSession, *, year: int, level: str | None = None,
                          region: str | None = None) -> tuple[list[tuple[AgencyRecord, int | None]], int]:
    """Known agencies (any current report stored) with no current report for ``year``, each with its latest
    year, and how many agencies are known in scope.

    One pass over the reports index, which is ordered by agency (no sort), shared by the count and
    the list; names are joined for the missing agencies only.
    """
    stmt, count = _missing_stmts(year, level, region)
    rows = (await _run(session, stmt)).all()
    if rows:
        return [(AgencyRecord(r[0], r[1], r[2] or "unknown", r[3], ()), r[4]) for r in rows], int(rows[0][5])
    # Everyone filed: the count still has to be read.
    return [], int(await _scalar(session, count) or 0)


@lru_cache(maxsize=_STATEMENTS)
def _missing_stmts(year: int, level: str | None, region: str | None):
    filed = func.sum(case((ReportRow.year == year, 1), else_=0))
    per_agency = (select(ReportRow.agency_id.label("aid"), func.max(ReportRow.year).label("latest"),
                         filed.label("filed"))
                  .where(ReportRow.is_current == true(), ReportRow.agency_id.is_not(None)))
    if level or region:
        per_agency = _agency_filter(per_agency.join(Agency, Agency.id == ReportRow.agency_id), level, region)
    g = per_agency.group_by(ReportRow.agency_id).cte("g")
    known = select(func.count()).select_from(g).scalar_subquery()
    stmt = (select(Agency.id, Agency.name, Agency.level, Agency.region, g.c.latest, known)
            .join(g, g.c.aid == Agency.id).where(g.c.filed == 0).order_by(Agency.name))
    return stmt, select(func.count()).select_from(g)


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
    return [FindingInfo(_info(r), r[8], r[9], r[10], r[11], r[12]) for r in (await _run(session, stmt)).all()]


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
    n, r = (await _run(session, stmt)).one()
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


BlankCells = dict[int, dict[tuple[str, str, str], float | None]]
InferredCells = dict[int, dict[tuple[str, str, str], tuple[str, str]]]


async def flagged_cells(session: AsyncSession, *, report_ids: Sequence[int] | None = None,
                        years: Sequence[int] | None = None,
                        inferred: bool = True) -> tuple[BlankCells, InferredCells]:
    """Per report, the cells a number must not be read from as printed, from the findings (one query):

    - blank: the 总计 cells printed blank although their parts are not zero (MISSING_TOTAL). The store
      keeps a blank cell as 0 (that is what a blank means elsewhere), so these cells would read as a
      wrong 0: answers treat them as not printed and aggregates leave their reports out;
    - inferred (unless ``inferred=False``): the cells whose glued digits were split by plausibility
      (INFERRED_SPLIT), with the finding's message (zh, en): shown with that warning, never summed.
    """
    codes = ("MISSING_TOTAL", "INFERRED_SPLIT") if inferred else ("MISSING_TOTAL",)
    stmt = _flagged_stmt(report_ids is not None, bool(years), codes)
    params = {"report_ids": list(report_ids or ()), "years": list(years or ())}
    blank: BlankCells = {}
    split: InferredCells = {}
    for rid, code, table, row, column, data, message, message_en in (await _run(session, stmt, params)).all():
        if code == "MISSING_TOTAL":
            blank.setdefault(rid, {}).update(_blank_cells(table, row, column, data or {}))
        elif table and row:
            for c in (data or {}).get("columns") or ([column] if column else []):
                split.setdefault(rid, {})[(table, row, c)] = (message or "", message_en or message or "")
    return blank, split


@lru_cache(maxsize=_STATEMENTS)
def _flagged_stmt(by_report: bool, by_year: bool, codes: tuple[str, ...]):
    stmt = (select(FindingRow.report_id, FindingRow.code, FindingRow.table_id, FindingRow.row_id, FindingRow.column_id,
                   FindingRow.data, FindingRow.message, FindingRow.message_en)
            .join(ReportRow, ReportRow.id == FindingRow.report_id)
            .where(FindingRow.code.in_(codes), ReportRow.is_current == true()))
    if by_report:
        stmt = stmt.where(FindingRow.report_id.in_(bindparam("report_ids", expanding=True)))
    if by_year:
        stmt = stmt.where(ReportRow.year.in_(bindparam("years", expanding=True)))
    return stmt
