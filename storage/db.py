"""Engine, sessions and migrations for one database URL (SQLite or PostgreSQL, async drivers).

``Database`` is the handle the bot, the CLI and the services share::

    db = Database(settings.database_url)
    await db.upgrade()                      # Alembic ``upgrade head``
    async with db.transaction() as session:  # one transaction; commits on success
        ...
    await db.dispose()

Any failure to reach the database (server down, restarted, connection dropped, SQLite locked) is
raised as ``StorageUnavailable`` with a message in Chinese and English; the transaction is rolled
back, so nothing is half-written, and the pool checks connections before use (``pool_pre_ping``),
so the next operation succeeds once the server is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
SQLITE_BUSY_TIMEOUT_MS = 15_000


class StorageUnavailable(Exception):
    """The database could not be reached or the operation was cut off; nothing was written."""

    def __init__(self, detail: str = "") -> None:
        self.message_zh = "数据库暂时不可用，本次操作未保存任何内容，请稍后重试。"
        self.message_en = "The database is unavailable right now; nothing was saved. Please try again shortly."
        self.detail = detail
        super().__init__(f"{self.message_en} ({detail})" if detail else self.message_en)


# SQLSTATE classes meaning "the server or the connection went away": 08 connection exception,
# 57P operator intervention (admin/crash shutdown, "the database system is starting up").
_UNAVAILABLE_STATES = ("08", "57P")


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a driver error, looking through SQLAlchemy's wrapper and the cause chain."""
    seen: BaseException | None = error
    for _ in range(4):
        if seen is None:
            return None
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str):
            return state
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(error, StorageUnavailable):
        return False
    state = _sqlstate(error)
    if state is not None and state.startswith(_UNAVAILABLE_STATES):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        # IntegrityError and friends are the caller's business; connection trouble is ours.
        return isinstance(error, (exc.OperationalError, exc.InterfaceError))
    if isinstance(error, exc.TimeoutError):        # pool exhausted / connect timeout
        return True
    return isinstance(error, (ConnectionError, OSError, asyncio.TimeoutError))


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine with the settings this product relies on for each backend."""
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    return create_async_engine(url, **kwargs)


SQLITE_CACHE_KIB = 64 * 1024


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of the driver's implicit, late BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")     # safe with WAL; fsync at checkpoints only
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Aggregates over a year read the figures index of every report; SQLite's default 2 MB page
        # cache evicts it between questions (bench/questions: coverage 48 → 30 ms with 64 MB).
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: two deferred transactions that both read and then
        # write would otherwise deadlock, and SQLite answers that with an immediate "locked" error.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One database: an engine, a session factory and the migrations."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        writer = self.engine.execution_options(sqlite_immediate=True) if is_sqlite(url) else self.engine
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(writer, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed when the block ends, rolled back on error.

        ``write=False`` for read-only work (on SQLite it then does not take the write lock).
        Connection failures become ``StorageUnavailable``.
        """
        factory = self._writer if write else self._reader
        try:
            async with factory() as session:
                async with session.begin():
                    yield session
        except Exception as error:
            if _is_unavailable(error):
                raise StorageUnavailable(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
            raise

    async def upgrade(self) -> None:
        await upgrade(self.url, engine=self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _migrate(connection: Connection, cfg: Any, direction: str, revision: str) -> None:
    from alembic import command

    cfg.attributes["connection"] = connection
    getattr(command, direction)(cfg, revision)


async def upgrade(url: str, *, revision: str = "head", engine: AsyncEngine | None = None) -> None:
    """Bring the database at ``url`` to the newest schema (Alembic ``upgrade head``); idempotent."""
    own = engine is None
    engine = engine or create_engine(url)
    cfg = alembic_config(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, cfg, "upgrade", revision)
            if revision == "head":
                from .indexes import ensure     # an import that stopped half-way may have left them out

                await conn.run_sync(ensure)
    except Exception as error:
        if _is_unavailable(error):
            raise StorageUnavailable(str(error).splitlines()[0]) from error
        raise
    finally:
        if own:
            await engine.dispose()


async def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (Alembic ``downgrade``): for undoing an upgrade,
    and for the tests of what a migration backfills. ``upgrade`` brings it forward again."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, alembic_config(url), "downgrade", revision)
    finally:
        await engine.dispose()


async def execute_autocommit(url: str, sql: str) -> None:
    """Run one statement outside a transaction (``CREATE``/``DROP DATABASE`` cannot run inside one);
    for the tests and benchmarks that make their own PostgreSQL databases."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()
