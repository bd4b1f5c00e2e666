"""Reminders people can rely on: annual-report deadlines for a roster of bodies, and the answer
deadlines of disclosure applications.

What is due lives in the ``reminders`` table, never only in memory. ``run_due`` (called by one
repeating job) claims due rows in one statement, composes each message from the store *at sending
time* (a report that arrived since takes its body off the list), hands it to a ``deliver`` callable
(the Telegram layer), and records the outcome: sent; retried later after a failure; or, when the chat
blocked the bot, the chat is unsubscribed. After a restart whatever fell due while the bot was down is
still unsent in the table and goes out once; of several missed reminders about the same deadline only
the latest is sent.

No Telegram here: ``deliver`` raises ``RecipientBlocked`` or ``DeliveryFailed``; messages are
``Notice`` values (kind + data) that the handlers render in the chat's language.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from reports.checks.bodies import infer_level
from reports.deadlines import (ApplicationClock, Channel, ClockError, PauseKind, annual_deadlines,
                               annual_report_deadline, annual_schedule, application_schedule, current_report_years)
from reports.workdays import Calendar, default_calendar
from storage import reminders as repo
from storage.db import Database
from storage.names import agency_key, clean_name
from storage.reminders import Reminder, TrackedApplication
from storage.repository import AgencyRepository

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8                    # a reminder that failed this often is given up (outcome "failed")
RETRY_BASE = timedelta(minutes=1)   # 1, 2, 4 … minutes between attempts
RETRY_CAP = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=10)
MAX_SUBJECT = 200
MAX_ROSTER_NAME = 200


class RecipientBlocked(Exception):
    """The chat cannot be reached any more (Telegram 403: blocked, deactivated, kicked)."""


class DeliveryFailed(Exception):
    """A send failed in a way worth retrying (network, 5xx, 429); ``retry_after`` in seconds if known."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ReminderError(Exception):
    """A user request the rules refuse; ``code`` selects the reply text, ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to send: ``kind`` selects the text, ``data`` fills it (JSON-friendly values)."""

    reminder_id: int
    chat_id: int
    lang: str
    kind: str          # "annual" | "application" | "holidays_missing"
    data: dict[str, Any]


Deliver = Callable[[Notice], Awaitable[None]]


@dataclass(slots=True)
class RunStats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    superseded: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class AppView:
    """What a user sees about one tracked application."""

    id: int
    subject: str
    channel: str
    received_on: date
    counted_from: date
    due_on: date | None
    approximate: bool
    extended: bool
    old_rules: bool
    paused_since: date | None
    pause_kind: str | None
    excluded_workdays: int
    remaining_workdays: int
    correction_notice_by: date | None
    opinion_due: date | None
    closed: bool = False


@dataclass(frozen=True, slots=True)
class RosterLine:
    name: str
    stored: bool          # the body is in the store
    reported: bool        # its report on ``year`` is in the store
    deadline: date


@dataclass(frozen=True, slots=True)
class RosterView:
    year: int
    all_agencies: bool
    lines: list[RosterLine]
    active: bool


