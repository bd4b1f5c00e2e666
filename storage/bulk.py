"""Store many analysed reports in one transaction with a handful of statements.

``BulkWriter.store`` gives exactly the result of storing the reports one by one in order
(``services.store._store``: duplicates, agency resolution, history, carry-over, counts), but it reads
what it needs with one query per kind, works out the sequence in memory, and writes with Core
executemany (SQLAlchemy's insertmanyvalues): per batch about fifteen statements instead of about
eleven per report. The caller owns the transaction, so a batch lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reports.checks import CarryFigures, compare_carryover
from reports.model import Finding, Report

from .encoding import Encoded, encode
from .models import Agency, AgencyAlias, Figure, FindingRow, ReportRow, utcnow
from .names import agency_key, clean_name, government_of, region_of
from .repository import (
    CARRYOVER,
    ReportRepository,
    counts,
    finding_row,
    insert_figures,
    stored_json,
    to_finding,
)


@dataclass(slots=True)
class AgencyRef:
    id: int              # negative while the agency is still to be inserted
    name: str
    level: str


@dataclass(slots=True)
class Item:
    """One report to store, in the order it arrived."""

    report: Report
    original: bytes
    received_at: datetime
    encoded: Encoded | None = None     # ``encode(report)``, when the analysing process made it already


@dataclass(slots=True)
class Stored:
    """What storing one item did (``services.store`` turns it into a ``ReportOutcome``)."""

    duplicate: bool
    report_id: int
    agency: AgencyRef | None = None
    agency_printed: str | None = None
    year: int | None = None
    template: str | None = None
    level: str = "unknown"
    findings: list[Finding] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """A report of an (agency, year) as the history rule sees it."""

    id: int
    received_at: datetime
    is_current: bool
    superseded_by: int | None


class _Agencies:
    """``AgencyRepository.resolve`` for a batch: one query up front, new rows inserted at the end."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.by_alias: dict[str, int] = {}
        self.by_key: dict[str, int] = {}         # the lowest agency id with an alias of that key
        self.known: dict[int, AgencyRef] = {}
        self.new: list[AgencyRef] = []
        self.new_aliases: list[tuple[int, str]] = []
        self.level_set: set[int] = set()

    async def load(self, names: Sequence[tuple[str, str]]) -> None:
        aliases: set[str] = set()
        for printed, level in names:
            cleaned = clean_name(printed)
            aliases.add(cleaned)
            government = government_of(printed) if level == "government" else None
            if government is not None:
                aliases.add(clean_name(government))
        keys = {agency_key(a) for a in aliases}
        if not aliases:
            return
        rows = await self.session.execute(
            select(AgencyAlias.alias, AgencyAlias.key, Agency.id, Agency.name, Agency.level)
            .join(Agency, Agency.id == AgencyAlias.agency_id)
            .where(or_(AgencyAlias.alias.in_(aliases), AgencyAlias.key.in_(keys))))
        for alias, key, agency_id, name, level in rows.all():
            self.known.setdefault(agency_id, AgencyRef(agency_id, name, level))
            self.by_alias[alias] = agency_id
            if key not in self.by_key or agency_id < self.by_key[key]:
                self.by_key[key] = agency_id

    def _find(self, cleaned: str) -> AgencyRef | None:
        agency_id = self.by_alias.get(cleaned)
        if agency_id is None:
            agency_id = self.by_key.get(agency_key(cleaned))
        return self.known[agency_id] if agency_id is not None else None

    def _create(self, canonical: str, level: str) -> AgencyRef:
        ref = AgencyRef(-(len(self.new) + 1), canonical, level)
        self.new.append(ref)
        self.known[ref.id] = ref
        self._add_alias(ref, canonical)
        return ref

    def _add_alias(self, ref: AgencyRef, alias: str) -> None:
        self.by_alias[alias] = ref.id
        key = agency_key(alias)
        current = self.by_key.get(key)
        if current is None or _id_order(ref.id) < _id_order(current):
            self.by_key[key] = ref.id
        self.new_aliases.append((ref.id, alias))

    def resolve(self, printed: str, level: str) -> AgencyRef:
        """Same decisions as ``AgencyRepository.resolve``, against the batch's view of the aliases."""
        printed_clean = clean_name(printed)
        government = government_of(printed) if level == "government" else None
        if government is None:
            agency_id = self.by_alias.get(printed_clean)
            if agency_id is not None:
                ref = self.known[agency_id]
            else:
                ref = self._find_by_key(printed_clean) or self._create(printed_clean, level)
                if ref.name != printed_clean:
                    self._add_alias(ref, printed_clean)
        else:
            cleaned_government = clean_name(government)
            ref = (self._find(cleaned_government) if cleaned_government else None) or self._create(government, level)
            if printed_clean not in self.by_alias:
                self._add_alias(ref, printed_clean)
        if ref.level == "unknown" and level != "unknown":
            ref.level = level
            if ref.id > 0:
                self.level_set.add(ref.id)
        return ref

    def _find_by_key(self, cleaned: str) -> AgencyRef | None:
        agency_id = self.by_key.get(agency_key(cleaned))
        return self.known[agency_id] if agency_id is not None else None

    async def flush(self) -> None:
        """Insert the new agencies and aliases and give every reference its real id."""
        if self.new:
            now = utcnow()
            table = Agency.__table__
            # No RETURNING (SQLite would run it row by row to keep the order): the new ids by their unique names.
            await self.session.execute(insert(table), [
                {"name": a.name, "level": a.level, "region": region_of(a.name), "created_at": now} for a in self.new])
            ids = dict((await self.session.execute(select(table.c.name, table.c.id).where(
                table.c.name.in_([a.name for a in self.new])))).tuples().all())
            for ref in self.new:
                ref.id = ids[ref.name]
        if self.new_aliases:
            await self.session.execute(insert(AgencyAlias.__table__), [
                {"agency_id": self.known[placeholder].id, "alias": alias, "key": agency_key(alias)}
                for placeholder, alias in self.new_aliases])
        if self.level_set:
            table = Agency.__table__
            await self.session.execute(
                update(table).where(table.c.id == bindparam("b_id")).values(level=bindparam("b_level")),
                [{"b_id": i, "b_level": self.known[i].level} for i in sorted(self.level_set)])

    async def lock(self, ids: set[int]) -> None:
        """Serialise writers of these agencies' histories (PostgreSQL row locks; SQLite writers are serial)."""
        if not ids or self.session.get_bind().dialect.name == "sqlite":
            return
        await self.session.execute(select(Agency.id).where(Agency.id.in_(sorted(ids)))
                                   .order_by(Agency.id).with_for_update())


