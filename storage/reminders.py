"""Reminder tables and their repository functions: rosters, subscriptions, tracked applications, reminders.

A reminder is a row with a due time (UTC) and an outcome; one repeating job claims what is due in a
single statement (``claim_due``), so a restart neither loses a reminder (it is still unsent in the table)
nor sends it twice (claimed rows are invisible to other workers until their lease runs out), and a
second instance racing for the same rows gets none of them. ``dedup_key`` is UNIQUE: scheduling the
same reminder again is a no-op.

Repository functions take an ``AsyncSession`` inside the caller's transaction (``Database.transaction``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        delete, or_, select, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Agency, Base, JSONType, ReportRow, UTCDateTime, utcnow

# Outcomes of a reminder; NULL while it is pending.
SENT = "sent"                  # delivered
SKIPPED = "skipped"            # nothing to say when it fell due (every body on the roster has published)
SUPERSEDED = "superseded"      # a later reminder of the same series fell due at the same time (catch-up)
CANCELLED = "cancelled"        # the deadline moved, the application closed, or the chat unsubscribed
FAILED = "failed"              # gave up after MAX_ATTEMPTS
BLOCKED = "blocked"            # the chat blocked the bot (403): the chat was unsubscribed


class Subscription(Base):
    """Per-chat reminder settings; ``active`` = annual-report reminders are on."""

    __tablename__ = "reminder_subscriptions"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    # The roster is every agency in the store (``/roster add all``), now and later.
    all_agencies: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RosterEntry(Base):
    """A body whose annual report a chat watches. ``agency_id`` is set once the body is in the store."""

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("chat_id", "name", name="uq_roster_entries_chat_id_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrackedApplication(Base):
    """A disclosure application whose answer deadline a chat follows (``reports.deadlines.ApplicationClock``)."""

    __tablename__ = "tracked_applications"
    __table_args__ = (Index("ix_tracked_applications_chat_open", "chat_id", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(200))          # the user's number or subject
    channel: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    received_on: Mapped[date] = mapped_column(Date)
    counted_from: Mapped[date] = mapped_column(Date)            # the receipt day, or the 补正 day
    due_on: Mapped[date | None] = mapped_column(Date)           # None while paused
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_since: Mapped[date | None] = mapped_column(Date)
    pause_kind: Mapped[str | None] = mapped_column(String(20))
    excluded_workdays: Mapped[int] = mapped_column(Integer, default=0)
    excluded_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_pending", "outcome", "next_try_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())       # when it should go out
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime())  # due_at, then later after a failed send
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    series: Mapped[str] = mapped_column(String(200))  # reminders about the same deadline share it
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracked_applications.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))


# ---- subscriptions and rosters -------------------------------------------------------------


async def get_subscription(session: AsyncSession, chat_id: int) -> Subscription | None:
    return await session.get(Subscription, chat_id)


async def ensure_subscription(session: AsyncSession, chat_id: int, lang: str) -> Subscription:
    """The chat's settings row (created inactive); ``lang`` follows the user's latest language."""
    sub = await session.get(Subscription, chat_id)
    if sub is None:
        sub = Subscription(chat_id=chat_id, lang=lang, active=False, all_agencies=False)
        session.add(sub)
        await session.flush()
    elif sub.lang != lang:
        sub.lang = lang
    return sub


async def active_subscriptions(session: AsyncSession) -> list[Subscription]:
    return list((await session.scalars(select(Subscription).where(Subscription.active.is_(True)))).all())


async def all_agencies(session: AsyncSession) -> list[Agency]:
    return list((await session.scalars(select(Agency).order_by(Agency.name))).all())


async def roster(session: AsyncSession, chat_id: int) -> list[RosterEntry]:
    return list((await session.scalars(
        select(RosterEntry).where(RosterEntry.chat_id == chat_id).order_by(RosterEntry.name))).all())


async def roster_add(session: AsyncSession, chat_id: int, name: str, agency_id: int | None) -> bool:
    """Add one body; False when the chat's roster already had it."""
    existing = await session.scalar(
        select(RosterEntry).where(RosterEntry.chat_id == chat_id, RosterEntry.name == name))
    if existing is not None:
        if existing.agency_id is None and agency_id is not None:
            existing.agency_id = agency_id
        return False
    session.add(RosterEntry(chat_id=chat_id, name=name, agency_id=agency_id))
    await session.flush()
    return True