@dataclass(frozen=True, slots=True)
class RosterChange:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)   # added, but not (yet) in the store
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # asked to remove, not on the roster


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    report_year: int
    deadlines: list[date]
    roster_size: int
    all_agencies: bool
    was_active: bool


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _worker_name() -> str:
    """Unique per service instance: host and process for the logs, a random suffix for uniqueness."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    delay = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


class ReminderService:
    """Scheduling, claiming and composing reminders. ``clock`` returns aware UTC now (injected in tests)."""

    def __init__(self, db: Database, *, calendar: Calendar | None = None, tz: tzinfo | str = "Asia/Shanghai",
                 town_deadline: tuple[int, int] = (1, 31), admin_ids: Iterable[int] = (),
                 clock: Callable[[], datetime] = _utcnow, worker: str | None = None,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self.db = db
        self.calendar = calendar or default_calendar()
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.town_deadline = town_deadline
        self.admin_ids = tuple(sorted(set(admin_ids)))
        self.clock = clock
        self.worker = worker or _worker_name()
        self.max_attempts = max_attempts
        self._ensured_on: date | None = None

    @classmethod
    def from_settings(cls, db: Database, settings: Any, **kwargs: Any) -> "ReminderService":
        month, day = (int(p) for p in settings.town_report_deadline.split("-"))
        return cls(db, tz=settings.tz, town_deadline=(month, day), admin_ids=settings.admin_user_ids, **kwargs)

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    # ---- annual-report reminders --------------------------------------------------------------

    def report_year(self, now: datetime | None = None) -> int:
        """The report year reminders are about now: last year's until its last overdue summary, then this year's."""
        years = current_report_years(now or self.now(), self.tz, self.town_deadline)
        return years[0] if years else (now or self.now()).astimezone(self.tz).year

    async def _schedule_annual(self, session: AsyncSession, chat_id: int, now: datetime) -> int:
        created = 0
        for year in current_report_years(now, self.tz, self.town_deadline):
            for r in annual_schedule(year, self.tz, town_deadline=self.town_deadline):
                if r.due_at < now:
                    continue  # never announce, after the fact, a reminder that was due before it was scheduled
                series = f"annual:{chat_id}:{year}:{r.deadline.isoformat()}"
                await repo.schedule(
                    session, chat_id=chat_id, kind="annual", due_at=r.due_at, series=series,
                    dedup_key=f"{series}:{r.days_before}",
                    payload={"year": year, "deadline": r.deadline.isoformat(), "days_before": r.days_before})
                created += 1
        return created

    async def subscribe(self, chat_id: int, lang: str) -> SubscribeResult:
        now = self.now()
        async with self.db.transaction() as s:
            sub = await repo.ensure_subscription(s, chat_id, lang)
            was_active = sub.active
            sub.active = True
            await self._schedule_annual(s, chat_id, now)
            size = len(await repo.roster(s, chat_id))
            all_agencies = sub.all_agencies
        year = self.report_year(now)
        deadlines = list(annual_deadlines(year, self.town_deadline))
        return SubscribeResult(year, deadlines, size, all_agencies, was_active)

    async def unsubscribe(self, chat_id: int) -> bool:
        """Annual reminders off; True when they were on. Tracked applications keep their reminders."""
        async with self.db.transaction() as s:
            sub = await repo.get_subscription(s, chat_id)
            was_active = bool(sub and sub.active)
            if sub is not None:
                sub.active = False
            await repo.cancel_pending(s, chat_id=chat_id, series_prefix=f"annual:{chat_id}:")
        return was_active

    async def roster_add(self, chat_id: int, lang: str, names: Sequence[str]) -> RosterChange:
        change = RosterChange()
        async with self.db.transaction() as s:
            await repo.ensure_subscription(s, chat_id, lang)
            agencies = AgencyRepository(s)
            seen: set[str] = set()
            for raw in names:
                name = clean_name(raw)[:MAX_ROSTER_NAME]
                if not name or name in seen:
                    continue
                seen.add(name)
                agency = await agencies.find(name)
                if await repo.roster_add(s, chat_id, name, agency.id if agency else None):
                    change.added.append(name)
                    if agency is None:
                        change.unknown.append(name)
                else:
                    change.already.append(name)
        return change

    async def roster_all(self, chat_id: int, lang: str, on: bool) -> int:
        """``/roster add all`` (every stored agency, now and later) or ``remove all``; the agency count."""
        async with self.db.transaction() as s:
            sub = await repo.ensure_subscription(s, chat_id, lang)
            sub.all_agencies = on
            if not on:
                await repo.roster_clear(s, chat_id)
            return len(await repo.all_agencies(s))

    async def roster_remove(self, chat_id: int, names: Sequence[str]) -> RosterChange:
        change = RosterChange()
        async with self.db.transaction() as s:
            present = {e.name for e in await repo.roster(s, chat_id)}
            wanted = []
            for raw in names:
                name = clean_name(raw)
                if not name:
                    continue
                (change.removed if name in present else change.missing).append(name)
                wanted.append(name)
            await repo.roster_remove(s, chat_id, wanted)
        return change

    async def _bodies(self, s: AsyncSession, chat_id: int, all_agencies: bool) -> list[tuple[str, int | None, str]]:
        """(name, agency id, level) of every body on the chat's roster."""
        bodies: dict[str, tuple[str, int | None, str]] = {}
        agencies = AgencyRepository(s)
        if all_agencies:
            for a in await repo.all_agencies(s):
                bodies[a.name] = (a.name, a.id, infer_level(a.name, a.level))
        for e in await repo.roster(s, chat_id):
            agency = await agencies.get(e.agency_id) if e.agency_id else await agencies.find(e.name)
            if agency is not None:
                bodies.setdefault(agency.name, (e.name, agency.id, infer_level(agency.name, agency.level)))
            else:
                bodies.setdefault(e.name, (e.name, None, infer_level(e.name)))
        return sorted(bodies.values())

    def _deadlines_of(self, level: str, year: int) -> tuple[list[date], date]:
        """Deadlines to remind a body of, and the one after which it is overdue. A body whose level is
        unknown is reminded before the earliest deadline too, but called overdue only after the latest."""
        if level == "unknown":
            all_days = list(annual_deadlines(year, self.town_deadline))
            return all_days, max(all_days)
        d = annual_report_deadline(level, year, self.town_deadline)
        return [d], d

    @staticmethod
    def _reported(name: str, agency_id: int | None, ids: set[int], keys: set[str]) -> bool:
        return (agency_id is not None and agency_id in ids) or agency_key(name) in keys

    async def roster_view(self, chat_id: int) -> RosterView:
        year = self.report_year()
        async with self.db.transaction(write=False) as s:
            sub = await repo.get_subscription(s, chat_id)
            bodies = await self._bodies(s, chat_id, bool(sub and sub.all_agencies))
            ids, names = await repo.stored_report_keys(s, year)
        keys = {agency_key(n) for n in names}
        lines = [RosterLine(name, agency_id is not None, self._reported(name, agency_id, ids, keys),
                            self._deadlines_of(level, year)[1])
                 for name, agency_id, level in bodies]
        return RosterView(year, bool(sub and sub.all_agencies), lines, bool(sub and sub.active))

    async def _annual_notice(self, s: AsyncSession, rem: Reminder, now: datetime) -> Notice | None:
        sub = await repo.get_subscription(s, rem.chat_id)
        if sub is None or not sub.active:
            return None
        year = int(rem.payload["year"])
        deadline = date.fromisoformat(rem.payload["deadline"])
        overdue = int(rem.payload["days_before"]) < 0
        bodies = await self._bodies(s, rem.chat_id, sub.all_agencies)
        ids, names = await repo.stored_report_keys(s, year)
        keys = {agency_key(n) for n in names}
        concerned, missing = [], []
        for name, agency_id, level in bodies:
            remind, final = self._deadlines_of(level, year)
            if (final == deadline) if overdue else (deadline in remind):
                concerned.append(name)
                if not self._reported(name, agency_id, ids, keys):
                    missing.append(name)
        if not concerned or (not overdue and not missing):
            return None
        today = now.astimezone(self.tz).date()
        return Notice(rem.id, rem.chat_id, sub.lang, "annual", {
            "year": year, "deadline": deadline.isoformat(), "days_left": (deadline - today).days,
            "overdue": overdue, "missing": missing, "total": len(concerned)})

    # ---- application deadlines -----------------------------------------------------------------

    @staticmethod
    def _clock(app: TrackedApplication) -> ApplicationClock:
        return ApplicationClock(
            received_on=app.received_on, channel=Channel(app.channel), counted_from=app.counted_from,
            extended=app.extended, excluded_workdays=app.excluded_workdays, paused_since=app.paused_since,
            pause_kind=PauseKind(app.pause_kind) if app.pause_kind else None,
            excluded_approximate=app.excluded_approximate)

    def _store_clock(self, app: TrackedApplication, clock: ApplicationClock) -> None:
        due = clock.due(self.calendar)
        app.counted_from = clock.start
        app.extended = clock.extended
        app.excluded_workdays = clock.excluded_workdays
        app.excluded_approximate = clock.excluded_approximate
        app.paused_since = clock.paused_since
        app.pause_kind = clock.pause_kind.value if clock.pause_kind else None
        app.due_on = due.on
        app.approximate = due.approximate

    def view(self, app: TrackedApplication, today: date | None = None) -> AppView:
        clock = self._clock(app)
        today = today or self.today()
        remaining = clock.remaining_workdays(today, self.calendar)
        return AppView(
            id=app.id, subject=app.subject, channel=app.channel, received_on=app.received_on,
            counted_from=clock.start, due_on=app.due_on, approximate=app.approximate or remaining.approximate,
            extended=app.extended, old_rules=clock.old_rules, paused_since=app.paused_since,
            pause_kind=app.pause_kind, excluded_workdays=app.excluded_workdays,
            remaining_workdays=remaining.count, correction_notice_by=clock.correction_notice_by(self.calendar).on,
            opinion_due=clock.opinion_due(self.calendar).on, closed=app.closed_at is not None)

    async def _schedule_application(self, s: AsyncSession, app: TrackedApplication, now: datetime) -> None:
        """Make the pending reminders of ``app`` match its clock: new ones created, stale ones cancelled."""
        if app.closed_at is not None:
            await repo.cancel_pending(s, application_id=app.id)
            return
        keep: list[str] = []
        series = f"app:{app.id}"
        for r in application_schedule(self._clock(app), self.calendar, self.tz):
            key = f"{series}:{r.kind}:{r.on.isoformat()}:{r.workdays_left}"
            keep.append(key)
            if r.due_at < now:
                continue
            await repo.schedule(s, chat_id=app.chat_id, kind="application", due_at=r.due_at, dedup_key=key,
                                series=series, application_id=app.id,
                                payload={"reminder": r.kind, "on": r.on.isoformat(), "workdays_left": r.workdays_left})
        await repo.cancel_pending(s, application_id=app.id, keep=keep)

    async def track(self, chat_id: int, lang: str, received_on: date, channel: Channel, subject: str) -> AppView:
        subject = " ".join(subject.split())[:MAX_SUBJECT]
        if not subject:
            raise ReminderError("subject_missing")
        today = self.today()
        if received_on > today:
            raise ReminderError("future_date", date=received_on)
        now = self.now()
        async with self.db.transaction() as s:
            if await repo.find_open_application(s, chat_id, subject) is not None:
                raise ReminderError("already_tracked", subject=subject)
            clock = ApplicationClock(received_on, channel)
            app = TrackedApplication(chat_id=chat_id, subject=subject, channel=channel.value, lang=lang,
                                     received_on=received_on, counted_from=received_on, extended=False,
                                     excluded_workdays=0, excluded_approximate=False, approximate=False)
            self._store_clock(app, clock)
            await repo.add_application(s, app)
            await self._schedule_application(s, app, now)
            return self.view(app, today)

    async def _change(self, chat_id: int, ref: str, lang: str | None,
                      change: Callable[[ApplicationClock], ApplicationClock]) -> AppView:
        now = self.now()
        async with self.db.transaction() as s:
            app = await repo.find_open_application(s, chat_id, ref)
            if app is None:
                raise ReminderError("not_found", ref=ref)
            try:
                clock = change(self._clock(app))
            except ClockError as exc:
                raise ReminderError(exc.code, subject=app.subject, detail=str(exc)) from exc
            self._store_clock(app, clock)
            if lang:
                app.lang = lang
            await self._schedule_application(s, app, now)
            return self.view(app, now.astimezone(self.tz).date())

    async def extend(self, chat_id: int, ref: str, lang: str | None = None) -> AppView:
        return await self._change(chat_id, ref, lang, lambda c: c.extend())

    async def pause(self, chat_id: int, ref: str, kind: PauseKind, on: date | None = None,
                    lang: str | None = None) -> AppView:
        day = on or self.today()
        if day > self.today():
            raise ReminderError("future_date", date=day)
        return await self._change(chat_id, ref, lang, lambda c: c.pause(kind, day))

    async def resume(self, chat_id: int, ref: str, on: date | None = None, lang: str | None = None) -> AppView:
        day = on or self.today()
        if day > self.today():
            raise ReminderError("future_date", date=day)
        return await self._change(chat_id, ref, lang, lambda c: c.resume(day, self.calendar))

    async def done(self, chat_id: int, ref: str) -> AppView:
        now = self.now()
        async with self.db.transaction() as s:
            app = await repo.find_open_application(s, chat_id, ref)
            if app is None:
                raise ReminderError("not_found", ref=ref)
            app.closed_at = now
            await self._schedule_application(s, app, now)
            return self.view(app, now.astimezone(self.tz).date())

    async def tracked(self, chat_id: int) -> list[AppView]:
        today = self.today()
        async with self.db.transaction(write=False) as s:
            return [self.view(a, today) for a in await repo.open_applications(s, chat_id)]

    async def _application_notice(self, s: AsyncSession, rem: Reminder, now: datetime) -> Notice | None:
        app = await s.get(TrackedApplication, rem.application_id) if rem.application_id else None
        if app is None or app.closed_at is not None:
            return None
        view = self.view(app, now.astimezone(self.tz).date())
        return Notice(rem.id, rem.chat_id, app.lang, "application", {
            "reminder": rem.payload.get("reminder"), "id": app.id, "subject": app.subject,
            "due_on": view.due_on.isoformat() if view.due_on else None,
            "remaining_workdays": view.remaining_workdays, "approximate": view.approximate,
            "extended": view.extended, "opinion_due": view.opinion_due.isoformat() if view.opinion_due else None})

    # ---- the holiday calendar ------------------------------------------------------------------

    def missing_holiday_year(self, today: date) -> int | None:
        """The year whose official schedule should be entered now: next year from 1 December, or the
        current year if it is still missing."""
        if not self.calendar.is_covered(today.year):
            return today.year
        if today.month == 12 and not self.calendar.is_covered(today.year + 1):
            return today.year + 1
        return None

    async def _holidays_notice(self, s: AsyncSession, rem: Reminder) -> Notice | None:
        year = int(rem.payload["year"])
        if self.calendar.is_covered(year):
            return None
        sub = await repo.get_subscription(s, rem.chat_id)
        return Notice(rem.id, rem.chat_id, sub.lang if sub else "zh", "holidays_missing", {"year": year})

    # ---- the repeating job ---------------------------------------------------------------------

    async def ensure_schedules(self, force: bool = False) -> None:
        """Once a (local) day: create the reminders of the current cycle for every active subscription
        (a new report year begins in December) and the admins' one-time holiday reminder. Idempotent."""
        now = self.now()
        today = now.astimezone(self.tz).date()
        if not force and self._ensured_on == today:
            return
        async with self.db.transaction() as s:
            for sub in await repo.active_subscriptions(s):
                await self._schedule_annual(s, sub.chat_id, now)
            year = self.missing_holiday_year(today)
            if year is not None:
                for admin in self.admin_ids:
                    key = f"holidays:{year}:{admin}"
                    await repo.schedule(s, chat_id=admin, kind="holidays_missing", due_at=now, dedup_key=key,
                                        series=key, payload={"year": year})
        self._ensured_on = today

    async def _compose(self, rem: Reminder, now: datetime) -> Notice | None:
        async with self.db.transaction(write=False) as s:
            if rem.kind == "annual":
                return await self._annual_notice(s, rem, now)
            if rem.kind == "application":
                return await self._application_notice(s, rem, now)
            if rem.kind == "holidays_missing":
                return await self._holidays_notice(s, rem)
        log.error("reminder %s has unknown kind %r; dropping it", rem.id, rem.kind)
        return None

    async def _finish(self, rem: Reminder, outcome: str, now: datetime, error: str | None = None) -> None:
        async with self.db.transaction() as s:
            await repo.finish(s, rem.id, outcome, at=now, worker=self.worker, error=error)

    async def run_due(self, deliver: Deliver, *, limit: int = 50) -> RunStats:
        """Claim what is due, send it, record outcomes. Safe to run from several processes at once."""
        await self.ensure_schedules()
        now = self.now()
        stats = RunStats()
        async with self.db.transaction() as s:
            claimed = await repo.claim_due(s, now=now, worker=self.worker, limit=limit, lease=CLAIM_LEASE)
        stats.claimed = len(claimed)
        latest: dict[str, Reminder] = {}
        for rem in claimed:
            best = latest.get(rem.series)
            if best is None or (rem.due_at, rem.id) > (best.due_at, best.id):
                latest[rem.series] = rem
        for rem in claimed:
            if latest[rem.series] is not rem:
                await self._finish(rem, repo.SUPERSEDED, now)
                stats.superseded += 1
        blocked: set[int] = set()
        for rem in latest.values():
            if rem.chat_id in blocked:
                continue  # already cancelled when the chat turned out to have blocked the bot
            if await self._send_one(rem, deliver, now, stats):
                blocked.add(rem.chat_id)
        return stats

    async def _send_one(self, rem: Reminder, deliver: Deliver, now: datetime, stats: RunStats) -> bool:
        """Compose, deliver and record one reminder; True when the chat turned out to be blocked."""
        notice = await self._compose(rem, now)
        if notice is None:
            await self._finish(rem, repo.SKIPPED, now)
            stats.skipped += 1
            return False
        try:
            await deliver(notice)
        except RecipientBlocked as exc:
            log.info("chat %s blocked the bot; unsubscribing it", rem.chat_id)
            async with self.db.transaction() as s:
                await repo.finish(s, rem.id, repo.BLOCKED, at=now, worker=self.worker, error=str(exc))
                await repo.deactivate_chat(s, rem.chat_id)
            stats.blocked += 1
            return True
        except Exception as exc:  # any failure of one send must not stop the others; it is retried
            retry_after = exc.retry_after if isinstance(exc, DeliveryFailed) else None
            if not isinstance(exc, DeliveryFailed):
                log.exception("sending reminder %s failed", rem.id)
            error = f"{type(exc).__name__}: {exc}"
            if rem.attempts >= self.max_attempts:
                await self._finish(rem, repo.FAILED, now, error)
                stats.failed += 1
            else:
                async with self.db.transaction() as s:
                    await repo.retry_later(s, rem.id, next_try_at=now + _backoff(rem.attempts, retry_after),
                                           worker=self.worker, error=error)
                stats.retried += 1
            return False
        async with self.db.transaction() as s:
            await repo.finish(s, rem.id, repo.SENT, at=now, worker=self.worker)
            stats.superseded += await repo.supersede_older(s, series=rem.series, due_before=rem.due_at)
        stats.sent += 1
        return False

