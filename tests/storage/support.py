"""Databases for the storage tests: a fresh SQLite file, or a fresh schema in a PostgreSQL database
created for this test session (``TEST_POSTGRES_URL``; skipped locally when unset, a failure when CI=true)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from reports.document import Source
from reports.model import Cell, Report
from reports.templates import REQUEST_COLUMNS
from storage.db import Database, execute_autocommit

BACKENDS = ("sqlite", "postgresql")


def postgres_base_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI")
        pytest.skip("TEST_POSTGRES_URL not set")
    return url




class PostgresSession:
    """One database per test session (``govreport_test_storage_<pid>``), dropped at the end."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.base: str | None = None

    def get(self) -> str:
        if self.url is None:
            base = postgres_base_url()
            name = f"govreport_test_storage_{os.getpid()}"
            asyncio.run(execute_autocommit(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            asyncio.run(execute_autocommit(base, f'CREATE DATABASE "{name}"'))
            self.base = base
            self.url = make_url(base).set(database=name).render_as_string(hide_password=False)
        return self.url

    def close(self) -> None:
        if self.url is not None and self.base is not None:
            name = make_url(self.url).database
            asyncio.run(execute_autocommit(self.base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.url = None




# Shared by every test folder's conftest, so one session creates one database.
PG = PostgresSession()


async def fresh_url(backend: str, tmp_path: Path) -> str:
    """A URL to an empty database: a new SQLite file, or the session's PostgreSQL database with an empty schema."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/store/govreports.db"
    url = PG.url
    assert url is not None, "the backend fixture creates the PostgreSQL database first"
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    return url


async def open_db(url: str) -> AsyncIterator[Database]:
    db = Database(url)
    await db.upgrade()
    try:
        yield db
    finally:
        await db.dispose()


def make_report(agency: str, year: int, *, level: str = "department", carried_over: int = 0,
                carried_forward: int = 0, new: int = 5, tag: str = "", template: str | None = None) -> Report:
    """A small but consistent report: table 三 rows 一/二/（一）/（七）/四 in the total and natural-person columns."""
    granted = new + carried_over - carried_forward
    body = f"{agency}{year}{carried_over}{carried_forward}{new}{tag}".encode()
    requests: dict[str, dict[str, Cell]] = {}
    for row, value in (("new", new), ("carried_over", carried_over), ("granted", granted), ("total", granted),
                       ("carried_forward", carried_forward)):
        requests[row] = {c.id: Cell.of(value if c.id in ("natural_person", "total") else 0) for c in REQUEST_COLUMNS}
    source = Source.of(f"{agency}_{year}{tag}.txt", body, "text")
    _BODIES[source.sha256] = body
    return Report(source=source, title=f"{agency}{year}年政府信息公开工作年度报告",
                  agency=agency, level=level, year=year, template=template or ("2019" if year <= 2020 else "2021"),
                  requests=requests, tables_found={"requests"})


_BODIES: dict[str, bytes] = {}


def original_of(report: Report) -> bytes:
    """The bytes ``make_report`` hashed for this report (what a real upload would have carried)."""
    return _BODIES[report.source.sha256]
