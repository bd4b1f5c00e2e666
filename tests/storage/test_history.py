"""Dedup, supersede and history, carry-over in both arrival orders, agency identity — on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from services.agencies import AgencyNotFound, SameAgency, add_alias, list_agencies, merge
from services.store import store_report
from storage.db import downgrade
from storage.models import Agency, Figure, FindingRow, ReportRow
from storage.repository import AgencyRepository, AliasConflict, ReportRepository
from tests.storage.support import make_report, original_of

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


def clock_from(start: datetime):
    ticks = iter(range(10_000))
    return lambda: start + timedelta(minutes=next(ticks))


async def store(db, report, clock=None):
    return await store_report(db, report, original_of(report), clock=clock or clock_from(T0))


async def test_same_bytes_twice_is_a_duplicate(db):
    report = make_report("某市统计局", 2020)
    first = await store(db, report)
    again = await store(db, make_report("某市统计局", 2020))
    assert first.status == "stored" and first.report_id
    assert again.status == "duplicate"
    assert again.report_id == first.report_id
    assert "已存储" in again.message and "already stored" in again.message_en
    async with db.transaction(write=False) as s:
        assert await s.scalar(select(func.count(ReportRow.id))) == 1
        row = await ReportRepository(s).get(first.report_id)
        assert await ReportRepository(s).original(row.id) == original_of(report)
        assert row.parser_version and row.received_at.tzinfo is not None


async def test_new_report_for_same_agency_and_year_supersedes_and_keeps_history(db):
    clock = clock_from(T0)
    old = await store(db, make_report("某市统计局", 2020, new=5), clock)
    new = await store(db, make_report("某市统计局", 2020, new=7, tag="v2"), clock)
    assert new.status == "superseded" and new.superseded == [old.report_id]
    assert "旧报告" in new.message
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        history = await repo.history(new.agency_id, 2020)
        assert [r.id for r in history] == [new.report_id, old.report_id]
        assert history[0].is_current and history[0].superseded_by is None
        assert not history[1].is_current and history[1].superseded_by == new.report_id
        flags = dict((await s.execute(select(Figure.report_id, Figure.is_current).distinct())).all())
        assert flags == {new.report_id: True, old.report_id: False}
        current = await repo.current(new.agency_id, 2020)
        assert current.id == new.report_id
        assert (await repo.figures(old.report_id))[("requests", "new", "total")] == 5
        assert (await repo.figures(new.report_id))[("requests", "new", "total")] == 7


@pytest.mark.parametrize("order", ["previous_first", "current_first"])
async def test_carryover_mismatch_on_both_reports_whichever_arrives_first(db, order):
    prev = make_report("平潭综合实验区", 2019, level="government", carried_forward=3)
    cur = make_report("平潭综合实验区", 2020, level="government", carried_over=5)
    clock = clock_from(T0)
    first, second = (prev, cur) if order == "previous_first" else (cur, prev)
    a = await store(db, first, clock)
    assert "CARRYOVER_MISMATCH" not in [f.code for f in a.findings]
    b = await store(db, second, clock)
    assert [f.code for f in b.findings].count("CARRYOVER_MISMATCH") == 1
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        for outcome in (a, b):
            codes = [f.code for f in await repo.findings(outcome.report_id)]
            assert codes.count("CARRYOVER_MISMATCH") == 1
            row = await repo.get(outcome.report_id)
            assert row.warning_count >= 1
        loaded = await repo.load(a.report_id)
        mismatch = next(f for f in loaded.findings if f.code == "CARRYOVER_MISMATCH")
        assert mismatch.data["previous_year"] == 2019 and mismatch.data["year"] == 2020


async def test_consistent_carryover_gives_no_finding(db):
    await store(db, make_report("某县教育局", 2020, carried_forward=4))
    b = await store(db, make_report("某县教育局", 2021, carried_over=4))
    assert "CARRYOVER_MISMATCH" not in [f.code for f in b.findings]


async def test_superseding_replaces_stale_carryover_findings(db):
    clock = clock_from(T0)
    prev = await store(db, make_report("某县教育局", 2020, carried_forward=3), clock)
    wrong = await store(db, make_report("某县教育局", 2021, carried_over=5), clock)
    fixed = await store(db, make_report("某县教育局", 2021, carried_over=3, tag="corrected"), clock)
    assert fixed.status == "superseded"
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        assert "CARRYOVER_MISMATCH" not in [f.code for f in await repo.findings(prev.report_id)]
        assert "CARRYOVER_MISMATCH" not in [f.code for f in await repo.findings(fixed.report_id)]
        # The superseded report keeps the findings it had as history.
        assert "CARRYOVER_MISMATCH" in [f.code for f in await repo.findings(wrong.report_id)]
        assert (await repo.get(prev.report_id)).warning_count == 0


async def test_agency_aliases_meet_spelling_variants(db):
    a = await store(db, make_report("平潭综合实验区", 2019, level="government"))
    b = await store(db, make_report("平潭综合实验区管委会", 2020, level="government"))
    c = await store(db, make_report("平潭综合实验区 管委会", 2021, level="government"))
    assert a.agency_id == b.agency_id == c.agency_id
    assert a.agency == "平潭综合实验区"
    async with db.transaction(write=False) as s:
        aliases = await AgencyRepository(s).aliases(a.agency_id)
        assert set(aliases) == {"平潭综合实验区", "平潭综合实验区管委会"}
        agency = await s.get(Agency, a.agency_id)
        assert agency.level == "government" and agency.region == "平潭综合实验区"


async def test_general_office_report_belongs_to_the_government(db):
    office = await store(db, make_report("上海市人民政府办公厅", 2019, level="government"))
    gov = await store(db, make_report("上海市人民政府", 2020, level="government"))
    assert office.agency == "上海市人民政府"
    assert gov.agency_id == office.agency_id
    assert office.agency_printed == "上海市人民政府办公厅"
    # A department-level report by a general office is that office's own.
    dept = await store(db, make_report("某县人民政府办公室", 2020, level="department"))
    assert dept.agency == "某县人民政府办公室"


async def test_different_bodies_stay_apart(db):
    a = await store(db, make_report("桃江县松木塘镇人民政府", 2022, level="town"))
    b = await store(db, make_report("桃江县松木塘镇", 2023, level="town"))
    c = await store(db, make_report("桃江县教育局", 2022))
    assert a.agency_id == b.agency_id != c.agency_id


async def test_report_without_agency_is_kept(db):
    report = make_report("某单位", 2020)
    report.agency = None
    outcome = await store(db, report)
    assert outcome.status == "stored" and outcome.agency_id is None
    async with db.transaction(write=False) as s:
        row = await ReportRepository(s).get(outcome.report_id)
        assert row.is_current and row.agency_id is None


async def test_merge_moves_reports_and_aliases_and_redoes_history(db):
    clock = clock_from(T0)
    x19 = await store(db, make_report("甲县统计局", 2019, carried_forward=2), clock)
    x20 = await store(db, make_report("甲县统计局", 2020, carried_over=2, new=1), clock)
    y20 = await store(db, make_report("甲县统计局（原）", 2020, carried_over=9, new=3), clock)   # later
    await store(db, make_report("甲县统计局（原）", 2021, carried_over=0), clock)
    assert x19.agency_id != y20.agency_id
    result = await merge(db, "甲县统计局", y20.agency_id)
    assert result.removed == "甲县统计局原" and result.reports_moved == 2
    assert result.superseded == [x20.report_id]
    assert "甲县统计局原" in result.kept.aliases
    async with db.transaction(write=False) as s:
        assert await s.get(Agency, y20.agency_id) is None
        repo = ReportRepository(s)
        assert (await repo.current(x19.agency_id, 2020)).id == y20.report_id
        assert {r.agency_id for r in await repo.current_reports()} == {x19.agency_id}
        assert await s.scalar(select(func.count(Figure.id)).where(Figure.agency_id == y20.agency_id)) == 0
        # 2019 carried 2 forward; the current 2020 (y20) says 9 were carried over: flagged on both.
        assert "CARRYOVER_MISMATCH" in [f.code for f in await repo.findings(x19.report_id)]
        assert "CARRYOVER_MISMATCH" in [f.code for f in await repo.findings(y20.report_id)]
    found = await AgencyRepositoryLookup(db).find("甲县统计局（原）")
    assert found == x19.agency_id
    with pytest.raises(SameAgency):
        await merge(db, x19.agency_id, "甲县统计局（原）")
    with pytest.raises(AgencyNotFound):
        await merge(db, x19.agency_id, "乙县统计局")


class AgencyRepositoryLookup:
    def __init__(self, db) -> None:
        self.db = db

    async def find(self, name: str) -> int | None:
        async with self.db.transaction(write=False) as s:
            agency = await AgencyRepository(s).find(name)
            return agency.id if agency else None


async def test_alias_added_by_hand_resolves_later_reports(db):
    a = await store(db, make_report("丙市人民政府", 2020, level="government"))
    summary = await add_alias(db, a.agency_id, "丙市政府")
    assert "丙市政府" in summary.aliases
    b = await store(db, make_report("丙市政府", 2021, level="government"))
    assert b.agency_id == a.agency_id
    other = await store(db, make_report("丁市人民政府", 2021, level="government"))
    with pytest.raises(AliasConflict):
        await add_alias(db, other.agency_id, "丙市政府")
    listing = {x.name: x for x in await list_agencies(db)}
    assert listing["丙市人民政府"].current_reports == 2


async def test_findings_rows_keep_location(db):
    report = make_report("某市统计局", 2020)
    from reports.model import Finding, Severity
    report.findings = [Finding("ROW_TOTAL", Severity.ERROR, "表三 · 一", "不一致", "mismatch", "requests", "new",
                               "total", {"printed": 5, "sum": 6})]
    outcome = await store(db, report)
    async with db.transaction(write=False) as s:
        row = await s.scalar(select(FindingRow).where(FindingRow.report_id == outcome.report_id))
        assert (row.table_id, row.row_id, row.column_id, row.data) == ("requests", "new", "total",
                                                                      {"printed": 5, "sum": 6})
        assert (await ReportRepository(s).get(outcome.report_id)).error_count == 1


async def test_carryover_findings_go_when_the_pair_goes(db):
    prev = await store(db, make_report("某县教育局", 2020, carried_forward=3))
    cur = await store(db, make_report("某县教育局", 2021, carried_over=5))
    async with db.transaction() as s:
        repo = ReportRepository(s)
        await s.execute(delete(ReportRow).where(ReportRow.id == cur.report_id))
        await repo.refresh_carryover(prev.agency_id, [2021])
    async with db.transaction(write=False) as s:
        repo = ReportRepository(s)
        assert "CARRYOVER_MISMATCH" not in [f.code for f in await repo.findings(prev.report_id)]
        assert (await repo.get(prev.report_id)).warning_count == 0


async def test_concurrent_writers_keep_one_current_report(db):
    import asyncio

    reports = [make_report("并发市统计局", 2020, new=n) for n in range(1, 5)] + \
              [make_report("并发市统计局", 2021, carried_over=9)]
    clock = clock_from(T0)
    outcomes = await asyncio.gather(*(store(db, r, clock) for r in reports))
    assert sorted(o.status for o in outcomes).count("failed") == 0
    assert len({o.agency_id for o in outcomes}) == 1
    async with db.transaction(write=False) as s:
        current = list(await s.scalars(select(ReportRow.year).where(ReportRow.is_current)))
        assert sorted(current) == [2020, 2021]
        assert await s.scalar(select(func.count(Agency.id))) == 1


async def test_carry_column_backfilled_by_migration_gives_the_same_findings(db):
    """Migration 0007 fills ``reports.carry`` of a store written before it from the stored cells."""
    clock = clock_from(T0)
    a = await store(db, make_report("某县教育局", 2020, carried_forward=3), clock)
    b = await store(db, make_report("某县教育局", 2021, carried_over=5), clock)
    async with db.transaction(write=False) as s:
        written = dict((await s.execute(select(ReportRow.id, ReportRow.carry))).tuples().all())
    assert written[a.report_id]["carried_forward"]["total"] == 3
    await downgrade(db.url, "0006")
    await db.engine.dispose()           # the pooled connections knew the old columns
    await db.upgrade()
    async with db.transaction() as s:
        assert dict((await s.execute(select(ReportRow.id, ReportRow.carry))).tuples().all()) == written
        repo = ReportRepository(s)
        redone = await repo.refresh_carryover(a.agency_id, [2021])
    assert sorted(rid for rid, f in redone if f.code == "CARRYOVER_MISMATCH") == [a.report_id, b.report_id]