async def roster_remove(session: AsyncSession, chat_id: int, names: Iterable[str]) -> int:
    wanted = list(names)
    if not wanted:
        return 0
    result = await session.execute(
        delete(RosterEntry).where(RosterEntry.chat_id == chat_id, RosterEntry.name.in_(wanted)))
    return result.rowcount or 0


async def roster_clear(session: AsyncSession, chat_id: int) -> int:
    result = await session.execute(delete(RosterEntry).where(RosterEntry.chat_id == chat_id))
    return result.rowcount or 0


async def stored_report_keys(session: AsyncSession, year: int) -> tuple[set[int], set[str]]:
    """Agency ids and printed agency names that have a current report on ``year`` in the store."""
    rows = (await session.execute(
        select(ReportRow.agency_id, ReportRow.agency_name)
        .where(ReportRow.year == year, ReportRow.is_current.is_(True)))).all()
    return {r[0] for r in rows if r[0] is not None}, {r[1] for r in rows if r[1]}


# ---- tracked applications ------------------------------------------------------------------


async def add_application(session: AsyncSession, app: TrackedApplication) -> TrackedApplication:
    session.add(app)
    await session.flush()
    return app


async def open_applications(session: AsyncSession, chat_id: int) -> list[TrackedApplication]:
    return list((await session.scalars(
        select(TrackedApplication)
        .where(TrackedApplication.chat_id == chat_id, TrackedApplication.closed_at.is_(None))
        .order_by(TrackedApplication.due_on.is_(None), TrackedApplication.due_on, TrackedApplication.id))).all())


async def find_open_application(session: AsyncSession, chat_id: int, ref: str) -> TrackedApplication | None:
    """An open application of the chat by its subject as typed, or by ``#id`` / id."""
    ref = ref.strip()
    found = await session.scalar(select(TrackedApplication).where(
        TrackedApplication.chat_id == chat_id, TrackedApplication.closed_at.is_(None),
        TrackedApplication.subject == ref))
    if found is not None:
        return found
    digits = ref.removeprefix("#")
    if digits.isdigit():
        return await session.scalar(select(TrackedApplication).where(
            TrackedApplication.chat_id == chat_id, TrackedApplication.closed_at.is_(None),
            TrackedApplication.id == int(digits)))
    return None


# ---- reminders -----------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def schedule(session: AsyncSession, *, chat_id: int, kind: str, due_at: datetime, dedup_key: str,
                   series: str, payload: dict[str, Any], application_id: int | None = None) -> None:
    """Create the reminder unless its key exists; a cancelled one with the same key comes back to life
    (a deadline that moved away and back). Sent, skipped or failed ones stay as they are."""
    insert = _insert(session)
    stmt = insert(Reminder).values(
        chat_id=chat_id, kind=kind, due_at=due_at, next_try_at=due_at, payload=payload, dedup_key=dedup_key,
        series=series, application_id=application_id, created_at=utcnow(), attempts=0)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Reminder.dedup_key],
        set_={"outcome": None, "next_try_at": stmt.excluded.due_at, "due_at": stmt.excluded.due_at,
              "payload": stmt.excluded.payload, "claimed_at": None, "claimed_by": None, "attempts": 0,
              "last_error": None},
        where=Reminder.outcome == CANCELLED,
    )
    await session.execute(stmt)


async def cancel_pending(session: AsyncSession, *, chat_id: int | None = None, application_id: int | None = None,
                         series_prefix: str | None = None, keep: Sequence[str] = ()) -> int:
    """Cancel pending reminders matching the filters, except the ``keep`` dedup keys."""
    conditions = [Reminder.outcome.is_(None)]
    if chat_id is not None:
        conditions.append(Reminder.chat_id == chat_id)
    if application_id is not None:
        conditions.append(Reminder.application_id == application_id)
    if series_prefix is not None:
        conditions.append(Reminder.series.startswith(series_prefix, autoescape=True))
    if keep:
        conditions.append(Reminder.dedup_key.not_in(list(keep)))
    result = await session.execute(update(Reminder).where(*conditions).values(outcome=CANCELLED))
    return result.rowcount or 0


