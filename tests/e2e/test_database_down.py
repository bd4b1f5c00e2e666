"""The database goes down during an upload: the user is told, nothing is half-stored, and the bot
serves again once the database is back.

The bot reaches PostgreSQL through a TCP relay on loopback; cutting the relay drops every pooled
connection and refuses new ones, which is what a crashed or restarting server looks like to a
client. Needs TEST_POSTGRES_URL (skipped locally without it, a failure on CI).
"""

from __future__ import annotations

import asyncio
import os
from contextlib import suppress

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from services import stored
from tests.conftest import sample_bytes
from tests.e2e.conftest import ALICE, BOB, start_bot, stop_bot

PG_URL = os.environ.get("TEST_POSTGRES_URL")
DB_NAME = "govreport_test_bot_e2e"


class Relay:
    """A TCP relay that can be cut (every connection closed, new ones refused) and restored on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()

    async def restore(self) -> None:
        await self.start()


async def _recreate_database(admin_url: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    finally:
        await engine.dispose()


@pytest.fixture
async def relay_url():
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_POSTGRES_URL is required on CI")
        pytest.skip("TEST_POSTGRES_URL not set")
    await _recreate_database(PG_URL)
    url = make_url(PG_URL)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    yield relay, url.set(host="127.0.0.1", port=relay.port, database=DB_NAME).render_as_string(hide_password=False)
    with suppress(Exception):
        await relay.cut()


async def upload_and_wait(fake, user, name: str, contains: str):
    mark = fake.mark()
    await fake.send_document(user, name, sample_bytes(name))
    return await fake.wait_reply(user, after=mark, contains=contains, timeout=30)


async def test_database_down_during_an_upload(fake, settings_for, relay_url):
    relay, url = relay_url
    running = await start_bot(fake, settings_for(database_url=url))
    try:
        await upload_and_wait(fake, ALICE, "wuyang_2020.txt", "乌杨街道办事处")

        await relay.cut()
        reply = await upload_and_wait(fake, ALICE, "pingtan_2021.txt", "数据库暂时不可用")
        assert "请稍后" in reply.plain_text
        mark = fake.mark()
        await fake.send_text(BOB, "how many requests did Pingtan get in 2021")
        reply = await fake.wait_reply(BOB, after=mark, contains="database is unavailable")
        assert "nothing was saved" in reply.plain_text

        await relay.restore()
        reply = await upload_and_wait(fake, ALICE, "pingtan_2021.txt", "平潭综合实验区")
        assert "已保存" in reply.plain_text and "已存储（相同文件" not in reply.plain_text
        names = {a.name: a.years for a in await stored.agency_years(running.db)}
        assert names["平潭综合实验区"] == [2021]
    finally:
        await stop_bot(running)