def _id_order(agency_id: int) -> tuple[int, int]:
    """Agencies in id order, placeholders (-1, -2, …) after every stored one: they are inserted later, in order."""
    return (0, agency_id) if agency_id > 0 else (1, -agency_id)


class BulkWriter:
    """Writes a batch of reports inside the caller's transaction."""

    def __init__(self, session: AsyncSession, *, parser_version: str, uploaded_by: int | None = None) -> None:
        self.session = session
        self.parser_version = parser_version
        self.uploaded_by = uploaded_by
        self._stored_current: dict[tuple[int, int], int] = {}   # (agency, year) → stored current report

    async def store(self, items: Sequence[Item]) -> list[Stored]:
        session = self.session
        # ---- duplicates: one query for the batch ----------------------------------------------
        shas = {it.report.source.sha256 for it in items}
        stored_rows = {r.sha256: r for r in (await session.execute(
            select(ReportRow.id, ReportRow.sha256, ReportRow.agency_id, ReportRow.agency_name, ReportRow.year,
                   ReportRow.template, ReportRow.level).where(ReportRow.sha256.in_(shas)))).all()}
        fresh: list[int] = []                # indexes of the items to insert
        first_of: dict[str, int] = {}        # sha → index of the item that inserts it
        for i, it in enumerate(items):
            sha = it.report.source.sha256
            if sha not in stored_rows and sha not in first_of:
                first_of[sha] = i
                fresh.append(i)

        # ---- agencies ----------------------------------------------------------------------------
        agencies = _Agencies(session)
        stored_agency_ids = {r.agency_id for r in stored_rows.values() if r.agency_id is not None}
        await agencies.load([(items[i].report.agency, items[i].report.level) for i in fresh
                             if items[i].report.agency])
        refs: dict[int, AgencyRef | None] = {
            i: agencies.resolve(items[i].report.agency, items[i].report.level) if items[i].report.agency else None
            for i in fresh}
        await agencies.flush()
        await agencies.lock({r.id for r in refs.values() if r is not None})
        missing = stored_agency_ids - set(agencies.known)
        if missing:
            for agency_id, name, level in (await session.execute(
                    select(Agency.id, Agency.name, Agency.level).where(Agency.id.in_(missing)))).all():
                agencies.known[agency_id] = AgencyRef(agency_id, name, level)

        # ---- reports, figures, findings: three executemany statements -------------------------
        encoded = {i: items[i].encoded or encode(items[i].report) for i in fresh}
        report_ids: dict[int, int] = {}
        if fresh:
            table = ReportRow.__table__
            rows = []
            for i in fresh:
                it, ref = items[i], refs[i]
                report = it.report
                errors, warnings = counts(report.findings)
                rows.append({
                    "agency_id": ref.id if ref else None, "agency_name": report.agency, "year": report.year,
                    "template": report.template, "level": report.level, "published_on": report.published_on,
                    "title": report.title, "source_file": report.source.file, "source_shape": report.source.shape,
                    "source_url": report.source.url, "sha256": report.source.sha256, "original": it.original,
                    "parsed_text": encoded[i].parsed, "carry": encoded[i].carry.to_json(),
                    "parser_version": self.parser_version,
                    "received_at": it.received_at, "uploaded_by": self.uploaded_by, "superseded_by": None,
                    "is_current": True, "error_count": errors, "warning_count": warnings})
            # No RETURNING: one executemany, then the new ids by their (unique) sha256.
            parsed = stored_json(bindparam("parsed_text", type_=Text()), session.get_bind().dialect.name)
            await session.execute(insert(table).values(parsed=parsed), rows)
            ids = dict((await session.execute(select(table.c.sha256, table.c.id).where(
                table.c.sha256.in_([items[i].report.source.sha256 for i in fresh])))).tuples().all())
            report_ids = {i: ids[items[i].report.source.sha256] for i in fresh}
            own: list[dict[str, Any]] = []
            figures: list[tuple[int, int | None, int | None, bool, str]] = []
            for i in fresh:
                report, ref, rid = items[i].report, refs[i], report_ids[i]
                figures.append((rid, ref.id if ref else None, report.year, True, encoded[i].figures))
                own.extend(finding_row(rid, f) for f in report.findings)
            await insert_figures(session, figures)
            if own:
                await session.execute(insert(FindingRow.__table__), own)

        # ---- history and carry-over, worked out in order in memory ---------------------------
        pairs = {(refs[i].id, items[i].report.year) for i in fresh
                 if refs[i] is not None and items[i].report.year is not None}
        history = await self._history(pairs, set(report_ids.values()))
        before = {row.id: (row.is_current, row.superseded_by) for rows in history.values() for row in rows}
        carry_docs, self._stored_current = await self._carry_docs({a for a, _ in pairs})
        carry: dict[int, list[Finding]] = {}       # report id → its carry-over findings, when recomputed
        for i in fresh:
            rid = report_ids[i]
            carry_docs[rid] = encoded[i].carry
        dup_findings = await self._stored_findings([r.id for r in stored_rows.values()])

        out: list[Stored] = []
        for i, it in enumerate(items):
            report = it.report
            sha = report.source.sha256
            if i not in report_ids:
                out.append(self._duplicate(sha, stored_rows, first_of, report_ids, items, refs, agencies,
                                           dup_findings, carry))
                continue
            rid, ref = report_ids[i], refs[i]
            newly: list[int] = []
            carried: list[Finding] = []
            if ref is not None and report.year is not None:
                rows = history.setdefault((ref.id, report.year), [])
                rows.append(_Row(rid, it.received_at, True, None))
                before[rid] = (True, None)
                newly = self._settle(rows)
                carried = [f for target, f in self._carryover(ref.id, report.year, history, carry_docs, carry)
                           if target == rid]
            out.append(Stored(False, rid, ref, report.agency, report.year, report.template, report.level,
                              list(report.findings) + carried, newly))

        await self._write_history(history, before)
        await self._write_carry(carry)
        return out

    # ---- pieces -------------------------------------------------------------------------------

    def _duplicate(self, sha: str, stored_rows: dict[str, Any], first_of: dict[str, int], report_ids: dict[int, int],
                   items: Sequence[Item], refs: dict[int, AgencyRef | None], agencies: _Agencies,
                   dup_findings: dict[int, list[Finding]], carry: dict[int, list[Finding]]) -> Stored:
        if sha in stored_rows:
            row = stored_rows[sha]
            ref = agencies.known.get(row.agency_id) if row.agency_id is not None else None
            findings = dup_findings.get(row.id, [])
            if row.id in carry:
                # Its carry-over was redone earlier in this batch: the store now lists those last.
                findings = [f for f in findings if f.code != CARRYOVER] + carry[row.id]
            return Stored(True, row.id, ref, row.agency_name, row.year, row.template, row.level, list(findings))
        first = first_of[sha]
        original = items[first].report
        rid = report_ids[first]
        findings = list(original.findings) + list(carry.get(rid, []))
        return Stored(True, rid, refs[first], original.agency, original.year, original.template, original.level,
                      findings)

    async def _history(self, pairs: set[tuple[int, int]], inserted: set[int]) -> dict[tuple[int, int], list[_Row]]:
        """The stored reports of these (agency, year) pairs, without the ones this batch inserted."""
        history: dict[tuple[int, int], list[_Row]] = {p: [] for p in pairs}
        if not pairs:
            return history
        agency_ids = {a for a, _ in pairs}
        years = {y for _, y in pairs}
        result = await self.session.execute(
            select(ReportRow.id, ReportRow.agency_id, ReportRow.year, ReportRow.received_at, ReportRow.is_current,
                   ReportRow.superseded_by)
            .where(ReportRow.agency_id.in_(agency_ids), ReportRow.year.in_(years)))
        for r in result.all():
            key = (r.agency_id, r.year)
            if key in history and r.id not in inserted:
                history[key].append(_Row(r.id, r.received_at, r.is_current, r.superseded_by))
        return history

    @staticmethod
    def _settle(rows: list[_Row]) -> list[int]:
        """``ReportRepository.settle`` on the in-memory rows of one agency and year."""
        rows.sort(key=lambda r: (r.received_at, r.id), reverse=True)
        current = rows[0]
        newly = [r.id for r in rows[1:] if r.is_current]
        for r in rows[1:]:
            r.is_current, r.superseded_by = False, current.id
        current.is_current, current.superseded_by = True, None
        return newly

    async def _carry_docs(self, agency_ids: set[int]) -> tuple[dict[int, CarryFigures], dict[tuple[int, int], int]]:
        """What the carry-over rule reads of the stored current reports of these agencies, by report id,
        and those reports' ids by (agency, year)."""
        if not agency_ids:
            return {}, {}
        result = await self.session.execute(
            select(ReportRow.id, ReportRow.agency_id, ReportRow.year, ReportRow.carry)
            .where(ReportRow.agency_id.in_(agency_ids), ReportRow.is_current, ReportRow.year.is_not(None)))
        docs: dict[int, CarryFigures] = {}
        current: dict[tuple[int, int], int] = {}
        for rid, agency_id, year, carry in result.all():
            current[(agency_id, year)] = rid
            docs[rid] = CarryFigures.from_json(year, carry)
        return docs, current

    def _carryover(self, agency_id: int, year: int, history: dict[tuple[int, int], list[_Row]],
                   carry_docs: dict[int, CarryFigures], carry: dict[int, list[Finding]]) -> list[tuple[int, Finding]]:
        """``ReportRepository.refresh_carryover(agency_id, [year])`` against the in-memory state."""
        touched = {year + d for d in (-1, 0, 1)}
        span = {y + d for y in touched for d in (-1, 0, 1)}
        by_year: dict[int, tuple[int, CarryFigures]] = {}
        for y in span:
            rid = self._current(agency_id, y, history)
            if rid is not None:
                by_year[y] = (rid, carry_docs[rid])
        ids = [by_year[y][0] for y in touched if y in by_year]
        if not ids:
            return []
        if len(by_year) < 2:
            for rid in ids:
                carry[rid] = []
            return []
        new: list[tuple[int, Finding]] = []
        fresh: dict[int, list[Finding]] = {rid: [] for rid in ids}
        pairs: dict[int, list[Finding]] = {}       # a pair's findings are shown on both of its reports
        for y in sorted(touched):
            if y not in by_year:
                continue
            rid, _ = by_year[y]
            for prev_year, cur_year in ((y - 1, y), (y, y + 1)):
                if prev_year in by_year and cur_year in by_year:
                    if prev_year not in pairs:
                        pairs[prev_year] = compare_carryover(by_year[prev_year][1], by_year[cur_year][1])
                    found = pairs[prev_year]
                    new.extend((rid, f) for f in found)
                    fresh[rid].extend(found)
        carry.update(fresh)
        return new

    def _current(self, agency_id: int, year: int, history: dict[tuple[int, int], list[_Row]]) -> int | None:
        rows = history.get((agency_id, year))
        if rows is not None:
            current = [r.id for r in rows if r.is_current]
            return current[0] if current else None
        # A year this batch does not touch: its stored current report, if any.
        return self._stored_current.get((agency_id, year))

    async def _stored_findings(self, ids: list[int]) -> dict[int, list[Finding]]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(FindingRow).where(FindingRow.report_id.in_(ids))
                                          .order_by(FindingRow.id))
        out: dict[int, list[Finding]] = {}
        for row in rows:
            out.setdefault(row.report_id, []).append(to_finding(row))
        return out

    async def _write_history(self, history: dict[tuple[int, int], list[_Row]],
                             before: dict[int, tuple[bool, int | None]]) -> None:
        changed = [r for rows in history.values() for r in rows if before[r.id] != (r.is_current, r.superseded_by)]
        if not changed:
            return
        table = ReportRow.__table__
        await self.session.execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values(is_current=bindparam("b_current"), superseded_by=bindparam("b_by")),
            [{"b_id": r.id, "b_current": r.is_current, "b_by": r.superseded_by} for r in changed])
        for flag in (False, True):
            ids = [r.id for r in changed if r.is_current is flag and before[r.id][0] is not flag]
            if ids:
                await self.session.execute(update(Figure).where(Figure.report_id.in_(ids)).values(is_current=flag))

    async def _write_carry(self, carry: dict[int, list[Finding]]) -> None:
        if carry:
            ids = sorted(carry)
            await self.session.execute(delete(FindingRow).where(FindingRow.report_id.in_(ids),
                                                                FindingRow.code == CARRYOVER))
            rows = [finding_row(rid, f) for rid in ids for f in carry[rid]]
            if rows:
                await self.session.execute(insert(FindingRow.__table__), rows)
            # Counts include carry-over findings; the new reports' own findings are counted already.
            await ReportRepository(self.session).recount(ids)
