"""Indexes that only serve reads, which a bulk load builds once at the end instead of row by row.

A report adds about 230 ``figures`` rows, and every row is an insertion at a random place of the
question indexes. Storing 10,000 reports into SQLite spent 44 s on figure inserts with the indexes
in place; without them the inserts took 7 s and building the indexes in one sorted pass afterwards
12 s. While they are suspended, questions are answered correctly but more slowly (the table is
scanned). ``ensure`` runs after every schema upgrade, so an
import that died before rebuilding them leaves nothing missing once the bot or the CLI starts again.
"""

from __future__ import annotations

from sqlalchemy import Index, func, select, text
from sqlalchemy.engine import Connection

from .db import Database
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


async def restore(db: Database) -> None:
    async with db.transaction() as session:
        await session.run_sync(lambda s: ensure(s.connection()))