async def claim_due(session: AsyncSession, *, now: datetime, worker: str, limit: int = 50,
                    lease: timedelta = timedelta(minutes=10)) -> list[Reminder]:
    """Claim up to ``limit`` due reminders for ``worker`` in one statement and return them.

    A claim is a lease: a worker that dies mid-send leaves its rows claimed until ``lease`` passes, then
    any worker may claim them again. On PostgreSQL the candidate rows are locked with
    ``FOR UPDATE SKIP LOCKED`` so concurrent claimers split the work instead of waiting or doubling it;
    SQLite runs one writer at a time (the session's ``BEGIN IMMEDIATE``), so the statement is atomic there.
    """
    stale = now - lease
    candidates = (
        select(Reminder.id)
        .where(Reminder.outcome.is_(None), Reminder.next_try_at <= now,
               or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < stale))
        .order_by(Reminder.next_try_at, Reminder.id)
        .limit(limit)
    )
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(Reminder)
        .where(Reminder.id.in_(candidates.scalar_subquery()))
        .values(claimed_at=now, claimed_by=worker, attempts=Reminder.attempts + 1)
        .returning(Reminder)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(stmt)).all())
    return sorted(rows, key=lambda r: (r.next_try_at, r.id))


async def finish(session: AsyncSession, reminder_id: int, outcome: str, *, at: datetime, worker: str,
                 error: str | None = None) -> bool:
    """Record the outcome of a claimed reminder; False when this worker no longer holds the claim."""
    values: dict[str, Any] = {"outcome": outcome, "claimed_at": None, "claimed_by": None}
    if outcome == SENT:
        values["sent_at"] = at
    if error is not None:
        values["last_error"] = error[:2000]
    result = await session.execute(
        update(Reminder).where(Reminder.id == reminder_id, Reminder.claimed_by == worker,
                               Reminder.outcome.is_(None)).values(**values))
    return bool(result.rowcount)


async def retry_later(session: AsyncSession, reminder_id: int, *, next_try_at: datetime, worker: str,
                      error: str) -> bool:
    """Release a claimed reminder after a failed send so it is tried again at ``next_try_at``."""
    result = await session.execute(
        update(Reminder).where(Reminder.id == reminder_id, Reminder.claimed_by == worker,
                               Reminder.outcome.is_(None))
        .values(next_try_at=next_try_at, claimed_at=None, claimed_by=None, last_error=error[:2000]))
    return bool(result.rowcount)


async def supersede_older(session: AsyncSession, *, series: str, due_before: datetime) -> int:
    """Retire pending reminders of ``series`` due before ``due_before``: once a later reminder of the
    same deadline has gone out, the earlier ones (missed while the bot was down) would only repeat it."""
    result = await session.execute(
        update(Reminder).where(Reminder.series == series, Reminder.outcome.is_(None), Reminder.due_at < due_before)
        .values(outcome=SUPERSEDED, claimed_at=None, claimed_by=None))
    return result.rowcount or 0


async def reminders_for(session: AsyncSession, *, chat_id: int | None = None,
                        application_id: int | None = None) -> list[Reminder]:
    stmt = select(Reminder).order_by(Reminder.due_at, Reminder.id)
    if chat_id is not None:
        stmt = stmt.where(Reminder.chat_id == chat_id)
    if application_id is not None:
        stmt = stmt.where(Reminder.application_id == application_id)
    return list((await session.scalars(stmt)).all())


async def deactivate_chat(session: AsyncSession, chat_id: int) -> None:
    """The chat blocked the bot: annual reminders off, every pending reminder of the chat cancelled."""
    await session.execute(update(Subscription).where(Subscription.chat_id == chat_id).values(active=False))
    await cancel_pending(session, chat_id=chat_id)
