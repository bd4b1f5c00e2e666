"""Database failures: a clear error, nothing half-written, and the next operation succeeds.

PostgreSQL connections are cut with ``pg_terminate_backend`` (what a server restart does to a
client) rather than by restarting the shared server.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.store import store_report
from storage.db import Database, StorageUnavailable, upgrade
from storage.models import Agency, AgencyAlias, Figure, FindingRow, ReportRow
from storage.repository import ReportRepository
from tests.storage.support import make_report, original_of

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _terminate(url: str, pid: int | None = None) -> None:
    """Cut one backend (or every other client of the database) from a separate connection."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            if pid is not None:
                await conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
            else:
                await conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity "
                                        "where datname = current_database() and pid <> pg_backend_pid()"))
    finally:
        await engine.dispose()


async def _counts(db: Database) -> tuple[int, ...]:
    async with db.transaction(write=False) as s:
        return tuple([await s.scalar(select(func.count()).select_from(t))
                      for t in (ReportRow, Figure, FindingRow, Agency, AgencyAlias)])


async def test_connection_cut_in_the_middle_of_an_import(db, db_url, monkeypatch):
    reports = [make_report(f"第{i}区统计局", 2020, carried_over=i) for i in range(3)]
    original_insert = ReportRepository._insert_figures
    calls = {"n": 0}

    async def cut_on_second_report(self, row, report):
        calls["n"] += 1
        if calls["n"] == 2:
            pid = (await self.session.execute(text("select pg_backend_pid()"))).scalar_one()
            await _terminate(db_url, pid)
        await original_insert(self, row, report)

    monkeypatch.setattr(ReportRepository, "_insert_figures", cut_on_second_report)
    outcomes = [await store_report(db, r, original_of(r)) for r in reports]
    assert [o.status for o in outcomes] == ["stored", "failed", "stored"]
    failed = outcomes[1]
    assert failed.message.startswith("数据库暂时不可用") and "nothing was saved" in failed.message_en
    async with db.transaction(write=False) as s:
        stored = set(await s.scalars(select(ReportRow.sha256)))
        names = set(await s.scalars(select(Agency.name)))
    assert stored == {reports[0].source.sha256, reports[2].source.sha256}
    assert "第1区统计局" not in names          # the agency created in the cut transaction is gone too
    # Same report again once the connection is back: stored whole.
    again = await store_report(db, reports[1], original_of(reports[1]))
    assert again.status == "stored"
    assert (await _counts(db))[0] == 3


async def test_every_pooled_connection_dropped_between_operations(db, db_url):
    first = make_report("甲区统计局", 2020)
    assert (await store_report(db, first, original_of(first))).status == "stored"
    await _terminate(db_url)        # what a server restart does to the pool
    second = make_report("乙区统计局", 2020)
    assert (await store_report(db, second, original_of(second))).status == "stored"


async def test_server_not_reachable_is_a_clear_error(db_url):
    unreachable = "postgresql+asyncpg://govreport:govreport@127.0.0.1:9/govreport_test"
    with pytest.raises(StorageUnavailable) as info:
        await upgrade(unreachable)
    assert "数据库暂时不可用" in info.value.message_zh
    db = Database(unreachable)
    try:
        report = make_report("丙区统计局", 2020)
        outcome = await store_report(db, report, original_of(report))
        assert outcome.status == "failed"
        with pytest.raises(StorageUnavailable):
            async with db.transaction(write=False) as s:
                await s.execute(text("select 1"))
    finally:
        await db.dispose()
