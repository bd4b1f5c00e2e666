"""Migrations: ``upgrade head`` builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.all_models import Base
from storage.db import Database, upgrade


async def test_upgrade_head_matches_models(db):
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata))
    assert diff == []


async def test_upgrade_is_idempotent_and_at_head(db):
    await db.upgrade()
    async with db.engine.connect() as conn:
        version = (await conn.execute(text("select version_num from alembic_version"))).scalar_one()
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config
    assert version == ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    assert {"agencies", "agency_aliases", "reports", "figures", "findings"} <= tables


async def test_sqlite_folder_created_and_pragmas(tmp_path):
    path = tmp_path / "deep" / "er" / "store.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    assert path.exists()
    db = Database(url)
    try:
        async with db.transaction(write=False) as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar_one() >= 1000
    finally:
        await db.dispose()
