"""Reading and writing reports and agencies inside one ``AsyncSession`` (one transaction).

The repositories never commit: the caller's ``Database.transaction()`` decides, so a report, its
figures, its findings and the history and carry-over changes it causes land together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from reports.checks import CarryFigures, compare_carryover
from reports.model import Finding, Report

from .encoding import DERIVED, Encoded, encode
from .models import Agency, AgencyAlias, Base, Figure, FindingRow, ReportRow, utcnow
from .names import agency_key, clean_name, government_of, region_of

CARRYOVER = "CARRYOVER_MISMATCH"


class AliasConflict(ValueError):
    """The alias already names another agency."""

    def __init__(self, alias: str, agency: str) -> None:
        self.message_zh = f"名称“{alias}”已属于机关“{agency}”"
        self.message_en = f"the name “{alias}” already belongs to the agency “{agency}”"
        super().__init__(self.message_en)


FIGURE_COLUMNS = ("report_id", "agency_id", "year", "is_current", "table_id", "row_id", "column_id", "value")


async def insert_figures(session: AsyncSession, rows: Sequence[tuple[int, int | None, int | None, bool, str]]) -> None:
    """Insert the ``figures`` rows of reports given as (report id, agency id, year, is current,
    ``Encoded.figures``), one statement per report.

    About 230 figures per report: the database unpacks them from the JSON text itself, so the
    statement crosses from Python to the database once per report instead of once per figure (per
    row, SQLite's driver takes the interpreter lock back from whatever the event loop is doing).
    Going through ``exec_driver_sql`` keeps SQLAlchemy's handling of a connection lost meanwhile.
    """
    if not rows:
        return
    conn = await session.connection()
    columns = ", ".join(FIGURE_COLUMNS)
    if conn.dialect.name == "postgresql":
        sql = (f"INSERT INTO figures ({columns}) SELECT $1::integer, $2::integer, $3::integer, $4::boolean, "
               "t.key, r.key, c.key, c.value::double precision "
               "FROM jsonb_each($5::text::jsonb) AS t, jsonb_each(t.value) AS r, jsonb_each(r.value) AS c")
    else:
        sql = (f"INSERT INTO figures ({columns}) SELECT ?, ?, ?, ?, t.key, r.key, c.key, c.value "
               "FROM json_each(?) AS t, json_each(t.value) AS r, json_each(r.value) AS c")
    await conn.exec_driver_sql(sql, list(rows))


def stored_json(text_value: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """A JSON column's value from JSON text made by ``storage.encoding``, written without decoding and
    re-encoding it: SQLite keeps the text as it is, PostgreSQL reads it as jsonb."""
    return cast(text_value, JSONB) if dialect == "postgresql" else text_value


def finding_row(report_id: int, f: Finding) -> dict[str, Any]:
    return {"report_id": report_id, "code": f.code, "severity": f.severity.value, "where": f.where,
            "message": f.message, "message_en": f.message_en, "table_id": f.table, "row_id": f.row,
            "column_id": f.column, "data": dict(f.data)}


def to_finding(row: FindingRow) -> Finding:
    return Finding.from_json({"code": row.code, "severity": row.severity, "where": row.where, "message": row.message,
                              "message_en": row.message_en, "table": row.table_id, "row": row.row_id,
                              "column": row.column_id, "data": row.data})


def counts(findings: Iterable[Finding]) -> tuple[int, int]:
    errors = warnings = 0
    for f in findings:
        if f.severity.value == "error":
            errors += 1
        elif f.severity.value == "warning":
            warnings += 1
    return errors, warnings


class AgencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, agency_id: int) -> Agency | None:
        return await self.session.get(Agency, agency_id)

    async def find(self, name: str) -> Agency | None:
        """The agency a name refers to: an exact alias first, then any alias with the same key."""
        cleaned = clean_name(name)
        if not cleaned:
            return None
        exact = await self.session.scalar(
            select(Agency).join(AgencyAlias).where(AgencyAlias.alias == cleaned).limit(1))
        return exact if exact is not None else await self._by_key(cleaned)

    async def resolve(self, printed: str, level: str = "unknown") -> Agency:
        """The agency a report printed as ``printed`` belongs to, created on first sight.

        A government's report published under its general office's name ("上海市人民政府办公厅",
        level government) belongs to the government.
        """
        printed_clean = clean_name(printed)
        government = government_of(printed) if level == "government" else None
        if government is None:
            # The usual case, a name seen before: one query. A miss means no alias is spelled so.
            agency = await self.session.scalar(
                select(Agency).join(AgencyAlias).where(AgencyAlias.alias == printed_clean).limit(1))
            if agency is None:
                agency = await self._by_key(printed_clean) or await self._create(printed_clean, level)
                if agency.name != printed_clean:
                    self.session.add(AgencyAlias(agency_id=agency.id, alias=printed_clean,
                                                 key=agency_key(printed_clean)))
        else:
            agency = await self.find(government) or await self._create(government, level)
            await self._alias(agency, printed_clean)
        if agency.level == "unknown" and level != "unknown":
            agency.level = level
        return agency

    async def _by_key(self, name: str) -> Agency | None:
        return await self.session.scalar(
            select(Agency).join(AgencyAlias).where(AgencyAlias.key == agency_key(name)).order_by(Agency.id).limit(1))

    async def _create(self, canonical: str, level: str) -> Agency:
        """A new agency whose canonical name is not yet an alias of any agency."""
        agency = Agency(name=canonical, level=level, region=region_of(canonical), created_at=utcnow())
        self.session.add(agency)
        await self.session.flush()
        self.session.add(AgencyAlias(agency_id=agency.id, alias=canonical, key=agency_key(canonical)))
        return agency

    async def _alias(self, agency: Agency, name: str) -> None:
        cleaned = clean_name(name)
        existing = await self.session.scalar(select(AgencyAlias.id).where(AgencyAlias.alias == cleaned))
        if existing is None:
            self.session.add(AgencyAlias(agency_id=agency.id, alias=cleaned, key=agency_key(cleaned)))
            await self.session.flush()

    async def add_alias(self, agency: Agency, alias: str) -> None:
        cleaned = clean_name(alias)
        existing = await self.session.scalar(select(AgencyAlias).where(AgencyAlias.alias == cleaned))
        if existing is not None and existing.agency_id != agency.id:
            other = await self.session.get(Agency, existing.agency_id)
            raise AliasConflict(cleaned, other.name if other else str(existing.agency_id))
        await self._alias(agency, cleaned)

    async def aliases(self, agency_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(AgencyAlias.alias).where(AgencyAlias.agency_id == agency_id).order_by(AgencyAlias.id))
        return list(rows)

    async def lock(self, agency_id: int) -> None:
        """Serialise writers of one agency's history (PostgreSQL row lock; SQLite writers are serial)."""
        if self.session.get_bind().dialect.name == "sqlite":
            return
        await self.session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())

    async def list(self) -> list[tuple[Agency, int]]:
        """Every agency with its number of current reports, by name."""
        n = (select(func.count(ReportRow.id)).where(ReportRow.agency_id == Agency.id, ReportRow.is_current)
             .scalar_subquery())
        rows = await self.session.execute(select(Agency, n).order_by(Agency.name))
        return [(a, int(c)) for a, c in rows.all()]

    async def move(self, source_id: int, target_id: int) -> list[int]:
        """Move everything of agency ``source_id`` to ``target_id`` and delete it; returns the report years moved.

        Every foreign key to ``agencies.id`` in the metadata follows (aliases, reports, and tables
        other modules add, such as reminder rosters), plus the denormalised ``figures.agency_id``.
        """
        years = list(await self.session.scalars(
            select(ReportRow.year).where(ReportRow.agency_id == source_id, ReportRow.year.is_not(None)).distinct()))
        agencies = Agency.__table__
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column is agencies.c.id:
                    await self.session.execute(update(table).where(fk.parent == source_id)
                                               .values({fk.parent.name: target_id}))
        await self.session.execute(update(Figure).where(Figure.agency_id == source_id).values(agency_id=target_id))
        await self.session.execute(delete(Agency).where(Agency.id == source_id))
        return sorted(years)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- reading ------------------------------------------------------------------------------

    async def get(self, report_id: int) -> ReportRow | None:
        return await self.session.get(ReportRow, report_id)

    async def by_sha256(self, sha256: str) -> ReportRow | None:
        return await self.session.scalar(select(ReportRow).where(ReportRow.sha256 == sha256))

    async def current(self, agency_id: int, year: int) -> ReportRow | None:
        return await self.session.scalar(select(ReportRow).where(
            ReportRow.agency_id == agency_id, ReportRow.year == year, ReportRow.is_current))

    async def history(self, agency_id: int, year: int) -> list[ReportRow]:
        """Every report of an agency and year, the current one first, then newest to oldest."""
        rows = await self.session.scalars(select(ReportRow).where(
            ReportRow.agency_id == agency_id, ReportRow.year == year)
            .order_by(ReportRow.is_current.desc(), ReportRow.received_at.desc(), ReportRow.id.desc()))
        return list(rows)

    async def current_reports(self) -> list[ReportRow]:
        rows = await self.session.scalars(select(ReportRow).where(ReportRow.is_current)
                                          .order_by(ReportRow.agency_name, ReportRow.year, ReportRow.id))
        return list(rows)

    async def ids(self) -> list[int]:
        return list(await self.session.scalars(select(ReportRow.id).order_by(ReportRow.id)))

    async def original(self, report_id: int) -> bytes:
        return await self.session.scalar(select(ReportRow.original).where(ReportRow.id == report_id))

    async def parsed(self, report_id: int) -> dict[str, Any]:
        return await self.session.scalar(select(ReportRow.parsed).where(ReportRow.id == report_id))

    async def findings(self, report_id: int) -> list[Finding]:
        rows = await self.session.scalars(select(FindingRow).where(FindingRow.report_id == report_id)
                                          .order_by(FindingRow.id))
        return [to_finding(r) for r in rows]

    async def figures(self, report_id: int) -> dict[tuple[str, str, str], float]:
        rows = await self.session.execute(select(Figure.table_id, Figure.row_id, Figure.column_id, Figure.value)
                                          .where(Figure.report_id == report_id, Figure.table_id != DERIVED))
        return {(t, r, c): v for t, r, c, v in rows.all()}

    async def load(self, report_id: int) -> Report | None:
        """The stored report as a domain ``Report``, with the findings the store holds (carry-over included)."""
        parsed = await self.parsed(report_id)
        if parsed is None:
            return None
        report = Report.from_json(parsed)
        report.findings = await self.findings(report_id)
        return report

    # ---- writing ------------------------------------------------------------------------------

    async def add(self, report: Report, original: bytes, *, agency: Agency | None, parser_version: str,
                  uploaded_by: int | None = None, received_at: datetime | None = None,
                  encoded: Encoded | None = None) -> ReportRow:
        """Insert a report with its figures and findings; it starts as current (see ``settle``)."""
        encoded = encoded or encode(report)
        errors, warnings = counts(report.findings)
        row = ReportRow(
            agency_id=agency.id if agency else None, agency_name=report.agency, year=report.year,
            template=report.template, level=report.level, published_on=report.published_on, title=report.title,
            source_file=report.source.file, source_shape=report.source.shape, source_url=report.source.url,
            sha256=report.source.sha256, original=original, parsed=self._json(encoded.parsed),
            carry=encoded.carry.to_json(), parser_version=parser_version,
            received_at=received_at or utcnow(), uploaded_by=uploaded_by, is_current=True,
            error_count=errors, warning_count=warnings)
        self.session.add(row)
        await self.session.flush()
        await self._insert_figures(row, encoded)
        await self._insert_findings(row.id, report.findings)
        return row

    def _json(self, text_value: str) -> ColumnElement[Any]:
        return stored_json(literal(text_value, Text()), self.session.get_bind().dialect.name)

    async def _insert_figures(self, row: ReportRow, encoded: Encoded) -> None:
        await insert_figures(self.session, [(row.id, row.agency_id, row.year, row.is_current, encoded.figures)])

    async def _insert_findings(self, report_id: int, findings: Sequence[Finding]) -> None:
        if findings:
            await self.session.execute(insert(FindingRow.__table__), [finding_row(report_id, f) for f in findings])

    async def replace_analysis(self, row: ReportRow, report: Report, *, parser_version: str,
                               agency: Agency | None) -> None:
        """Swap a stored report's parse (figures, own findings, metadata) for a new one; carry-over is redone later."""
        await self.session.execute(delete(Figure).where(Figure.report_id == row.id))
        # Carry-over findings belong to the pair of reports, not to this parse: ``refresh_carryover`` redoes them.
        await self.session.execute(delete(FindingRow).where(FindingRow.report_id == row.id,
                                                            FindingRow.code != CARRYOVER))
        row.agency_id = agency.id if agency else None
        row.agency_name, row.year, row.template, row.level = report.agency, report.year, report.template, report.level
        encoded = encode(report)
        row.published_on, row.title, row.parsed = report.published_on, report.title, self._json(encoded.parsed)
        row.carry = encoded.carry.to_json()
        row.parser_version = parser_version
        if row.agency_id is None or row.year is None:
            row.is_current, row.superseded_by = True, None
        await self.session.flush()
        await self._insert_figures(row, encoded)
        await self._insert_findings(row.id, report.findings)
        await self.recount([row.id])

    async def settle(self, agency_id: int, year: int) -> list[int]:
        """Make the most recently received report of an agency and year current; returns the ids superseded now.

        Older reports stay as history: ``is_current`` false, ``superseded_by`` the current one, and
        their figures' ``is_current`` follows.
        """
        rows = list(await self.session.execute(
            select(ReportRow.id, ReportRow.is_current, ReportRow.superseded_by)
            .where(ReportRow.agency_id == agency_id, ReportRow.year == year)
            .order_by(ReportRow.received_at.desc(), ReportRow.id.desc())))
        if not rows:
            return []
        current_id = rows[0].id
        newly = [r.id for r in rows[1:] if r.is_current]
        stale = [r.id for r in rows[1:] if r.is_current or r.superseded_by != current_id]
        if stale:
            await self.session.execute(update(ReportRow).where(ReportRow.id.in_(stale))
                                       .values(is_current=False, superseded_by=current_id))
        if newly:
            await self.session.execute(update(Figure).where(Figure.report_id.in_(newly)).values(is_current=False))
        if not rows[0].is_current or rows[0].superseded_by is not None:
            await self.session.execute(update(ReportRow).where(ReportRow.id == current_id)
                                       .values(is_current=True, superseded_by=None))
            await self.session.execute(update(Figure).where(Figure.report_id == current_id).values(is_current=True))
        return newly

    async def refresh_carryover(self, agency_id: int, years: Iterable[int]) -> list[tuple[int, Finding]]:
        """Recompute CARRYOVER_MISMATCH on the current reports of ``years`` and their neighbours.

        The rule needs both years, so whichever report arrives second triggers it, and the findings
        are stored on both reports. Findings on superseded reports are left as history. Returns the
        carry-over findings now stored, as (report id, finding).
        """
        touched = {y + d for y in years for d in (-1, 0, 1)}
        span = {y + d for y in touched for d in (-1, 0, 1)}
        by_year = await self._carry_reports(agency_id, span)
        ids = [by_year[y][0] for y in touched if y in by_year]
        if not ids:
            return []
        cleared = await self.session.execute(
            delete(FindingRow).where(FindingRow.report_id.in_(ids), FindingRow.code == CARRYOVER))
        if len(by_year) < 2:
            # No pair left (e.g. the other year was deleted or moved): only stale findings to drop.
            if cleared.rowcount:
                await self.recount(ids)
            return []
        new: list[tuple[int, Finding]] = []
        for year in sorted(touched):
            if year not in by_year:
                continue
            report_id, _ = by_year[year]
            for prev_year, cur_year in ((year - 1, year), (year, year + 1)):
                if prev_year in by_year and cur_year in by_year:
                    found = compare_carryover(by_year[prev_year][1], by_year[cur_year][1])
                    new.extend((report_id, f) for f in found)
        if new:
            await self.session.execute(insert(FindingRow.__table__), [finding_row(rid, f) for rid, f in new])
        await self.recount(ids)
        return new

    async def _carry_reports(self, agency_id: int, years: set[int]) -> dict[int, tuple[int, CarryFigures]]:
        """year → (id, what the carry-over rule reads) of the current reports of ``years``."""
        result = await self.session.execute(
            select(ReportRow.id, ReportRow.year, ReportRow.carry)
            .where(ReportRow.agency_id == agency_id, ReportRow.is_current, ReportRow.year.in_(years)))
        return {year: (rid, CarryFigures.from_json(year, carry)) for rid, year, carry in result.all()}

    async def recount(self, ids: list[int]) -> None:
        """Refresh the error and warning counts of reports from their stored findings."""
        def n(severity: str) -> Any:
            return (select(func.count(FindingRow.id))
                    .where(FindingRow.report_id == ReportRow.id, FindingRow.severity == severity)
                    .correlate(ReportRow).scalar_subquery())

        await self.session.execute(update(ReportRow).where(ReportRow.id.in_(ids))
                                   .values(error_count=n("error"), warning_count=n("warning")))
