from __future__ import annotations

import pytest

from tests.storage.support import BACKENDS, PG, fresh_url, open_db


@pytest.fixture(scope="session")
def pg_session():
    yield PG
    PG.close()


@pytest.fixture(params=BACKENDS)
def backend(request, pg_session) -> str:
    if request.param == "postgresql":
        pg_session.get()     # creates the session's database (outside the event loop), or skips
    return request.param


@pytest.fixture
async def db_url(backend, tmp_path) -> str:
    return await fresh_url(backend, tmp_path)


@pytest.fixture
async def db(db_url):
    async for database in open_db(db_url):
        yield database
