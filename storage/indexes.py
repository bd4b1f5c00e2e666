"""Indexes that only serve reads, which a bulk load builds once at the end instead of row by row.

A report adds about 230 ``figures`` rows, and every row is an insertion at a random place of the
question indexes. Storing 10,000 reports into SQLite spent 44 s on figure inserts with the indexes
in place, against 7 s without them plus 12 s to build them in one sorted pass afterwards (and now,
with the nested figures JSON and ``restore``'s sorter settings, about 4 s plus 5 s). While they are
suspended, questions are answered correctly but more slowly (the table is scanned). ``ensure`` runs
after every schema upgrade, so an import that died before rebuilding them leaves nothing missing once
the bot or the CLI starts again.
"""

from __future__ import annotations

from sqlalchemy import Index, func, select, text
from sqlalchemy.engine import Connection

from .db import SQLITE_CACHE_KIB, Database
from .models import Figure, ReportRow

DEFERRABLE = ("ix_figures_question_cover", "ix_figures_agency_year")
# A load this many files or more, at least as large as the store already is, suspends the indexes:
# rebuilding them then costs about as much as the load itself adds to them.
BULK_LOAD_MIN_FILES = 500


def deferrable() -> list[Index]:
    return [ix for ix in Figure.__table__.indexes if ix.name in DEFERRABLE]


def ensure(conn: Connection) -> None:
    """Create the deferrable indexes that are missing (synchronous: for ``run_sync``)."""
    for ix in deferrable():
        ix.create(conn, checkfirst=True)


async def worth_suspending(db: Database, files: int) -> bool:
    if files < BULK_LOAD_MIN_FILES:
        return False
    async with db.transaction(write=False) as session:
        stored = await session.scalar(select(func.count(ReportRow.id)))
    return files >= (stored or 0)


async def suspend(db: Database) -> None:
    async with db.transaction() as session:
        for ix in deferrable():
            await session.execute(text(f"DROP INDEX IF EXISTS {ix.name}"))


# SQLite builds an index by sorting; with a small page cache the sorter works in smaller runs, which
# is no slower, and with helper threads it merges them in parallel. Measured on 2.2 M figures rows
# (2 cores): 7.2 s and +64 MB with the 64 MB cache and no threads, 5.0 s and +24 MB with these.
_SQLITE_SORT_CACHE_KIB = 8 * 1024
_SQLITE_SORT_THREADS = 2


async def restore(db: Database) -> None:
    async with db.transaction() as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            await session.execute(text(f"PRAGMA cache_size=-{_SQLITE_SORT_CACHE_KIB}"))
            await session.execute(text(f"PRAGMA threads={_SQLITE_SORT_THREADS}"))
        try:
            await session.run_sync(lambda s: ensure(s.connection()))
        finally:
            if sqlite:      # the connection goes back to the pool: leave it as ``storage.db`` configured it
                await session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
                await session.execute(text("PRAGMA threads=0"))
