"""Batch storing (``services.store.store_reports`` → ``storage.bulk``) gives exactly what storing the
same reports one by one gives, and a failed batch keeps the good reports — on both databases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import text

import storage.bulk
from services.store import store_report, store_reports
from storage.repository import ReportRepository
from tests.storage.support import fresh_url, make_report, open_db, original_of

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


def clock_from(start: datetime):
    ticks = iter(range(10_000))
    return lambda: start + timedelta(minutes=next(ticks))


def scenario() -> list[Any]:
    """Reports in arrival order: carry-over pairs in both orders, supersedes (across and within a batch),
    duplicates (of a stored report and within a batch), spelling variants, a general office, no agency."""
    a, b = "甲市统计局", "乙县人民政府"
    reports = [
        make_report(a, 2020, carried_forward=3),
        make_report(a, 2021, carried_over=2),                 # mismatch with 2020: carry-over on both
        make_report(b, 2022, level="government", carried_over=4),
        make_report("乙县人民政府办公室", 2021, level="government", carried_forward=1),
        make_report(a, 2020, carried_forward=2, tag="v2"),    # supersedes; the mismatch goes away
        make_report(a, 2020, carried_forward=3),              # duplicate of a stored report
        make_report("甲市 统计局", 2022, carried_over=9),     # a spelling variant of a
        make_report(b, 2022, level="government", carried_over=1, tag="v2"),
        make_report(b, 2022, level="government", carried_over=1, tag="v3"),   # two supersedes in a row
        make_report("丙镇人民政府", 2023, level="town"),
        make_report("丙镇人民政府", 2023, level="town"),         # duplicate within the batch
    ]
    nameless = make_report("丁", 2021, tag="nameless")
    nameless.agency = None
    reports.append(nameless)
    yearless = make_report("戊市财政局", 2021, tag="yearless")
    yearless.year = None
    reports.append(yearless)
    return reports


async def snapshot(db) -> dict[str, list[Any]]:
    queries = {
        "reports": "SELECT id, agency_id, agency_name, year, template, level, is_current, superseded_by, "
                   "error_count, warning_count, sha256, received_at FROM reports",
        "figures": "SELECT report_id, agency_id, year, is_current, table_id, row_id, column_id, value FROM figures",
        "findings": "SELECT report_id, code, severity, \"where\", message, table_id, row_id, column_id, "
                    "CAST(data AS TEXT) FROM findings",
        "agencies": "SELECT id, name, level, region FROM agencies",
        "aliases": "SELECT agency_id, alias, key FROM agency_aliases",
    }
    out: dict[str, list[Any]] = {}
    async with db.transaction(write=False) as s:
        for name, sql in queries.items():
            rows = (await s.execute(text(sql))).all()
            # JSON text differs in spacing between the backends' JSON types; compare parsed.
            out[name] = sorted(repr(tuple(json.loads(v) if name == "findings" and i == 8 else
                                          (bool(v) if isinstance(v, int) and name in ("reports", "figures")
                                           and i in (3, 6) else str(v)) for i, v in enumerate(r)))
                               for r in rows)
    return out


def outcome_view(o) -> tuple[Any, ...]:
    return (o.status, o.file, o.report_id, o.agency_id, o.agency, o.agency_printed, o.year, o.level,
            [(f.code, f.where, f.data) for f in o.findings], o.superseded, o.errors, o.warnings)


async def test_batches_store_exactly_what_one_by_one_stores(backend, db_url, tmp_path):
    reports = scenario()
    async for db in open_db(db_url):
        clock = clock_from(T0)
        one_by_one = [await store_report(db, r, original_of(r), clock=clock) for r in reports]
        expected = await snapshot(db)
    assert {o.status for o in one_by_one} == {"stored", "superseded", "duplicate"}
    assert any(f.code == "CARRYOVER_MISMATCH" for o in one_by_one for f in o.findings)

    for sizes in ((len(reports),), (3, 4, 6)):
        url = await fresh_url(backend, tmp_path / f"batch{len(sizes)}")
        async for db in open_db(url):
            clock = clock_from(T0)
            outcomes, start = [], 0
            for size in sizes:
                part = reports[start:start + size]
                outcomes += await store_reports(db, [(r, original_of(r)) for r in part], clock=clock)
                start += size
            assert [outcome_view(o) for o in outcomes] == [outcome_view(o) for o in one_by_one]
            assert await snapshot(db) == expected


async def test_a_failed_batch_is_retried_one_report_at_a_time(db, monkeypatch):
    reports = [make_report("甲市统计局", 2020, carried_forward=3), make_report("乙市统计局", 2020),
               make_report("甲市统计局", 2021, carried_over=2)]
    bad = reports[1].source.sha256

    async def batch_fails(*args, **kwargs):
        raise RuntimeError("cut")

    real = ReportRepository._insert_figures

    async def one_fails(self, row, encoded):
        if row.sha256 == bad:
            raise ValueError("this report cannot be stored")
        await real(self, row, encoded)

    monkeypatch.setattr(storage.bulk, "insert_figures", batch_fails)
    monkeypatch.setattr(ReportRepository, "_insert_figures", one_fails)
    outcomes = await store_reports(db, [(r, original_of(r)) for r in reports], clock=clock_from(T0))
    assert [o.status for o in outcomes] == ["stored", "failed", "stored"]
    assert "this report cannot be stored" in outcomes[1].message_en and "出错" in outcomes[1].message
    assert outcomes[2].findings and outcomes[2].findings[-1].code == "CARRYOVER_MISMATCH"
    async with db.transaction(write=False) as s:
        stored = (await s.execute(text("SELECT sha256 FROM reports"))).scalars().all()
        orphans = await s.scalar(text("SELECT count(*) FROM figures WHERE report_id NOT IN (SELECT id FROM reports)"))
    assert sorted(stored) == sorted(r.source.sha256 for r in reports if r.source.sha256 != bad)
    assert orphans == 0


async def test_an_empty_batch_writes_nothing(db):
    assert await store_reports(db, []) == []
