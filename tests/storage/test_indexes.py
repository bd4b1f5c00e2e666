"""``storage.indexes``: a bulk import builds the question indexes once at the end, and nothing is
lost when it stops half-way."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import inspect, select

import bot.cli_import as cli_import
from reports import synthetic as syn
from reports.extract import Limits
from storage import indexes
from storage.models import Figure, ReportRow
from tests.storage.support import fresh_url, open_db


async def index_names(db) -> set[str]:
    async with db.transaction(write=False) as s:
        conn = await s.connection()
        return {ix["name"] for ix in await conn.run_sync(lambda c: inspect(c).get_indexes("figures"))}


def season(folder, n: int = 6):
    rng = random.Random(7)
    folder.mkdir()
    for i in range(n):
        report = syn.generate(rng, year=2020 + i % 2, agency=f"{'甲乙丙'[i // 2]}市统计局", level="department")
        (folder / f"{i}.txt").write_text(syn.render_text_lines(report), "utf-8")
    return sorted(folder.iterdir())


async def import_season(db, files):
    results = await cli_import.import_files(db, files, limits=Limits(), town_deadline=(1, 31), progress=False)
    async with db.transaction(write=False) as s:
        figures = (await s.execute(select(ReportRow.sha256, Figure.table_id, Figure.row_id, Figure.column_id,
                                          Figure.value, Figure.is_current)
                                   .join(ReportRow, ReportRow.id == Figure.report_id))).all()
    return [(o.status, o.agency, o.year, [f.code for f in o.findings]) for r in results for o in r.outcomes], \
        sorted(figures)


async def test_upgrade_rebuilds_indexes_an_interrupted_import_left_out(db):
    assert set(indexes.DEFERRABLE) <= await index_names(db)
    await indexes.suspend(db)
    assert not set(indexes.DEFERRABLE) & await index_names(db)
    await db.upgrade()
    assert set(indexes.DEFERRABLE) <= await index_names(db)


async def test_a_large_import_suspends_the_indexes_and_stores_the_same(db, tmp_path, monkeypatch):
    files = season(tmp_path / "season")
    # The same import with the indexes kept up to date row by row, into a database of its own.
    async for plain in open_db(await fresh_url("sqlite", tmp_path / "plain")):
        expected = await import_season(plain, files)

    seen: list[set[str]] = []
    real = cli_import.store_prepared_many

    async def watching(database, prepared, **kw):
        seen.append(await index_names(database))
        return await real(database, prepared, **kw)

    monkeypatch.setattr(indexes, "BULK_LOAD_MIN_FILES", 2)
    monkeypatch.setattr(cli_import, "store_prepared_many", watching)
    got = await import_season(db, files)
    assert seen and all(not set(indexes.DEFERRABLE) & names for names in seen)
    assert set(indexes.DEFERRABLE) <= await index_names(db)
    assert [status for status, *_ in got[0]] == ["stored", "stored", "stored", "stored", "stored", "stored"]
    assert len(got[1]) > 6 * 150
    assert got == expected


async def test_a_failed_import_still_rebuilds_the_indexes(db, tmp_path, monkeypatch):
    files = season(tmp_path / "season", n=3)

    async def broken(database, prepared, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexes, "BULK_LOAD_MIN_FILES", 2)
    monkeypatch.setattr(cli_import, "store_prepared_many", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await import_season(db, files)
    assert set(indexes.DEFERRABLE) <= await index_names(db)


async def test_small_imports_and_imports_into_a_larger_store_keep_the_indexes(db, tmp_path, monkeypatch):
    files = season(tmp_path / "season", n=4)
    assert not await indexes.worth_suspending(db, indexes.BULK_LOAD_MIN_FILES - 1)
    assert await indexes.worth_suspending(db, indexes.BULK_LOAD_MIN_FILES)
    monkeypatch.setattr(indexes, "BULK_LOAD_MIN_FILES", 2)
    await import_season(db, files)
    assert await indexes.worth_suspending(db, 4)        # as many files as stored reports
    assert not await indexes.worth_suspending(db, 3)
