"""Which failures become ``StorageUnavailable`` (server gone, restarting, connection cut) and which do not."""

from __future__ import annotations

import asyncpg.exceptions as pg
import pytest
from sqlalchemy import exc

from storage.db import StorageUnavailable

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.mark.parametrize("error", [
    pg.CannotConnectNowError("the database system is starting up"),
    pg.AdminShutdownError("terminating connection due to administrator command"),
    pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    ConnectionRefusedError(111, "Connection refused"),
    exc.OperationalError("COMMIT", {}, Exception("database is locked")),
])
async def test_connection_trouble_is_storage_unavailable(db, error):
    with pytest.raises(StorageUnavailable) as info:
        async with db.transaction():
            raise error
    assert info.value.message_zh.startswith("数据库暂时不可用") and "try again" in info.value.message_en


@pytest.mark.parametrize("error", [
    exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: reports.sha256")),
    ValueError("a bug, not an outage"),
    pg.UniqueViolationError("duplicate key value violates unique constraint"),
])
async def test_other_errors_pass_through(db, error):
    with pytest.raises(type(error)):
        async with db.transaction():
            raise error
